import type { CpuTensor } from '../kernel-context.js';
import { DendriteError } from '../../../errors.js';

/** x's values as a Float32Array, or a clear error naming the op and argument. */
export function requireFloat32(op: string, argument: string, x: CpuTensor): Float32Array {
  if (!(x.values instanceof Float32Array)) {
    throw new DendriteError(`${op}: ${argument} must be float32, got ${x.dtype} (cast it first)`);
  }
  return x.values;
}
