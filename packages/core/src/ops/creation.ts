import type { DType, TypedArray } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { assertValidShape, formatShape, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';

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
  const resolvedDtype: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const inferredShape = inferShape(values);
  const flat = flatten(values, resolvedDtype);
  const finalShape = shape ?? inferredShape;
  assertValidShape('tensor', finalShape);
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
  assertValidShape('fill', shape);
  return engine.makeTensor(engine.backend.fill(shape, value, dtype), shape, dtype);
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 1, dtype);
}

export function zerosLike(x: Tensor): Tensor {
  return fill(x.shape, 0, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  return fill(x.shape, 1, x.dtype);
}

/** Evenly spaced values in [start, stop) — like NumPy's arange. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  check(step !== 0, 'arange', () => 'step must not be 0');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  const values = dtype === 'int32' ? new Int32Array(length) : new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = start + i * step;
  return tensor(values, [length], dtype);
}

/** The identity matrix. */
export function eye(size: number): Tensor {
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
  if (typeof values === 'number' || typeof values === 'boolean') return Constructor.of(Number(values));
  if (ArrayBuffer.isView(values)) {
    return values instanceof Constructor ? values.slice() : Constructor.from(values as TypedArray);
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
  return Constructor.from(flat);
}
