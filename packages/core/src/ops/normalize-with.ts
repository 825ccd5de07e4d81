import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { sqrt } from './sqrt.js';
import { sub } from './sub.js';

/**
 * (x − mean) / √(variance + ε), then · scale and + shift where given: the body layerNorm and batchNorm
 * share (they differ in the axes of the statistics). Internal (not in ops/index.ts); call it inside the
 * op's composite scope.
 */
export function normalizeWith(
  x: Tensor, statistics: { mean: Tensor; variance: Tensor }, epsilon: number, scale: Tensor | null, shift: Tensor | null,
): Tensor {
  let y = div(sub(x, statistics.mean), sqrt(add(statistics.variance, epsilon)));
  if (scale) y = mul(y, scale);
  if (shift) y = add(y, shift);
  return y;
}
