/** Number of elements of a tensor of `shape` (1 for a scalar). */
export function sizeOfShape(shape: readonly number[]): number {
  let size = 1;
  for (let axis = 0; axis < shape.length; axis++) size *= shape[axis];
  return size;
}

/** Row-major strides of `shape`, in elements (the last axis has stride 1). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

/** Product of `shape[begin..end)`. */
export function productOfRange(shape: readonly number[], begin: number, end: number): number {
  let product = 1;
  for (let axis = begin; axis < end; axis++) product *= shape[axis];
  return product;
}
