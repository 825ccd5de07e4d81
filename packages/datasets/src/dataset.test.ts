import { describe, expect, it } from 'vitest';
import { Dataset } from './dataset.js';
import { DatasetError } from './errors.js';
import { SeededRandom } from './random.js';

async function* stream(count: number): AsyncGenerator<number> {
  for (let index = 0; index < count; index++) yield index;
}

describe('Dataset', () => {
  it('is lazy and re-iterable; map, filter, take, skip and repeat compose', async () => {
    let calls = 0;
    const dataset = Dataset.range(10).map((value) => {
      calls++;
      return value * 2;
    });
    expect(calls).toBe(0);
    expect(await dataset.filter((value) => value % 4 === 0).skip(1).take(2).toArray()).toEqual([4, 8]);
    expect(await dataset.take(3).repeat(2).toArray()).toEqual([0, 2, 4, 0, 2, 4]);
    expect(await Dataset.from(() => stream(5)).skip(3).toArray()).toEqual([3, 4]);
    expect(await Dataset.from(() => stream(3)).repeat(2).toArray()).toEqual([0, 1, 2, 0, 1, 2]);
    expect(dataset.length).toBe(10);
    expect(Dataset.from(() => stream(3)).length).toBeUndefined();
  });

  it('shuffles reproducibly: same seed same order, each epoch a new order, every item once', async () => {
    const first = Dataset.range(50).shuffle({ seed: 3 });
    const second = Dataset.range(50).shuffle({ seed: 3 });
    const epochOne = await first.toArray();
    expect(epochOne).toEqual(await second.toArray());
    expect([...epochOne].sort((left, right) => left - right)).toEqual(await Dataset.range(50).toArray());
    expect(epochOne).not.toEqual(await Dataset.range(50).toArray());
    const epochTwo = await first.toArray();
    expect(epochTwo).not.toEqual(epochOne);
    expect(epochTwo).toEqual(await second.toArray());
    const fixed = Dataset.range(50).shuffle({ seed: 3, reshuffleEachIteration: false });
    expect(await fixed.toArray()).toEqual(await fixed.toArray());
    expect(await Dataset.range(50).shuffle({ seed: 4 }).toArray()).not.toEqual(epochOne);
  });

  it('shuffles streams through a buffer, reproducibly', async () => {
    const shuffled = await Dataset.from(() => stream(100)).shuffle({ seed: 9, bufferSize: 10 }).toArray();
    expect([...shuffled].sort((left, right) => left - right)).toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(shuffled).not.toEqual(Array.from({ length: 100 }, (_, index) => index));
    expect(await Dataset.from(() => stream(100)).shuffle({ seed: 9, bufferSize: 10 }).toArray()).toEqual(shuffled);
    expect(() => Dataset.from(() => stream(5)).shuffle({ seed: 1 })).toThrow(/give a positive integer bufferSize/);
  });

  it('batches tensor slices into stacked arrays, keeping or dropping the remainder', async () => {
    const images = Float32Array.from({ length: 5 * 4 }, (_, index) => index);
    const labels = Int32Array.of(0, 1, 2, 3, 4);
    const examples = Dataset.fromTensorSlices({ image: { data: images, shape: [5, 2, 2] }, label: labels });
    const batches = await examples.batch(2).toArray();
    expect(batches.map((batch) => batch.image.shape)).toEqual([[2, 2, 2], [2, 2, 2], [1, 2, 2]]);
    expect(Array.from(batches[1].image.data)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(Array.from(batches[2].label.data)).toEqual([4]);
    // Each column keeps its dtype: Int32Array labels stay Int32Array (softmaxCrossEntropy reads int32
    // labels as class indices, float32 ones as probabilities), also after shuffle/take/skip/filter/prefetch.
    expect(batches[0].label.data).toBeInstanceOf(Int32Array);
    expect(batches[0].image.data).toBeInstanceOf(Float32Array);
    const piped = await examples.shuffle({ seed: 3 }).skip(1).take(3).filter(() => true).repeat(2).prefetch(2).batch(2).toArray();
    expect(piped.every((batch) => batch.label.data instanceof Int32Array)).toBe(true);
    const [splitBatch] = await examples.split({ test: 0.4, seed: 1 }).test.batch(2).toArray();
    expect(splitBatch.label.data).toBeInstanceOf(Int32Array);
    const floats = Dataset.fromTensorSlices({ value: Float32Array.of(0.5, 1.5) });
    expect((await floats.batch(2).toArray())[0].value.data).toEqual(Float32Array.of(0.5, 1.5));
    expect(await examples.batch(2, { dropRemainder: true }).map((batch) => batch.label.shape[0]).toArray()).toEqual([2, 2]);
    const custom = await Dataset.range(4).batch(3, { collate: (items) => items.join('+') }).toArray();
    expect(custom).toEqual(['0+1+2', '3']);
    expect(() => Dataset.fromTensorSlices({ a: { data: new Float32Array(4), shape: [2, 2] }, b: Int32Array.of(1) })).toThrow(/column "b" has 1 rows/);
  });

  it('batches tensor slices whole (rows gathered at once) exactly as example by example', async () => {
    const columns = {
      image: { data: Float32Array.from({ length: 7 * 6 }, (_, index) => index * 0.5), shape: [7, 2, 3] },
      ids: { data: Int32Array.from({ length: 7 * 2 }, (_, index) => index - 3), shape: [7, 2] },
      bytes: { data: Uint8Array.from({ length: 7 }, (_, index) => 250 + index % 6), shape: [7] },
      label: Int32Array.of(3, 1, 4, 1, 5, 9, 2),
      weight: Float64Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
      flag: Uint8Array.of(1, 0, 1, 1, 0, 0, 1),
    };
    // filter(() => true) keeps the items (and int32 columns) but takes the example-by-example path.
    const slow = (dataset: Dataset<Record<string, unknown>>) => dataset.filter(() => true);
    const examples = Dataset.fromTensorSlices(columns);
    for (const [size, dropRemainder] of [[3, false], [3, true], [7, false], [10, false]] as const) {
      expect(await examples.batch(size, { dropRemainder }).toArray()).toEqual(await slow(examples).batch(size, { dropRemainder }).toArray());
      const fast = examples.shuffle({ seed: 11 }).prefetch(2).batch(size, { dropRemainder });
      const reference = slow(examples.shuffle({ seed: 11 })).batch(size, { dropRemainder });
      for (let epoch = 0; epoch < 3; epoch++) expect(await fast.toArray()).toEqual(await reference.toArray()); // a new order each epoch, the same in both
    }
    const [first] = await examples.batch(7).toArray();
    expect(first.label.data).toBeInstanceOf(Int32Array);
    expect(first.ids.data).toBeInstanceOf(Int32Array);
    expect(first.weight.data).toBeInstanceOf(Float32Array);
    expect(first.bytes.data).toBeInstanceOf(Float32Array);
  });

  it('prefetches in order, passes errors through and stops the source when the consumer stops', async () => {
    expect(await Dataset.range(20).map(async (value) => value + 1).prefetch(4).toArray()).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    const failing = Dataset.range(5).map((value) => {
      if (value === 3) throw new DatasetError('broken item 3');
      return value;
    });
    await expect(failing.prefetch(2).toArray()).rejects.toThrow('broken item 3');
    let finished = false;
    const source = Dataset.from(() =>
      (async function* () {
        try {
          for (let index = 0; ; index++) yield index;
        } finally {
          finished = true;
        }
      })(),
    );
    for await (const value of source.prefetch(3)) if (value === 2) break;
    expect(finished).toBe(true);
  });

  it('splits into disjoint seeded train / validation / test parts', async () => {
    const { train, validation, test } = Dataset.range(100).split({ validation: 0.1, test: 0.2, seed: 5 });
    const parts = [await train.toArray(), await validation.toArray(), await test.toArray()];
    expect(parts.map((part) => part.length)).toEqual([70, 10, 20]);
    expect(new Set(parts.flat()).size).toBe(100);
    const again = Dataset.range(100).split({ validation: 0.1, test: 0.2, seed: 5 });
    expect(await again.test.toArray()).toEqual(parts[2]);
    expect(() => Dataset.from(() => stream(3)).split({ test: 0.5, seed: 1 })).toThrow(/no random access/);
    expect(() => Dataset.range(3).split({ test: 0.8, validation: 0.5, seed: 1 })).toThrow(/more than 1/);
  });

  it('rejects seeds, options and bounds that used to be taken silently', () => {
    // A NaN or missing seed became seed 0; { train: 0.8 } was ignored (train takes the rest) and the seed missing.
    expect(() => Dataset.range(5).shuffle({ seed: Number.NaN })).toThrow(/shuffle: seed must be an integer, got NaN/);
    expect(() => Dataset.range(5).shuffle(undefined as never)).toThrow(/shuffle: options \{ seed, bufferSize\? \} are required/);
    expect(() => Dataset.range(5).shuffle({ seed: 1, buffer: 4 } as never)).toThrow(/shuffle: unknown option\(s\) buffer/);
    expect(() => Dataset.range(10).split({ train: 0.8, validation: 0.2 } as never)).toThrow(/split: unknown option\(s\) train; valid options are validation, test, seed/);
    expect(() => Dataset.range(10).split({ validation: 0.2 } as never)).toThrow(/split: seed must be an integer, got undefined/);
    expect(() => Dataset.range(10).split({ validation: Number.NaN, seed: 1 })).toThrow(/validation fraction must be in \[0, 1\], got NaN/);
    expect(() => Dataset.range(Number.NaN)).toThrow(/range: end must be an integer, got NaN/);
    expect(() => Dataset.range(0, 2.5)).toThrow(/range: end must be an integer, got 2.5/);
    expect(() => new SeededRandom(Number.POSITIVE_INFINITY)).toThrow(/SeededRandom: seed must be a finite number, got Infinity/);
  });
});
