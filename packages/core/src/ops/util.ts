import { DendriteError } from '../errors.js';
import { shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { scalar } from './creation.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/** A tensor or a plain number (which becomes a scalar of the other operand's dtype when it fits). */
export type TensorLike = Tensor | number;

/** Turn numbers into scalars; an integer becomes int32 when the other operand is int32. */
export function toTensors(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor) return [a, asScalar(op, b, a)];
  if (b instanceof Tensor) return [asScalar(op, a, b), b];
  return [scalar(a), scalar(b)];
}

export function toTensor(op: string, x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new DendriteError(`${op}: expected a Tensor or a number, got ${typeof x}`);
  return scalar(x);
}

function asScalar(op: string, value: TensorLike, other: Tensor): Tensor {
  if (typeof value !== 'number') throw new DendriteError(`${op}: expected a Tensor or a number, got ${typeof value}`);
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
