// Transfer learning on real data: the shipped pre-trained model is what its recipe says, and fine-tuning it
// for Fashion-MNIST's classes 3, 4, 6, 7, 9 (never seen in pre-training) from 10 labelled images per class works
// end to end (a reduced run of the README's table; the from-scratch baseline is run and reported, not ranked:
// see the README for why).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@dendrite/layers/node';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadImageData, type ImageSplit } from './data.js';
import { addFinetuneCommand, finetuneCommand } from './finetune.js';
import { accuracyOn, selectClasses } from './finetune-train.js';
import { NEW_CLASSES, PRETRAIN_CLASSES, pretrainedModelDirectory } from './pretrained/recipe.js';

/** Image `index` of a 2×2 split is four pixels of value `index`, so a row tells which example it came from. */
const split = (labels: number[]): ImageSplit =>
  ({ images: Float32Array.from(labels.flatMap((_, index) => [index, index, index, index])), labels: Int32Array.from(labels), count: labels.length, height: 2, width: 2 });

describe('selectClasses', () => {
  it('keeps the chosen classes relabelled in their order, and samples a seeded number per class', () => {
    const data = split([3, 1, 2, 3, 1, 3, 0, 3, 1]);
    const all = selectClasses(data, [3, 1]);
    expect(Array.from(all.labels)).toEqual([0, 1, 0, 1, 0, 0, 1]);
    expect(Array.from(all.images.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const few = selectClasses(data, [3, 1], { perClass: 2, seed: 7 });
    expect(few.count).toBe(4);
    expect(Array.from(few.labels).filter((label) => label === 0)).toHaveLength(2);
    // Each kept row is the image of an example of its class, in the data's order.
    const sources = Array.from({ length: few.count }, (_, row) => few.images[row * 4]);
    expect(sources).toEqual([...sources].sort((a, b) => a - b));
    sources.forEach((source, row) => expect(data.labels[source]).toBe([3, 1][few.labels[row]]));
    expect(selectClasses(data, [3, 1], { perClass: 2, seed: 7 })).toEqual(few);
    const samples = new Set(Array.from({ length: 8 }, (_, seed) => Array.from(selectClasses(data, [3, 1], { perClass: 1, seed }).images).join()));
    expect(samples.size).toBeGreaterThan(1);
    expect(() => selectClasses(data, [3, 5])).toThrow(/no example of class 5/);
    expect(() => selectClasses(data, [3, 3])).toThrow(/distinct/);
    expect(() => selectClasses(data, [3, 1], { perClass: 0 })).toThrow(/perClass/);
  });
});

describe('transfer learning on Fashion-MNIST', () => {
  it('ships the pre-trained model its recipe.json describes', async () => {
    const directory = pretrainedModelDirectory();
    const recipe = JSON.parse(readFileSync(join(directory, 'recipe.json'), 'utf8')) as { testAccuracy: number; classes: number[] };
    expect(recipe.classes).toEqual(PRETRAIN_CLASSES);
    const model = await loadModel(directory);
    const { test } = await loadImageData();
    // The same float16 weights on the same 5,000 test images give exactly the recorded accuracy.
    expect(await accuracyOn(model, selectClasses(test, PRETRAIN_CLASSES))).toBe(recipe.testAccuracy);
    expect(recipe.testAccuracy).toBeGreaterThan(0.85);
  });

  it('fine-tunes from 10 labels per class: head on the frozen trunk, then conv2 at the lower rate, saved and reloaded', async () => {
    const out = mkdtempSync(join(tmpdir(), 'classifier-finetune-'));
    const lines: string[] = [];
    const pretrained = await loadModel(pretrainedModelDirectory());
    const original = Object.fromEntries(pretrained.namedParameters());
    const conv1Before = await original['0.kernel'].data();
    const summary = await finetuneCommand({ labelsPerClass: 10, headSteps: 60, tuneSteps: 40, compare: true, out, log: (line) => lines.push(line) });
    expect(summary.trainImages).toBe(50);
    expect(summary.classes).toEqual(NEW_CLASSES);
    expect(summary.unfrozen).toEqual(['conv2']);
    // Five classes never seen in pre-training, from 50 labelled images: far above chance (20%).
    expect(summary.headOnlyTestAccuracy).toBeGreaterThan(0.6);
    expect(summary.testAccuracy).toBeGreaterThan(0.6);
    expect(summary.scratchTestAccuracy).toBeGreaterThan(0.2);
    expect(lines.at(-1)).toMatch(/saved to/);
    const saved = await loadModel(out);
    // The frozen first block kept its pre-trained weights (float16-exact); conv2 moved.
    const named = Object.fromEntries(saved.namedParameters());
    expect(await named['0.0.kernel'].data()).toEqual(conv1Before);
    expect(await named['0.2.kernel'].data()).not.toEqual(await original['2.kernel'].data());
    // The saved model is the fine-tuned one: loaded back, it scores what was reported.
    const { test } = await loadImageData();
    const info = JSON.parse(readFileSync(join(out, 'finetune-info.json'), 'utf8')) as { testAccuracy: number; classes: number[] };
    expect(await accuracyOn(saved, selectClasses(test, info.classes))).toBe(info.testAccuracy);
  });

  it('checks its flags', async () => {
    const program = addFinetuneCommand(new Command('classifier').exitOverride().configureOutput({ writeErr: () => {} })).parent!;
    program.exitOverride();
    program.commands[0].exitOverride();
    await expect(program.parseAsync(['finetune', '--labels-per-class', '0'], { from: 'user' })).rejects.toThrow(/--labels-per-class must be an integer ≥ 1/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--classes', '5'], { from: 'user' })).rejects.toThrow(/at least 2 distinct labels/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--classes', '5,12', '--head-steps', '1', '--tune-steps', '0'], { from: 'user' }))
      .rejects.toThrow(/--classes has 12/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--freeze-until', 'nope'], { from: 'user' }))
      .rejects.toThrow(/--freeze-until 'nope' is not a layer of the base \(layers: conv1, pool1, conv2, pool2, features\)/);
  });
});
