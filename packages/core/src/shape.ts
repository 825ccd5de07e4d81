import { check } from './errors.js';

/** A tensor's dimensions, outermost first. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

/**
 * A shape as error messages print it.
 *
 * @example
 * ```ts
 * formatShape([2, 3]); // '[2, 3]'
 * ```
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === b[axis]);
}

/** NumPy broadcasting of two shapes; the error names the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const dimA = a[a.length - rank + i] ?? 1;
    const dimB = b[b.length - rank + i] ?? 1;
    check(dimA === dimB || dimA === 1 || dimB === 1, op, () =>
      `shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dim ${i} of the broadcast: ${dimA} vs ${dimB})`);
    out[i] = dimA === 1 ? dimB : dimA;
  }
  return out;
}

/** Resolve a possibly negative axis against `rank`, with an error that names the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  check(typeof axis === 'number', op, () => `argument 'axis' must be an integer, got ${typeof axis === 'string' ? `the string '${axis}'` : String(axis)}`);
  check(Number.isInteger(axis) && axis >= -rank && axis < Math.max(rank, 1), op, () =>
    `axis ${axis} is out of range for a tensor of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Resolve `axis` (one, several or all when undefined) into sorted unique non-negative axes. */
export function normalizeAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normalizeAxis(op, a, rank)))].sort((x, y) => x - y);
}

/** Every dim a non-negative integer (NaN, -1, 2.5 and Infinity are refused). */
export function assertValidShape(op: string, shape: Shape): void {
  for (const dim of shape) {
    check(Number.isInteger(dim) && dim >= 0, op, () => `invalid shape ${formatShape(shape)}: dims must be non-negative integers`);
  }
}
