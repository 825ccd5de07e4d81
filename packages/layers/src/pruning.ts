// Magnitude pruning (Zhu & Gupta, "To prune, or not to prune", 2017): during fine-tuning, the
// smallest-magnitude weights of each Dense/Conv kernel are zeroed up to a sparsity that rises on a
// cubic schedule, and kept at zero after every optimizer step. Biases and normalization stay dense.

import { DendriteError, keep, mul, noGrad, tensor, tidy, type Tensor } from '@dendrite/core';
import { Conv1D } from './conv1d.js';
import { Conv2D } from './conv2d.js';
import { Dense } from './dense.js';
import type { AnyLayer } from './layer.js';
import { checkOptionNames } from './options.js';

/** Options of {@link MagnitudePruning}: the target sparsity and the schedule that reaches it. */
export interface MagnitudePruningOptions {
  /** Sparsity reached at `endStep` and kept after it: the fraction of each kernel's weights that are zero, in [0, 1). */
  finalSparsity: number;
  /** Sparsity at `startStep` (default 0). */
  initialSparsity?: number;
  /** Step (optimizer steps, counted by {@link MagnitudePruning.step}) when pruning starts (default 0). */
  startStep?: number;
  /** Step when `finalSparsity` is reached (default: startStep, i.e. at once). */
  endStep?: number;
  /** Recompute the masks every this many steps (default 1); between, the masks only keep zeros at zero. */
  frequency?: number;
}

/** The kernels of `model` that pruning touches: Dense, Conv1D and Conv2D kernels, by dotted name. */
export function prunableKernels(model: AnyLayer): Array<[string, Tensor]> {
  const result: Array<[string, Tensor]> = [];
  const visit = (layer: AnyLayer, prefix: string) => {
    if (layer instanceof Dense || layer instanceof Conv2D || layer instanceof Conv1D) {
      if (layer.buildInputShape !== null) result.push([`${prefix}kernel`, layer.kernel]);
    }
    for (const [name, child] of layer.namedChildren()) visit(child, `${prefix}${name}.`);
  };
  visit(model, '');
  return result;
}

/** The fraction of zeros in the model's prunable kernels, and per kernel. */
export async function kernelSparsity(model: AnyLayer): Promise<{ overall: number; perKernel: Record<string, number> }> {
  let zeros = 0;
  let total = 0;
  const perKernel: Record<string, number> = {};
  for (const [name, kernel] of prunableKernels(model)) {
    const values = await kernel.data();
    let count = 0;
    for (const value of values) if (value === 0) count++;
    perKernel[name] = count / values.length;
    zeros += count;
    total += values.length;
  }
  return { overall: total === 0 ? 0 : zeros / total, perKernel };
}

/**
 * Magnitude pruning during training. Call {@link MagnitudePruning.step} after every optimizer step
 * (or pass the object to @dendrite/training's Trainer as a callback, see {@link MagnitudePruning.onBatchEnd}). At
 * each step the scheduled sparsity s(t) = s_f + (s_i − s_f)(1 − (t − start)/(end − start))³ is
 * computed; every `frequency` steps each kernel's mask is rebuilt to zero its s(t) smallest-|w|
 * fraction, and every step the masks are applied, so pruned weights stay zero.
 *
 * @example
 * ```ts
 * const pruning = new MagnitudePruning(model, { finalSparsity: 0.9, endStep: 2000, frequency: 100 });
 * await trainer.fit(batches, { epochs: 5, logEvery: 1, callbacks: [pruning] });
 * await pruning.step();   // or by hand after each optimizer.step()
 * ```
 */
export class MagnitudePruning {
  readonly model: AnyLayer;
  readonly finalSparsity: number;
  readonly initialSparsity: number;
  readonly startStep: number;
  readonly endStep: number;
  readonly frequency: number;
  private stepCount = 0;
  private readonly masks = new Map<Tensor, Tensor>();

