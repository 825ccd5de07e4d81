// The efficiency report of issue 14: int8 quantization (size, accuracy, throughput), float16 storage
// and magnitude pruning (accuracy and disk size at 50/75/90% sparsity) on Fashion-MNIST, plus time,
// memory and (where the platform exposes it) energy per inference. `pnpm --filter @dendrite/bench
// efficiency` runs it in full; its test runs it reduced.

import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { getBackendInfo } from '@dendrite/core';
import { MagnitudePruning, encodeWeights, kernelSparsity, modelFromBytes, modelToBytes, quantizeModel, type Sequential } from '@dendrite/layers';
import { tensor } from '@dendrite/core';
import { PIXELS_PER_IMAGE, type FashionMnist } from '../fashion-mnist.js';
import { accuracy, activationBytesPerExample, argmaxRows, cnnModel, mlpModel, testLogits, throughputs, train } from './models.js';

export interface EfficiencyOptions {
  /** Training images used (60000 = all). */
  trainImages: number;
  /** Test images evaluated (10000 = all). */
  testImages: number;
  mlpEpochs: number;
  cnnEpochs: number;
  /** Fine-tuning epochs with pruning, per sparsity. */
  pruneEpochs: number;
  sparsities: readonly number[];
  /** Timed rounds of the throughput measurement (each times one batch of every timed variant, in alternation; the median is reported). */
  timedRuns: number;
  seed: number;
  log?: (message: string) => void;
}

export const FULL_OPTIONS: EfficiencyOptions = {
  trainImages: 60000, testImages: 10000, mlpEpochs: 5, cnnEpochs: 2, pruneEpochs: 2, sparsities: [0.5, 0.75, 0.9], timedRuns: 60, seed: 1,
};

export interface VariantRow {
  variant: string;
  accuracy: number;
  fileBytes: number;
  /** Test images whose predicted class equals the float32 model's. */
  agreement: number;
  imagesPerSecond: number | null;
  microsecondsPerImage: number | null;
}

export interface ModelReport {
  model: string;
  rows: VariantRow[];
  activationBytesPerExample: number;
}

export interface PruningRow {
  sparsity: number;
  measuredSparsity: number;
  accuracy: number;
  fileBytes: number;
  gzipBytes: number;
  int8GzipBytes: number;
}

export interface EfficiencyReport {
  backend: string;
  mlp: ModelReport;
  cnn: ModelReport;
  pruning: PruningRow[];
  energy: string;
}

const INFERENCE_BATCH = 256;
const CALIBRATION_IMAGES = 512;

async function variants(name: string, model: Sequential, data: FashionMnist, options: EfficiencyOptions): Promise<ModelReport> {
  const labels = data.testLabels.subarray(0, Math.min(options.testImages, data.testLabels.length));
  const floatLogits = await testLogits(model, data, options.testImages);
  const floatClasses = argmaxRows(floatLogits);
  const timedModels: Sequential[] = [];
  const timedRows: VariantRow[] = [];
  const row = async (variant: string, candidate: Sequential, bytes: Uint8Array, timed: boolean): Promise<VariantRow> => {
    const logits = candidate === model ? floatLogits : await testLogits(candidate, data, options.testImages);
    const classes = argmaxRows(logits);
    const agreement = classes.reduce((same, value, i) => same + (value === floatClasses[i] ? 1 : 0), 0) / classes.length;
    options.log?.(`${name} ${variant}: accuracy ${accuracy(logits, labels).toFixed(4)}, ${bytes.length} bytes`);
    const result: VariantRow = {
      variant, accuracy: accuracy(logits, labels), fileBytes: bytes.length, agreement, imagesPerSecond: null, microsecondsPerImage: null,
    };
    if (timed) {
      timedModels.push(candidate);
      timedRows.push(result);
    }
    return result;
  };
  // Sizes are of the weights file saveModel writes (weights.safetensors); the topology beside it is ~1 KiB.
  const rows: VariantRow[] = [await row('float32', model, await encodeWeights(model), true)];
  const half = modelFromBytes(await modelToBytes(model, { dtype: 'float16' })) as Sequential;
  rows.push(await row('float16 weights', half, await encodeWeights(model, {}, 'float16'), false));
  half.dispose();
  const dynamic = await quantizeModel(model);
  rows.push(await row('int8, dynamic scales', dynamic, await encodeWeights(dynamic), true));
  const calibration = tensor(data.trainImages.subarray(0, CALIBRATION_IMAGES * PIXELS_PER_IMAGE), [CALIBRATION_IMAGES, PIXELS_PER_IMAGE]);
  const calibrated = await quantizeModel(model, { calibration: [calibration] });
  calibration.dispose();
  rows.push(await row(`int8, calibrated (${CALIBRATION_IMAGES} images)`, calibrated, await encodeWeights(calibrated), true));
  // The timed variants run in alternation, so a burst of load from elsewhere does not favour one of them.
  const speeds = await throughputs(timedModels, data, INFERENCE_BATCH, options.timedRuns);
  speeds.forEach((speed, index) => {
    Object.assign(timedRows[index], speed);
    options.log?.(`${name} ${timedRows[index].variant}: ${speed.imagesPerSecond.toFixed(0)} images/s`);
  });
  dynamic.dispose();
  calibrated.dispose();
  return { model: name, rows, activationBytesPerExample: activationBytesPerExample(model) };
}

