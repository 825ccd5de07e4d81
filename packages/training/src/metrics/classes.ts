import { DendriteError, argmax, greater, reshape, type Tensor } from '@dendrite/core';

/**
 * How classification metrics read outputs and targets: `[N, C]` scores (logits or probabilities)
 * against class indices `[N]` (int32) or one-hot/probability targets `[N, C]`; or, for one output
 * column (`[N]` / `[N, 1]`), binary scores against 0/1 targets, positive when above `threshold`.
 */
export function isBinaryOutput(output: Tensor): boolean {
  return output.rank === 1 || (output.rank === 2 && output.shape[1] === 1);
}

/** Predicted class index per example (int32 `[N]`) of multi-class scores. */
export function predictedClasses(metric: string, output: Tensor): Tensor {
  if (output.rank !== 2) throw new DendriteError(`${metric}: expected scores of shape [examples, classes], got [${output.shape}]`);
  return argmax(output, -1);
}

/** True class index per example (int32 `[N]`) from indices or one-hot/probability targets. */
export function targetClasses(metric: string, target: Tensor, classCount: number): Tensor {
  if (target.rank === 1 && target.dtype === 'int32') return target;
  if (target.rank === 2 && target.shape[1] === classCount) return argmax(target, -1);
  throw new DendriteError(`${metric}: targets must be int32 class indices [examples] or one-hot [examples, ${classCount}], got ${target.dtype} [${target.shape}]`);
}

/** 0/1 float mask `[N]` of scores above `threshold` (binary case). */
export function binaryDecisions(metric: string, values: Tensor, threshold: number, what: string): Tensor {
  if (!isBinaryOutput(values)) throw new DendriteError(`${metric}: binary ${what} must have shape [examples] or [examples, 1], got [${values.shape}]`);
  return greater(reshape(values, [values.shape[0]]), threshold);
}
