import type { DType, TypedArray } from '../backend/backend.js';
import { engine } from '../engine.js';
import { describe } from '../values.js';
import { check, DendriteError } from '../errors.js';
import { assertValidShape, formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkDType, checkTensor } from './check-arguments.js';

/** Anything `tensor()` accepts: nested number arrays, typed arrays, or a number. */
export type TensorValues = number | readonly number[] | readonly TensorValues[] | TypedArray | readonly boolean[];

/**
 * Make a tensor from values. The shape is inferred from nested arrays unless given; dtype is
 * float32 unless given or the values are an Int32Array.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);   // float32 [2, 3]
 * const ids = tensor([3, 1, 4], [3], 'int32');
 * ```
 */
export function tensor(values: TensorValues, shape?: readonly number[], dtype?: DType): Tensor {
  if (dtype !== undefined) checkDType('tensor', dtype);
  check(typeof values === 'number' || typeof values === 'boolean' || Array.isArray(values) || ArrayBuffer.isView(values), 'tensor', () =>
    `argument 'values' must be a number, a (nested) array of numbers or a typed array, got ${describe(values)}`);
  if (shape !== undefined) checkShapeArgument('tensor', shape);
  const resolvedDtype: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const inferredShape = inferShape(values);
  const finalShape = shape ?? inferredShape;
  assertValidShape('tensor', finalShape);
  engine.checkSize('tensor', finalShape, resolvedDtype);
  const flat = flatten(values, resolvedDtype);
  check(sizeOf(finalShape) === flat.length, 'tensor', () =>
    `${flat.length} values cannot have shape ${formatShape(finalShape)} (${sizeOf(finalShape)} elements)`);
  return engine.makeTensor(engine.backend.upload(flat, finalShape, resolvedDtype), finalShape, resolvedDtype);
}

/** A rank-0 tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return tensor(value, [], dtype);
}

/** A tensor of `shape` where every element is `value`. */
export function fill(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  return filled('fill', shape, value, dtype);
}

/**
 * A tensor of `shape` filled with 0.
 *
 * @example
 * ```ts
 * const bias = zeros([10]);
 * ```
 */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return filled('zeros', shape, 0, dtype);
}

/**
 * A tensor of `shape` filled with 1.
 *
 * @example
 * ```ts
 * const mask = ones([2, 3], 'int32');
 * ```
 */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return filled('ones', shape, 1, dtype);
}

function filled(op: string, shape: readonly number[], value: number, dtype: DType): Tensor {
  checkShapeArgument(op, shape);
  checkDType(op, dtype);
  check(typeof value === 'number', op, () => `argument 'value' must be a number, got ${describe(value)}`);
  check(dtype !== 'int32' || isInt32(value), op, () => `value ${value} is not an int32 (an integer in [-2^31, 2^31))`);
  assertValidShape(op, shape);
  engine.checkSize(op, shape, dtype);
  return engine.makeTensor(engine.backend.fill(shape, value, dtype), shape, dtype);
}

/** A shape argument must be an array of numbers (each then checked by assertValidShape). */
export function checkShapeArgument(op: string, shape: unknown): asserts shape is readonly number[] {
  check(Array.isArray(shape) && shape.every((dim) => typeof dim === 'number'), op, () =>
    `argument 'shape' must be an array of non-negative integers, got ${describe(shape)}`);
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;
}

/**
 * Zeros of `x`'s shape and dtype.
 *
 * @example
 * ```ts
 * const velocity = zerosLike(weight);
 * ```
 */
export function zerosLike(x: Tensor): Tensor {
  checkTensor('zerosLike', 'x', x);
  return filled('zerosLike', x.shape, 0, x.dtype);
}

/**
 * Ones of `x`'s shape and dtype.
 *
 * @example
 * ```ts
 * const seed = onesLike(loss);
 * ```
 */
export function onesLike(x: Tensor): Tensor {
  checkTensor('onesLike', 'x', x);
  return filled('onesLike', x.shape, 1, x.dtype);
}

/** Evenly spaced values in [start, stop) — like NumPy's arange. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  checkDType('arange', dtype);
  check([start, stop, step].every(Number.isFinite), 'arange', () => `start, stop and step must be finite numbers, got ${start}, ${stop}, ${step}`);
  check(step !== 0, 'arange', () => 'step must not be 0');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  engine.checkSize('arange', [length], dtype);
  const values = dtype === 'int32' ? new Int32Array(length) : new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = start + i * step;
  return tensor(values, [length], dtype);
}

/** The identity matrix. */
export function eye(size: number): Tensor {
  check(Number.isInteger(size) && size >= 0, 'eye', () => `size must be a non-negative integer, got ${typeof size === 'number' ? size : describe(size)}`);
  engine.checkSize('eye', [size, size], 'float32');
  const values = new Float32Array(size * size);
  for (let i = 0; i < size; i++) values[i * size + i] = 1;
  return tensor(values, [size, size]);
}

function inferShape(values: TensorValues): number[] {
  if (typeof values === 'number' || typeof values === 'boolean') return [];
  if (ArrayBuffer.isView(values)) return [(values as TypedArray).length];
  const shape: number[] = [];
  let level: unknown = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(values: TensorValues, dtype: DType): TypedArray {
  const Constructor = dtype === 'int32' ? Int32Array : Float32Array;
  if (typeof values === 'number' || typeof values === 'boolean') return checkedInts(Constructor.of(Number(values)), [Number(values)], dtype);
  if (ArrayBuffer.isView(values)) {
    if (values instanceof Constructor) return values.slice();
    return checkedInts(Constructor.from(values as TypedArray), values as TypedArray, dtype);
  }
  const flat: number[] = [];
  const expected = inferShape(values);
  const walk = (level: unknown, depth: number): void => {
    if (depth === expected.length) {
      check(typeof level === 'number' || typeof level === 'boolean', 'tensor', () => `ragged or non-numeric nested array at depth ${depth}`);
      flat.push(Number(level));
      return;
    }
    check(Array.isArray(level) && level.length === expected[depth], 'tensor', () =>
      `ragged nested array: expected length ${expected[depth]} at depth ${depth}, got ${Array.isArray(level) ? level.length : typeof level}`);
    for (const item of level as unknown[]) walk(item, depth + 1);
  };
  walk(values, 0);
  return checkedInts(Constructor.from(flat), flat, dtype);
}

/**
 * int32 tensors are made from integers only: 1.5, NaN or 3e10 would otherwise be silently
 * truncated or wrapped by the Int32Array conversion.
 */
function checkedInts(converted: TypedArray, source: ArrayLike<number>, dtype: DType): TypedArray {
  if (dtype !== 'int32') return converted;
  for (let i = 0; i < source.length; i++) {
    if (converted[i] !== source[i]) {
      throw new DendriteError(`tensor: value ${source[i]} at index ${i} is not an int32 (an integer in [-2^31, 2^31)); round or cast it first`);
    }
  }
  return converted;
}