/** Whether this machine lets us read RAPL energy counters, and what that means for the report. */
export function energyAvailability(path = '/sys/class/powercap/intel-rapl:0/energy_uj'): string {
  try {
    const value = Number(readFileSync(path, 'utf8'));
    if (Number.isFinite(value)) return `RAPL readable at ${path} (not yet used to report joules)`;
    return `RAPL at ${path} is not a number: joules not reported`;
  } catch (error) {
    return `no energy counter: ${path} is ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'unreadable'} here, so joules are not reported`;
  }
}

/** Train the MLP and CNN, then measure every variant and the pruning schedule. */
export async function efficiencyReport(data: FashionMnist, options: EfficiencyOptions): Promise<EfficiencyReport> {
  const log = options.log;
  const mlp = mlpModel(options.seed);
  await train(mlp, data, { epochs: options.mlpEpochs, batchSize: 128, learningRate: 1e-3, imageLimit: options.trainImages });
  const mlpReport = await variants('mlp', mlp, data, options);
  const cnn = cnnModel(options.seed);
  await train(cnn, data, { epochs: options.cnnEpochs, batchSize: 64, learningRate: 1e-3, imageLimit: options.trainImages });
  const cnnReport = await variants('cnn', cnn, data, options);
  cnn.dispose();

  const trained = await modelToBytes(mlp);
  const pruning: PruningRow[] = [];
  const labels = data.testLabels.subarray(0, Math.min(options.testImages, data.testLabels.length));
  for (const sparsity of options.sparsities) {
    const model = modelFromBytes(trained) as Sequential;
    const stepsPerEpoch = Math.floor(Math.min(options.trainImages, data.trainLabels.length) / 128);
    const totalSteps = stepsPerEpoch * options.pruneEpochs;
    // Reach the final sparsity two thirds of the way through, then fine-tune at it.
    const pruner = new MagnitudePruning(model, { finalSparsity: sparsity, endStep: Math.max(0, Math.floor((totalSteps * 2) / 3) - 1), frequency: Math.max(1, Math.floor(totalSteps / 20)) });
    await train(model, data, { epochs: options.pruneEpochs, batchSize: 128, learningRate: 5e-4, imageLimit: options.trainImages, afterStep: () => pruner.step() });
    pruner.dispose();
    const bytes = await encodeWeights(model);
    const int8 = await quantizeModel(model);
    const int8Bytes = await encodeWeights(int8);
    int8.dispose();
    const result: PruningRow = {
      sparsity, measuredSparsity: (await kernelSparsity(model)).overall, accuracy: accuracy(await testLogits(model, data, options.testImages), labels),
      fileBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length, int8GzipBytes: gzipSync(int8Bytes, { level: 9 }).length,
    };
    log?.(`pruned to ${sparsity}: accuracy ${result.accuracy.toFixed(4)}, gzip ${result.gzipBytes} bytes`);
    pruning.push(result);
    model.dispose();
  }
  const denseBytes = await encodeWeights(mlp);
  const denseInt8 = await quantizeModel(mlp);
  pruning.unshift({
    sparsity: 0, measuredSparsity: (await kernelSparsity(mlp)).overall, accuracy: mlpReport.rows[0].accuracy, fileBytes: denseBytes.length,
    gzipBytes: gzipSync(denseBytes, { level: 9 }).length,
    int8GzipBytes: gzipSync(await encodeWeights(denseInt8), { level: 9 }).length,
  });
  denseInt8.dispose();
  mlp.dispose();
  const info = getBackendInfo();
  return { backend: `${info.name} (${info.implementation}, ${info.threads ?? 1} threads)`, mlp: mlpReport, cnn: cnnReport, pruning, energy: energyAvailability() };
}

const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The report as Markdown tables (what the README shows). */
export function formatReport(report: EfficiencyReport, options: EfficiencyOptions): string {
  const lines = [
    `Fashion-MNIST, ${options.trainImages} training images, ${options.testImages} test images; MLP ${options.mlpEpochs} epochs, CNN ${options.cnnEpochs}; backend ${report.backend}.`,
    '',
  ];
  for (const model of [report.mlp, report.cnn]) {
    const base = model.rows[0];
    lines.push(`| ${model.model} | test accuracy | weights file | vs float32 | same class as float32 | images/s at batch ${INFERENCE_BATCH} | µs per image |`, '|---|---|---|---|---|---|---|');
    for (const row of model.rows) {
      lines.push(`| ${row.variant} | ${percent(row.accuracy)} | ${kib(row.fileBytes)} | ${(base.fileBytes / row.fileBytes).toFixed(2)}x smaller | ${percent(row.agreement)} | ${row.imagesPerSecond === null ? '-' : row.imagesPerSecond.toFixed(0)} | ${row.microsecondsPerImage === null ? '-' : row.microsecondsPerImage.toFixed(1)} |`);
    }
    lines.push('', `Activations per example (float32): ${kib(model.activationBytesPerExample)}.`, '');
  }
  lines.push('| MLP pruned to | measured sparsity | test accuracy | safetensors | gzip -9 | int8 + gzip -9 |', '|---|---|---|---|---|---|');
  for (const row of report.pruning) {
    lines.push(`| ${percent(row.sparsity)} | ${percent(row.measuredSparsity)} | ${percent(row.accuracy)} | ${kib(row.fileBytes)} | ${kib(row.gzipBytes)} | ${kib(row.int8GzipBytes)} |`);
  }
  lines.push('', `Energy: ${report.energy}.`);
  return lines.join('\n');
}
