import { add, memory, randomNormal, tidy, noGrad } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import { Conv2D } from './conv2d.js';
import { Dense } from './dense.js';
import { Flatten } from './reshape.js';
import { MagnitudePruning, kernelSparsity, prunableKernels } from './pruning.js';
import { sequential } from './sequential.js';

function model() {
  const net = sequential([new Conv2D({ filters: 4, kernelSize: 3 }), new Flatten(), new Dense({ units: 32, activation: 'relu' }), new Dense({ units: 10 })], { seed: 3 });
  net.build([-1, 8, 8, 1]);
  return net;
}

/** A stand-in for an optimizer step: every weight moves, pruned ones included. */
function perturb(net: ReturnType<typeof model>, seed: number): void {
  tidy(() => noGrad(() => {
    for (const parameter of net.parameters()) parameter.assign(add(parameter, randomNormal(parameter.shape, 0, 0.01, seed++)));
  }));
}

describe('MagnitudePruning', () => {
  it('follows the cubic schedule from the initial to the final sparsity', () => {
    const pruning = new MagnitudePruning(model(), { initialSparsity: 0.1, finalSparsity: 0.9, startStep: 10, endStep: 110 });
    expect(pruning.sparsityAt(0)).toBe(0);
    expect(pruning.sparsityAt(10)).toBeCloseTo(0.1, 12);
    expect(pruning.sparsityAt(60)).toBeCloseTo(0.9 - 0.8 * 0.125, 12);
    expect(pruning.sparsityAt(110)).toBe(0.9);
    expect(pruning.sparsityAt(500)).toBe(0.9);
  });

  it('zeroes the smallest-magnitude weights of each kernel to the scheduled sparsity and keeps them zero', async () => {
    const net = model();
    const biasesBefore = await net.layers[2].stateDict().bias.data();
    const pruning = new MagnitudePruning(net, { finalSparsity: 0.75, endStep: 4, frequency: 2 });
    const seen: number[] = [];
    for (let step = 0; step < 8; step++) {
      perturb(net, 100 + step * 10);
      await pruning.step();
      const { perKernel } = await kernelSparsity(net);
      seen.push(perKernel['2.kernel']);
      // Each kernel is pruned on its own: all reach the same fraction.
      for (const fraction of Object.values(perKernel)) expect(Math.abs(fraction - perKernel['2.kernel'])).toBeLessThan(0.03); // up to rounding of small kernels
    }
    // Masks rebuilt at steps 0, 2, 4 (sparsity 0, 0.65625, 0.75), held between and after.
    expect(seen[0]).toBe(0);
    expect(seen[2]).toBeCloseTo(0.65625, 3);
    expect(seen[3]).toBeCloseTo(0.65625, 3);
    for (const fraction of seen.slice(4)) expect(fraction).toBeCloseTo(0.75, 3);
    // Biases are never pruned (they moved with the perturbation, and hold no zeros).
    const biases = await net.layers[2].stateDict().bias.data();
    expect(Array.from(biases).some((value, i) => value !== biasesBefore[i])).toBe(true);
    expect(Array.from(biases).every((value) => value !== 0)).toBe(true);
    const before = memory().tensors;
    pruning.dispose();
    expect(memory().tensors).toBe(before - 3);
  });

  it('as a Trainer callback, follows the schedule at the global step of each logging interval', async () => {
    const net = model();
    const pruning = new MagnitudePruning(net, { finalSparsity: 0.8, startStep: 5, endStep: 25 });
    await pruning.onBatchEnd({ progress: { globalStep: 5 } }); // step 4: before the start
    expect((await kernelSparsity(net)).perKernel['2.kernel']).toBe(0);
    await pruning.onBatchEnd({ progress: { globalStep: 16 } }); // step 15: halfway, 0.8 - 0.8 · 0.5³ = 0.7
    expect((await kernelSparsity(net)).perKernel['2.kernel']).toBeCloseTo(0.7, 3);
    perturb(net, 7);
    await pruning.onBatchEnd({ progress: { globalStep: 40 } });
    expect((await kernelSparsity(net)).perKernel['2.kernel']).toBeCloseTo(0.8, 3);
    expect(pruning.steps).toBe(40);
    pruning.dispose();
  });

  it('prunes once to a given sparsity, and refuses bad options', async () => {
    const net = model();
    const pruning = new MagnitudePruning(net, { finalSparsity: 0.5 });
    const before = await prunableKernels(net)[1][1].data();
    await pruning.pruneTo(0.9);
    expect((await kernelSparsity(net)).overall).toBeCloseTo(0.9, 2);
    // The zeros are the smallest magnitudes: every kept weight is at least as large as any pruned one.
    const after = await prunableKernels(net)[1][1].data();
    let largestPruned = 0;
    let smallestKept = Infinity;
    after.forEach((value, i) => {
      if (value === 0) largestPruned = Math.max(largestPruned, Math.abs(before[i]));
      else smallestKept = Math.min(smallestKept, Math.abs(value));
    });
    expect(smallestKept).toBeGreaterThanOrEqual(largestPruned);
    expect(Array.from(after).filter((value, i) => value !== 0 && value !== before[i])).toEqual([]);
    expect(() => new MagnitudePruning(net, { finalSparsity: 1 })).toThrow(/finalSparsity must be in \[0, 1\)/);
    expect(() => new MagnitudePruning(net, { finalSparsity: 0.5, startStep: 5, endStep: 2 })).toThrow(/endStep must be an integer >= startStep/);
    expect(() => new MagnitudePruning(net, { finalSparsity: 0.5, frequency: 0 })).toThrow(/frequency must be a positive integer/);
    await expect(pruning.pruneTo(-0.1)).rejects.toThrow(/sparsity must be in \[0, 1\)/);
  });
});
