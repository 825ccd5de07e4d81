import { check } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';

/** How a loss turns its per-sample (or per-element) values into the result. */
export type LossReduction = 'mean' | 'sum' | 'none';

/** Options every loss takes. */
export interface LossOptions {
  /**
   * `'mean'` (default): the mean of the weighted losses over every element (PyTorch's `weight` and Keras'
   * `sample_weight` semantics, not divided by the sum of the weights); `'sum'`; `'none'`: the loss of
   * each sample (or element), unreduced.
   */
  reduction?: LossReduction;
  /** Per-sample weights: float32 [batch] (the loss's first dimension), or the unreduced loss's own shape. */
  weights?: Tensor;
}

const reductions: readonly LossReduction[] = ['mean', 'sum', 'none'];

/**
 * Reject option names a loss does not know (a misspelt `reduce` would otherwise be ignored silently) and a
 * reduction outside mean/sum/none.
 */
export function checkLossOptions(op: string, options: object, validKeys: readonly string[]): void {
  checkOptions(op, options);
  const keys = [...validKeys, 'reduction', 'weights'];
  for (const key of Object.keys(options)) {
    check(keys.includes(key), op, () => `unknown option '${key}'; valid options are ${keys.join(', ')}`);
  }
  const { reduction } = options as LossOptions;
  check(reduction === undefined || reductions.includes(reduction), op, () =>
    `reduction must be one of ${reductions.join(', ')}, got ${String(reduction)}`);
}

/** Both operands of an elementwise loss must have one shape: broadcasting a target silently is a classic bug. */
export function checkSameShape(op: string, firstName: string, first: Tensor, secondName: string, second: Tensor): void {
  checkTensor(op, firstName, first);
  checkTensor(op, secondName, second);
  check(shapesEqual(first.shape, second.shape), op, () =>
    `${firstName} ${formatShape(first.shape)} and ${secondName} ${formatShape(second.shape)} must have the same shape`);
  check(first.dtype === 'float32' && second.dtype === 'float32', op, () =>
    `${firstName} and ${secondName} must be float32, got ${first.dtype} and ${second.dtype}`);
}

/** Apply the per-sample weights, then the reduction, to unreduced losses. */
export function reduceLoss(op: string, losses: Tensor, options: LossOptions): Tensor {
  let weighted = losses;
  const { weights } = options;
  if (weights !== undefined) {
    weights.assertAlive(op);
    const perSample = weights.rank === 1 && losses.rank >= 1 && weights.shape[0] === losses.shape[0];
    check(weights.dtype === 'float32' && (perSample || shapesEqual(weights.shape, losses.shape)), op, () =>
      `weights must be float32 [${losses.shape[0] ?? ''}] (one per sample) or ${formatShape(losses.shape)}, got ${weights.dtype} ${formatShape(weights.shape)}`);
    // A [batch] weight lines up with the first axis of a [batch, ...] loss.
    const aligned = perSample && losses.rank > 1 ? reshape(weights, [weights.shape[0], ...losses.shape.slice(1).map(() => 1)]) : weights;
    weighted = mul(losses, aligned);
  }
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') return weighted;
  return reduction === 'sum' ? sum(weighted) : mean(weighted);
}
