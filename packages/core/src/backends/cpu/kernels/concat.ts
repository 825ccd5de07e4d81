import type { TypedArray } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { productOfRange } from '../strides.js';
import { DendriteError } from '../../../errors.js';

/**
 * Join along `axis`: for each index of the dims before `axis`, each input contributes one
 * contiguous chunk of shape[axis] x (product of the dims after) values, in input order.
 */
export function concat(context: KernelContext, xs: readonly CpuTensor[], axis: number): TypedArray {
  if (xs.length === 0) throw new DendriteError('concat: needs at least one tensor');
  const first = xs[0];
  const outer = productOfRange(first.shape, 0, axis);
  const inner = productOfRange(first.shape, axis + 1, first.shape.length);
  const chunks = xs.map((x) => x.shape[axis] * inner);
  const outChunk = chunks.reduce((total, chunk) => total + chunk, 0);
  const out = context.allocate(outer * outChunk, first.dtype);
  let target = 0;
  for (let o = 0; o < outer; o++) {
    for (let input = 0; input < xs.length; input++) {
      const chunk = chunks[input];
      const values = xs[input].values;
      const source = o * chunk;
      if (chunk >= 32) out.set(values.subarray(source, source + chunk), target);
      else for (let i = 0; i < chunk; i++) out[target + i] = values[source + i];
      target += chunk;
    }
  }
  return out;
}
