import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add } from './add.js';
import { erf } from './erf.js';
import { mul } from './mul.js';
import { tanh } from './tanh.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Options of {@link gelu}. */
export interface GeluOptions {
  /** 'none' (default): the exact x·Φ(x); 'tanh': the tanh approximation (GPT-2, PyTorch's approximate='tanh'). */
  approximate?: 'none' | 'tanh';
}

/**
 * Gaussian error linear unit. Exact form: x * Φ(x) = 0.5 x (1 + erf(x / √2)) (PyTorch's default);
 * with `approximate: 'tanh'`: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
 *
 * @example
 * ```ts
 * gelu(tensor([-1, 0, 1]));                           // [-0.1587, 0, 0.8413]
 * gelu(tensor([-1, 0, 1]), { approximate: 'tanh' });  // [-0.1588, 0, 0.8412]
 * ```
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkTensor('gelu', 'x', x);
  checkOptions('gelu', options);
  const approximate = options.approximate ?? 'none';
  check(approximate === 'none' || approximate === 'tanh', 'gelu', () => `approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  return composite('gelu', () => {
    if (approximate === 'tanh') {
      const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
      return mul(mul(x, 0.5), add(tanh(inner), 1));
    }
    return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
  });
}
