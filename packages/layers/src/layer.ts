// The Layer base: PyTorch's Module (explicit parameters, buffers and sub-layers, dotted names,
// stateDict, train/eval) with Keras's lazy build (weights made on the first call, from the input's
// shape) and Flax's explicit generator (each layer draws its weights from its own seeded RNG).

import {
  DendriteError, RandomGenerator, Tensor, keep, mul, noGrad, scalar, tidy, variable, zeros,
} from '@dendrite/core';
import type { Initializer } from './initializers.js';
import { booleanOption, checkOptionNames, LAYER_OPTION_NAMES } from './options.js';
import { SymbolicTensor, isSymbolic, newCallId, type SymbolicDType } from './symbolic.js';

/** A layer's input shape: one shape, or one per input for layers taking several tensors. */
export type InputShape = readonly number[] | readonly (readonly number[])[];

/** What every layer's constructor accepts. */
export interface LayerOptions {
  /** Unique-ish name, shown by summary() and used as the key inside functional models. */
  name?: string;
  /** Seed of the layer's own generator (weights, dropout masks). Without one, a parent's generator
   * (when the layer is added to a model with a seed) or the package's default sequence decides. */
  seed?: number;
  /** False freezes the layer's parameters (they get no gradient). */
  trainable?: boolean;
}

/** The symbolic counterpart of a layer's output type, for the functional graph API. */
export type SymbolicOf<Out> = Out extends Tensor ? SymbolicTensor
  : Out extends readonly Tensor[] ? SymbolicTensor[] : SymbolicTensor | SymbolicTensor[];

interface ParameterEntry {
  tensor: Tensor;
  trainable: boolean;
}

// Layers built without any seed draw one from this sequence, so one process building the same
// models in the same order gets the same weights. Pass `seed` for weights independent of order.
const defaultSeeds = new RandomGenerator(0x5eed);
const nameCounts = new Map<string, number>();

