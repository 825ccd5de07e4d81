import {
  DendriteError, add, linear, mul, notEqual, reshape, stack, sub, unstack, type Tensor,
} from '@dendrite/core';
import type { RecurrentCell, RecurrentWeights } from './cells.js';

export interface RunRecurrentOptions {
  /** [batch, time, features], batch first. */
  input: Tensor;
  cell: RecurrentCell;
  kernel: Tensor;
  bias: Tensor | null;
  weights: RecurrentWeights;
  /** One [batch, units] tensor per state. */
  initialStates: readonly Tensor[];
  /** [batch, time], non-zero for a valid step and 0 for padding (float32 or int32), or null. */
  mask: Tensor | null;
  /** Walk the steps from last to first (the backward half of a Bidirectional); outputs stay aligned with input time. */
  reverse: boolean;
  returnSequences: boolean;
}

/** What running a recurrent cell over a sequence gives: the output and the final states. */
export interface RecurrentResult {
  /** [batch, time, units] when returnSequences (zeros at masked steps), else the final output [batch, units]. */
  output: Tensor;
  /** The final states, [batch, units] each. */
  states: Tensor[];
}

/**
 * The time loop shared by SimpleRNN, LSTM and GRU. The input projection of every step is one matmul
 * ([batch·time, features] · kernel); each step then adds the recurrent matmul. Masked steps keep the
 * previous states (state' = state + m ⊙ (candidate − state)) and output zeros, as Keras does, so a
 * padded sequence ends with the state of its last valid step. Gradients flow through core's autograd.
 */
export function runRecurrent(options: RunRecurrentOptions): RecurrentResult {
  const { input, cell, kernel, bias, weights, mask } = options;
  const [batch, time, features] = input.shape;
  const width = kernel.shape[1];
  const projected = reshape(linear(reshape(input, [batch * time, features]), kernel, { bias }), [batch, time, width]);
  // One unstack, not a slice per step: its gradient is one stack of the steps' gradients, where each
  // slice's would be padded to [batch, time, width] and the T of them summed (a backward quadratic in T).
  const steps = unstack(projected, 1);
  // Any non-zero entry counts as a valid step (a 0/1 float, an int32 or a boolean-like mask); [batch, 1] each.
  const validSteps = mask ? unstack(reshape(notEqual(mask, 0), [batch, time, 1]), 1) : null;
  let states = [...options.initialStates];
  // Per-step outputs only when they are returned; otherwise the output is the final state.
  const outputs: Tensor[] | null = options.returnSequences ? new Array<Tensor>(time) : null;
  for (let k = 0; k < time; k++) {
    const t = options.reverse ? time - 1 - k : k;
    const candidates = cell.step(steps[t], states, weights);
    if (validSteps) {
      const valid = validSteps[t];
      states = candidates.map((candidate, i) => add(states[i], mul(valid, sub(candidate, states[i]))));
      if (outputs) outputs[t] = mul(valid, candidates[0]);
    } else {
      states = candidates;
      if (outputs) outputs[t] = candidates[0];
    }
  }
  return { output: outputs ? stack(outputs, 1) : states[0], states };
}

/**
 * A [batch, time] float mask from sequence lengths (valid steps first), checked against the batch and time.
 */
export function lengthsToMaskValues(layer: string, lengths: ArrayLike<number>, batch: number, time: number): Float32Array {
  if (lengths.length !== batch) throw new DendriteError(`${layer}: got ${lengths.length} lengths for a batch of ${batch}`);
  const values = new Float32Array(batch * time);
  for (let b = 0; b < batch; b++) {
    const length = lengths[b];
    if (!Number.isInteger(length) || length < 0 || length > time) {
      throw new DendriteError(`${layer}: length ${length} of sequence ${b} is not an integer in [0, ${time}]`);
    }
    values.fill(1, b * time, b * time + length);
  }
  return values;
}
