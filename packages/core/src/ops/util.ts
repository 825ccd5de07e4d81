import { engine } from '../engine.js';
import { describe } from '../values.js';
import { DendriteError } from '../errors.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { scalar } from './creation.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/**
 * Run the body of a composite op — an op written with other ops, like softmax, logSumExp,
 * softmaxCrossEntropy, gelu or variance — in its own scope. Every op added later that calls more
 * than one op (layer norm, losses, topK, …) wraps its body in it:
 *
 * ```ts
 * export function softmax(x: Tensor, axis = -1): Tensor {
 *   checkTensor('softmax', 'x', x);
 *   return composite('softmax', () => exp(logSoftmax(x, axis)));
 * }
 * ```
 *
 * What it gives, for the cost of one Set per call (no closures copying data, nothing per element):
 * - The intermediates are disposed when the op returns, so one `softmax(x)` outside `tidy` leaves
 *   only its output. Those the output's gradient graph reads stay alive, as saved tensors, until
 *   backward runs or the output is disposed (see Engine.release).
 * - If the body throws, its intermediates are disposed too, and a DendriteError from an op it calls
 *   is reported under the name the user called (`softmax: axis 5 is out of range … (in logSumExp)`).
 * It may return one tensor or an object/array of them (moments returns { mean, variance }).
 */
export function composite<T>(name: string, body: () => T): T {
  return engine.opScope(name, body);
}

/** A tensor or a plain number (which becomes a scalar of the other operand's dtype when it fits). */
export type TensorLike = Tensor | number;

/** Turn numbers into scalars; an integer becomes int32 when the other operand is int32. */
export function toTensors(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor) return [a, asScalar(op, 'b', b, a)];
  if (b instanceof Tensor) return [asScalar(op, 'a', a, b), b];
  checkTensorOrNumber(op, 'a', a);
  checkTensorOrNumber(op, 'b', b);
  return [scalar(a), scalar(b)];
}

/** `x` as a tensor (a number becomes a float32 scalar the caller disposes when done). */
export function toTensor(op: string, x: TensorLike, argument = 'x'): Tensor {
  if (x instanceof Tensor) return x;
  checkTensorOrNumber(op, argument, x);
  return scalar(x);
}

function checkTensorOrNumber(op: string, argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw new DendriteError(`${op}: argument '${argument}' must be a Tensor or a number, got ${describe(value)}`);
}

function asScalar(op: string, argument: string, value: TensorLike, other: Tensor): Tensor {
  checkTensorOrNumber(op, argument, value);
  return scalar(value, other.dtype === 'int32' && Number.isInteger(value) ? 'int32' : 'float32');
}

/** Sum a broadcast gradient back down to the shape of the input it flowed from. */
export function unbroadcast(gradient: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(gradient.shape, shape)) return gradient;
  const leading = gradient.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < gradient.rank; axis++) {
    if (axis < leading || (shape[axis - leading] === 1 && gradient.shape[axis] !== 1)) axes.push(axis);
  }
  const summed = axes.length ? sum(gradient, axes, true) : gradient;
  return reshape(summed, shape);
}
