// Shape arithmetic lives in core's shape.ts; the kernels' historical names re-export it.
export { sizeOf as sizeOfShape, stridesOf } from '../../shape.js';

/** Product of `shape[begin..end)`. */
export function productOfRange(shape: readonly number[], begin: number, end: number): number {
  let product = 1;
  for (let axis = begin; axis < end; axis++) product *= shape[axis];
  return product;
}
