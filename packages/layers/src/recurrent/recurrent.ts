import { DendriteError, Tensor, formatShape, tensor, zeros } from '@dendrite/core';
import { getActivation, type ActivationName } from '../activations.js';
import { configInitializer } from '../dense.js';
import { getInitializer, type Initializer, type InitializerName } from '../initializers.js';
import { Layer, type InputShape, type LayerOptions } from '../layer.js';
import { booleanOption } from '../options.js';
import type { RecurrentCell } from './cells.js';
import { lengthsToMaskValues, runRecurrent, type RecurrentResult } from './run.js';

export interface RecurrentOptions<ReturnState extends boolean = boolean> extends LayerOptions {
  /** Size of the hidden state (and of the output at each step). */
  units: number;
  /** Output every step, [batch, time, units] (default false: the last output, [batch, units]). */
  returnSequences?: boolean;
  /** Also return the final states: `[output, h]` (SimpleRNN, GRU) or `[output, h, c]` (LSTM). */
  returnState?: ReturnState;
  /** Walk the sequence from its end (the output stays aligned with input time). */
  goBackwards?: boolean;
  /** Candidate/output activation (default 'tanh'). */
  activation?: ActivationName;
  /** Whether to add the input and recurrent biases (default true). */
  useBias?: boolean;
  /** Input kernel [features, gates·units]; default 'glorotUniform'. */
  kernelInitializer?: InitializerName | Initializer;
  /** Recurrent kernel [units, gates·units]; default 'orthogonal'. */
  recurrentInitializer?: InitializerName | Initializer;
  /** Both biases; default 'zeros'. */
  biasInitializer?: InitializerName | Initializer;
}

/** A recurrent layer's input when it needs more than the sequence. */
export interface RecurrentInput {
  /** [batch, time, features], batch first. */
  input: Tensor;
  /** [batch, time], 1 (or true) for a valid step and 0 for padding; masked steps keep the state and output zeros. */
  mask?: Tensor | null;
  /** Sequence lengths (valid steps first, padding after), instead of `mask`. */
  lengths?: ArrayLike<number>;
  /** Initial states, [batch, units] each: `[h]`, or `[h, c]` for the LSTM. Zeros when omitted. */
  initialState?: readonly Tensor[];
}

/** `apply`'s result: the output, or `[output, ...finalStates]` with `returnState: true`. */
export type RecurrentOutput<ReturnState extends boolean> = ReturnState extends true ? Tensor[] : Tensor;

/**
 * What SimpleRNN, LSTM and GRU share: the weights `kernel [features, gates·units]`,
 * `recurrentKernel [units, gates·units]`, `bias` and `recurrentBias [gates·units]` (two biases, as
 * PyTorch and cuDNN have, so PyTorch weights convert exactly and parameter counts agree with torch's),
 * the batch-first time loop, masks and initial states. Gates are in PyTorch's order.
 *
 * @example
 * ```ts
 * function lastOutputs(layer: Recurrent<boolean>, xs: Tensor, lengths: number[]) {
 *   return layer.runSequence({ input: xs, lengths }).output;   // whatever returnState says
 * }
 * ```
 */
export abstract class Recurrent<ReturnState extends boolean = false> extends Layer<Tensor | RecurrentInput, RecurrentOutput<ReturnState>> {
  readonly units: number;
  readonly returnSequences: boolean;
  /** Typed by the option, so `apply`'s result type (and Bidirectional's) follows it. */
  readonly returnState: ReturnState;
  readonly goBackwards: boolean;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  kernel!: Tensor;
  recurrentKernel!: Tensor;
  bias: Tensor | null = null;
  recurrentBias: Tensor | null = null;
  protected readonly kernelInitializer: InitializerName | Initializer;
  protected readonly recurrentInitializer: InitializerName | Initializer;
  protected readonly biasInitializer: InitializerName | Initializer;
  private cellInstance: RecurrentCell | null = null;

  constructor(options: RecurrentOptions<ReturnState>) {
    super(options);
    const className = new.target.name;
    if (!Number.isInteger(options?.units) || options.units <= 0) {
      throw new DendriteError(`${className}: units must be a positive integer, got ${options?.units}`);
    }
    this.units = options.units;
    this.returnSequences = booleanOption(options.returnSequences, className, 'returnSequences', false);
    this.returnState = booleanOption(options.returnState, className, 'returnState', false) as ReturnState;
    this.goBackwards = booleanOption(options.goBackwards, className, 'goBackwards', false);
    this.activation = options.activation ?? 'tanh';
    getActivation(this.activation, className);
    this.useBias = booleanOption(options.useBias, className, 'useBias', true);
    this.kernelInitializer = options.kernelInitializer ?? 'glorotUniform';
    this.recurrentInitializer = options.recurrentInitializer ?? 'orthogonal';
    this.biasInitializer = options.biasInitializer ?? 'zeros';
    for (const initializer of [this.kernelInitializer, this.recurrentInitializer, this.biasInitializer]) getInitializer(initializer, className);
  }

  /** Gates per unit: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
  abstract readonly gates: number;
  /** States carried between steps: 1, or 2 for the LSTM (h and c). */
  abstract readonly stateCount: number;
  /** The cell that advances the state by one time step (made once, after build). */
  protected abstract makeCell(): RecurrentCell;

  /** The initializer of `bias` (the LSTM sets its forget gate to one). */
  protected inputBiasInitializer(): Initializer {
    return getInitializer(this.biasInitializer, this.constructor.name);
  }

  protected override inputShapeOf(input: Tensor | RecurrentInput): InputShape {
    return input instanceof Tensor ? input.shape : this.sequenceOf(input).shape;
  }

