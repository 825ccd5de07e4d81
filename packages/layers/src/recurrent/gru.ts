import { getActivation, type ActivationName } from '../activations.js';
import { gruCell, type RecurrentCell } from './cells.js';
import { Recurrent, type GatedRecurrentOptions } from './recurrent.js';

/**
 * Gated recurrent unit as PyTorch's nn.GRU (gates r, z, n; Keras's `reset_after: true`):
 * n = tanh(W_n x + b_n + r ⊙ (U_n h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 *
 * @example
 * ```ts
 * const gru = new GRU({ units: 16, returnSequences: true, seed: 1 });
 * const ys = gru.apply({ input: xs, mask });   // zeros at masked steps
 * ```
 */
export class GRU<ReturnState extends boolean = false> extends Recurrent<ReturnState> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['units', 'returnSequences', 'returnState', 'goBackwards', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'recurrentActivation'];

  readonly gates = 3;
  readonly stateCount = 1;
  readonly recurrentActivation: ActivationName;

  constructor(options: GatedRecurrentOptions<ReturnState>) {
    super(options);
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
    getActivation(this.recurrentActivation, 'GRU');
  }

  /** The cell that advances the state by one time step. */
  protected makeCell(): RecurrentCell {
    return gruCell(getActivation(this.activation, 'GRU'), getActivation(this.recurrentActivation, 'GRU'));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation };
  }
}
