import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import { greater } from './comparisons.js';
import { log } from './log.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { unbroadcast, type TensorLike } from './util.js';
import { where } from './where.js';

/** base ** exponent elementwise, broadcasting. The exponent's gradient is taken where base > 0. */
export function pow(base: TensorLike, exponent: TensorLike): Tensor {
  return binaryOp('pow', base, exponent, (dy, x, y, output) => {
    const dx = mul(dy, mul(y, pow(x, sub(y, 1))));
    const positive = greater(x, 0);
    const safeLog = log(where(positive, x, 1));
    const dyExponent = where(positive, mul(dy, mul(output, safeLog)), 0);
    return [unbroadcast(dx, x.shape), unbroadcast(dyExponent, y.shape)];
  });
}