function autoName(className: string): string {
  // A new word starts at an upper-case letter followed by a lower-case one: MaxPool2D → max_pool2d, ReLU → relu.
  const base = className.replace(/([a-z0-9])([A-Z][a-z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
  const count = (nameCounts.get(base) ?? 0) + 1;
  nameCounts.set(base, count);
  return `${base}_${count}`;
}

/** A copy of `value` in a fresh buffer (loading state must not alias the caller's tensor). */
function copyOf(value: Tensor): Tensor {
  // tidy: the int32 scalar (and any constant the op makes) must not outlive the copy.
  return tidy(() => noGrad(() => mul(value, value.dtype === 'int32' ? scalar(1, 'int32') : 1)));
}

/** A layer of any input and output types (what models, save/load and transfer helpers take). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayer = Layer<any, any>;

/**
 * The base of every layer and model. Subclasses create their weights in {@link Layer.onBuild} with
 * `addParameter`, register running statistics with `addBuffer` and sub-layers with `addLayer`, and
 * compute in {@link Layer.forward} with core's functional ops.
 *
 * @example
 * ```ts
 * class Scale extends Layer {
 *   private factor!: Tensor;
 *   protected override onBuild(shape: InputShape) {
 *     this.factor = this.addParameter('factor', [(shape as number[]).at(-1)!], ones);
 *   }
 *   protected forward(x: Tensor) { return mul(x, this.factor); }
 * }
 * const y = new Scale({ seed: 1 }).apply(tensor([[1, 2]]));
 * ```
 */
export abstract class Layer<In = Tensor, Out = Tensor> {
  /**
   * The options a class's constructor takes besides {@link LayerOptions}' name, seed and trainable.
   * A class that declares its own list gets any other key refused by the base constructor, with an
   * error naming the key and listing the valid ones (`Dense: unknown option 'unit' (did you mean
   * 'units'?); valid options are ...`). Classes that do not declare it (your own subclasses, unless
   * they do) are not checked.
   */
  declare static readonly optionNames?: readonly string[];

  readonly name: string;
  /** The layer's own generator: initializers and random masks draw from it. */
  protected random: RandomGenerator;
  /** The seed given to the constructor (stored in the config), if any. */
  protected readonly seed: number | undefined;
  /** The dtype of a dummy input when output shapes are traced (Embedding takes int32 ids). */
  protected inputDtype: SymbolicDType = 'float32';
  private builtFlag = false;
  /** Set by dispose(): applying a disposed layer says so, not that some kernel's tensor was freed. */
  private disposedFlag = false;
  private builtShape: InputShape | null = null;
  private trainingFlag = true;
  private trainableFlag: boolean;
  private readonly parameterEntries = new Map<string, ParameterEntry>();
  private readonly bufferEntries = new Map<string, Tensor>();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly children = new Map<string, Layer<any, any>>();
  private seededExplicitly: boolean;

  constructor(options: LayerOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new DendriteError(`${new.target.name}: options must be an object, got ${options === null ? 'null' : typeof options}`);
    }
    // Only a class's own list: a subclass that adds options without declaring them is not refused.
    const own = Object.prototype.hasOwnProperty.call(new.target, 'optionNames') ? (new.target as { optionNames?: unknown }).optionNames : undefined;
    if (Array.isArray(own)) checkOptionNames(new.target.name, options, [...LAYER_OPTION_NAMES, ...(own as string[])]);
    if (options.seed !== undefined && !Number.isInteger(options.seed)) {
      throw new DendriteError(`${new.target.name}: seed must be an integer, got ${options.seed}`);
    }
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '' || options.name.includes('.'))) {
      throw new DendriteError(`${new.target.name}: name must be a non-empty string without dots, got ${JSON.stringify(options.name)}`);
    }
    this.name = options.name ?? autoName(new.target.name);
    this.seed = options.seed;
    this.seededExplicitly = options.seed !== undefined;
    this.random = new RandomGenerator(options.seed ?? defaultSeeds.nextUint32());
    this.trainableFlag = booleanOption(options.trainable, new.target.name, 'trainable', true);
  }

  // ---- building and calling ----

  /** Whether the weights exist (after the first `apply` or an explicit `build`). */
  get built(): boolean {
    return this.builtFlag;
  }

  /** The input shape the layer was built for (null before), as getConfig/serialization record it. */
  get buildInputShape(): InputShape | null {
    return this.builtShape;
  }

  /**
   * Create the weights for inputs of this shape (a leading -1 stands for any batch size). `apply`
   * calls it on the first call; call it yourself to load weights before any input exists.
   * Override {@link Layer.onBuild}, not this.
   */
  build(inputShape: InputShape): void {
    if (this.builtFlag) return;
    const before = { parameters: new Set(this.parameterEntries.keys()), buffers: new Set(this.bufferEntries.keys()), children: new Set(this.children.keys()) };
    try {
      this.onBuild(inputShape);
    } catch (error) {
      // Undo a half-made build, so a corrected call can build again.
      for (const [name, entry] of [...this.parameterEntries]) if (!before.parameters.has(name)) { entry.tensor.dispose(); this.parameterEntries.delete(name); }
      for (const [name, buffer] of [...this.bufferEntries]) if (!before.buffers.has(name)) { buffer.dispose(); this.bufferEntries.delete(name); }
      for (const name of [...this.children.keys()]) if (!before.children.has(name)) this.children.delete(name);
      throw error;
    }
    this.builtFlag = true;
    this.builtShape = inputShape;
  }

  /** Create weights and sub-layers once the input shape is known. Layers without weights skip it. */
  protected onBuild(_inputShape: InputShape): void {}

  /**
   * Run the layer: build on the first call, then `forward`. Given symbolic tensors (from `input()`),
   * it records a graph node instead and returns symbolic outputs.
   *
   * `forward` runs in a `tidy` scope: the tensors it makes along the way are disposed when it
   * returns and only the outputs survive (with what their gradient graph needs, so
   * `backward(tidy(() => loss(model.apply(x), y)))` still reaches every parameter).
   *
   * @example
   * ```ts
   * const dense = new Dense({ units: 4, activation: 'relu' });
   * const before = memory().tensors;
   * const y = dense.apply(x); // builds the weights, then leaves only y behind
   * ```
   */
  apply(input: SymbolicTensor | readonly SymbolicTensor[]): SymbolicOf<Out>;
  apply(input: In): Out;
  apply(input: In | SymbolicTensor | readonly SymbolicTensor[]): Out | SymbolicOf<Out> {
    if (isSymbolic(input)) return this.applySymbolic(input);
    return this.applyWith(input as In, () => this.forward(input as In));
  }

  /**
   * @internal What `apply` does around `forward` (refuse a disposed layer, build on the first call,
   * run in a `tidy` scope), around another computation of the same input: a model uses it to run this
   * layer fused with the next one (Conv2D's `applyPooled`).
   */
  applyWith<T>(input: In, compute: () => T): T {
    this.assertNotDisposed();
    if (!this.builtFlag) this.build(this.inputShapeOf(input));
    return tidy(compute);
  }

  /** @internal The error `apply` gives once `dispose()` freed the layer's weights (nothing otherwise). */
  assertNotDisposed(): void {
    if (this.disposedFlag) throw new DendriteError(`${this.name}: this ${this.constructor.name} was disposed (dispose() freed its weights); create or load the model again`);
  }

  /** The computation, with core's functional ops. */
  protected abstract forward(input: In): Out;

  /** The shape `build` receives for an input (override for inputs other than tensors or lists of them). */
  protected inputShapeOf(input: In): InputShape {
    if (input instanceof Tensor) return input.shape;
    if (Array.isArray(input) && input.every((item) => item instanceof Tensor)) return input.map((item: Tensor) => item.shape);
    throw new DendriteError(`${this.name}: cannot infer the input shape of ${String(input)}; call build(shape) first`);
  }

  /**
   * The output shape(s) for an input shape, with -1 where a dimension depends on the batch (or
   * another run-time length). The default builds the layer and traces `forward` in eval mode on
   * zeros, with two different sizes for the -1 dimensions when there are any; layers may override it
   * with a formula.
   */
  outputShape(inputShape: InputShape): number[] | number[][] {
    this.build(inputShape);
    const nested = Array.isArray(inputShape[0]);
    const shapes = (nested ? inputShape : [inputShape]) as readonly (readonly number[])[];
    const trace = (runtimeSize: number): number[][] => {
      // Trace in eval mode (no dropout draws, no running-statistics updates), then restore each
      // layer's own mode (a sub-layer may differ from its parent).
      const modes = new Map<Layer<unknown, unknown>, boolean>();
      const record = (layer: Layer<unknown, unknown>) => {
        modes.set(layer, layer.trainingFlag);
        for (const child of layer.children.values()) record(child);
      };
      record(this);
      this.setTrainingRecursive(false);
      try {
        return tidy(() => noGrad(() => {
          const dummies = shapes.map((shape) => zeros(shape.map((dim) => (dim === -1 ? runtimeSize : dim)), this.inputDtype));
          const output = this.forward((nested ? dummies : dummies[0]) as In) as unknown;
          const outputs = output instanceof Tensor ? [output] : (output as Tensor[]);
          return outputs.map((tensor) => [...tensor.shape]);
        }));
      } finally {
        for (const [layer, mode] of modes) layer.trainingFlag = mode;
      }
    };
    const small = trace(1);
    // Only a -1 input dimension can make the traces differ; without one, a second trace would repeat the first.
    const large = shapes.some((shape) => shape.includes(-1)) ? trace(2) : small;
    const merged = small.map((shape, i) => shape.map((dim, axis) => (dim === large[i][axis] ? dim : -1)));
    return merged.length === 1 && !this.returnsList() ? merged[0] : merged;
  }

  /** Whether forward returns a list of tensors (set by multi-output layers for outputShape/graphs). */
  protected returnsList(): boolean {
    return false;
  }

  private applySymbolic(input: SymbolicTensor | readonly SymbolicTensor[]): SymbolicOf<Out> {
    const inputShape: InputShape = input instanceof SymbolicTensor ? input.shape : input.map((item) => item.shape);
    if (input instanceof SymbolicTensor) this.inputDtype = input.dtype;
    this.build(inputShape);
    const shape = this.outputShape(inputShape);
    const callId = newCallId();
    if (Array.isArray(shape[0])) {
      return (shape as number[][]).map((outputShape, outputIndex) =>
        new SymbolicTensor(outputShape, 'float32', { layer: this, inputs: input, outputIndex, callId }, `${this.name}/${outputIndex}`)) as SymbolicOf<Out>;
    }
    return new SymbolicTensor(shape as number[], 'float32', { layer: this, inputs: input, outputIndex: null, callId }, this.name) as SymbolicOf<Out>;
  }

  // ---- registration ----

  /**
   * Create a parameter: a core variable initialized from this layer's generator, requiring grad
   * unless the parameter or the layer is frozen.
   */
  protected addParameter(name: string, shape: readonly number[], init: Initializer, options: { trainable?: boolean } = {}): Tensor {
    this.assertNewName(name, 'addParameter');
    const initial = init(shape, this.random);
    if (initial.shape.length !== shape.length || initial.shape.some((dim, axis) => dim !== shape[axis])) {
      throw new DendriteError(`${this.name}.addParameter('${name}'): the initializer made [${initial.shape.join(', ')}], not [${shape.join(', ')}]`);
    }
    const parameter = variable(initial, `${this.name}.${name}`);
    if (parameter !== initial) initial.dispose();
    const entry = { tensor: parameter, trainable: options.trainable ?? true };
    this.parameterEntries.set(name, entry);
    parameter.requiresGrad = entry.trainable && this.trainableFlag;
    return parameter;
  }

  /** Register non-trainable state (running statistics): saved in stateDict, never differentiated. */
  protected addBuffer(name: string, initial: Tensor): Tensor {
    this.assertNewName(name, 'addBuffer');
    keep(initial);
    initial.name = `${this.name}.${name}`;
    this.bufferEntries.set(name, initial);
    return initial;
  }

  /** Replace a buffer's value (e.g. updated running statistics); the old value is released. */
  protected setBuffer(name: string, value: Tensor): void {
    const buffer = this.bufferEntries.get(name);
    if (!buffer) throw new DendriteError(`${this.name}.setBuffer: no buffer '${name}'`);
    buffer.assign(value);
  }

  /** Register a sub-layer under `name` (its parameters appear as `name.param`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected addLayer<L extends Layer<any, any>>(name: string, layer: L): L {
    if (!(layer instanceof Layer)) throw new DendriteError(`${this.name}.addLayer('${name}'): not a Layer`);
    this.assertNewName(name, 'addLayer');
    this.children.set(name, layer);
    // A child without its own seed draws from the parent's generator, so one seed on a model fixes
    // every weight in it.
    if (!layer.seededExplicitly && !layer.builtFlag) layer.random = new RandomGenerator(this.random.nextUint32());
    if (!this.trainableFlag) layer.trainable = false;
    return layer;
  }

  private assertNewName(name: string, op: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new DendriteError(`${this.name}.${op}: name must be a non-empty string without dots, got ${JSON.stringify(name)}`);
    }
    if (this.parameterEntries.has(name) || this.bufferEntries.has(name) || this.children.has(name)) {
      throw new DendriteError(`${this.name}.${op}: '${name}' is already registered (was the layer built twice?)`);
    }
  }

  /** The direct sub-layers, by registration name. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  namedChildren(): Array<[string, Layer<any, any>]> {
    return [...this.children];
  }

  // ---- modes ----

  /** Training mode (the default) or evaluation mode, for this layer and every sub-layer. */
  train(mode = true): this {
    this.setTrainingRecursive(mode);
    return this;
  }

  /** Evaluation mode: dropout is the identity, batch norm uses its running statistics. */
  eval(): this {
    return this.train(false);
  }

  get training(): boolean {
    return this.trainingFlag;
  }

  private setTrainingRecursive(mode: boolean): void {
    this.trainingFlag = mode;
    for (const child of this.children.values()) child.setTrainingRecursive(mode);
  }

  /** Whether the layer trains; setting false freezes it and everything under it. */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(value: boolean) {
    if (typeof value !== 'boolean') throw new DendriteError(`${this.name}.trainable: must be a boolean, got ${typeof value}`);
    this.trainableFlag = value;
    for (const entry of this.parameterEntries.values()) entry.tensor.requiresGrad = value && entry.trainable;
    for (const child of this.children.values()) child.trainable = value;
  }

  /**
   * Restart the random draws of this layer and every sub-layer from `seed`: dropout masks (and
   * the initial weights of layers not built yet) then follow from the seed alone. Each sub-layer
   * gets a seed drawn from its parent's reseeded generator, in registration order. The Trainer of
   * `@dendrite/training` calls it before every step of a seeded fit, which is what lets a resumed
   * run draw the masks the uninterrupted one drew.
   *
   * @example
   * ```ts
   * model.reseed(7);
   * const first = model.apply(x);
   * model.reseed(7);
   * const second = model.apply(x); // the same dropout masks as `first`
   * ```
   */
  reseed(seed: number): void {
    if (!Number.isInteger(seed)) throw new DendriteError(`${this.name}.reseed: seed must be an integer, got ${seed}`);
    // A layer shared by two parents is reseeded once, at its first place in the tree.
    const seen = new Set<Layer<unknown, unknown>>();
    const visit = (layer: Layer<unknown, unknown>, layerSeed: number) => {
      if (seen.has(layer)) return;
      seen.add(layer);
      layer.random.reseed(layerSeed);
      for (const child of layer.children.values()) visit(child, layer.random.nextUint32());
    };
    visit(this, seed);
  }

  // ---- parameters and state ----

  /** Parameters with dotted names (`encoder.0.kernel`), this layer's first, then each sub-layer's. */
  namedParameters(options: { trainableOnly?: boolean } = {}): Array<[string, Tensor]> {
    const result: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    const visit = (layer: Layer<unknown, unknown>, prefix: string) => {
      for (const [name, entry] of layer.parameterEntries) {
        // A layer shared by two parents appears once, under its first name.
        if (seen.has(entry.tensor)) continue;
        seen.add(entry.tensor);
        if (!options.trainableOnly || entry.tensor.requiresGrad) result.push([prefix + name, entry.tensor]);
      }
      for (const [name, child] of layer.children) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    return result;
  }

  /** The parameters (all, or only those that train), in a stable order. */
  parameters(options: { trainableOnly?: boolean } = {}): Tensor[] {
    return this.namedParameters(options).map(([, tensor]) => tensor);
  }

  /** Buffers (running statistics) with dotted names. */
  namedBuffers(): Array<[string, Tensor]> {
    const result: Array<[string, Tensor]> = [];
    const seen = new Set<Tensor>();
    const visit = (layer: Layer<unknown, unknown>, prefix: string) => {
      for (const [name, tensor] of layer.bufferEntries) {
        if (seen.has(tensor)) continue;
        seen.add(tensor);
        result.push([prefix + name, tensor]);
      }
      for (const [name, child] of layer.children) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    return result;
  }

  /** Parameters and buffers by dotted name: the tensors themselves (not copies), as PyTorch returns them. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copy values into the parameters and buffers. Strict (the default) refuses missing or
   * unexpected keys; a shape or dtype mismatch is always an error naming the key. The layer must be
   * built (apply it once or call `build(shape)`).
   */
  loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): { missingKeys: string[]; unexpectedKeys: string[] } {
    if (options === null || typeof options !== 'object') throw new DendriteError(`${this.name}.loadStateDict: options must be an object, got ${String(options)}`);
    checkOptionNames(`${this.name}.loadStateDict`, options, ['strict']);
    const strict = booleanOption(options.strict, `${this.name}.loadStateDict`, 'strict', true);
    if (state === null || typeof state !== 'object') throw new DendriteError(`${this.name}.loadStateDict: state must be an object of tensors`);
    const own = this.stateDict();
    if (Object.keys(own).length === 0 && !this.builtFlag) {
      throw new DendriteError(`${this.name}.loadStateDict: the layer is not built yet; call build(inputShape) or apply it once first`);
    }
    const missingKeys = Object.keys(own).filter((key) => !(key in state));
    const unexpectedKeys = Object.keys(state).filter((key) => !(key in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new DendriteError(`${this.name}.loadStateDict: ${missingKeys.length ? `missing keys ${missingKeys.join(', ')}` : ''}${
        missingKeys.length && unexpectedKeys.length ? '; ' : ''}${unexpectedKeys.length ? `unexpected keys ${unexpectedKeys.join(', ')}` : ''}`);
    }
    // Check everything before changing anything, so a bad state leaves the layer as it was.
    for (const [key, target] of Object.entries(own)) {
      const value = state[key];
      if (value === undefined) continue;
      if (!(value instanceof Tensor)) throw new DendriteError(`${this.name}.loadStateDict: '${key}' is not a tensor`);
      if (value.dtype !== target.dtype || value.shape.length !== target.shape.length || value.shape.some((dim, axis) => dim !== target.shape[axis])) {
        throw new DendriteError(`${this.name}.loadStateDict: '${key}' is ${value.dtype} [${value.shape.join(', ')}] but the layer has ${target.dtype} [${target.shape.join(', ')}]`);
      }
    }
    for (const [key, target] of Object.entries(own)) {
      const value = state[key];
      if (value === undefined) continue;
      const copy = copyOf(value);
      target.assign(copy);
      copy.dispose();
    }
    return { missingKeys, unexpectedKeys };
  }

  // ---- config and lifetime ----

  /** JSON-safe options that rebuild the layer with `new Class(config)`. Subclasses add theirs. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name };
    if (this.seed !== undefined) config.seed = this.seed;
    if (!this.trainableFlag) config.trainable = false;
    return config;
  }

  /** Free every parameter and buffer of this layer and its sub-layers. */
  dispose(): void {
    this.disposedFlag = true;
    for (const entry of this.parameterEntries.values()) entry.tensor.dispose();
    for (const buffer of this.bufferEntries.values()) buffer.dispose();
    for (const child of this.children.values()) child.dispose();
  }

  /** `ClassName(layerName)`, e.g. `Dense(dense_1)`. */
  toString(): string {
    return `${this.constructor.name}(${this.name})`;
  }
}
