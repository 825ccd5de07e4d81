import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensorsHost, randomNormal, randomUniform, reshape, slice, type Tensor } from '@dendrite/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Conv2D } from '../conv2d.js';
import { Dense } from '../dense.js';
import { loadModel, saveModel } from '../node.js';
import { MaxPool2D } from '../pooling.js';
import { Flatten } from '../reshape.js';
import { sequential, type Sequential } from '../sequential.js';
import { modelFromBytes, modelToBytes } from '../serialization/bytes.js';
import { quantizePerChannel } from './per-channel.js';
import { quantizeModel } from './quantize-model.js';
import { QuantizedConv2D } from './quantized-conv2d.js';
import { QuantizedDense } from './quantized-dense.js';

const scratch = mkdtempSync(join(tmpdir(), 'dendrite-quantization-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function maxAbs(values: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]));
  return worst;
}

describe('quantizePerChannel', () => {
  it('gives each output channel the scale max|w| / 127 and rounds to the nearest step', () => {
    // [depth 2, channels 3]; channel 2 is all zeros.
    const { values, scales } = quantizePerChannel(new Float32Array([1, -0.5, 0, 0.5, 0.25, 0]), 2, 3, true);
    expect(Array.from(scales)).toEqual([Math.fround(1 / 127), Math.fround(0.5 / 127), 1]);
    expect(Array.from(values)).toEqual([127, 64, -127, 64, 0, 0]); // [channels, depth]
    expect(() => quantizePerChannel(new Float32Array([Number.NaN, 1]), 1, 2, false)).toThrow(/channel 0 holds a non-finite weight/);
  });
});

describe('quantizeModel', () => {
  function mlp() {
    const model = sequential([
      new Dense({ units: 96, activation: 'relu' }), new Dense({ units: 48, activation: 'tanh' }), new Dense({ units: 10 }),
    ], { seed: 7 });
    model.build([-1, 200]);
    return model;
  }

  it('turns Dense layers into int8 layers whose outputs track the float model (dynamic and calibrated scales)', async () => {
    const model = mlp();
    const x = randomUniform([64, 200], 0, 1, 3);
    const expected = model.apply(x).dataSync();
    const dynamic = await quantizeModel(model);
    expect(dynamic.layers.map((layer) => layer.constructor.name)).toEqual(['QuantizedDense', 'QuantizedDense', 'QuantizedDense']);
    expect(dynamic.parameters()).toHaveLength(0); // buffers: it does not train
    const dynamicOut = dynamic.apply(x).dataSync();
    expect(maxAbsDifference(dynamicOut, expected)).toBeLessThan(0.02 * maxAbs(expected));
    expect(maxAbsDifference(dynamicOut, expected)).toBeGreaterThan(0); // it really is quantized
    // Calibrated on batches that cover the inputs' range (a static scale clamps anything larger).
    const calibrated = await quantizeModel(model, { calibration: [randomUniform([128, 200], 0, 1, 4), x] });
    const firstScale = (calibrated.layers[0] as QuantizedDense).inputScale;
    expect(firstScale).toBeGreaterThan(0.99 / 127);
    expect(firstScale).toBeLessThanOrEqual(1 / 127);
    expect(maxAbsDifference(calibrated.apply(x).dataSync(), expected)).toBeLessThan(0.03 * maxAbs(expected));
    // The original is untouched.
    expect(Array.from(model.apply(x).dataSync())).toEqual(Array.from(expected));
  });

  it('QuantizedDense treats higher-rank inputs as batches of vectors and refuses other features', async () => {
    const dense = new Dense({ units: 5, activation: 'tanh', seed: 3 });
    dense.build([-1, 8]);
    const quantized = await QuantizedDense.fromDense(dense);
    const x = randomNormal([2, 3, 8], 0, 1, 5);
    const y = quantized.apply(x);
    expect(y.shape).toEqual([2, 3, 5]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(quantized.apply(reshape(x, [6, 8])).dataSync()));
    expect(() => quantized.apply(randomNormal([2, 7], 0, 1, 6))).toThrow(/expected inputs \[batch, \.\.\., 8\], got \[2, 7\]/);
  });

  it('saves int8 weights as safetensors I8: the file is over 3.5x smaller and loads back to the same outputs', async () => {
    const model = sequential([new Dense({ units: 128, activation: 'relu' }), new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10 })], { seed: 2 });
    model.build([-1, 784]);
    const quantized = await quantizeModel(model);
    const floatDirectory = join(scratch, 'float');
    const int8Directory = join(scratch, 'int8');
    await saveModel(model, floatDirectory);
    await saveModel(quantized, int8Directory);
    const floatBytes = statSync(join(floatDirectory, 'weights.safetensors')).size;
    const int8Bytes = statSync(join(int8Directory, 'weights.safetensors')).size;
    expect(floatBytes / int8Bytes).toBeGreaterThan(3.5);
    const bytes = await modelToBytes(quantized);
    expect(decodeSafetensorsHost(bytes).tensors['0.kernel'].storedDtype).toBe('I8');
    const x = randomNormal([5, 784], 0, 1, 9);
    const expected = Array.from(quantized.apply(x).dataSync());
    expect(Array.from(modelFromBytes(bytes).apply(x).dataSync())).toEqual(expected);
    expect(Array.from((await loadModel(int8Directory)).apply(x).dataSync())).toEqual(expected);
  });

  it('saves float16 weights on request: half the file, predictions within float16 rounding', async () => {
    const model = sequential([new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10 })], { seed: 4 });
    model.build([-1, 100]);
    const fullDirectory = join(scratch, 'full');
    const halfDirectory = join(scratch, 'half');
    await saveModel(model, fullDirectory);
    await saveModel(model, halfDirectory, { dtype: 'float16' });
    const ratio = statSync(join(fullDirectory, 'weights.safetensors')).size / statSync(join(halfDirectory, 'weights.safetensors')).size;
    expect(ratio).toBeGreaterThan(1.95);
    const x = randomUniform([20, 100], 0, 1, 8);
    const expected = model.apply(x).dataSync();
    const restored = (await loadModel(halfDirectory)).apply(x).dataSync();
    // Each weight moves by at most 2^-11 of itself; the logits by about that times the sum of |w·x| terms.
    const bound = 2 ** -11 * 3 * maxAbs(expected) + 1e-3;
    expect(maxAbsDifference(restored, expected)).toBeLessThan(bound);
    expect(maxAbsDifference(restored, expected)).toBeGreaterThan(0);
  });

  it('quantizes Conv2D per output channel with per-image activation scales, and copies the other layers', async () => {
    const model = sequential([
      new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 6, kernelSize: 3, stride: [2, 2] }), new Flatten(), new Dense({ units: 4 }),
    ], { seed: 5 });
    model.build([-1, 12, 12, 2]);
    const images = randomUniform([3, 12, 12, 2], -1, 1, 6);
    const expected = model.apply(images).dataSync();
    const quantized = await quantizeModel(model);
    // The relu conv's 2x2 max pool is fused into it.
    expect(quantized.layers.map((layer) => layer.constructor.name)).toEqual(['QuantizedConv2D', 'QuantizedConv2D', 'Flatten', 'QuantizedDense']);
    expect((quantized.layers[0] as QuantizedConv2D).maxPool).toEqual([2, 2]);
    expect(maxAbsDifference(quantized.apply(images).dataSync(), expected)).toBeLessThan(0.03 * maxAbs(expected));
    // Fusing changes nothing in the outputs: the same bits as the separate MaxPool2D layer.
    const unfused = await quantizeModel(model, { fusePooling: false });
    expect(unfused.layers.map((layer) => layer.constructor.name)).toEqual(['QuantizedConv2D', 'MaxPool2D', 'QuantizedConv2D', 'Flatten', 'QuantizedDense']);
    expect(Array.from(unfused.apply(images).dataSync())).toEqual(Array.from(quantized.apply(images).dataSync()));
    // One image's output does not depend on the others in its batch.
    const alone = quantized.apply(slice(images, [1, 0, 0, 0], [1, -1, -1, -1])).dataSync();
    expect(Array.from(alone)).toEqual(Array.from(quantized.apply(images).dataSync().slice(4, 8)));
    const copy = modelFromBytes(await modelToBytes(quantized));
    expect((copy as Sequential).layers[0]).toBeInstanceOf(QuantizedConv2D);
    expect(Array.from((copy.apply(images) as Tensor).dataSync())).toEqual(Array.from(quantized.apply(images).dataSync()));
  });

  it('QuantizedConv2D runs the bench CNN layer on the integer kernel close to float, applying unfused activations after it', async () => {
    const conv = new Conv2D({ filters: 16, kernelSize: 5, padding: 'same', activation: 'tanh', seed: 9 });
    conv.build([-1, 14, 14, 8]);
    const images = randomUniform([4, 14, 14, 8], 0, 1, 10);
    const expected = conv.apply(images).dataSync();
    const quantized = await QuantizedConv2D.fromConv2D(conv);
    const actual = quantized.apply(images).dataSync();
    expect(actual.every((value) => value >= -1 && value <= 1)).toBe(true); // tanh applied
    expect(maxAbsDifference(actual, expected)).toBeLessThan(0.02 * maxAbs(expected));
    expect(maxAbsDifference(actual, expected)).toBeGreaterThan(0);
  });

  it('fuses only a non-overlapping valid MaxPool2D after a linear or relu Conv2D; other activations pool after the activation', async () => {
    const build = (activation: 'tanh' | 'linear', pool: MaxPool2D) => {
      const model = sequential([new Conv2D({ filters: 5, kernelSize: 3, activation }), pool, new Flatten(), new Dense({ units: 3 })], { seed: 8 });
      model.build([-1, 9, 9, 3]);
      return model;
    };
    const images = randomUniform([2, 9, 9, 3], -1, 1, 12);
    for (const [model, fused] of [
      [build('linear', new MaxPool2D({ poolSize: [2, 3] })), true],
      [build('linear', new MaxPool2D({ poolSize: 2, stride: 1 })), false],
      [build('linear', new MaxPool2D({ poolSize: 2, padding: 'same' })), false],
      [build('tanh', new MaxPool2D({ poolSize: 2 })), false],
    ] as const) {
      const quantized = await quantizeModel(model);
      expect(quantized.layers.length).toBe(fused ? 3 : 4);
      const unfused = await quantizeModel(model, { fusePooling: false });
      expect(Array.from(quantized.apply(images).dataSync())).toEqual(Array.from(unfused.apply(images).dataSync()));
      expect(maxAbsDifference(quantized.apply(images).dataSync(), model.apply(images).dataSync())).toBeLessThan(0.03 * maxAbs(model.apply(images).dataSync()));
    }
    // A QuantizedConv2D with a non-fusable activation still pools, after the activation.
    const conv = new Conv2D({ filters: 4, kernelSize: 3, activation: 'tanh', seed: 2 });
    conv.build([-1, 8, 8, 2]);
    const pooled = await QuantizedConv2D.fromConv2D(conv, 0, [2, 2]);
    const plain = await QuantizedConv2D.fromConv2D(conv);
    const x = randomUniform([1, 8, 8, 2], -1, 1, 3);
    expect(Array.from(pooled.apply(x).dataSync())).toEqual(Array.from(new MaxPool2D({ poolSize: 2 }).apply(plain.apply(x)).dataSync()));
    expect(() => new QuantizedConv2D({ filters: 2, kernelSize: [3, 3], maxPool: [0, 2] })).toThrow(/maxPool must be a pair of positive integers/);
  });

  it('refuses models it cannot quantize and bad options, naming the problem', async () => {
    const unbuilt = sequential([new Dense({ units: 2 })]);
    await expect(quantizeModel(unbuilt)).rejects.toThrow(/not built yet/);
    await expect(quantizeModel({} as never)).rejects.toThrow(/expects a Sequential model/);
    expect(() => new QuantizedDense({ units: 2, inputScale: -1 })).toThrow(/inputScale must be a finite number >= 0/);
    expect(() => new QuantizedConv2D({ filters: 2, kernelSize: [0, 3] })).toThrow(/kernelSize must be a pair of positive integers/);
  });
});
