import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { stack } from './concat.js';
import { zeros } from './creation.js';
import { checkTensor } from './check-arguments.js';

/**
 * The slices of `x` along `axis`, that axis removed: `x.shape[axis]` tensors (TensorFlow's
 * `tf.unstack`, PyTorch's `torch.unbind`); the inverse of {@link stack}. The gradient is one `stack`
 * of the slices' gradients (zeros for slices no gradient reached), so walking a sequence step by step
 * costs a backward pass linear in its length, where a `slice` per step pads each step's gradient to the
 * full shape and sums them all (quadratic). Recurrent layers take their time steps this way.
 *
 * @example
 * ```ts
 * const [first, second] = unstack(tensor([[1, 2, 3], [4, 5, 6]]), 1).slice(0, 2);
 * await first.data();  // Float32Array [1, 4]
 * await second.data(); // Float32Array [2, 5]
 * ```
 */
export function unstack(x: Tensor, axis = 0): Tensor[] {
  checkTensor('unstack', 'x', x);
  check(x.rank >= 1, 'unstack', () => `x must have rank >= 1, got shape ${formatShape(x.shape)}`);
  const resolved = normalizeAxis('unstack', axis, x.rank);
  const count = x.shape[resolved];
  if (count === 0) return [];
  const sliceSize = x.shape.map((dim, a) => (a === resolved ? 1 : dim));
  const shape = x.shape.filter((_, a) => a !== resolved);
  const outputs = engine.runMultiOp({
    name: 'unstack', inputs: [x],
    outputs: new Array(count).fill({ shape, dtype: x.dtype }),
    // A slice's buffer holds its values in order, so it is the output with the axis dropped.
    kernel: (backend, [xInfo]) => Array.from({ length: count }, (_, index) =>
      backend.slice(xInfo, x.shape.map((_, a) => (a === resolved ? index : 0)), sliceSize)),
  });
  engine.recordGroupGrad(outputs, 'unstack', [x], (dys) => [engine.tidy(() => stack(dys.map((dy) => dy ?? zeros(shape, x.dtype)), resolved))]);
  return outputs;
}
