import type { ArgReduceOp } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { productOfRange } from '../strides.js';
import { DendriteError } from '../../../errors.js';

/**
 * Int32 index of the max (or min) along `axis`, the first one on ties; a NaN counts as the
 * extreme (as in NumPy). x is read as [outer, size, inner]; the output is [outer, inner].
 */
export function argReduce(context: KernelContext, op: ArgReduceOp, x: CpuTensor, axis: number): Int32Array {
  const size = x.shape[axis];
  const outer = productOfRange(x.shape, 0, axis);
  const inner = productOfRange(x.shape, axis + 1, x.shape.length);
  const out = context.allocateZeroed(outer * inner, 'int32') as Int32Array;
  if (size === 0) {
    if (out.length > 0) throw new DendriteError(`${op}: cannot reduce an empty axis ${axis}`);
    return out;
  }
  const isMax = op === 'argmax';
  const values = x.values;
  const best = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    const outRow = o * inner;
    for (let i = 0; i < inner; i++) best[i] = values[base + i];
    for (let r = 1; r < size; r++) {
      const row = base + r * inner;
      for (let i = 0; i < inner; i++) {
        const value = values[row + i];
        const current = best[i];
        // Strict comparison keeps the first index on ties; NaN takes the place once, then holds it.
        if ((isMax ? value > current : value < current) || (value !== value && current === current)) {
          best[i] = value;
          out[outRow + i] = r;
        }
      }
    }
  }
  return out;
}
