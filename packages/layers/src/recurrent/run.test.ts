import {
  add, mul, randomNormal, randomUniform, sigmoid, sum, tanh, tensor, tidy, variable, variableGrads, zeros, type GradGroup, type Tensor,
} from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { runRecurrentWithSlices } from '../test-support/slice-recurrent.js';
import { gruCell, lstmCell, type RecurrentCell } from './cells.js';
import { lengthsToMaskValues, runRecurrent, type RunRecurrentOptions } from './run.js';

const [BATCH, TIME, FEATURES, UNITS] = [3, 64, 5, 8];

/** The largest |a − b| over two equally long arrays. */
function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

/**
 * The loss (every output and the last state, weighted unevenly) and its gradients with respect to the
 * input and every weight, for one formulation of the time loop.
 */
function lossAndGradients(
  run: (options: RunRecurrentOptions) => { output: Tensor; states: Tensor[] },
  cell: RecurrentCell, configuration: Pick<RunRecurrentOptions, 'mask' | 'reverse' | 'returnSequences'>, seed: number,
): Float32Array[] {
  return tidy(() => {
    const width = cell.gates * UNITS;
    const input = variable(randomNormal([BATCH, TIME, FEATURES], 0, 1, seed));
    const kernel = variable(randomUniform([FEATURES, width], -0.5, 0.5, seed + 1));
    const recurrentKernel = variable(randomUniform([UNITS, width], -0.5, 0.5, seed + 2));
    const bias = variable(randomUniform([width], -0.1, 0.1, seed + 3));
    const recurrentBias = variable(randomUniform([width], -0.1, 0.1, seed + 4));
    const targets = [input, kernel, recurrentKernel, bias, recurrentBias];
    const { value, grads } = variableGrads(() => {
      const result = run({
        input, cell, kernel, bias, weights: { recurrentKernel, recurrentBias },
        initialStates: Array.from({ length: cell.stateCount }, (_, i) => tensor(new Float32Array(BATCH * UNITS).fill(0.1 * (i + 1)), [BATCH, UNITS])),
        ...configuration,
      });
      const probe = randomUniform(result.output.shape, 0.5, 1.5, seed + 5);
      return add(sum(mul(result.output, probe)), sum(result.states[result.states.length - 1]));
    }, targets);
    return [value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

describe('runRecurrent takes its steps with unstack', () => {
  const lengths = [TIME, 40, 1];
  const configurations = [
    { name: 'LSTM, all outputs, a padding mask', cell: lstmCell(tanh, sigmoid), mask: true, reverse: false, returnSequences: true },
    { name: 'LSTM, last output, walking backwards', cell: lstmCell(tanh, sigmoid), mask: false, reverse: true, returnSequences: false },
    { name: 'GRU, last output, backwards with a padding mask', cell: gruCell(tanh, sigmoid), mask: true, reverse: true, returnSequences: false },
  ];
  for (const [index, { name, cell, mask, reverse, returnSequences }] of configurations.entries()) {
    it(`${name}: T = ${TIME} gives the loss and gradients of the slice-per-step loop (within float32 rounding)`, () => {
      const maskTensor = () => (mask ? tensor(lengthsToMaskValues('test', lengths, BATCH, TIME), [BATCH, TIME]) : null);
      const seed = 20 + 10 * index;
      const unstacked = tidy(() => lossAndGradients(runRecurrent, cell, { mask: maskTensor(), reverse, returnSequences }, seed));
      const sliced = tidy(() => lossAndGradients(runRecurrentWithSlices, cell, { mask: maskTensor(), reverse, returnSequences }, seed));
      // loss, then d/d input, kernel, recurrentKernel, bias, recurrentBias.
      expect(unstacked).toHaveLength(6);
      unstacked.forEach((values, k) => {
        const scale = Math.max(1, ...Array.from(sliced[k], Math.abs));
        expect(maxDifference(values, sliced[k]), `entry ${k}`).toBeLessThanOrEqual(1e-6 * scale);
      });
      // Gradients reach the input at every valid step (a zero column would hide a lost step).
      const inputGradient = unstacked[1];
      const validStepsWithZeroGradient = Array.from({ length: TIME }, (_, t) => t)
        .filter((t) => (!mask || t < lengths[0]) && inputGradient.slice(t * FEATURES, (t + 1) * FEATURES).every((g) => g === 0));
      expect(validStepsWithZeroGradient).toEqual([]);
    });
  }

  it('records no slice of the whole sequence: all steps come from one unstack, whose rule runs once', () => tidy(() => {
    const [kernel, recurrentKernel] = [variable(randomUniform([FEATURES, 4 * UNITS], -0.5, 0.5, 1)), variable(randomUniform([UNITS, 4 * UNITS], -0.5, 0.5, 2))];
    const { output } = runRecurrent({
      input: variable(randomNormal([BATCH, TIME, FEATURES], 0, 1, 3)), cell: lstmCell(tanh, sigmoid), kernel, bias: null,
      weights: { recurrentKernel, recurrentBias: null }, initialStates: [zeros([BATCH, UNITS]), zeros([BATCH, UNITS])],
      mask: tensor(lengthsToMaskValues('test', [TIME, 9, 30], BATCH, TIME), [BATCH, TIME]), reverse: false, returnSequences: true,
    });
    // Walk the recorded graph: which ops read a tensor with the whole time axis, [batch, time, …]?
    const readersOfSequences = new Set<string>();
    const groups = new Set<GradGroup>();
    const seen = new Set<Tensor>();
    const pending = [output];
    while (pending.length) {
      const node = pending.pop()!.gradNode;
      if (!node) continue;
      if (node.group) groups.add(node.group);
      for (const input of node.inputs) {
        if (input.rank === 3 && input.shape[1] === TIME) readersOfSequences.add(node.op);
        if (seen.has(input)) continue;
        seen.add(input);
        pending.push(input);
      }
    }
    expect([...readersOfSequences].sort()).toEqual(['reshape', 'unstack']);
    expect(groups.size).toBe(1);
    expect([...groups][0].outputs).toHaveLength(TIME);
  }));
});
