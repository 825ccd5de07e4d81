// Weights from PyTorch: a small CNN trained by scripts/pytorch-cnn.py (Debian's PyTorch 1.13, seeded) and
// committed as a safetensors state dict loads through loadPyTorchStateDict into the same network built from
// @dendrite/layers and predicts what PyTorch predicts on the 10,000 Fashion-MNIST test images; then it
// fine-tunes like any Dendrite model.
import { readFileSync } from 'node:fs';
import { argmax, decodeSafetensors, noGrad, softmaxCrossEntropy, tensor, tidy, variableGrads, type Tensor } from '@dendrite/core';
import { Conv2D, Dense, Flatten, MaxPool2D, ReLU, addHead, cutModel, freeze, loadPyTorchStateDict, sequential } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import { loadImageData } from './data.js';

interface Reference { testAccuracy: number; predictions: string; logits: number[][] }

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

/** The Dendrite mirror of the script's nn.Sequential: same indices, so the same dotted names. */
function pytorchCnnMirror() {
  const model = sequential([
    new Conv2D({ filters: 8, kernelSize: 3, padding: 'same' }), new ReLU(), new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 16, kernelSize: 3, padding: 'same' }), new ReLU(), new MaxPool2D({ poolSize: 2 }),
    new Flatten({ name: 'flatten' }), new Dense({ units: 10 }),
  ], { seed: 5 });
  model.build([-1, 28, 28, 1]);
  return model;
}

describe('a CNN trained by PyTorch', () => {
  it('loads through loadPyTorchStateDict, predicts as PyTorch on the test set, then fine-tunes', async () => {
    const reference = JSON.parse(readFileSync(fixture('pytorch-cnn-reference.json'), 'utf8')) as Reference;
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(fixture('pytorch-cnn.safetensors'))));
    const model = pytorchCnnMirror();
    expect(loadPyTorchStateDict(model, tensors)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const value of Object.values(tensors)) value.dispose();

    const { test } = await loadImageData();
    expect(test.count).toBe(reference.predictions.length);
    const pixels = test.height * test.width;
    const batchSize = 500;
    let agree = 0;
    let correct = 0;
    let largestGap = 0;
    for (let start = 0; start < test.count; start += batchSize) {
      const count = Math.min(batchSize, test.count - start);
      const logits = tidy(() => noGrad(() => model.apply(tensor(test.images.subarray(start * pixels, (start + count) * pixels), [count, 28, 28, 1]))));
      const values = await logits.data() as Float32Array;
      logits.dispose();
      for (let row = 0; row < count; row++) {
        const index = start + row;
        const scores = values.subarray(row * 10, row * 10 + 10);
        const predicted = scores.indexOf(Math.max(...scores));
        if (predicted === Number(reference.predictions[index])) agree++;
        if (predicted === test.labels[index]) correct++;
        if (index < reference.logits.length) {
          for (let column = 0; column < 10; column++) largestGap = Math.max(largestGap, Math.abs(scores[column] - reference.logits[index][column]));
        }
      }
    }
    console.info(`PyTorch round trip: argmax agrees on ${agree} of ${test.count}, largest logit gap ${largestGap.toExponential(2)}, accuracy ${correct / test.count}`);
    expect(agree / test.count).toBeGreaterThanOrEqual(0.999);
    expect(largestGap).toBeLessThan(1e-4);
    expect(Math.abs(correct / test.count - reference.testAccuracy)).toBeLessThanOrEqual(0.001);

    // Fine-tune like any Dendrite model: a new 3-class head on the frozen features (classes 0, 1, 2).
    const keep: number[] = [];
    for (let index = 0; index < 3000 && keep.length < 96; index++) if (test.labels[index] < 3) keep.push(index);
    const images = new Float32Array(keep.length * pixels);
    keep.forEach((index, row) => images.set(test.images.subarray(index * pixels, (index + 1) * pixels), row * pixels));
    const x = tensor(images, [keep.length, 28, 28, 1]);
    const y = tensor(Int32Array.from(keep, (index) => test.labels[index]), [keep.length], 'int32');
    const base = freeze(cutModel(model, 'flatten'));
    const baseBefore = await Promise.all(base.parameters().map((parameter) => parameter.data()));
    const tuned = addHead(base, [new Dense({ units: 3, seed: 2 })]);
    const optimizer = new Adam(tuned.parameters({ trainableOnly: true }), { learningRate: 1e-2 });
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = tidy(() => {
        const { value, grads } = variableGrads(() => softmaxCrossEntropy(tuned.apply(x) as Tensor, y), tuned.parameters({ trainableOnly: true }));
        optimizer.step(grads);
        return value;
      });
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
    const predicted = tidy(() => noGrad(() => argmax(tuned.apply(x) as Tensor, 1)));
    const hits = Array.from(await predicted.data()).filter((label, row) => label === test.labels[keep[row]]).length;
    expect(hits / keep.length).toBeGreaterThan(0.9);
    const baseAfter = await Promise.all(base.parameters().map((parameter) => parameter.data()));
    expect(baseAfter).toEqual(baseBefore);
  });
});
