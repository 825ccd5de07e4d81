import type { Tensor } from '../tensor.js';
import { equal } from './comparisons.js';
import { div } from './div.js';
import { mul } from './mul.js';
import { unbroadcast } from './util.js';

/** Gradient of max/min: dy spread evenly over the cells equal to the (keepDims) extremum. */
export function extremumGrad(dyKeepDims: Tensor, x: Tensor, outputKeepDims: Tensor): Tensor {
  const mask = equal(x, outputKeepDims);
  // The number of tied cells per extremum: the mask summed back down to the extremum's shape.
  const ties = unbroadcast(mask, outputKeepDims.shape);
  return mul(mask, div(dyKeepDims, ties));
}
