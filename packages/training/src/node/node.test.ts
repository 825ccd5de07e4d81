import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { softmaxCrossEntropy } from '@dendrite/core';
import { describe, expect, it } from 'vitest';
import type { Callback } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { Accuracy } from '../metrics/accuracy.js';
import { createMlp, MomentumSGD, separableData } from '../test-support/models.js';
import { Trainer } from '../trainer.js';
import { CSVLogger, loadCheckpoint, ModelCheckpoint, ProgressBar, renderHistoryPng, renderHistorySvg, saveHistoryChart, writeFileAtomically } from './index.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'dendrite-training-'));
const newTrainer = (seed = 1) => {
  const model = createMlp([2, 8, 2], { seed });
  return new Trainer(model, { optimizer: new MomentumSGD(model.parameters(), 0.05), loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
};

describe('ModelCheckpoint', () => {
  it('keeps the last N epochs and the best, and a Ctrl-C leaves them intact plus an interrupted state', async () => {
    const directory = scratch();
    const checkpoints = new ModelCheckpoint(directory, { keepLast: 2, monitor: 'val_accuracy' });
    const interrupt: Callback = { onBatchEnd: ({ progress }) => { if (progress.epoch === 4 && progress.stepInEpoch === 2) process.emit('SIGINT'); } };
    const data = separableData(64);
    const history = await newTrainer().fit(data, { epochs: 6, batchSize: 16, logEvery: 1, validationSplit: 0.25, callbacks: [checkpoints, interrupt] });
    expect(history.epochs).toEqual([1, 2, 3, 4]);
    expect(readdirSync(directory).sort()).toEqual(['best.safetensors', 'epoch-0003.safetensors', 'epoch-0004.safetensors', 'interrupted.safetensors']);
    const last = await loadCheckpoint(join(directory, 'epoch-0004.safetensors'));
    expect(last.progress).toMatchObject({ epoch: 4, stepInEpoch: 0 });
    expect(last.logs?.val_accuracy).toBe(history.values.val_accuracy[3]);
    expect(Object.keys(last.optimizer!.tensors)).toHaveLength(4);
    const best = await loadCheckpoint(join(directory, 'best.safetensors'));
    expect(best.logs?.val_accuracy).toBe(Math.max(...history.values.val_accuracy));
    const interrupted = await loadCheckpoint(join(directory, 'interrupted.safetensors'));
    expect(interrupted.progress).toMatchObject({ epoch: 4, stepInEpoch: 2 });
    // The interrupted state resumes: two more epochs' worth of steps from where it stopped.
    const resumed = await newTrainer(9).fit(data, { epochs: 6, batchSize: 16, validationSplit: 0.25, resumeFrom: interrupted });
    expect(resumed.epochs).toEqual([5, 6]);
  });
});

describe('CSVLogger', () => {
  it('writes one row per epoch and appends on a resumed run', async () => {
    const path = join(scratch(), 'log.csv');
    const trainer = newTrainer();
    await trainer.fit(separableData(32), { epochs: 2, batchSize: 16, callbacks: [new CSVLogger(path)] });
    await trainer.fit(separableData(32), { epochs: 1, batchSize: 16, callbacks: [new CSVLogger(path, { append: true })] });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,loss,accuracy');
    expect(lines.map((line) => line.split(',')[0])).toEqual(['epoch', '1', '2', '1']);
    expect(lines.slice(1).every((line) => line.split(',').every((cell) => Number.isFinite(Number(cell))))).toBe(true);
  });
});

describe('writeFileAtomically', () => {
  it('names the path when a file is in the way of the folder (was a bare EEXIST), for the logger and the checkpoints', async () => {
    const blocker = join(scratch(), 'a-file');
    writeFileSync(blocker, 'not a folder');
    await expect(writeFileAtomically(join(blocker, 'x.json'), '{}')).rejects.toThrow(/cannot create the folder .*a-file for .*x\.json \(a file is in the way of the folder\)/);
    await expect(newTrainer().fit(separableData(16), { epochs: 1, callbacks: [new CSVLogger(join(blocker, 'log.csv'))] })).rejects.toThrow(/cannot create the folder .*a-file for .*log\.csv/);
    await expect(newTrainer().fit(separableData(16), { epochs: 1, callbacks: [new ModelCheckpoint(blocker)] })).rejects.toThrow(/cannot create the folder .*a-file/);
  });
});

describe('ProgressBar', () => {
  it('prints plain lines when the output is not a TTY', async () => {
    let text = '';
    const output = { isTTY: false, write: (chunk: string) => { text += chunk; } };
    await newTrainer().fit(separableData(64), { epochs: 2, batchSize: 16, callbacks: [new ProgressBar({ output, lineIntervalSeconds: 0 })] });
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^epoch 1\/2 · step 4\/4 · loss \d\.\d{4} · accuracy \d\.\d{4} · \d+ examples\/s · ETA 0s$/);
    expect(lines[1]).toMatch(/^epoch 1\/2 done in \d+s · loss \d\.\d{4} · accuracy \d\.\d{4}$/);
  });

  it('draws a cli-progress bar on a TTY', async () => {
    let text = '';
    const output = { isTTY: true, write: (chunk: string) => { text += chunk; return true; }, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => output, removeListener: () => output, columns: 200 };
    await newTrainer().fit(separableData(64), { epochs: 1, batchSize: 16, logEvery: 1, callbacks: [new ProgressBar({ output })] });
    expect(text).toMatch(/epoch 1\/1 \|[█░]+\| 4\/4 · loss \d\.\d{4} · accuracy \d\.\d{4} · \d+ examples\/s · ETA/);
  });
});

describe('training-curve charts', () => {
  const history = new History();
  history.record(1, { loss: 0.9, accuracy: 0.6, val_loss: 1.0, val_accuracy: 0.55 });
  history.record(2, { loss: 0.5, accuracy: 0.8, val_loss: 0.7, val_accuracy: 0.75 });
  history.record(3, { loss: 0.3, accuracy: 0.9, val_loss: 0.6, val_accuracy: 0.8 });

  it('renders SVG with vega: one panel per quantity, training and validation lines', async () => {
    const svg = await renderHistorySvg(history, { title: 'toy run' });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['toy run', 'loss', 'accuracy', 'training', 'validation', 'epoch']) expect(svg).toContain(`>${label}<`);
    // Two panels × two series = four line paths.
    expect(svg.match(/class="mark-line role-mark/g)?.length).toBe(4);
  });

  it('rasterises to PNG and writes files atomically by extension', async () => {
    const png = await renderHistoryPng(history, { scale: 2 });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
    expect(width).toBeGreaterThan(1000);
    const directory = scratch();
    await saveHistoryChart(join(directory, 'curve.svg'), history);
    await saveHistoryChart(join(directory, 'curve.png'), history);
    expect(readdirSync(directory).sort()).toEqual(['curve.png', 'curve.svg']);
    expect(readFileSync(join(directory, 'curve.svg'), 'utf8')).toContain('<svg');
  });
});
