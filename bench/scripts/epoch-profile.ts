// Profiling aid (not a benchmark row, not a test): runs part of an MLP or CNN epoch through the bench's raw-ops
// loop or through Trainer.fit and prints wall time and the process's CPU time (all threads), so two variants can
// be compared on a shared machine. Usage (from bench/, DENDRITE_DATA set as for the bench):
//   npx tsx scripts/epoch-profile.ts mlp|cnn raw|fit [batches]
//   PROFILE_THREADS=1 ...: kernels on the calling thread only, so CPU time is work, not spinning workers
//   node --cpu-prof --import tsx scripts/epoch-profile.ts ...: a V8 CPU profile of the same run
// It prints one JSON line: batches, wall and CPU seconds of the training loop alone, mean loss.
import { createDendriteImplementation } from '../src/implementations/dendrite.js';
import { loadFashionMnist } from '../src/fashion-mnist.js';
import { mlpParameters, cnnParameters } from '../src/parameters.js';
import { trainEpoch } from '../src/training.js';
import { isUnsupported } from '../src/implementation.js';
import { createDefaultCpuBackend } from '@dendrite/core/backend';
import { setBackend, softmaxCrossEntropy, tensor, tidy } from '@dendrite/core';
import { Conv2D, Dense, Flatten, MaxPool2D, Reshape, sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { Accuracy, Trainer } from '@dendrite/training';

const mlpModel = () => sequential([new Dense({ units: 128, activation: 'relu' }), new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10 })]);
const cnnModel = () => sequential([
  new Reshape({ targetShape: [28, 28, 1] }),
  new Conv2D({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
  new Conv2D({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
  new Flatten(), new Dense({ units: 10 }),
]);

const [workload = 'mlp', mode = 'raw', batchText] = process.argv.slice(2);
const batchSize = workload === 'mlp' ? 128 : 64;
const batchLimit = batchText ? Number(batchText) : undefined;
// PROFILE_THREADS=1: every kernel on the calling thread, so CPU time is work (no spinning workers).
if (process.env.PROFILE_THREADS) await setBackend(createDefaultCpuBackend({ threads: Number(process.env.PROFILE_THREADS) }));
const implementation = await createDendriteImplementation(process.env.DENDRITE_WASM_SIMD === 'relaxed-simd' ? 'dendrite-cpu-relaxed' : 'dendrite-cpu');
const data = await loadFashionMnist();
const parameters = workload === 'mlp' ? mlpParameters(1) : cnnParameters(1);
let cpuBefore = process.cpuUsage();
let wallBefore = performance.now();
let loss: number;
let batches: number;
if (mode === 'raw') {
  const model = workload === 'mlp' ? implementation.mlp(parameters, 1e-3) : implementation.cnn(parameters, 1e-3);
  if (isUnsupported(model)) throw new Error(model.unsupported);
  const result = await trainEpoch(model, data, batchSize, { seed: 7, batchLimit });
  model.dispose();
  loss = result.meanLoss;
  batches = result.batchesRun;
} else {
  // As the bench's layersFit, without the (untimed) test evaluation.
  const model = workload === 'mlp' ? mlpModel() : cnnModel();
  model.build([-1, 784]);
  const names = model.namedParameters().map(([name]) => name);
  tidy(() => model.loadStateDict(Object.fromEntries(parameters.map((parameter, i) => [names[i], tensor(parameter.values, parameter.shape, 'float32')]))));
  const optimizer = new Adam(model.parameters(), { learningRate: 1e-3 });
  const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
  const count = data.trainLabels.length;
  const inputs = tensor(data.trainImages, [count, 784], 'float32');
  const targets = tensor(data.trainLabels, [count], 'int32');
  cpuBefore = process.cpuUsage();
  wallBefore = performance.now();
  const history = await trainer.fit({ inputs, targets }, { epochs: 1, batchSize, seed: 7, stepsPerEpoch: batchLimit });
  loss = history.values.loss[0];
  batches = batchLimit ?? Math.ceil(count / batchSize);
}
const cpu = process.cpuUsage(cpuBefore);
const wall = (performance.now() - wallBefore) / 1000;
console.log(JSON.stringify({ workload, mode, batches, wall: +wall.toFixed(3), cpu: +((cpu.user + cpu.system) / 1e6).toFixed(3), loss }));
