// The functional graph API (Keras's): apply layers to symbolic tensors from `input()`, then
// `model({ inputs, outputs })` replays the recorded calls on real tensors. Several inputs and
// outputs, shared layers (one layer called at several places, one set of weights) and multi-output
// layers are supported.

import { DendriteError, Tensor } from '@dendrite/core';
import { Conv2D } from './conv2d.js';
import type { AnyLayer, LayerOptions } from './layer.js';
import type { MaxPool2D } from './pooling.js';
import { Model, type TensorOrList } from './model.js';
import { SymbolicTensor, input as symbolicInput, type SymbolicDType } from './symbolic.js';


/** One recorded layer call: the layer, its symbolic inputs, and the symbolic outputs that were used. */
interface Call {
  layer: AnyLayer;
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  outputs: SymbolicTensor[];
}

/** Where a tensor of the graph comes from, as the saved topology stores it. */
export type GraphRef = { input: number } | { call: number; output: number | null };

/** The JSON form of a functional model's wiring (layers are stored separately by name). */
export interface GraphConfig {
  inputs: Array<{ name: string; shape: number[]; dtype: SymbolicDType }>;
  calls: Array<{ layer: string; inputs: GraphRef | GraphRef[] }>;
  outputs: GraphRef[];
  singleInput: boolean;
  singleOutput: boolean;
}

/**
 * A model defined by a graph of layer calls. Made by {@link model}.
 */
