// Small learning problems solved end to end with the layers, core's autograd and the optimizers,
// in hand-written loops (the training package replaces them): what the layers are for, kept quick
// enough for CI. Every run is seeded.

import { Tensor, mean, randomUniform, sin, square, sub, sum, tensor, tidy, variableGrads } from '@dendrite/core';
import { Adam, SGD, type Optimizer } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import type { ActivationName } from './activations.js';
import { Dense } from './dense.js';
import type { Layer } from './layer.js';
import { LSTM } from './recurrent/lstm.js';
import { sequential } from './sequential.js';

/** Build the model for x, then minimize mean squared error for `steps` full-batch steps; returns the final loss. */
function fit(model: Layer, makeOptimizer: (parameters: Tensor[]) => Optimizer, x: Tensor, y: Tensor, steps: number): number {
  model.build(x.shape);
  const optimizer = makeOptimizer(model.parameters());
  let loss = Infinity;
  for (let step = 0; step < steps; step++) {
    loss = tidy(() => {
      const { value, grads } = variableGrads(() => mean(square(sub(model.apply(x), y))), model.parameters());
      optimizer.step(grads);
      return value.dataSync()[0];
    });
  }
  return loss;
}

describe('learning with layers', () => {
  const xor = { x: tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y: [0, 1, 1, 0] };

  for (const [activation, seed] of [['sigmoid', 1], ['tanh', 2], ['relu', 3]] as Array<[ActivationName, number]>) {
    it(`XOR with a 2-4-1 network and ${activation} hidden units`, () => {
      const model = sequential([new Dense({ units: 4, activation }), new Dense({ units: 1, activation: 'sigmoid' })], { seed });
      fit(model, (parameters) => new Adam(parameters, { learningRate: 0.1 }), xor.x, tensor(xor.y, [4, 1]), 400);
      const outputs = tidy(() => Array.from(model.apply(xor.x).dataSync()));
      outputs.forEach((output, i) => expect(output > 0.5, `XOR(${xor.x.arraySync()}[${i}]) = ${output}`).toBe(xor.y[i] === 1));
    });
  }

  it('sine regression: a 1-16-16-1 tanh network fits sin(x) on [-π, π] to MSE < 0.005', () => {
    const x = tidy(() => linspaceColumn(-Math.PI, Math.PI, 64));
    const y = tidy(() => sin(x));
    const model = sequential([new Dense({ units: 16, activation: 'tanh' }), new Dense({ units: 16, activation: 'tanh' }), new Dense({ units: 1 })], { seed: 4 });
    const loss = fit(model, (parameters) => new Adam(parameters, { learningRate: 0.02 }), x, y, 600);
    expect(loss).toBeLessThan(0.005);
  });

  it('an LSTM learns to add two numbers presented one per time step (held-out MSE < 0.002)', () => {
    // x [batch, 2, 1]: the two addends as a sequence; target their sum. The head reads the last state.
    const make = (count: number, seed: number) => tidy(() => {
      const x = randomUniform([count, 2, 1], 0, 1, seed);
      return { x, y: sum(x, 1) };
    });
    const train = make(128, 5);
    const test = make(64, 6);
    const model = sequential([new LSTM({ units: 8 }), new Dense({ units: 1 })], { seed: 7 });
    const trainLoss = fit(model, (parameters) => new Adam(parameters, { learningRate: 0.02 }), train.x, train.y, 300);
    const testLoss = tidy(() => mean(square(sub(model.apply(test.x), test.y))).dataSync()[0]);
    expect(trainLoss).toBeLessThan(0.002);
    expect(testLoss).toBeLessThan(0.002);
  });

  it('plain SGD trains the same layers (XOR, tanh)', () => {
    const model = sequential([new Dense({ units: 4, activation: 'tanh' }), new Dense({ units: 1, activation: 'sigmoid' })], { seed: 8 });
    const loss = fit(model, (parameters) => new SGD(parameters, { learningRate: 1, momentum: 0.9 }), xor.x, tensor(xor.y, [4, 1]), 300);
    expect(loss).toBeLessThan(0.05);
  });
});

function linspaceColumn(start: number, stop: number, count: number): Tensor {
  return tensor(Float32Array.from({ length: count }, (_, i) => start + ((stop - start) * i) / (count - 1)), [count, 1]);
}
