import { DatasetError } from './errors.js';
import { isTensorData, type BatchArray, type TensorData } from './tensor-data.js';

/** The least a tensor must do for {@link tensorBatches}: be disposable. `@dendrite/core`'s Tensor is. */
export interface DisposableTensor {
  /** Free the tensor's memory. */
  dispose(): void;
}

/**
 * Makes a tensor from a batch column: `@dendrite/core`'s `tensor` function has this shape. Taking it as
 * an argument keeps this package free of core at run time (users who only load data never load it),
 * and the tensors come from the very copy of core the caller uses.
 */
export type CreateTensor<T extends DisposableTensor> = (values: BatchArray, shape: number[], dtype: 'float32' | 'int32') => T;

/** A batch with every `TensorData` column turned into a tensor `T`; strings and other values stay as they are. */
export type TensorBatch<B, T> = B extends TensorData<BatchArray>
  ? T
  : B extends readonly string[]
    ? B
    : B extends object
      ? { [K in keyof B]: TensorBatch<B[K], T> }
      : B;

/**
 * Turns a pipeline's batches into tensors of the right dtype (Float32Array → float32, Int32Array →
 * int32) and disposes them with the batch: the tensors of one batch are freed when the next batch is
 * requested, and the last ones when the loop ends (also by `break` or an error). Keep a tensor past its
 * batch with a copy (e.g. `clone` or an op); read values before moving on.
 *
 * @example
 * ```ts
 * import { tensor, softmaxCrossEntropy } from '@dendrite/core';
 * const batches = Dataset.fromTensorSlices({ image: { data: images, shape: [60000, 784] }, label: labels })
 *   .shuffle({ seed: 1 })
 *   .batch(128);
 * for await (const { image, label } of tensorBatches(batches, tensor)) {
 *   // image: float32 [128, 784]; label: int32 [128]; both disposed when the next batch comes
 *   const loss = softmaxCrossEntropy(model(image), label);
 * }
 * ```
 */
export function tensorBatches<B, T extends DisposableTensor>(
  batches: AsyncIterable<B>,
  createTensor: CreateTensor<T>,
): AsyncIterable<TensorBatch<B, T>> {
  if (typeof createTensor !== 'function') {
    throw new DatasetError(`tensorBatches: createTensor must be a function (e.g. tensor from @dendrite/core), got ${typeof createTensor}`);
  }
  return {
    async *[Symbol.asyncIterator]() {
      let current: T[] = [];
      try {
        for await (const batch of batches) {
          disposeAll(current);
          current = [];
          yield convert(batch, createTensor, current, 'batch') as TensorBatch<B, T>;
        }
      } finally {
        disposeAll(current);
      }
    },
  };
}

function convert<T extends DisposableTensor>(value: unknown, createTensor: CreateTensor<T>, made: T[], path: string): unknown {
  if (isTensorData(value)) {
    const { data, shape } = value;
    if (!(data instanceof Float32Array) && !(data instanceof Int32Array)) {
      throw new DatasetError(`tensorBatches: ${path} is a ${data.constructor.name}; batches hold Float32Array or Int32Array columns`);
    }
    const created = createTensor(data, shape, data instanceof Int32Array ? 'int32' : 'float32');
    made.push(created);
    return created;
  }
  if (Array.isArray(value) || value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) result[key] = convert(field, createTensor, made, `${path}.${key}`);
  return result;
}

function disposeAll(tensors: readonly DisposableTensor[]): void {
  for (const tensor of tensors) tensor.dispose();
}