export class FunctionalModel extends Model<TensorOrList, TensorOrList> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = [];

  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  private readonly calls: Call[];
  private readonly singleInput: boolean;
  private readonly singleOutput: boolean;
  private pooling: { pools: Map<number, number>; skipped: Set<number> } | null = null;

  constructor(
    inputs: SymbolicTensor | readonly SymbolicTensor[], outputs: SymbolicTensor | readonly SymbolicTensor[], options: LayerOptions = {},
  ) {
    super(options);
    this.singleInput = inputs instanceof SymbolicTensor;
    this.singleOutput = outputs instanceof SymbolicTensor;
    this.inputs = this.singleInput ? [inputs as SymbolicTensor] : [...(inputs as readonly SymbolicTensor[])];
    this.outputs = this.singleOutput ? [outputs as SymbolicTensor] : [...(outputs as readonly SymbolicTensor[])];
    for (const [role, list] of [['inputs', this.inputs], ['outputs', this.outputs]] as const) {
      if (list.length === 0 || list.some((item) => !(item instanceof SymbolicTensor))) {
        throw new DendriteError(`model: ${role} must be symbolic tensors (from input() and layer.apply), got ${String(list)}`);
      }
    }
    for (const item of this.inputs) {
      if (item.node !== null) throw new DendriteError(`model: input ${item.name} was made by layer ${item.node.layer.name}, not by input()`);
    }
    this.calls = this.traceCalls();
    const seen = new Map<string, AnyLayer>();
    for (const { layer } of this.calls) {
      const other = seen.get(layer.name);
      if (other === layer) continue;
      if (other) throw new DendriteError(`model: two different layers are named '${layer.name}'; give them distinct names`);
      seen.set(layer.name, layer);
      this.addLayer(layer.name, layer);
    }
    // The layers were built while the graph was recorded; the model is built for its inputs' shapes.
    this.build(this.singleInput ? this.inputs[0].shape : this.inputs.map((item) => item.shape));
  }

  /** Every layer call the outputs depend on, in an order where inputs come first. */
  private traceCalls(): Call[] {
    const calls: Call[] = [];
    const byId = new Map<number, Call>();
    const visiting = new Set<number>();
    const done = new Set<number>();
    const inputIds = new Set(this.inputs.map((item) => item.id));
    const visit = (tensor: SymbolicTensor) => {
      if (done.has(tensor.id)) return;
      if (tensor.node === null) {
        if (!inputIds.has(tensor.id)) throw new DendriteError(`model: the outputs depend on input ${tensor.name}, which is not among the model's inputs`);
        done.add(tensor.id);
        return;
      }
      if (visiting.has(tensor.id)) throw new DendriteError(`model: the graph has a cycle at ${tensor.name}`);
      visiting.add(tensor.id);
      const node = tensor.node;
      for (const parent of node.inputs instanceof SymbolicTensor ? [node.inputs] : node.inputs) visit(parent);
      let call = byId.get(node.callId);
      if (!call) {
        call = { layer: node.layer, inputs: node.inputs, outputs: [] };
        byId.set(node.callId, call);
        calls.push(call);
      }
      call.outputs.push(tensor);
      visiting.delete(tensor.id);
      done.add(tensor.id);
    };
    for (const output of this.outputs) visit(output);
    return calls;
  }

  protected forward(input: TensorOrList): TensorOrList {
    const given = input instanceof Tensor ? [input] : input;
    if (!Array.isArray(given) || given.length !== this.inputs.length || given.some((item) => !(item instanceof Tensor))) {
      throw new DendriteError(`${this.name}: expected ${this.inputs.length} input tensor(s), got ${Array.isArray(given) ? given.length : typeof given}`);
    }
    const values = new Map<number, Tensor>();
    this.inputs.forEach((symbolic, i) => {
      const actual = given[i];
      const matches = actual.rank === symbolic.shape.length && symbolic.shape.every((dim, axis) => dim === -1 || dim === actual.shape[axis]);
      if (!matches || actual.dtype !== symbolic.dtype) {
        throw new DendriteError(`${this.name}: input ${i} (${symbolic.name}) must be ${symbolic.dtype} [${symbolic.shape.map((d) => (d === -1 ? 'batch' : d)).join(', ')}], got ${actual.dtype} [${actual.shape.join(', ')}]`);
      }
      values.set(symbolic.id, actual);
    });
    const pooled = this.pooledCalls();
    this.calls.forEach((call, index) => {
      if (pooled.skipped.has(index)) return;
      const args = call.inputs instanceof SymbolicTensor ? values.get(call.inputs.id)! : call.inputs.map((item) => values.get(item.id)!);
      const poolIndex = pooled.pools.get(index);
      if (poolIndex !== undefined) {
        // The conv's output feeds only this pool: both run as one conv2dMaxPool (see pooledCalls).
        const poolCall = this.calls[poolIndex];
        values.set(poolCall.outputs[0].id, (call.layer as Conv2D).applyPooled(args as Tensor, poolCall.layer as MaxPool2D));
        return;
      }
      const result = call.layer.apply(args) as TensorOrList;
      for (const output of call.outputs) {
        const outputIndex = output.node!.outputIndex;
        values.set(output.id, outputIndex === null ? (result as Tensor) : (result as Tensor[])[outputIndex]);
      }
    });
    const outputs = this.outputs.map((item) => values.get(item.id)!);
    return this.singleOutput ? outputs[0] : outputs;
  }

  /**
   * The Conv2D calls that run fused with the MaxPool2D call after them (conv index → pool index), and
   * the pool calls that they replace: only where the conv's output is used by that pool call alone
   * (not a model output, not another call's input), so no one can see the full-resolution output
   * that the fused op never makes. Computed on the first run (the graph never changes).
   */
  private pooledCalls(): { pools: Map<number, number>; skipped: Set<number> } {
    if (this.pooling) return this.pooling;
    const pools = new Map<number, number>();
    const consumers = new Map<number, number[]>();
    this.calls.forEach((call, index) => {
      for (const item of call.inputs instanceof SymbolicTensor ? [call.inputs] : call.inputs) consumers.set(item.id, [...(consumers.get(item.id) ?? []), index]);
    });
    const modelOutputs = new Set(this.outputs.map((item) => item.id));
    this.calls.forEach((call, index) => {
      if (!(call.layer instanceof Conv2D) || !(call.inputs instanceof SymbolicTensor) || call.outputs.length !== 1) return;
      const output = call.outputs[0];
      const users = consumers.get(output.id) ?? [];
      if (modelOutputs.has(output.id) || users.length !== 1) return;
      const poolCall = this.calls[users[0]];
      if (poolCall.inputs === output && poolCall.outputs.length === 1 && call.layer.poolsWith(poolCall.layer)) pools.set(index, users[0]);
    });
    this.pooling = { pools, skipped: new Set(pools.values()) };
    return this.pooling;
  }

  protected override returnsList(): boolean {
    return !this.singleOutput;
  }

  /** The wiring as JSON: inputs, layer calls by layer name, and outputs. */
  graphConfig(): GraphConfig {
    const callIndex = new Map<number, number>();
    this.calls.forEach((call, k) => {
      for (const output of call.outputs) callIndex.set(output.id, k);
    });
    const ref = (tensor: SymbolicTensor): GraphRef => {
      const inputIndex = this.inputs.indexOf(tensor);
      if (inputIndex >= 0) return { input: inputIndex };
      return { call: callIndex.get(tensor.id)!, output: tensor.node!.outputIndex };
    };
    return {
      inputs: this.inputs.map((item) => ({ name: item.name, shape: item.shape.slice(1), dtype: item.dtype })),
      calls: this.calls.map((call) => ({
        layer: call.layer.name,
        inputs: call.inputs instanceof SymbolicTensor ? ref(call.inputs) : call.inputs.map(ref),
      })),
      outputs: this.outputs.map(ref),
      singleInput: this.singleInput,
      singleOutput: this.singleOutput,
    };
  }

  /** The symbolic output(s) of the first call of the layer named `layerName` (to cut the graph there). */
  outputOf(layerName: string): SymbolicTensor | SymbolicTensor[] {
    const call = this.calls.find((candidate) => candidate.layer.name === layerName);
    if (!call) throw new DendriteError(`${this.name}: no layer named '${layerName}' (layers: ${this.calls.map((c) => c.layer.name).join(', ')})`);
    if (call.outputs.length === 1 && call.outputs[0].node!.outputIndex === null) return call.outputs[0];
    return [...call.outputs].sort((a, b) => a.node!.outputIndex! - b.node!.outputIndex!);
  }

  /** The layers in call order (each once). */
  get layers(): AnyLayer[] {
    return this.namedChildren().map(([, layer]) => layer);
  }

  /** Rebuild a model from its wiring and its (already constructed) layers, by name. */
  static fromGraph(graph: GraphConfig, layers: ReadonlyMap<string, AnyLayer>, options: LayerOptions = {}): FunctionalModel {
    const inputs = graph.inputs.map((spec) => symbolicInput({ shape: spec.shape, dtype: spec.dtype, name: spec.name }));
    const results: Array<SymbolicTensor | SymbolicTensor[]> = [];
    const resolve = (ref: GraphRef): SymbolicTensor => {
      if ('input' in ref) {
        if (!inputs[ref.input]) throw new DendriteError(`model topology: no input ${ref.input}`);
        return inputs[ref.input];
      }
      const result = results[ref.call];
      if (result === undefined) throw new DendriteError(`model topology: call ${ref.call} is used before it is made`);
      if (ref.output === null) return result as SymbolicTensor;
      const picked = (result as SymbolicTensor[])[ref.output];
      if (!picked) throw new DendriteError(`model topology: call ${ref.call} has no output ${ref.output}`);
      return picked;
    };
    for (const call of graph.calls) {
      const layer = layers.get(call.layer);
      if (!layer) throw new DendriteError(`model topology: call of unknown layer '${call.layer}'`);
      const args = Array.isArray(call.inputs) ? call.inputs.map(resolve) : resolve(call.inputs);
      results.push(layer.apply(args) as SymbolicTensor | SymbolicTensor[]);
    }
    const outputs = graph.outputs.map(resolve);
    return new FunctionalModel(graph.singleInput ? inputs[0] : inputs, graph.singleOutput ? outputs[0] : outputs, options);
  }
}

/**
 * A model from a graph of layer calls on symbolic tensors.
 *
 * @example
 * ```ts
 * const image = input({ shape: [28, 28, 1] });
 * const meta = input({ shape: [4] });
 * const features = new Flatten().apply(new Conv2D({ filters: 8, kernelSize: 3 }).apply(image));
 * const joined = new Dense({ units: 32, activation: 'relu' }).apply(features);
 * const shared = new Dense({ units: 10 });                 // one layer, two calls, one set of weights
 * const net = model({ inputs: [image, meta], outputs: [shared.apply(joined), new Dense({ units: 1 }).apply(meta)] });
 * const [logits, score] = net.apply([images, metadata]) as Tensor[];
 * ```
 */
export function model(options: {
  inputs: SymbolicTensor | readonly SymbolicTensor[]; outputs: SymbolicTensor | readonly SymbolicTensor[];
} & LayerOptions): FunctionalModel {
  if (options === null || typeof options !== 'object') throw new DendriteError('model: expects { inputs, outputs }');
  const { inputs, outputs, ...layerOptions } = options;
  return new FunctionalModel(inputs, outputs, layerOptions);
}
