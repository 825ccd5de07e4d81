import type { Tensor } from '../tensor.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { exp } from './exp.js';
import { log } from './log.js';
import { neg } from './neg.js';
import { relu } from './relu.js';
import { checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** log(1 + e^x), as relu(x) + log(1 + e^-|x|) so it never overflows. Range (0, ∞). */
export function softplus(x: Tensor): Tensor {
  checkTensor('softplus', 'x', x);
  return composite('softplus', () => add(relu(x), log(add(exp(neg(abs(x))), 1))));
}
