import { DendriteError, Tensor, add, concat, mul } from '@dendrite/core';
import { Layer, type InputShape, type LayerOptions } from '../layer.js';
import { Recurrent, type RecurrentInput, type RecurrentOutput } from './recurrent.js';

/** How Bidirectional joins the forward and backward outputs. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'average';

export interface BidirectionalOptions<ReturnState extends boolean = false> extends LayerOptions {
  /** The forward layer; a copy of its config with `goBackwards` flipped makes the backward one. */
  layer: Recurrent<ReturnState>;
  /** Default 'concat' ([..., 2·units]). */
  mergeMode?: MergeMode;
}

/**
 * Runs a recurrent layer over the sequence in both directions and merges the outputs (Keras's
 * Bidirectional, PyTorch's `bidirectional=True`). The backward layer walks each sequence from its
 * last valid step: with a mask, padding is skipped in both directions, and outputs stay aligned
 * with input time. With `returnState` on the wrapped layer it returns
 * `[output, ...forwardStates, ...backwardStates]`; `initialState` takes the same order.
 * Sub-layers are named `forward` and `backward`.
 *
 * @example
 * ```ts
 * const encoder = new Bidirectional({ layer: new LSTM({ units: 8, returnSequences: true }), seed: 1 });
 * const ys = encoder.apply({ input: xs, lengths: [5, 3] });   // [2, 5, 16]
 * ```
 */
export class Bidirectional<ReturnState extends boolean = false> extends Layer<Tensor | RecurrentInput, RecurrentOutput<ReturnState>> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['layer', 'mergeMode'];

  readonly mergeMode: MergeMode;
  readonly forwardLayer: Recurrent<ReturnState>;
  readonly backwardLayer: Recurrent<ReturnState>;

  constructor(options: BidirectionalOptions<ReturnState>) {
    super(options);
    if (!(options?.layer instanceof Recurrent)) {
      throw new DendriteError('Bidirectional: layer must be a SimpleRNN, LSTM or GRU');
    }
    if (options.layer.built) throw new DendriteError(`Bidirectional: layer '${options.layer.name}' is already built; wrap a fresh layer`);
    this.mergeMode = options.mergeMode ?? 'concat';
    if (!['concat', 'sum', 'mul', 'average'].includes(this.mergeMode)) {
      throw new DendriteError(`Bidirectional: mergeMode must be 'concat', 'sum', 'mul' or 'average', got ${JSON.stringify(this.mergeMode)}`);
    }
    const forward = options.layer;
    const backward = forward.reversedCopy(`${forward.name}_backward`);
    this.forwardLayer = this.addLayer('forward', forward);
    this.backwardLayer = this.addLayer('backward', backward);
  }

  protected override inputShapeOf(input: Tensor | RecurrentInput): InputShape {
    return input instanceof Tensor ? input.shape : input.input.shape;
  }

  protected override onBuild(inputShape: InputShape): void {
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
  }

  protected forward(input: Tensor | RecurrentInput): RecurrentOutput<ReturnState> {
    const stateCount = this.forwardLayer.stateCount;
    const given = input instanceof Tensor ? undefined : input.initialState;
    if (given && (!Array.isArray(given) || given.length !== 2 * stateCount)) {
      throw new DendriteError(`${this.name}: initialState must list ${2 * stateCount} tensors (forward states, then backward), got ${Array.isArray(given) ? given.length : typeof given}`);
    }
    const half = (states: readonly Tensor[] | undefined): Tensor | RecurrentInput =>
      (input instanceof Tensor ? input : { ...input, initialState: states });
    const forward = this.forwardLayer.runSequence(half(given?.slice(0, stateCount)));
    const backward = this.backwardLayer.runSequence(half(given?.slice(stateCount)));
    const merged = this.merge(forward.output, backward.output);
    return (this.forwardLayer.returnState ? [merged, ...forward.states, ...backward.states] : merged) as RecurrentOutput<ReturnState>;
  }

  private merge(forward: Tensor, backward: Tensor): Tensor {
    switch (this.mergeMode) {
      case 'concat': return concat([forward, backward], -1);
      case 'sum': return add(forward, backward);
      case 'mul': return mul(forward, backward);
      default: return mul(add(forward, backward), 0.5);
    }
  }

  protected override returnsList(): boolean {
    return this.forwardLayer.returnState;
  }

  override outputShape(inputShape: InputShape): number[] | number[][] {
    this.build(inputShape);
    const inner = this.forwardLayer.outputShape(inputShape);
    const shapes = (this.forwardLayer.returnState ? inner : [inner]) as number[][];
    const output = [...shapes[0]];
    if (this.mergeMode === 'concat') output[output.length - 1] *= 2;
    return this.forwardLayer.returnState ? [output, ...shapes.slice(1), ...shapes.slice(1)] : output;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), mergeMode: this.mergeMode,
      layer: { className: this.forwardLayer.constructor.name, config: this.forwardLayer.getConfig() },
    };
  }
}
