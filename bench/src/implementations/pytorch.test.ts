import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { SeededRandom } from '@dendrite/datasets';
import { afterAll, describe, expect, it } from 'vitest';
import { PIXELS_PER_IMAGE, type FashionMnist } from '../fashion-mnist.js';
import { cnnParameters, mlpParameters } from '../parameters.js';
import type { ImplementationReport } from '../records.js';
import { epochOrder, trainEpoch } from '../training.js';
import { createDendriteImplementation } from './dendrite.js';
import { findPytorch, pytorchEnvironment, pytorchInputs, runPytorch, type PytorchInputs } from './pytorch.js';

const pytorch = findPytorch();
const folder = mkdtempSync(join(tmpdir(), 'dendrite-bench-torch-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('the PyTorch process', () => {
  it('runs without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, and with the report file', () => {
    const env = pytorchEnvironment({ PATH: '/bin', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576', OTHER: 'kept' }, '/tmp/report.json');
    expect(env).toEqual({ PATH: '/bin', OTHER: 'kept', BENCH_REPORT_FILE: '/tmp/report.json' });
  });

  it('says why when the given Python cannot import torch', () => {
    const found = findPytorch({ ...process.env, BENCH_PYTHON: '/nonexistent/python3' });
    expect(found).toEqual({ unavailable: expect.stringMatching(/^PyTorch not available: \/nonexistent\/python3 -c 'import torch' failed \(could not be started/) });
  });

  it('reports every selected row as n/a with the reason when torch cannot be imported', async () => {
    const saved = process.env.BENCH_PYTHON;
    process.env.BENCH_PYTHON = '/nonexistent/python3';
    const reportFile = join(folder, 'unavailable.json');
    try {
      expect(await runPytorch({ quick: true, only: /^mlp (train step|epoch)/i }, reportFile, folder)).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.BENCH_PYTHON;
      else process.env.BENCH_PYTHON = saved;
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ImplementationReport;
    expect(report.records).toEqual([]);
    expect(report.skipped.map((row) => row.name)).toEqual(['mlp train step', 'mlp train step (layers)', 'mlp epoch', 'mlp epoch (fit loop)']);
    expect(report.skipped[0].reason).toMatch(/^PyTorch not available: \/nonexistent\/python3 -c 'import torch' failed/);
    expect(report.skipped[1].reason).toMatch(/^Dendrite layers only/);
  });

  it('gets the selected workloads, the skipped ones with their reasons, and the shared weights and order', async () => {
    const inputs = await pytorchInputs({ quick: true, only: /train step/i }, '/data/fashion-mnist');
    expect(inputs.workloads).toEqual([{ name: 'mlp train step', unit: 'ms' }, { name: 'cnn train step', unit: 'ms' }]);
    expect(inputs.skipped.map((row) => row.name)).toEqual(['mlp train step (layers)', 'cnn train step (layers)']);
    expect(inputs.parameters.mlp.map((parameter) => parameter.shape)).toEqual([[784, 128], [128], [128, 64], [64], [64, 10], [10]]);
    expect(inputs.parameters.mlp[0].values[5]).toBe(mlpParameters(42)[0].values[5]);
    expect([...inputs.order].sort((a, b) => a - b)).toEqual(Array.from({ length: 60000 }, (_, index) => index));
  });
});

describe('epochOrder', () => {
  it('is the order in which trainEpoch visits the images', async () => {
    const count = 300;
    const images = new Float32Array(count * PIXELS_PER_IMAGE);
    for (let index = 0; index < count; index++) images[index * PIXELS_PER_IMAGE] = index;
    const data: FashionMnist = { trainImages: images, trainLabels: new Int32Array(count), testImages: new Float32Array(0), testLabels: new Int32Array(0) };
    const seen: number[] = [];
    const recorder = {
      async trainStep(batch: Float32Array, _labels: Int32Array, size: number) {
        for (let row = 0; row < size; row++) seen.push(batch[row * PIXELS_PER_IMAGE]);
        return 1;
      },
      async predict() { return new Float32Array(0); },
      dispose() {},
    };
    await trainEpoch(recorder, data, 64, { seed: 7 });
    expect(Array.from(await epochOrder(count, 7))).toEqual(seen);
  });
});

/** Write `pixels` ([count, 28, 28] bytes) and `labels` as gzip IDX files, as Fashion-MNIST ships them. */
function writeIdx(folder: string, prefix: string, pixels: Uint8Array, labels: Uint8Array): void {
  const imageHeader = Buffer.alloc(16);
  imageHeader.writeUInt32BE(0x803, 0);
  imageHeader.writeUInt32BE(labels.length, 4);
  imageHeader.writeUInt32BE(28, 8);
  imageHeader.writeUInt32BE(28, 12);
  writeFileSync(join(folder, `${prefix}-images-idx3-ubyte.gz`), gzipSync(Buffer.concat([imageHeader, pixels])));
  const labelHeader = Buffer.alloc(8);
  labelHeader.writeUInt32BE(0x801, 0);
  labelHeader.writeUInt32BE(labels.length, 4);
  writeFileSync(join(folder, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(Buffer.concat([labelHeader, labels])));
}


// Runs only where `import torch` works (Debian's python3-torch here); elsewhere the bench skips PyTorch with a note.
describe.skipIf('unavailable' in pytorch)('torch_bench.py', () => {
  it('trains the same MLP and CNN as Dendrite on the same batches, and reports in the workers\' format', async () => {
    const trainCount = 256;
    const random = new SeededRandom(3);
    const pixels = new Uint8Array(trainCount * PIXELS_PER_IMAGE).map(() => random.nextInt(256));
    const labels = new Uint8Array(trainCount).map(() => random.nextInt(10));
    writeIdx(folder, 'train', pixels, labels);
    writeIdx(folder, 't10k', pixels.subarray(0, 100 * PIXELS_PER_IMAGE), labels.subarray(0, 100));
    const order = await epochOrder(trainCount, 7);
    const plain = (parameters: ReturnType<typeof mlpParameters>) => parameters.map(({ name, shape, values }) => ({ name, shape, values: Array.from(values) }));
    const inputs: PytorchInputs = {
      quick: true, dataFolder: folder, shuffleSeed: 7,
      workloads: [{ name: 'mlp epoch', unit: 's' }, { name: 'cnn epoch', unit: 's' }, { name: 'matmul 256', unit: 'GFLOP/s' }],
      skipped: [{ name: 'mlp train step (layers)', impl: 'pytorch-cpu', reason: 'Dendrite only' }],
      parameters: { mlp: plain(mlpParameters(42)), cnn: plain(cnnParameters(42)) },
      order: Array.from(order),
    };
    writeFileSync(join(folder, 'inputs.json'), JSON.stringify(inputs));
    const reportFile = join(folder, 'report.json');
    // Tests keep the OpenBLAS settings of their environment: only benchmark runs drop them (pytorchEnvironment).
    const script = fileURLToPath(new URL('../../torch_bench.py', import.meta.url));
    const run = spawnSync('python' in pytorch ? pytorch.python : 'python3', [script, join(folder, 'inputs.json')], { env: { ...process.env, BENCH_REPORT_FILE: reportFile }, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ImplementationReport;
    expect(report.impl).toBe('pytorch-cpu');
    expect(report.backend).toMatch(/^PyTorch .* 2 threads, float32$/);
    expect(report.skipped).toEqual(inputs.skipped);
    expect(report.error).toBeUndefined();
    expect(report.records.map((record) => [record.name, record.unit])).toEqual([['mlp epoch', 's'], ['cnn epoch', 's'], ['matmul 256', 'GFLOP/s']]);
    expect(report.records[2].value).toBeGreaterThan(0);

    // The same epochs in Dendrite: same weights, same order, same Adam, so the same mean loss (the two
    // Adams place epsilon differently, which moves the 4th decimal at most over these few steps).
    const data: FashionMnist = {
      trainImages: Float32Array.from(pixels, (pixel) => pixel / 255), trainLabels: Int32Array.from(labels),
      testImages: new Float32Array(0), testLabels: new Int32Array(0),
    };
    const dendrite = await createDendriteImplementation();
    const mlp = dendrite.mlp(mlpParameters(42), 1e-3);
    const cnn = dendrite.cnn(cnnParameters(42), 1e-3);
    if (!('trainStep' in cnn)) throw new Error('the Dendrite CNN is supported');
    const mlpEpoch = await trainEpoch(mlp, data, 128, { seed: 7 });
    const cnnEpoch = await trainEpoch(cnn, data, 64, { seed: 7 });
    mlp.dispose();
    cnn.dispose();
    expect(report.records[0].details).toMatchObject({ batchesRun: 2, batchesPerEpoch: 2, extrapolated: false });
    expect(report.records[0].details!.loss).toBeCloseTo(mlpEpoch.meanLoss, 3);
    expect(report.records[1].details).toMatchObject({ batchesRun: 4, batchesPerEpoch: 4 });
    expect(report.records[1].details!.loss).toBeCloseTo(cnnEpoch.meanLoss, 3);
  });
});
