// Test support (not exported from the package): the time loop of runRecurrent as it was before it took
// its steps with unstack, one `slice` per step. Each slice's gradient is padded back to the full
// [batch, time, width] shape and the T of them summed, so its backward pass is quadratic in the
// sequence length. Kept as the reference the unstack loop must match (recurrent.test.ts) and as the
// "before" of scripts/rnn-timing.ts.
import { add, linear, mul, notEqual, reshape, slice, stack, sub, type Tensor } from '@dendrite/core';
import type { RecurrentResult, RunRecurrentOptions } from '../recurrent/run.js';

/** runRecurrent with a slice per step (the previous formulation); same options, same result. */
export function runRecurrentWithSlices(options: RunRecurrentOptions): RecurrentResult {
  const { input, cell, kernel, bias, weights, mask } = options;
  const [batch, time, features] = input.shape;
  const width = kernel.shape[1];
  const projected = reshape(linear(reshape(input, [batch * time, features]), kernel, { bias }), [batch, time, width]);
  const maskFloat = mask ? notEqual(mask, 0) : null;
  let states = [...options.initialStates];
  const outputs: Tensor[] | null = options.returnSequences ? new Array<Tensor>(time) : null;
  for (let k = 0; k < time; k++) {
    const t = options.reverse ? time - 1 - k : k;
    const step = reshape(slice(projected, [0, t, 0], [batch, 1, width]), [batch, width]);
    const candidates = cell.step(step, states, weights);
    if (maskFloat) {
      const valid = reshape(slice(maskFloat, [0, t], [batch, 1]), [batch, 1]);
      states = candidates.map((candidate, i) => add(states[i], mul(valid, sub(candidate, states[i]))));
      if (outputs) outputs[t] = mul(valid, candidates[0]);
    } else {
      states = candidates;
      if (outputs) outputs[t] = candidates[0];
    }
  }
  return { output: outputs ? stack(outputs, 1) : states[0], states };
}
