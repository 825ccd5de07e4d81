import { describe, expect, it, vi } from 'vitest';
import { Conv2D } from './conv2d.js';
import { CosineDense } from './cosine-dense.js';
import { Dense } from './dense.js';
import { MaxPool2D } from './pooling.js';
import { quantizeModel } from './quantization/quantize-model.js';
import { Flatten } from './reshape.js';
import { sequential } from './sequential.js';
import { summary, summaryRows } from './summary.js';

describe('summary costs', () => {
  it('gives bytes and FLOPs per layer and in total, for a float and an int8 MLP', async () => {
    const mlp = sequential([new Dense({ units: 128, activation: 'relu' }), new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10 })], { name: 'mlp', seed: 1 });
    mlp.build([-1, 784]);
    const rows = summaryRows(mlp);
    expect(rows.map((row) => row.flops)).toEqual([2 * 784 * 128, 2 * 128 * 64, 2 * 64 * 10]);
    expect(rows.map((row) => row.bytes)).toEqual([(784 * 128 + 128) * 4, (128 * 64 + 64) * 4, (64 * 10 + 10) * 4]);
    const text = summary(mlp);
    expect(text).toMatch(/\(Dense\)\s+\[batch, 128\]\s+100,480\s+yes\s+392\.5 KiB\s+200\.7K/);
    expect(text).toContain('FLOPs per example: 218,368');
    expect(text).toContain('Weights: 427.3 KiB (437,544 bytes as saved in float32)');
    const int8 = await quantizeModel(mlp);
    const quantizedRows = summaryRows(int8);
    // int8 kernel (1 byte a value) + float32 bias and per-channel scales.
    expect(quantizedRows[0].bytes).toBe(784 * 128 + 128 * 4 * 2);
    expect(quantizedRows[0].parameters).toBe(784 * 128 + 128 * 2);
    expect(quantizedRows[0].trainableParameters).toBe(0);
    expect(quantizedRows.map((row) => row.flops)).toEqual(rows.map((row) => row.flops));
    expect(summary(int8)).toMatch(/\(QuantizedDense\)\s+\[batch, 128\]\s+100,608\s+frozen\s+99\.0 KiB/);
  });

  it('counts an int8 convolution with a fused max pool per convolution output, not per pooled one', async () => {
    const cnn = sequential([new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }), new MaxPool2D({ poolSize: 2 }), new Flatten(), new Dense({ units: 10 })], { seed: 2 });
    cnn.build([-1, 28, 28, 1]);
    const rows = summaryRows(await quantizeModel(cnn));
    expect(rows[0].outputShape).toBe('[batch, 14, 14, 8]');
    expect(rows[0].flops).toBe(2 * 3 * 3 * 1 * 8 * 28 * 28);
    expect(rows.map((row) => row.flops)).toEqual([2 * 3 * 3 * 1 * 8 * 28 * 28, null, 2 * 14 * 14 * 8 * 10]);
  });

  it('counts a convolution per output position, and no FLOPs for layers without a formula', () => {
    const cnn = sequential([new Conv2D({ filters: 8, kernelSize: 3, padding: 'same' }), new MaxPool2D({ poolSize: 2 }), new Flatten(), new Dense({ units: 10 })], { seed: 2 });
    cnn.build([-1, 28, 28, 1]);
    // Conv2D has no formula: its output shape is traced, once per row for both columns.
    const traced = vi.spyOn(cnn.layers[0], 'outputShape');
    const rows = summaryRows(cnn);
    expect(traced).toHaveBeenCalledTimes(1);
    expect(rows[0].outputShape).toBe('[batch, 28, 28, 8]');
    expect(rows[0].flops).toBe(2 * 3 * 3 * 1 * 8 * 28 * 28);
    expect(rows[1].flops).toBeNull();
    expect(rows[1].bytes).toBe(0);
    expect(rows[3].flops).toBe(2 * 14 * 14 * 8 * 10);
  });

  it('counts a cosine head like a dense one (its matmul; the normalizations are per row, not per weight)', () => {
    const model = sequential([new Flatten(), new CosineDense({ units: 5 })], { seed: 3 });
    model.build([-1, 4, 4, 2]);
    expect(summaryRows(model)[1].flops).toBe(2 * 32 * 5);
  });
});
