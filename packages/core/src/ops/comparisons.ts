import type { Tensor } from '../tensor.js';
import { binaryOp } from './binary-op.js';
import type { TensorLike } from './util.js';

// Comparisons give float32 masks of 0 and 1, so they multiply straight into float math; no gradient flows.

/** 1 where a == b, else 0. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryOp('equal', a, b);
/** 1 where a != b, else 0. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('notEqual', a, b);
/** 1 where a < b, else 0. */
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryOp('less', a, b);
/** 1 where a <= b, else 0. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lessEqual', a, b);
/** 1 where a > b, else 0. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greater', a, b);
/** 1 where a >= b, else 0. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greaterEqual', a, b);
