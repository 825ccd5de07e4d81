import { add, noGrad, tensor } from '@dendrite/core';
import { getActivation, type ActivationName } from '../activations.js';
import { getInitializer, type Initializer } from '../initializers.js';
import { lstmCell, type RecurrentCell } from './cells.js';
import { booleanOption } from '../options.js';
import { Recurrent, type GatedRecurrentOptions } from './recurrent.js';

export interface LSTMOptions<ReturnState extends boolean = boolean> extends GatedRecurrentOptions<ReturnState> {
  /** Add one to the forget gate's input bias at initialization (Jozefowicz et al., Keras's default: true). */
  unitForgetBias?: boolean;
}

/**
 * Long short-term memory (PyTorch's nn.LSTM, gates i, f, g, o): c' = f ⊙ c + i ⊙ g,
 * h' = o ⊙ tanh(c'). Returns the output, or `[output, h, c]` with `returnState: true`.
 *
 * @example
 * ```ts
 * const lstm = new LSTM({ units: 3, returnSequences: true, seed: 1 });
 * lstm.build([2, 5, 4]);
 * loadPyTorchStateDict(lstm, { weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 });
 * const ys = lstm.apply(xs);   // == torch.nn.LSTM(4, 3, batch_first=True)(xs)[0]
 * const [output, h, c] = new LSTM({ units: 3, returnState: true }).apply({ input: xs, mask });
 * ```
 */
export class LSTM<ReturnState extends boolean = false> extends Recurrent<ReturnState> {
  /** The options this layer takes besides name, seed and trainable (any other is refused). */
  static override readonly optionNames: readonly string[] = ['units', 'returnSequences', 'returnState', 'goBackwards', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'recurrentActivation', 'unitForgetBias'];

  readonly gates = 4;
  readonly stateCount = 2;
  readonly recurrentActivation: ActivationName;
  readonly unitForgetBias: boolean;

  constructor(options: LSTMOptions<ReturnState>) {
    super(options);
    this.recurrentActivation = options.recurrentActivation ?? 'sigmoid';
    getActivation(this.recurrentActivation, 'LSTM');
    this.unitForgetBias = booleanOption(options.unitForgetBias, 'LSTM', 'unitForgetBias', true);
  }

  /** The cell that advances the state by one time step. */
  protected makeCell(): RecurrentCell {
    return lstmCell(getActivation(this.activation, 'LSTM'), getActivation(this.recurrentActivation, 'LSTM'));
  }

  protected override inputBiasInitializer(): Initializer {
    const base = getInitializer(this.biasInitializer, 'LSTM');
    if (!this.unitForgetBias) return base;
    const units = this.units;
    return (shape, random) => {
      // On the device, not by reading back: backends without synchronous reads (GPUs) build LSTMs too.
      const initial = base(shape, random);
      const forgetOnes = new Float32Array(shape[0]).fill(1, units, 2 * units);
      const offset = tensor(forgetOnes, shape);
      const biased = noGrad(() => add(initial, offset));
      initial.dispose();
      offset.dispose();
      return biased;
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias };
  }
}