  constructor(model: AnyLayer, options: MagnitudePruningOptions) {
    const fraction = (value: number, field: string) => {
      if (!(Number.isFinite(value) && value >= 0 && value < 1)) throw new DendriteError(`MagnitudePruning: ${field} must be in [0, 1), got ${value}`);
      return value;
    };
    if (options === null || typeof options !== 'object') throw new DendriteError(`MagnitudePruning: options must be an object, got ${String(options)}`);
    checkOptionNames('MagnitudePruning', options, ['finalSparsity', 'initialSparsity', 'startStep', 'endStep', 'frequency']);
    this.model = model;
    this.finalSparsity = fraction(options.finalSparsity, 'finalSparsity');
    this.initialSparsity = fraction(options.initialSparsity ?? 0, 'initialSparsity');
    this.startStep = options.startStep ?? 0;
    this.endStep = options.endStep ?? this.startStep;
    this.frequency = options.frequency ?? 1;
    if (!Number.isInteger(this.startStep) || this.startStep < 0) throw new DendriteError(`MagnitudePruning: startStep must be a non-negative integer, got ${this.startStep}`);
    if (!Number.isInteger(this.endStep) || this.endStep < this.startStep) throw new DendriteError(`MagnitudePruning: endStep must be an integer >= startStep (${this.startStep}), got ${this.endStep}`);
    if (!Number.isInteger(this.frequency) || this.frequency < 1) throw new DendriteError(`MagnitudePruning: frequency must be a positive integer, got ${this.frequency}`);
  }

  /** The scheduled sparsity at optimizer step `step`. */
  sparsityAt(step: number): number {
    if (step < this.startStep) return 0;
    if (step >= this.endStep) return this.finalSparsity;
    const progress = (step - this.startStep) / (this.endStep - this.startStep);
    return this.finalSparsity + (this.initialSparsity - this.finalSparsity) * (1 - progress) ** 3;
  }

  /** Steps counted so far. */
  get steps(): number {
    return this.stepCount;
  }

  /** Count one optimizer step: rebuild the masks when due, then zero the pruned weights. */
  async step(): Promise<void> {
    const step = this.stepCount++;
    if (step < this.startStep) return;
    if ((step - this.startStep) % this.frequency === 0 || step === this.endStep) await this.updateMasks(this.sparsityAt(step));
    this.applyMasks();
  }

  /**
   * The Trainer callback hook. The Trainer calls it once per logging interval (fit's `logEvery`, default
   * 10 steps) with its global step count: the masks are rebuilt there to the scheduled sparsity at that
   * step and applied, so the schedule is followed at that granularity (pass `logEvery: 1` for per-step
   * masking). Without an event it counts one step, like {@link MagnitudePruning.step}.
   */
  async onBatchEnd(event?: { progress?: { globalStep?: number } }): Promise<void> {
    const globalStep = event?.progress?.globalStep;
    if (globalStep === undefined) {
      await this.step();
      return;
    }
    this.stepCount = globalStep;
    const step = globalStep - 1;
    if (step < this.startStep) return;
    await this.updateMasks(this.sparsityAt(step));
    this.applyMasks();
  }

  /** Prune every kernel to `sparsity` now (one-shot pruning, or the end of a schedule). */
  async pruneTo(sparsity: number): Promise<void> {
    if (!(Number.isFinite(sparsity) && sparsity >= 0 && sparsity < 1)) throw new DendriteError(`MagnitudePruning.pruneTo: sparsity must be in [0, 1), got ${sparsity}`);
    await this.updateMasks(sparsity);
    this.applyMasks();
  }

  /** Release the masks. */
  dispose(): void {
    for (const mask of this.masks.values()) mask.dispose();
    this.masks.clear();
  }

  private async updateMasks(sparsity: number): Promise<void> {
    for (const [, kernel] of prunableKernels(this.model)) {
      const values = await kernel.data();
      const pruned = Math.floor(sparsity * values.length);
      const mask = new Float32Array(values.length).fill(1);
      if (pruned > 0) {
        // The indices of the `pruned` smallest magnitudes (ties broken by index, so masks are deterministic).
        const order = Array.from(values.keys()).sort((a, b) => Math.abs(values[a]) - Math.abs(values[b]) || a - b);
        for (let i = 0; i < pruned; i++) mask[order[i]] = 0;
      }
      this.masks.get(kernel)?.dispose();
      this.masks.set(kernel, keep(tensor(mask, kernel.shape)));
    }
  }

  private applyMasks(): void {
    tidy(() => noGrad(() => {
      for (const [kernel, mask] of this.masks) kernel.assign(mul(kernel, mask));
    }));
  }
}
