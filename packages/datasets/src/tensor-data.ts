import { DatasetError } from './errors.js';

/** The typed arrays a batch is stacked into. */
export type BatchArray = Float32Array | Int32Array;

/** Plain tensor data — a flat typed array and its shape — that `@dendrite/core` can turn into a tensor. */
export interface TensorData<A extends ArrayLike<number> = BatchArray> {
  data: A;
  shape: number[];
}

/** True for `{ data, shape }` objects. */
export function isTensorData(value: unknown): value is TensorData<ArrayLike<number>> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'data' in value &&
    'shape' in value &&
    ArrayBuffer.isView((value as TensorData).data) &&
    Array.isArray((value as TensorData).shape)
  );
}

/** Number of elements a shape holds. */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dimension of shape) size *= dimension;
  return size;
}

/**
 * Copies the given rows (along the first axis) of row-major data into a new array of the same type.
 *
 * @example
 * ```ts
 * const firstTwo = gatherRows({ data: images, shape: [60000, 28, 28] }, [0, 1]); // shape [2, 28, 28]
 * ```
 */
export function gatherRows<A extends Float32Array | Int32Array | Uint8Array | Float64Array>(
  tensor: TensorData<A>,
  rows: ArrayLike<number>,
): TensorData<A> {
  const rowSize = tensor.shape.length === 0 ? 1 : shapeSize(tensor.shape.slice(1));
  const rowCount = tensor.shape[0];
  const constructorOfArray = tensor.data.constructor as new (length: number) => A;
  const output = new constructorOfArray(rows.length * rowSize);
  for (let position = 0; position < rows.length; position++) {
    const row = rows[position];
    if (!Number.isInteger(row) || row < 0 || row >= rowCount) {
      throw new DatasetError(`gatherRows: row ${row} is out of range 0..${rowCount - 1}`);
    }
    output.set(tensor.data.subarray(row * rowSize, (row + 1) * rowSize), position * rowSize);
  }
  return { data: output, shape: [rows.length, ...tensor.shape.slice(1)] };
}
