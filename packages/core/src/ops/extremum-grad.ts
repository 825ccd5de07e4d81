import type { Tensor } from '../tensor.js';
import { equal } from './comparisons.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { sum } from './sum.js';

/** Gradient of max/min: dy spread evenly over the cells equal to the (keepDims) extremum. */
export function extremumGrad(dyKeepDims: Tensor, x: Tensor, outputKeepDims: Tensor): Tensor {
  const mask = equal(x, outputKeepDims);
  const reducedAxes = outputKeepDims.shape.flatMap((dim, axis) => (dim === 1 && x.shape[axis] !== 1 ? [axis] : []));
  const ties = reducedAxes.length ? sum(mask, reducedAxes, true) : mask;
  return mul(mask, div(dyKeepDims, ties));
}
