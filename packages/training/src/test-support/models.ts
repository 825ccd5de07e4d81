// Small hand-written models and a structural optimizer for the tests (training never imports layers).
import { RandomGenerator, dropout, keep, linear, mul, randomNormal, sub, tensor, tidy, variable, zerosLike, type Tensor } from '@dendrite/core';
import type { Callback } from '../callbacks/callback.js';
import type { OptimizerState, TrainableModel, TrainableOptimizer } from '../types.js';

/** A two-layer perceptron with optional dropout between the layers (drawn from core's global generator). */
export function createMlp(sizes: [number, number, number], options: { seed?: number; dropoutRate?: number; ownGenerator?: boolean } = {}): TrainableModel<Tensor, Tensor> & { training: boolean } {
  const seed = options.seed ?? 1;
  const w1 = tidy(() => variable(mul(randomNormal([sizes[0], sizes[1]], 0, 1, seed), Math.sqrt(2 / sizes[0])), 'dense0.weight'));
  const b1 = tidy(() => variable(tensor(new Float32Array(sizes[1])), 'dense0.bias'));
  const w2 = tidy(() => variable(mul(randomNormal([sizes[1], sizes[2]], 0, 1, seed + 1), Math.sqrt(1 / sizes[1])), 'dense1.weight'));
  const b2 = tidy(() => variable(tensor(new Float32Array(sizes[2])), 'dense1.bias'));
  // With ownGenerator the dropout masks come from the model's generator (as a layer's Dropout draws
  // them), reseeded through `reseed`; otherwise from core's global generator.
  const random = new RandomGenerator(seed + 100);
  const model = {
    training: true,
    apply(x: Tensor): Tensor {
      let hidden = linear(x, w1, { bias: b1, activation: 'relu' });
      if (options.dropoutRate && model.training) hidden = dropout(hidden, options.dropoutRate, options.ownGenerator ? random.nextUint32() : undefined);
      return linear(hidden, w2, { bias: b2 });
    },
    parameters: () => [w1, b1, w2, b2],
    train(mode = true) {
      model.training = mode;
    },
    ...(options.ownGenerator ? { reseed: (value: number) => random.reseed(value) } : {}),
  };
  return model;
}

/** Every weight of `parameters`, flattened into one host array (to compare two runs bit for bit). */
export async function weightsOf(parameters: readonly Tensor[]): Promise<number[]> {
  return (await Promise.all(parameters.map(async (p) => Array.from(await p.data())))).flat();
}

/**
 * A callback that records, per global step, the epoch's running loss sum so far (`logs.loss` × steps
 * into the epoch; fit with `logEvery: 1`), and the array it fills.
 */
export function lossRecorder(): { losses: number[]; recorder: Callback } {
  const losses: number[] = [];
  const recorder: Callback = { onBatchEnd: ({ logs, progress }) => { losses[progress.globalStep - 1] = logs.loss * progress.stepInEpoch; } };
  return { losses, recorder };
}

/** A linearly separable 2-class problem: label 1 when x0 + x1 > 0. */
export function separableData(count: number, seed = 3): { inputs: Tensor; targets: Tensor; features: Float32Array; labels: Int32Array } {
  const features = randomNormal([count, 2], 0, 1, seed).dataSync() as Float32Array;
  const labels = new Int32Array(count);
  for (let row = 0; row < count; row++) labels[row] = features[2 * row] + features[2 * row + 1] > 0 ? 1 : 0;
  return { inputs: tensor(features, [count, 2]), targets: tensor(labels, [count], 'int32'), features, labels };
}

/** SGD with momentum whose state (velocities, step count, learning rate) round-trips through stateDict. */
export class MomentumSGD implements TrainableOptimizer {
  iterations = 0;
  private velocities: Map<Tensor, Tensor> = new Map();

  constructor(readonly parameters: readonly Tensor[], public learningRate = 0.1, readonly momentum = 0.9) {}

  step(gradients: ReadonlyArray<Tensor | null>): void {
    this.iterations++;
    tidy(() => this.parameters.forEach((parameter, index) => {
      const gradient = gradients[index];
      if (!gradient) return;
      const previous = this.velocities.get(parameter) ?? zerosLike(parameter);
      const velocity = keep(tidy(() => sub(mul(previous, this.momentum), mul(gradient, this.learningRate))));
      if (this.velocities.has(parameter)) previous.dispose();
      this.velocities.set(parameter, velocity);
      parameter.assign(tidy(() => sub(parameter, mul(velocity, -1))));
    }));
  }

  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    this.parameters.forEach((parameter, index) => {
      const velocity = this.velocities.get(parameter);
      // Copies the caller owns, as @dendrite/optimizers' stateDict returns.
      if (velocity) tensors[`velocity.${index}`] = keep(tidy(() => mul(velocity, 1)));
    });
    return { config: { learningRate: this.learningRate, momentum: this.momentum, iterations: this.iterations }, tensors };
  }

  loadStateDict(state: OptimizerState): void {
    this.learningRate = state.config.learningRate as number;
    this.iterations = state.config.iterations as number;
    for (const velocity of this.velocities.values()) velocity.dispose();
    this.velocities = new Map();
    this.parameters.forEach((parameter, index) => {
      const saved = state.tensors[`velocity.${index}`];
      if (saved) this.velocities.set(parameter, keep(tidy(() => mul(saved, 1))));
    });
  }

  dispose(): void {
    for (const velocity of this.velocities.values()) velocity.dispose();
  }
}
