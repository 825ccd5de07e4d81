import type { UnaryOp } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from './check-arguments.js';

const INT_SAFE = new Set<UnaryOp>(['neg', 'abs', 'sign']);

/** Run an elementwise unary kernel; `backward` gets (dy, x, output) and returns dx. */
export function unaryOp(op: UnaryOp, x: Tensor, backward?: (dy: Tensor, x: Tensor, output: Tensor) => Tensor): Tensor {
  checkTensor(op, 'x', x);
  check(x.dtype === 'float32' || INT_SAFE.has(op), op, () => `expects a float32 tensor, got ${x.dtype}; cast it first`);
  const output: Tensor = engine.runOp({
    name: op, inputs: [x], shape: x.shape, dtype: x.dtype,
    kernel: (backend, [xInfo]) => backend.unary(op, xInfo),
    backward: backward && ((dy) => [backward(dy, x, output)]),
  });
  return output;
}
