import { normalizeAxes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { max } from './max.js';
import { reshape } from './reshape.js';
import { reducedShape } from './reduce-op.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { noGrad } from '../engine.js';
import { checkAxisArgument, checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** log(sum(exp(x))) over `axis`, shifted by the max so it never overflows. */
export function logSumExp(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  checkTensor('logSumExp', 'x', x);
  checkAxisArgument('logSumExp', axis);
  const axes = normalizeAxes('logSumExp', axis, x.rank);
  return composite('logSumExp', () => {
    // The shift is a constant for the gradient: d/dx is softmax either way.
    const shift = noGrad(() => max(x, axes, true));
    const result = add(log(sum(exp(sub(x, shift)), axes, true)), shift);
    return reshape(result, reducedShape(x.shape, axes, keepDims));
  });
}
