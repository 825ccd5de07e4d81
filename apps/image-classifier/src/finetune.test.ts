// Transfer learning on real data: the shipped pre-trained model is what its recipe says, and fine-tuning it
// for Fashion-MNIST's classes 5–9 (never seen in pre-training) from 10 labelled images per class works
// end to end (a reduced run of the README's table; the from-scratch baseline is run and reported, not ranked
// at this size: see the README).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CosineDense, cutModel, type Sequential } from '@dendrite/layers';
import { loadModel } from '@dendrite/layers/node';
import { tensor, type Tensor } from '@dendrite/core';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadImageData, type ImageSplit } from './data.js';
import { addFinetuneCommand, finetuneCommand } from './finetune.js';
import { createScratchModel, finetune, imprintHead } from './finetune-core.js';
import { accuracyOn, augmentImage, seededRandom, selectClasses, trainSteps } from './finetune-train.js';
import { NEW_CLASSES, TRANSFER_SPLITS, pretrainedModelDirectory, type TransferSplit } from './pretrained/recipe.js';
import { pairClassesByConfusion, pairedSplit } from './pretrained/splits.js';
import { holdOutFifth } from './transfer-validation.js';
import { DEFAULT_BUDGET } from './finetune-core.js';
import { transferTable, transferTableMarkdown } from './transfer-table.js';

/** Image `index` of a 2×2 split is four pixels of value `index`, so a row tells which example it came from. */
const split = (labels: number[]): ImageSplit =>
  ({ images: Float32Array.from(labels.flatMap((_, index) => [index, index, index, index])), labels: Int32Array.from(labels), count: labels.length, height: 2, width: 2 });

/** A split's images as the NHWC tensor the models take. */
const tensorOf = (data: ImageSplit) => tensor(data.images, [data.count, data.height, data.width, 1]);

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

describe('the paired split rule', () => {
  it('pairs classes greedily by mutual confusion, the lower label of each pair pre-trained on', () => {
    // 0 and 1 are confused 9 + 7 = 16 times, 2 and 3 4 + 6 = 10, 1 and 2 3 times: 1–2 is never picked, its
    // classes being taken by stronger pairs first.
    const confusion = [[50, 9, 0, 1], [7, 40, 2, 0], [0, 1, 45, 4], [2, 0, 6, 48]];
    expect(pairClassesByConfusion(confusion)).toEqual([
      { source: 0, target: 1, mutualConfusions: 16 }, { source: 2, target: 3, mutualConfusions: 10 },
    ]);
    // Greedy, not best total: 1–2 (20) goes first, leaving 0–3 (0) although 0–1 + 2–3 would total 30.
    expect(pairClassesByConfusion([[9, 15, 0, 0], [0, 9, 10, 0], [0, 10, 9, 15], [0, 0, 0, 9]]).map(({ source, target }) => [source, target]))
      .toEqual([[1, 2], [0, 3]]);
    // Ties go to the lower labels.
    expect(pairedSplit([[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]])).toEqual({ pretrainClasses: [0, 2], newClasses: [1, 3] });
    expect(() => pairClassesByConfusion([[1, 2, 3], [1, 2, 3], [1, 2, 3]])).toThrow(/even number/);
    expect(() => pairClassesByConfusion([[1, 2], [1]])).toThrow(/row 1 must hold 2 counts/);
  });

  it('reproduces the committed splits from the committed confusion matrix (scripts/confusable-split.py --json)', () => {
    const committed = JSON.parse(readFileSync(new URL('./pretrained/splits.json', import.meta.url), 'utf8')) as {
      confusion: number[][]; pairs: number[][]; paired: { learn: number[]; pretrain: number[] }; confusable: { learn: number[]; pretrain: number[] };
    };
    const pairs = pairClassesByConfusion(committed.confusion);
    expect(pairs.map(({ source, target, mutualConfusions }) => [source, target, mutualConfusions])).toEqual(committed.pairs);
    expect(pairedSplit(committed.confusion)).toEqual({ pretrainClasses: committed.paired.pretrain, newClasses: committed.paired.learn });
    expect(TRANSFER_SPLITS.paired).toMatchObject({ pretrainClasses: committed.paired.pretrain, newClasses: committed.paired.learn });
    expect(TRANSFER_SPLITS.confusable).toMatchObject({ pretrainClasses: committed.confusable.pretrain, newClasses: committed.confusable.learn });
  });
});

