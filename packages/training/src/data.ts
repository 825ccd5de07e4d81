import { DendriteError, Tensor, gather, randomPermutation, tensor, tidy } from '@dendrite/core';
import type { Batch, TensorData } from './types.js';

/** Whole arrays of examples (first axis = example); the Trainer batches and shuffles them. */
export interface ArrayData {
  inputs: Tensor | TensorData;
  targets: Tensor | TensorData;
}

/** A batch value as a source may give it: each tensor (also inside objects and arrays) may come as `{ data, shape }`. */
export type Loadable<V> = V extends Tensor ? Tensor | TensorData : V extends readonly unknown[] ? { [K in keyof V]: Loadable<V[K]> } : V extends object ? { [K in keyof V]: Loadable<V[K]> } : V;

/** Anything that yields batches: a @dendrite/datasets pipeline, a generator, an array of batches. */
export type BatchSource<I, T> = Iterable<Batch<Loadable<I>, Loadable<T>>> | AsyncIterable<Batch<Loadable<I>, Loadable<T>>>;

/**
 * What `fit`/`evaluate` accept: whole arrays (batched by `batchSize`, shuffled with a seed) or batches.
 * Batch fields that are `{ data, shape }` (as @dendrite/datasets' `batch()` gives) become tensors.
 */
export type TrainingData<I, T> = ArrayData | BatchSource<I, T>;

/** A batch ready for a step, and the tensors the Trainer made for it (freed after the step). */
export interface PreparedBatch<I, T> {
  batch: Batch<I, T>;
  owned: Tensor[];
}

/** True for `{ data, shape }` plain tensor data. */
export function isTensorData(value: unknown): value is TensorData {
  return typeof value === 'object' && value !== null && !(value instanceof Tensor)
    && ArrayBuffer.isView((value as TensorData).data) && Array.isArray((value as TensorData).shape);
}

/** True for `{ inputs, targets }` whole-array data (as opposed to a source of batches). */
export function isArrayData(data: unknown): data is ArrayData {
  if (typeof data !== 'object' || data === null || Symbol.iterator in data || Symbol.asyncIterator in data) return false;
  const { inputs, targets } = data as ArrayData;
  return (inputs instanceof Tensor || isTensorData(inputs)) && (targets instanceof Tensor || isTensorData(targets));
}

/** A tensor from `{ data, shape }`; tensors pass through. `made` collects the ones created here. */
export function asTensor(value: Tensor | TensorData, made: Tensor[]): Tensor {
  if (value instanceof Tensor) return value;
  const created = tensor(value.data, value.shape);
  made.push(created);
  return created;
}

/** Turns every `{ data, shape }` inside a batch (also in nested objects and arrays) into a tensor. */
export function tensorsIn<V>(value: V, made: Tensor[]): V {
  if (value instanceof Tensor || value === null || typeof value !== 'object') return value;
  if (isTensorData(value)) return asTensor(value, made) as V;
  if (Array.isArray(value)) return value.map((item) => tensorsIn(item, made)) as V;
  if (ArrayBuffer.isView(value)) return value;
  const converted: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) converted[key] = tensorsIn(item, made);
  return converted as V;
}

/** Mixes a seed with counters into a fresh 32-bit seed (splitmix32 finaliser), so each epoch/step has its own stream. */
export function deriveSeed(seed: number, ...counters: number[]): number {
  let state = seed >>> 0;
  for (const counter of counters) {
    state = (state ^ Math.imul(counter + 0x9e3779b9, 0x85ebca6b)) >>> 0;
    state = Math.imul(state ^ (state >>> 16), 0x85ebca6b) >>> 0;
    state = Math.imul(state ^ (state >>> 13), 0xc2b2ae35) >>> 0;
    state = (state ^ (state >>> 16)) >>> 0;
  }
  return state;
}

/** Core's `randomPermutation` of 0..count-1 for `seed`, read to the host (batches slice their rows from it). */
export async function seededPermutation(count: number, seed: number): Promise<Int32Array> {
  const permutation = randomPermutation(count, seed);
  try {
    return (await permutation.data()) as Int32Array;
  } finally {
    permutation.dispose();
  }
}

/** Whole arrays as tensors, checked to have the same number of examples. */
export class ArrayBatches {
  readonly inputs: Tensor;
  readonly targets: Tensor;
  readonly count: number;
  private readonly made: Tensor[] = [];

