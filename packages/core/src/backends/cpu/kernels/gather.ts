import type { TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { productOfRange } from '../strides.js';
import { DendriteError } from '../../../errors.js';

/**
 * Pick `indices` along `axis`: x read as [outer, size, inner] gives out [outer, indices.length,
 * inner]. An index outside [0, size) throws, naming its position.
 */
export function gather(context: KernelContext, x: CpuTensor, indices: CpuTensor, axis: number): TypedArray {
  const size = x.shape[axis];
  const outer = productOfRange(x.shape, 0, axis);
  const inner = productOfRange(x.shape, axis + 1, x.shape.length);
  const picks = indices.values;
  checkIndices('gather', picks, size, axis);
  const count = picks.length;
  const out = context.allocate(outer * count * inner, x.dtype);
  const values = x.values;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const source = o * size;
      const target = o * count;
      for (let j = 0; j < count; j++) out[target + j] = values[source + picks[j]];
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const source = (o * size + picks[j]) * inner;
      const target = (o * count + j) * inner;
      if (inner >= 32) out.set(values.subarray(source, source + inner), target);
      else for (let i = 0; i < inner; i++) out[target + i] = values[source + i];
    }
  }
  return out;
}

/** Throw a clear error for the first index that is not an integer in [0, size). */
export function checkIndices(op: string, indices: TypedArray, size: number, axis: number): void {
  for (let position = 0; position < indices.length; position++) {
    const index = indices[position];
    if (!(index >= 0 && index < size && Math.floor(index) === index)) {
      throw new DendriteError(
        `${op}: index ${index} at position ${position} is out of range [0, ${size}) for axis ${axis}`,
      );
    }
  }
}
