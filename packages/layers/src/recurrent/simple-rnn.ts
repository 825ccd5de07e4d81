import { getActivation } from '../activations.js';
import { simpleRnnCell, type RecurrentCell } from './cells.js';
import { Recurrent, type RecurrentOptions } from './recurrent.js';

/**
 * A fully connected recurrent layer (Elman RNN, PyTorch's nn.RNN):
 * h' = activation(x·kernel + bias + h·recurrentKernel + recurrentBias), activation 'tanh' by default
 * ('relu' too, as PyTorch's `nonlinearity`).
 *
 * @example
 * ```ts
 * const rnn = new SimpleRNN({ units: 8, returnSequences: true, seed: 1 });
 * const ys = rnn.apply(randomNormal([4, 10, 3]));             // [4, 10, 8]
 * const last = new SimpleRNN({ units: 8 }).apply({ input: xs, lengths: [10, 7, 3, 9] }); // [4, 8]
 * ```
 */
export class SimpleRNN<ReturnState extends boolean = false> extends Recurrent<ReturnState> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['units', 'returnSequences', 'returnState', 'goBackwards', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer'];

  readonly gates = 1;
  readonly stateCount = 1;

  constructor(options: RecurrentOptions<ReturnState>) {
    super(options);
  }

  /** The cell that advances the state by one time step. */
  protected makeCell(): RecurrentCell {
    return simpleRnnCell(getActivation(this.activation, 'SimpleRNN'));
  }
}