describe('holdOutFifth', () => {
  it('holds out a fifth of each class (at least one), seeded, disjoint from what is trained on', () => {
    const labels = [...Array(10).fill(0), ...Array(10).fill(1), 2, 2];
    const data = split(labels);
    const { train, validation } = holdOutFifth(data, 3);
    const sources = (part: ImageSplit) => Array.from({ length: part.count }, (_, row) => part.images[row * 4]);
    expect(Array.from(validation.labels)).toEqual([0, 0, 1, 1, 2]);
    expect(train.count).toBe(17);
    expect([...sources(train), ...sources(validation)].sort((a, b) => a - b)).toEqual(labels.map((_, index) => index));
    sources(validation).forEach((source, row) => expect(labels[source]).toBe(validation.labels[row]));
    expect(holdOutFifth(data, 3)).toEqual({ train, validation });
    expect(() => holdOutFifth(split([0, 0, 1]), 1)).toThrow(/class 1 has 1 image/);
  });
});

describe('augmentImage', () => {
  it('shifts by whole pixels with zeros filling in, mirrors, and repeats from a seed', () => {
    // A 3×3 image whose pixel (row, column) holds 1 + 3·row + column.
    const image = Float32Array.from({ length: 9 }, (_, index) => index + 1);
    const outputs = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      const out = new Float32Array(9);
      augmentImage(image, out, 3, 3, { shift: 1, flip: true }, seededRandom(seed));
      outputs.add(Array.from(out).join());
      // Every kept pixel comes from the image; the rest is zero; the same seed gives the same result.
      expect(Array.from(out).every((value) => value === 0 || image.includes(value))).toBe(true);
      const again = new Float32Array(9);
      augmentImage(image, again, 3, 3, { shift: 1, flip: true }, seededRandom(seed));
      expect(again).toEqual(out);
    }
    // 3 × 3 shifts × 2 mirrorings = 18 distinct results, all of them reached.
    expect(outputs.size).toBe(18);
    expect(outputs.has('3,2,1,6,5,4,9,8,7')).toBe(true); // mirrored, not shifted
    expect(outputs.has('0,0,0,1,2,3,4,5,6')).toBe(true); // moved down one row
    expect(outputs.has('2,3,0,5,6,0,8,9,0')).toBe(true); // moved left one column
    const plain = new Float32Array(9);
    augmentImage(image, plain, 3, 3, { shift: 0, flip: false }, seededRandom(1));
    expect(plain).toEqual(image);
  });

  it('is refused by trainSteps with a shift the images cannot take, before any step', async () => {
    const data = split([0, 1]);
    await expect(trainSteps({} as never, {} as never, data, { steps: 1, batchSize: 2, seed: 1, augment: { shift: 2, flip: false } }))
      .rejects.toThrow(/augment.shift must be an integer in \[0, 1\], got 2/);
  });
});

describe('transferTableMarkdown', () => {
  it('gives each arm its mean and range over the samples, and the paired difference', () => {
    const markdown = transferTableMarkdown([
      { labelsPerClass: 10, seeds: [1, 2], headOnly: [0.8, 0.9], finetuned: [0.85, 0.95], scratch: [0.8, 0.96] },
    ]);
    expect(markdown.split('\n')[2]).toBe('| 10 | 85.0% (80.0 to 90.0) | 90.0% (85.0 to 95.0) | 88.0% (80.0 to 96.0) | 2.0 points (-1.0 to 5.0) | 1 of 2 |');
  });
});

