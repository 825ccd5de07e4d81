import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { DendriteError } from '../../../errors.js';
import { requireFloat32 } from './require-float32.js';

/**
 * relu's gradient from its output, out[i] = dy[i] * (output[i] > 0 ? 1 : 0): mul(dy, greater(output, 0))
 * in one pass, with the same bits (dy * 1 or dy * 0, so a negative dy over a dead unit gives -0 and
 * a NaN output gives dy * 0).
 */
export function reluGrad(context: KernelContext, dy: CpuTensor, output: CpuTensor): Float32Array {
  const dyValues = requireFloat32('reluGrad', 'dy', dy);
  const outputValues = requireFloat32('reluGrad', 'output', output);
  const length = dyValues.length;
  if (outputValues.length !== length) {
    throw new DendriteError(`reluGrad: dy has ${length} values but relu's output has ${outputValues.length}`);
  }
  const out = context.allocateFloat32(length);
  if (context.accelerator?.reluGrad?.(dyValues, outputValues, out)) return out;
  for (let i = 0; i < length; i++) out[i] = dyValues[i] * (outputValues[i] > 0 ? 1 : 0);
  return out;
}