  /** `owned`: the inputs and targets tensors were made for this object and are freed with it. */
  constructor(data: ArrayData, where: string, owned = false) {
    this.inputs = asTensor(data.inputs, this.made);
    this.targets = asTensor(data.targets, this.made);
    if (owned) this.made.push(this.inputs, this.targets);
    if (this.inputs.rank === 0 || this.targets.rank === 0) {
      throw new DendriteError(`${where}: inputs and targets need a first (example) axis, got shapes [${this.inputs.shape}] and [${this.targets.shape}]`);
    }
    this.count = this.inputs.shape[0];
    if (this.targets.shape[0] !== this.count) {
      throw new DendriteError(`${where}: inputs have ${this.count} examples, targets ${this.targets.shape[0]} (shapes [${this.inputs.shape}] and [${this.targets.shape}])`);
    }
    if (this.count === 0) throw new DendriteError(`${where}: no examples`);
  }

  /** The first examples for training, the last `fraction` for validation (as Keras' validationSplit). */
  static split(source: ArrayBatches, fraction: number): { train: ArrayBatches; validation: ArrayBatches } {
    const validationCount = Math.floor(source.count * fraction);
    const trainCount = source.count - validationCount;
    if (validationCount === 0 || trainCount === 0) {
      throw new DendriteError(`fit: validationSplit ${fraction} of ${source.count} examples leaves ${trainCount} for training and ${validationCount} for validation`);
    }
    const rows = (start: number, end: number, where: string) => new ArrayBatches(tidy(() => {
      const indices = tensor(Int32Array.from({ length: end - start }, (_, index) => start + index), [end - start], 'int32');
      return { inputs: gather(source.inputs, indices), targets: gather(source.targets, indices) };
    }), where, true);
    return { train: rows(0, trainCount, 'fit'), validation: rows(trainCount, source.count, 'fit validation') };
  }

  batchCount(batchSize: number): number {
    return Math.ceil(this.count / batchSize);
  }

  /** The batches of one epoch, in `order` (all rows in order when null), from batch `skip` on. */
  *batches(batchSize: number, order: Int32Array | null, skip = 0): Generator<PreparedBatch<Tensor, Tensor>> {
    for (let first = skip * batchSize; first < this.count; first += batchSize) {
      const last = Math.min(first + batchSize, this.count);
      const rows = order ? order.subarray(first, last) : Int32Array.from({ length: last - first }, (_, index) => first + index);
      const { inputs, targets } = tidy(() => {
        const indices = tensor(rows, [rows.length], 'int32');
        return { inputs: gather(this.inputs, indices), targets: gather(this.targets, indices) };
      });
      yield { batch: { inputs, targets }, owned: [inputs, targets] };
    }
  }

  /** Free the tensors made from `{ data, shape }` arrays. */
  dispose(): void {
    for (const made of this.made) made.dispose();
  }
}

/** Batches from an (async) iterable, `{ data, shape }` fields made tensors, the first `skip` passed over. */
export async function* sourceBatches<I, T>(source: BatchSource<I, T>, skip = 0): AsyncGenerator<PreparedBatch<I, T>> {
  let index = 0;
  for await (const batch of source as AsyncIterable<Batch<Loadable<I>, Loadable<T>>>) {
    if (index++ < skip) continue;
    if (typeof batch !== 'object' || batch === null || !('inputs' in batch) || !('targets' in batch)) {
      throw new DendriteError(`fit: batch ${index - 1} must be an object { inputs, targets }, got ${batch === null ? 'null' : typeof batch}${typeof batch === 'object' && batch !== null ? ` with keys ${Object.keys(batch).join(', ')}` : ''}`);
    }
    const owned: Tensor[] = [];
    yield { batch: { inputs: tensorsIn(batch.inputs, owned) as I, targets: tensorsIn(batch.targets, owned) as T }, owned };
  }
}

/** The number of examples in a batch's inputs (first axis of the first tensor found), when it has one. */
export function examplesIn(value: unknown): number | undefined {
  if (value instanceof Tensor) return value.rank > 0 ? value.shape[0] : undefined;
  if (Array.isArray(value)) return value.length > 0 ? examplesIn(value[0]) : undefined;
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) {
      const count = examplesIn(item);
      if (count !== undefined) return count;
    }
  }
  return undefined;
}
