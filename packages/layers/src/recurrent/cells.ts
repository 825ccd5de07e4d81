import { add, linear, mul, split, sub, type Tensor } from '@dendrite/core';

/** A cell's recurrent weights: `recurrentKernel [units, gates*units]` and `recurrentBias [gates*units]` (or null). */
export interface RecurrentWeights {
  recurrentKernel: Tensor;
  recurrentBias: Tensor | null;
}

/**
 * One time step of a recurrent cell. `projected` is the input's projection for this step,
 * x·kernel + bias ([batch, gates*units]), computed for all steps at once outside the loop; `states`
 * are the previous states (h, or h and c for the LSTM). Returns the new states; the output is states[0].
 */
export interface RecurrentCell {
  readonly gates: number;
  readonly stateCount: number;
  /** The new states after one time step (see above). */
  step(projected: Tensor, states: readonly Tensor[], weights: RecurrentWeights): Tensor[];
}

/** Elman RNN: h' = activation(x·W + b + h·U + b_h), PyTorch's nn.RNN. */
export function simpleRnnCell(activation: (x: Tensor) => Tensor): RecurrentCell {
  return {
    gates: 1,
    stateCount: 1,
    step: (projected, [h], { recurrentKernel, recurrentBias }) =>
      [activation(add(projected, linear(h, recurrentKernel, { bias: recurrentBias })))],
  };
}

/**
 * LSTM with PyTorch's gate order i, f, g, o (Keras' i, f, c, o is the same):
 * c' = f ⊙ c + i ⊙ g, h' = o ⊙ activation(c'), gates through `recurrentActivation`, g through `activation`.
 */
export function lstmCell(activation: (x: Tensor) => Tensor, gateActivation: (x: Tensor) => Tensor): RecurrentCell {
  return {
    gates: 4,
    stateCount: 2,
    step: (projected, [h, c], { recurrentKernel, recurrentBias }) => {
      const z = add(projected, linear(h, recurrentKernel, { bias: recurrentBias }));
      const [i, f, g, o] = split(z, 4, 1);
      const cell = add(mul(gateActivation(f), c), mul(gateActivation(i), activation(g)));
      return [mul(gateActivation(o), activation(cell)), cell];
    },
  };
}

/**
 * GRU with PyTorch's gates r, z, n and its two biases (Keras' reset_after=True):
 * n = activation(W_n x + b_n + r ⊙ (U_n h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 */
export function gruCell(activation: (x: Tensor) => Tensor, gateActivation: (x: Tensor) => Tensor): RecurrentCell {
  return {
    gates: 3,
    stateCount: 1,
    step: (projected, [h], { recurrentKernel, recurrentBias }) => {
      const [inputReset, inputUpdate, inputCandidate] = split(projected, 3, 1);
      const [hiddenReset, hiddenUpdate, hiddenCandidate] = split(linear(h, recurrentKernel, { bias: recurrentBias }), 3, 1);
      const reset = gateActivation(add(inputReset, hiddenReset));
      const update = gateActivation(add(inputUpdate, hiddenUpdate));
      const candidate = activation(add(inputCandidate, mul(reset, hiddenCandidate)));
      // (1 − z) ⊙ n + z ⊙ h written as n + z ⊙ (h − n): one multiply fewer.
      return [add(candidate, mul(update, sub(h, candidate)))];
    },
  };
}
