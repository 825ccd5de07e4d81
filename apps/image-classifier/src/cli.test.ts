// The CLI end to end, spawned as users run it: a synthetic three-class IDX set trains, evaluates and
// predicts; every bad input is one line on stderr naming the file or value, with a non-zero exit.
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { idxBytes, runCli, syntheticImage, writeSyntheticSet } from './test-support.js';

/** One line on stderr, no stack frames, a non-zero exit, and nothing left running (spawnSync returned). */
function expectOneLineError(result: ReturnType<typeof runCli>, pattern: RegExp) {
  expect(result.signal).toBeNull();
  expect(result.status).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('classifier CLI', () => {
  const root = mkdtempSync(join(tmpdir(), 'classifier-cli-'));
  const data = join(root, 'data');
  const model = join(root, 'model');
  writeSyntheticSet(data, { size: 8, train: 300, test: 60, gzip: true });

  it('trains an MLP on any MNIST-style folder, then evaluates and predicts with it', () => {
    const trained = runCli(['train', '--data', data, '--model', 'mlp', '--epochs', '3', '--batch-size', '32', '--out', model]);
    expect(trained.status, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/test accuracy \d+\.\d+%/);
    const info = JSON.parse(readFileSync(join(model, 'model-info.json'), 'utf8'));
    expect(info).toMatchObject({ model: 'mlp', classNames: ['0', '1', '2'], height: 8, width: 8 });
    expect(readFileSync(join(model, 'training-curve.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(model, 'training-curve.png')).subarray(1, 4).toString()).toBe('PNG');

    const evaluated = runCli(['eval', '--model', model, '--data', data, '--json']);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const evaluation = JSON.parse(evaluated.stdout);
    expect(evaluation.accuracy).toBeGreaterThan(0.95); // the three patterns are easy
    expect(Object.keys(evaluation.perClass)).toEqual(['0', '1', '2']);
    expect(evaluation.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(60);

    const text = runCli(['eval', '--model', model, '--data', data]);
    expect(text.stdout).toMatch(/accuracy \d+\.\d+% on 60 test images[\s\S]*confusion matrix/);

    // A large RGB picture of class 2 (a diagonal band) as dark ink on light paper: predict inverts and shrinks it.
    let state = 7;
    const pattern = syntheticImage(2, 8, () => ((state = (state * 48271) % 2147483647) / 2147483647));
    const size = 64;
    const rgb = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) rgb.fill(255 - pattern[Math.floor(y / 8) * 8 + Math.floor(x / 8)], (y * size + x) * 3, (y * size + x + 1) * 3);
    }
    const picture = join(root, 'diagonal.png');
    writeFileSync(picture, encode({ width: size, height: size, data: rgb, channels: 3 }));
    // The same picture as a JPEG (RGBA for jpeg-js), predicted in the same call.
    const rgba = new Uint8Array(size * size * 4);
    for (let pixel = 0; pixel < size * size; pixel++) rgba.set([rgb[pixel * 3], rgb[pixel * 3 + 1], rgb[pixel * 3 + 2], 255], pixel * 4);
    const jpeg = join(root, 'diagonal.jpg');
    writeFileSync(jpeg, encodeJpeg({ width: size, height: size, data: rgba }, 90).data);
    const predicted = runCli(['predict', '--model', model, picture, jpeg, '--json']);
    expect(predicted.status, predicted.stderr).toBe(0);
    const predictions = JSON.parse(predicted.stdout);
    expect(predictions.map((prediction: { file: string }) => prediction.file)).toEqual([picture, jpeg]);
    for (const prediction of predictions) {
      expect(prediction.inverted).toBe(true);
      expect(prediction.top[0].label).toBe('2');
      expect(prediction.top).toHaveLength(3);
    }
  });

  it('--backend gpu trains on the GPU backend, or on the CPU with a note saying why', () => {
    const result = runCli(['train', '--data', data, '--model', 'mlp', '--epochs', '1', '--backend', 'gpu', '--out', join(root, 'gpu-model')]);
    expect(result.status, result.stderr).toBe(0);
    const backend = /backend: (\w+) /.exec(result.stdout)?.[1];
    expect(['gpu', 'cpu']).toContain(backend);
    if (backend === 'cpu') expect(result.stderr).toMatch(/^note: no usable GPU, training on the CPU backend \(.+\)/);
  });

  it('says what is wrong with bad flags, data folders, IDX files, models and images', () => {
    expectOneLineError(runCli(['train', '--epochs', 'ten']), /--epochs must be a positive integer, got "ten"/);
    expectOneLineError(runCli(['train', '--model', 'rnn']), /'rnn' is invalid\. Allowed choices are mlp, cnn/);
    expectOneLineError(runCli(['train', '--bogus']), /unknown option '--bogus'/);
    expectOneLineError(runCli(['fit']), /unknown command 'fit'/);
    expectOneLineError(runCli(['train', '--data', join(root, 'missing')]), /missing: no such data folder/);

    const empty = join(root, 'empty');
    mkdirSync(empty);
    expectOneLineError(runCli(['train', '--data', empty]), /empty.*train-images-idx3-ubyte\[\.gz\] is missing/);

    // A truncated image file, and one whose header claims 4 billion images (refused, never allocated).
    const truncated = join(root, 'truncated');
    writeSyntheticSet(truncated, { size: 8, train: 30, test: 9 });
    const images = join(truncated, 'train-images-idx3-ubyte');
    writeFileSync(images, readFileSync(images).subarray(0, 500));
    expectOneLineError(runCli(['train', '--data', truncated]), /train-images-idx3-ubyte.*\[30, 8, 8\].*holds 484 \(truncated\?\)/);
    const huge = idxBytes(new Uint8Array(64), [1, 8, 8]);
    new DataView(huge.buffer).setUint32(4, 4_000_000_000, false);
    writeFileSync(images, huge);
    expectOneLineError(runCli(['train', '--data', truncated]), /\[4000000000, 8, 8\].*truncated\?/);
    const corrupt = join(root, 'corrupt');
    writeSyntheticSet(corrupt, { size: 8, train: 30, test: 9, gzip: true });
    const gz = join(corrupt, 't10k-labels-idx1-ubyte.gz');
    writeFileSync(gz, readFileSync(gz).subarray(0, 15));
    expectOneLineError(runCli(['eval', '--model', model, '--data', corrupt]), /t10k-labels-idx1-ubyte\.gz.*corrupt or truncated gzip/);

    expectOneLineError(runCli(['eval', '--model', join(root, 'nothing')]), /nothing is not a saved classifier \(no model-info\.json\)/);
    expectOneLineError(runCli(['eval']), /required option '--model <dir>' not specified/);
    const broken = join(root, 'broken-model');
    mkdirSync(broken);
    for (const file of ['model.json', 'model-info.json']) copyFileSync(join(model, file), join(broken, file));
    writeFileSync(join(broken, 'weights.safetensors'), readFileSync(join(model, 'weights.safetensors')).subarray(0, 100));
    expectOneLineError(runCli(['predict', '--model', broken, join(root, 'diagonal.png')]), /weights\.safetensors/);

    const notImage = join(root, 'notes.txt');
    writeFileSync(notImage, 'hello');
    expectOneLineError(runCli(['predict', '--model', model, notImage]), /notes\.txt.*not a PNG or JPEG image/);
    expectOneLineError(runCli(['predict', '--model', model, join(root, 'absent.png')]), /absent\.png.*cannot read the image \(ENOENT\)/);

    const verbose = runCli(['--verbose', 'eval', '--model', join(root, 'nothing')]);
    expect(verbose.status).not.toBe(0);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});
