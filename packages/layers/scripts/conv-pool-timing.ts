// Timing of a Sequential CNN's training step with each Conv2D + MaxPool2D pair run as core's fused
// conv2dMaxPool (Conv2D) against the same layers run one by one (a Conv2D subclass, which the model does
// not fuse), not a test. The bench's CNN (Conv2D(8, 5, same, relu), MaxPool2D(2), Conv2D(16, 5, same,
// relu), MaxPool2D(2), Flatten, Dense(10)), batch 64, Adam, seeded synthetic images in [0, 1) and labels;
// both models start from the same weights and see the same batches, in alternating rounds (so contention
// hits both alike), kernels on one thread. Reports CPU ms per step for each round, the medians, and
// whether both models still hold the same weights bit for bit at the end.
// Run from packages/layers with `pnpm timing:conv-pool [--steps 100] [--rounds 10]`.
import { createDefaultCpuBackend } from '@dendrite/core/backend';
import { cast, floor, randomUniform, setBackend, slice, softmaxCrossEntropy, tidy, variableGrads } from '@dendrite/core';
import { Adam } from '@dendrite/optimizers';
import { Conv2D } from '../src/conv2d.js';
import { Dense } from '../src/dense.js';
import { MaxPool2D } from '../src/pooling.js';
import { Flatten } from '../src/reshape.js';
import { sequential } from '../src/sequential.js';

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}
const steps = Number(argument('steps', '100'));
const rounds = Number(argument('rounds', '10'));
const [BATCH, EXAMPLES] = [64, 4096];

/** Layers run one by one: the model fuses the built-in Conv2D class only. */
class UnfusedConv2D extends Conv2D {}

await setBackend(createDefaultCpuBackend({ threads: 1 }));
const images = randomUniform([EXAMPLES, 28, 28, 1], 0, 1, 1);
const labels = tidy(() => cast(floor(randomUniform([EXAMPLES], 0, 10, 2)), 'int32'));
const build = (ConvClass: typeof Conv2D) => {
  const model = sequential([
    new ConvClass({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new ConvClass({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
    new Flatten(), new Dense({ units: 10 }),
  ], { seed: 42 });
  model.build([-1, 28, 28, 1]);
  return { model, optimizer: new Adam(model.parameters(), { learningRate: 1e-3 }), step: 0 };
};
const runs = { fused: build(Conv2D), unfused: build(UnfusedConv2D) };

function train(run: typeof runs.fused, count: number): void {
  for (let k = 0; k < count; k++) {
    const start = (run.step++ * BATCH) % (EXAMPLES - BATCH);
    tidy(() => {
      const x = slice(images, [start, 0, 0, 0], [BATCH, 28, 28, 1]);
      const y = slice(labels, [start], [BATCH]);
      const { grads } = variableGrads(() => softmaxCrossEntropy(run.model.apply(x), y), run.model.parameters());
      run.optimizer.step(grads);
    });
  }
}

const times = { fused: [] as number[], unfused: [] as number[] };
for (let round = 0; round < rounds; round++) {
  for (const name of round % 2 ? (['unfused', 'fused'] as const) : (['fused', 'unfused'] as const)) {
    const before = process.cpuUsage();
    train(runs[name], steps);
    const cpu = process.cpuUsage(before);
    times[name].push(+((cpu.user + cpu.system) / 1e3 / steps).toFixed(2));
  }
}
const fusedWeights = runs.fused.model.parameters();
const sameWeights = runs.unfused.model.parameters().every((parameter, i) => {
  const [a, b] = [new Uint32Array(Float32Array.from(parameter.dataSync() as Float32Array).buffer), new Uint32Array(Float32Array.from(fusedWeights[i].dataSync() as Float32Array).buffer)];
  return a.every((bitsOfA, j) => bitsOfA === b[j]);
});
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`CPU ms per step, ${rounds} alternating rounds of ${steps} steps, one thread:`);
console.log(`  fused (conv2dMaxPool): ${times.fused.join(' ')}  median ${median(times.fused)}`);
console.log(`  unfused (one by one):  ${times.unfused.join(' ')}  median ${median(times.unfused)}`);
console.log(`  fused below unfused in ${times.fused.filter((t, i) => t < times.unfused[i]).length} of ${rounds} rounds; same weights after ${rounds * steps} steps: ${sameWeights}`);
