import type { NestedArray } from '../tensor.js';

/** Tolerances of {@link expectClose}: |actual − expected| ≤ atol + rtol·|expected|. */
export interface Tolerance {
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance. */
  rtol?: number;
}

/**
 * Throw if any |actual - expected| > atol + rtol * |expected| (NaN only matches NaN); the message
 * names the first bad index and both values.
 */
export function expectClose(
  actual: ArrayLike<number> | NestedArray, expected: ArrayLike<number> | NestedArray, tolerance: Tolerance = {}, label = 'values',
): void {
  const atol = tolerance.atol ?? 1e-5;
  const rtol = tolerance.rtol ?? 1e-4;
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length) throw new Error(`${label}: length ${a.length} differs from expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = e[i];
    if (Number.isNaN(y) ? !Number.isNaN(x) : !(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      throw new Error(`${label}: index ${i} is ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

function flat(values: ArrayLike<number> | NestedArray): ArrayLike<number> {
  if (typeof values === 'number') return [values];
  if (Array.isArray(values)) return (values as NestedArray[]).flat(Infinity as 1) as number[];
  return values as ArrayLike<number>;
}
