import type { KernelProgram } from '../kernel-cache.js';
import { CORRECTION_THRESHOLD, FLAT_INDEX, floorDivision, kernelFunction } from './source.js';

/**
 * core's fused `softmaxCrossEntropy` kernel as three launches (gpu.js kernels return one array
 * each) instead of the dozen of the composed log-softmax + gather path and its gradient:
 * the row's log-sum-exp, then the probabilities and the row losses from it.
 */

/** lse[row] = max + log Σ exp(x - max) over the row of x0 [batch, classes]; one thread per row. */
export function rowLogSumExpProgram(classes: number): KernelProgram {
  return {
    key: `softmaxCrossEntropy:lse:${classes}`,
    loopMax: classes,
    source: () => kernelFunction(['x0'], [
      FLAT_INDEX,
      `const base = i * ${classes};`,
      'let max = x0[base];',
      `for (let c = 1; c < ${classes}; c++) { max = Math.max(max, x0[base + c]); }`,
      'let total = 0;',
      `for (let c = 0; c < ${classes}; c++) { total = total + Math.exp(x0[base + c] - max); }`,
      'return max + Math.log(total);',
    ].join('\n')),
  };
}

/** probabilities[row, c] = exp(x0[row, c] - x1[row]) with x1 = the rows' log-sum-exp. */
export function softmaxFromLseProgram(batch: number, classes: number): KernelProgram {
  return {
    key: `softmaxCrossEntropy:probabilities:${batch}x${classes}`,
    source: () => kernelFunction(['x0', 'x1'], [
      FLAT_INDEX,
      ...floorDivision('i', classes, 'row', 'column', batch * classes > CORRECTION_THRESHOLD),
      'return Math.exp(x0[i] - x1[row]);',
    ].join('\n')),
  };
}

/**
 * loss[row] = x2[row] - x0[row, x1[row]]: log-sum-exp minus the label's logit. A label outside
 * [0, classes) (only possible for labels computed on the device: host labels are checked before
 * launching) gives that row the NaN passed in s0 instead of reading another row's logit; gpu.js
 * has no NaN literal, and a uniform carries the NaN's bits unchanged to every target.
 */
export function rowLossProgram(classes: number): KernelProgram {
  return {
    key: `softmaxCrossEntropy:loss:${classes}`,
    source: () => kernelFunction(['x0', 'x1', 'x2', 's0'], [
      FLAT_INDEX,
      'const label = x1[i];',
      'let loss = s0;',
      `if (label >= 0 && label < ${classes}) {`,
      `  loss = x2[i] - x0[i * ${classes} + label];`,
      '}',
      'return loss;',
    ].join('\n')),
  };
}
