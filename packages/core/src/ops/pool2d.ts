import type { PoolMode, Pool2DInfo } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { poolGeometry, type Pair, type Padding } from './conv-geometry.js';
import { checkTensor } from './check-arguments.js';

/** Options of {@link maxPool2d} and {@link avgPool2d}. */
export interface Pool2DOptions {
  /** Step between windows; defaults to the window size. */
  stride?: Pair;
  padding?: Padding;
}

/**
 * Max pooling over NHWC `x`.
 *
 * @example
 * ```ts
 * maxPool2d(x, 2); // halves height and width
 * ```
 */
export function maxPool2d(x: Tensor, filterSize: Pair, options: Pool2DOptions = {}): Tensor {
  return pool('max', x, filterSize, options);
}

/** Average pooling over NHWC `x` (padding cells are not counted). */
export function avgPool2d(x: Tensor, filterSize: Pair, options: Pool2DOptions = {}): Tensor {
  return pool('avg', x, filterSize, options);
}

function pool(mode: PoolMode, x: Tensor, filterSize: Pair, options: Pool2DOptions): Tensor {
  const op = mode === 'max' ? 'maxPool2d' : 'avgPool2d';
  checkTensor(op, 'x', x);
  check(x.rank === 4, op, () => `expects NHWC input, got ${formatShape(x.shape)}`);
  const info = poolGeometry(op, x.shape, filterSize, options.stride ?? filterSize, options.padding ?? 'valid');
  return engine.runOp({
    name: op, inputs: [x], shape: [info.batch, info.outHeight, info.outWidth, info.channels], dtype: 'float32',
    kernel: (backend, [xInfo]) => backend.pool2d(xInfo, info, mode),
    backward: (dy) => [poolBackward(dy, x, info, mode)],
  });
}

function poolBackward(dy: Tensor, x: Tensor, info: Pool2DInfo, mode: PoolMode): Tensor {
  return engine.runOp({
    name: 'pool2dBackward', inputs: [dy, x], shape: x.shape, dtype: 'float32',
    kernel: (backend, [dyInfo, xInfo]) => backend.pool2dBackward(dyInfo, xInfo, info, mode),
  });
}