  protected override onBuild(inputShape: InputShape): void {
    const shape = inputShape as readonly number[];
    const features = shape[2];
    if (shape.length !== 3 || !Number.isInteger(features) || features <= 0) {
      throw new DendriteError(`${this.name}: ${this.constructor.name} needs inputs [batch, time, features] with known features, got [${shape.join(', ')}]`);
    }
    const width = this.gates * this.units;
    const className = this.constructor.name;
    this.kernel = this.addParameter('kernel', [features, width], getInitializer(this.kernelInitializer, className));
    this.recurrentKernel = this.addParameter('recurrentKernel', [this.units, width], getInitializer(this.recurrentInitializer, className));
    if (this.useBias) {
      this.bias = this.addParameter('bias', [width], this.inputBiasInitializer());
      this.recurrentBias = this.addParameter('recurrentBias', [width], getInitializer(this.biasInitializer, className));
    }
  }

  protected forward(input: Tensor | RecurrentInput): RecurrentOutput<ReturnState> {
    const { output, states } = this.runSequence(input);
    return (this.returnState ? [output, ...states] : output) as RecurrentOutput<ReturnState>;
  }

  /**
   * The output and final states whatever `returnState` says (Bidirectional needs both). Builds the
   * layer on first use.
   */
  runSequence(input: Tensor | RecurrentInput): RecurrentResult {
    const sequence = this.sequenceOf(input);
    if (!this.built) this.build(sequence.shape);
    const [batch, time, features] = sequence.shape;
    if (sequence.rank !== 3 || features !== this.kernel.shape[0] || time === 0) {
      throw new DendriteError(`${this.name}: expected inputs [batch, time > 0, ${this.kernel.shape[0]}], got ${formatShape(sequence.shape)}`);
    }
    const options: Omit<RecurrentInput, 'input'> = input instanceof Tensor ? {} : input;
    this.cellInstance ??= this.makeCell();
    return runRecurrent({
      input: sequence,
      cell: this.cellInstance,
      kernel: this.kernel,
      bias: this.bias,
      weights: { recurrentKernel: this.recurrentKernel, recurrentBias: this.recurrentBias },
      initialStates: this.initialStates(options.initialState, batch),
      mask: this.maskOf(options, batch, time),
      reverse: this.goBackwards,
      returnSequences: this.returnSequences,
    });
  }

  private sequenceOf(input: Tensor | RecurrentInput): Tensor {
    const sequence = input instanceof Tensor ? input : input?.input;
    if (!(sequence instanceof Tensor)) {
      throw new DendriteError(`${this.name}: input must be a tensor [batch, time, features] or { input, mask?, lengths?, initialState? }`);
    }
    return sequence;
  }

  private maskOf(options: Omit<RecurrentInput, 'input'>, batch: number, time: number): Tensor | null {
    if (options.mask && options.lengths) throw new DendriteError(`${this.name}: give mask or lengths, not both`);
    if (options.lengths) return tensor(lengthsToMaskValues(this.name, options.lengths, batch, time), [batch, time]);
    const mask = options.mask ?? null;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time)) {
      throw new DendriteError(`${this.name}: mask ${formatShape(mask.shape)} does not match [batch, time] = [${batch}, ${time}]`);
    }
    return mask;
  }

  private initialStates(given: readonly Tensor[] | undefined, batch: number): Tensor[] {
    if (!given) return Array.from({ length: this.stateCount }, () => zeros([batch, this.units]));
    if (!Array.isArray(given) || given.length !== this.stateCount) {
      throw new DendriteError(`${this.name}: initialState must be a list of ${this.stateCount} tensor(s) [batch, units], got ${Array.isArray(given) ? given.length : typeof given}`);
    }
    given.forEach((state, i) => {
      if (!(state instanceof Tensor) || state.rank !== 2 || state.shape[0] !== batch || state.shape[1] !== this.units) {
        throw new DendriteError(`${this.name}: initialState[${i}] must be [${batch}, ${this.units}], got ${state instanceof Tensor ? formatShape(state.shape) : typeof state}`);
      }
    });
    return [...given];
  }

  /**
   * A fresh, unbuilt copy walking the other way (Bidirectional's backward layer): the same options,
   * custom initializer functions included, and no seed (it draws from its parent's generator).
   */
  reversedCopy(name: string): Recurrent<ReturnState> {
    const { seed: _seed, ...config } = this.getConfig();
    const Constructor = this.constructor as new (options: Record<string, unknown>) => Recurrent<ReturnState>;
    return new Constructor({
      ...config, name, goBackwards: !this.goBackwards,
      kernelInitializer: this.kernelInitializer, recurrentInitializer: this.recurrentInitializer, biasInitializer: this.biasInitializer,
    });
  }

  protected override returnsList(): boolean {
    return this.returnState;
  }

  override outputShape(inputShape: InputShape): number[] | number[][] {
    this.build(inputShape);
    const [batch, time] = inputShape as readonly number[];
    const output = this.returnSequences ? [batch, time, this.units] : [batch, this.units];
    if (!this.returnState) return output;
    return [output, ...new Array(this.stateCount).fill(0).map(() => [batch, this.units])];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, returnSequences: this.returnSequences, returnState: this.returnState,
      goBackwards: this.goBackwards, activation: this.activation, useBias: this.useBias,
      ...configInitializer('kernelInitializer', this.kernelInitializer),
      ...configInitializer('recurrentInitializer', this.recurrentInitializer),
      ...configInitializer('biasInitializer', this.biasInitializer),
    };
  }
}

/** What LSTM and GRU add: the gates' activation. */
export interface GatedRecurrentOptions<ReturnState extends boolean = boolean> extends RecurrentOptions<ReturnState> {
  /** The gates' activation (default 'sigmoid'). */
  recurrentActivation?: ActivationName;
}
