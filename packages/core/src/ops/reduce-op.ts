import type { ReduceOp } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape, normalizeAxes } from '../shape.js';
import type { GradNode, Tensor } from '../tensor.js';
import { reshape } from './reshape.js';
import { checkAxisArgument, checkTensor } from './check-arguments.js';

/** Shape of a reduction's output, with or without the reduced dims kept as 1. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim)) : shape.filter((_, axis) => !axes.includes(axis));
}

/** Run a reduce kernel over `axis` and record `backward` (which receives the keepDims-shaped gradient). */
export function reduceOp(
  op: ReduceOp, name: string, x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean,
  backward?: (dyKeepDims: Tensor, outputKeepDims: Tensor) => Tensor,
): Tensor {
  checkTensor(name, 'x', x);
  checkAxisArgument(name, axis);
  const axes = normalizeAxes(name, axis, x.rank);
  if (op !== 'sum') {
    check(axes.every((a) => x.shape[a] > 0), name, () => `cannot take the ${op} over an empty axis of shape ${formatShape(x.shape)}`);
  }
  const keptShape = reducedShape(x.shape, axes, true);
  const outShape = reducedShape(x.shape, axes, keepDims);
  if (axes.length === 0) return reshape(x, outShape);
  const gradRule: GradNode['backward'] | undefined = backward && ((dy) => [backward(reshape(dy, keptShape), reshape(output, keptShape))]);
  const output: Tensor = engine.runOp({
    name, inputs: [x], shape: outShape, dtype: x.dtype,
    kernel: (backend, [xInfo]) => backend.reduce(op, xInfo, axes),
    backward: gradRule,
  });
  return output;
}
