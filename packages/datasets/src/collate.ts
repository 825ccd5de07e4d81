import { DatasetError } from './errors.js';
import { isTensorData, shapeSize, type BatchArray, type TensorData } from './tensor-data.js';

declare const int32Tag: unique symbol;

/**
 * A number read from an Int32Array column (what `Dataset.fromTensorSlices` gives for such a column): a
 * plain number at run time, typed apart so that a batch of them is typed `TensorData<Int32Array>`.
 */
export type Int32Number = number & { readonly [int32Tag]: true };

/** Options of {@link collate}. */
export interface CollateOptions {
  /** Top-level fields whose numbers stack into an Int32Array (integers checked) instead of a Float32Array. */
  int32Fields?: ReadonlySet<string>;
}

/**
 * What {@link collate} makes of a batch of `T`: numbers and numeric arrays become one stacked
 * `TensorData` (Float32Array, or Int32Array when the elements are Int32Arrays or int32 fields), strings a
 * string[], and objects are collated field by field.
 */
export type Collated<T> = T extends Int32Number
  ? TensorData<Int32Array>
  : T extends number
  ? TensorData<Float32Array>
  : T extends string
    ? string[]
    : T extends Int32Array
      ? TensorData<Int32Array>
      : T extends TensorData<infer A>
        ? TensorData<A extends Int32Array ? Int32Array : Float32Array>
        : T extends ArrayLike<number>
          ? TensorData<Float32Array>
          : T extends object
            ? { [K in keyof T]: Collated<T[K]> }
            : never;

/**
 * Stacks a list of examples into one batch: `[28×28 image, …]` → `{ data: Float32Array, shape: [B, 28, 28] }`.
 * All elements must have the same shape; the error says which one differs.
 *
 * @example
 * ```ts
 * collate([{ x: Float32Array.of(1, 2), y: 0 }, { x: Float32Array.of(3, 4), y: 1 }]);
 * // { x: { data: [1, 2, 3, 4], shape: [2, 2] }, y: { data: [0, 1], shape: [2] } }
 * ```
 */
export function collate<T>(items: readonly T[], path = 'batch', options: CollateOptions = {}): Collated<T> {
  if (items.length === 0) throw new DatasetError(`${path}: cannot collate an empty batch`);
  const first = items[0] as unknown;
  if (typeof first === 'number') return stackNumbers(items as unknown as number[], path) as Collated<T>;
  if (typeof first === 'string') return items.slice() as unknown as Collated<T>;
  if (isTensorData(first)) {
    return stackArrays(items.map((item, index) => tensorOf(item, index, path)), first.shape, path, first.data instanceof Int32Array) as Collated<T>;
  }
  if (ArrayBuffer.isView(first) || Array.isArray(first)) {
    const arrays = items as unknown as ArrayLike<number>[];
    return stackArrays(
      arrays.map((data, index) => ({ data, index })),
      [(first as ArrayLike<number>).length],
      path,
      first instanceof Int32Array,
    ) as Collated<T>;
  }
  if (typeof first === 'object' && first !== null) {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(first)) {
      const values = items.map((item) => (item as Record<string, unknown>)[key]);
      result[key] = options.int32Fields?.has(key) && typeof values[0] === 'number'
        ? stackNumbers(values, `${path}.${key}`, Int32Array)
        : collate(values, `${path}.${key}`);
    }
    return result as Collated<T>;
  }
  throw new DatasetError(`${path}: cannot collate values of type ${typeof first}`);
}

function tensorOf(item: unknown, index: number, path: string): { data: ArrayLike<number>; index: number; shape: number[] } {
  if (!isTensorData(item)) throw new DatasetError(`${path}: element ${index} is not { data, shape } like element 0`);
  return { data: item.data, index, shape: item.shape };
}

function stackNumbers<A extends Float32Array | Int32Array = Float32Array>(
  values: readonly unknown[],
  path: string,
  arrayType: new (length: number) => A = Float32Array as unknown as new (length: number) => A,
): TensorData<A> {
  const data = new arrayType(values.length);
  const integers = data instanceof Int32Array;
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (typeof value !== 'number') throw new DatasetError(`${path}: element ${index} is ${typeof value}, element 0 is a number`);
    if (integers && (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)) {
      throw new DatasetError(`${path}: element ${index} is ${value}, not an int32`);
    }
    data[index] = value;
  }
  return { data, shape: [values.length] };
}

function stackArrays(
  elements: Array<{ data: ArrayLike<number>; index: number; shape?: number[] }>,
  elementShape: number[],
  path: string,
  keepIntegers: boolean,
): TensorData<BatchArray> {
  const elementSize = shapeSize(elementShape);
  const data = keepIntegers ? new Int32Array(elements.length * elementSize) : new Float32Array(elements.length * elementSize);
  const expected = elementShape.join(',');
  for (const element of elements) {
    const shapeMatches = element.shape === undefined ? element.data.length === elementSize : element.shape.join(',') === expected;
    if (!shapeMatches || element.data.length !== elementSize) {
      const actual = element.shape ?? [element.data.length];
      throw new DatasetError(`${path}: element ${element.index} has shape [${actual.join(', ')}], element 0 has [${elementShape.join(', ')}]`);
    }
    if (ArrayBuffer.isView(element.data)) data.set(element.data as ArrayLike<number>, element.index * elementSize);
    else for (let offset = 0; offset < elementSize; offset++) data[element.index * elementSize + offset] = element.data[offset];
  }
  return { data, shape: [elements.length, ...elementShape] };
}