describe('transfer learning on Fashion-MNIST', () => {
  it('trains the from-scratch baseline on the fine-tuned network: the base up to features plus one dense head', () => {
    const model = createScratchModel(5, 1);
    expect(model.layers.map((layer) => layer.name)).toEqual(['base', 'head']);
    const shapes = model.namedParameters().map(([name, parameter]) => `${name}:${parameter.shape.join('x')}`);
    expect(shapes).toEqual(['0.0.kernel:3x3x1x16', '0.0.bias:16', '0.2.kernel:3x3x16x32', '0.2.bias:32', '1.kernel:1568x5', '1.bias:5']);
    model.dispose();
  });

  it.each(Object.keys(TRANSFER_SPLITS) as TransferSplit[])('ships the %s split\'s pre-trained model as its recipe.json describes', async (split) => {
    const directory = pretrainedModelDirectory(split);
    const recipe = JSON.parse(readFileSync(join(directory, 'recipe.json'), 'utf8')) as { testAccuracy: number; classes: number[] };
    const { pretrainClasses, newClasses } = TRANSFER_SPLITS[split];
    expect(recipe.classes).toEqual(pretrainClasses);
    // Every class is either pre-trained on or learned, never both.
    expect([...pretrainClasses, ...newClasses].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const model = await loadModel(directory);
    const { test } = await loadImageData();
    // The same float16 weights on the same 5,000 test images give exactly the recorded accuracy.
    expect(await accuracyOn(model, selectClasses(test, pretrainClasses))).toBe(recipe.testAccuracy);
    expect(recipe.testAccuracy).toBeGreaterThan(0.85);
  });

  it('imprints a cosine head with the normalized class means of the normalized features', async () => {
    const { train, test } = await loadImageData();
    const few = selectClasses(train, NEW_CLASSES, { perClass: 10, seed: 4 });
    const base = cutModel(await loadModel(pretrainedModelDirectory()), 'features');
    const head = new CosineDense({ units: 5, seed: 1 });
    head.build([-1, 1568]);
    await imprintHead(base, head, few, 5);
    const features = (base.apply(tensorOf(few)) as Tensor).dataSync() as Float32Array;
    const kernel = head.kernel.dataSync();
    for (const label of [0, 3]) {
      const mean = new Float64Array(1568);
      for (let row = 0; row < few.count; row++) {
        if (few.labels[row] !== label) continue;
        const vector = features.subarray(row * 1568, (row + 1) * 1568);
        const norm = Math.hypot(...vector);
        vector.forEach((value, k) => { mean[k] += value / norm; });
      }
      const norm = Math.hypot(...mean);
      const column = Array.from({ length: 1568 }, (_, k) => kernel[k * 5 + label]);
      column.forEach((value, k) => expect(value).toBeCloseTo(mean[k] / norm, 5));
    }
    // Imprinted and not trained at all, the head is a nearest-class-mean classifier: far above chance (20%).
    const { model } = await finetune(await loadModel(pretrainedModelDirectory()), {
      train: few, classes: 5, head: 'cosine', imprint: true, headSteps: 1, tuneSteps: 0, learningRate: 1e-9,
    });
    expect(await accuracyOn(model, { ...selectClasses(test, NEW_CLASSES), count: 500 })).toBeGreaterThan(0.6);
    await expect(finetune(await loadModel(pretrainedModelDirectory()), { train: few, classes: 5, imprint: true }))
      .rejects.toThrow(/imprinting needs the cosine head/);
  });

  it('fine-tunes the paired split with an imprinted cosine head from the CLI options; saved, it scores what it reported', async () => {
    const out = mkdtempSync(join(tmpdir(), 'classifier-finetune-paired-'));
    const summary = await finetuneCommand({ split: 'paired', labelsPerClass: 5, head: 'cosine', imprint: true, headSteps: 20, tuneSteps: 10, out, log: () => {} });
    expect(summary.classes).toEqual([3, 4, 6, 8, 9]);
    expect(summary.from).toBe(pretrainedModelDirectory('paired'));
    expect(summary).toMatchObject({ head: 'cosine', imprint: true, trainImages: 25 });
    expect(summary.testAccuracy).toBeGreaterThan(0.5);
    const saved = await loadModel(out);
    expect((saved as Sequential).layers.at(-1)).toBeInstanceOf(CosineDense);
    const { test } = await loadImageData();
    expect(await accuracyOn(saved, selectClasses(test, [3, 4, 6, 8, 9]))).toBe(summary.testAccuracy);
  });

  it('fine-tunes with multi-scale features: the head reads pool1 and pool2 joined; the scratch arm is the same network', async () => {
    const { train, test } = await loadImageData();
    const few = selectClasses(train, NEW_CLASSES, { perClass: 10, seed: 2 });
    const pretrained = await loadModel(pretrainedModelDirectory());
    const conv1Before = await Object.fromEntries(pretrained.namedParameters())['0.kernel'].data();
    const conv2Before = await Object.fromEntries(pretrained.namedParameters())['2.kernel'].data();
    const { model, unfrozen } = await finetune(pretrained, { train: few, classes: 5, freezeUntil: 'pool1', multiScale: true, headSteps: 40, tuneSteps: 10 });
    expect(unfrozen).toEqual(['conv2']);
    const shapes = (network: { namedParameters(): Array<[string, Tensor]> }) => network.namedParameters().map(([name, parameter]) => `${name}:${parameter.shape.join('x')}`);
    // 14·14·16 + 7·7·32 = 3,136 + 1,568 features into the head.
    expect(shapes(model)).toEqual(['conv1.kernel:3x3x1x16', 'conv1.bias:16', 'conv2.kernel:3x3x16x32', 'conv2.bias:32', 'head.kernel:4704x5', 'head.bias:5']);
    // The pre-trained layers are shared: conv1 stayed frozen, conv2 moved.
    const named = Object.fromEntries(model.namedParameters());
    expect(await named['conv1.kernel'].data()).toEqual(conv1Before);
    expect(await named['conv2.kernel'].data()).not.toEqual(conv2Before);
    expect(await accuracyOn(model, { ...selectClasses(test, NEW_CLASSES), count: 500 })).toBeGreaterThan(0.6);
    const scratch = createScratchModel(5, 1, 28, 28, 'dense', true);
    expect(shapes(scratch)).toEqual(shapes(model));
    scratch.dispose();
    await expect(finetune(await loadModel(pretrainedModelDirectory()), { train: few, classes: 5, head: 'cosine', imprint: true, multiScale: true }))
      .rejects.toThrow(/cannot be combined with multiScale/);
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

  it('runs the README table at a reduced size: the same samples for both arms', async () => {
    const data = await loadImageData();
    const rows = await transferTable(data, {
      labelsPerClass: [10], samples: 3, testLimit: 1000, budget: { ...DEFAULT_BUDGET, headSteps: 60, tuneSteps: 40 },
    });
    const [row] = rows;
    expect(row.seeds).toEqual([1, 2, 3]);
    // Every arm learned the five new classes on every sample (chance: 20%).
    for (const arm of [row.headOnly, row.finetuned, row.scratch]) {
      expect(arm).toHaveLength(3);
      for (const accuracy of arm) expect(accuracy).toBeGreaterThan(0.75);
    }
    // Different seeds are different samples: the three runs do not all score the same.
    expect(new Set(row.scratch).size).toBeGreaterThan(1);
    // Fine-tuned beats scratch on the mean over the samples (measured: 88.0/91.6/88.9% vs 88.0/89.6/87.9%, a
    // 1.0-point margin, 10 of 1,000 images per sample; a pre-trained base that did not load would lose it).
    const mean = (values: number[]) => values.reduce((total, value) => total + value, 0) / values.length;
    expect(mean(row.finetuned)).toBeGreaterThan(mean(row.scratch));
  });

  it('runs the table on the confusable split: its own pre-trained model and new classes', async () => {
    const data = await loadImageData();
    const accuracies: number[] = [];
    const [row] = await transferTable(data, {
      split: 'confusable', labelsPerClass: [10], samples: 1, testLimit: 500, budget: { ...DEFAULT_BUDGET, headSteps: 40, tuneSteps: 10 },
      onSample: (_labels, _seed, { headOnly }) => accuracies.push(headOnly),
    });
    expect(row.seeds).toEqual([1]);
    expect(accuracies).toEqual(row.headOnly);
    // T-shirt, pullover, dress, coat and shirt from 50 images: well above chance (20%) for every arm.
    for (const arm of [row.headOnly, row.finetuned, row.scratch]) expect(arm[0]).toBeGreaterThan(0.4);
  });

  it('checks its flags', async () => {
    const program = addFinetuneCommand(new Command('classifier').exitOverride().configureOutput({ writeErr: () => {} })).parent!;
    program.exitOverride();
    program.commands[0].exitOverride();
    await expect(program.parseAsync(['finetune', '--labels-per-class', '0'], { from: 'user' })).rejects.toThrow(/--labels-per-class must be an integer ≥ 1/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--classes', '5'], { from: 'user' })).rejects.toThrow(/at least 2 distinct labels/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--classes', '5,12', '--head-steps', '1', '--tune-steps', '0'], { from: 'user' }))
      .rejects.toThrow(/--classes has 12/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--split', 'near'], { from: 'user' })).rejects.toThrow(/--split must be one of first-last, confusable, paired, got "near"/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--head', 'mlp'], { from: 'user' })).rejects.toThrow(/--head must be one of dense, cosine, got "mlp"/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--imprint'], { from: 'user' })).rejects.toThrow(/--imprint needs --head cosine/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--head', 'cosine', '--imprint', '--multi-scale'], { from: 'user' }))
      .rejects.toThrow(/--imprint reads the single-scale features; it cannot be combined with --multi-scale/);
    await expect(program.parseAsync(['finetune', '--labels-per-class', '5', '--freeze-until', 'nope'], { from: 'user' }))
      .rejects.toThrow(/--freeze-until 'nope' is not a layer of the base \(layers: conv1, pool1, conv2, pool2, features\)/);
  });
});
