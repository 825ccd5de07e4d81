import { engine } from '../engine.js';
import { tensor } from '../ops/creation.js';
import { mul } from '../ops/mul.js';
import { sum } from '../ops/sum.js';
import { valueAndGrad } from '../autograd/grad.js';
import type { Tensor } from '../tensor.js';
import { expectClose, type Tolerance } from './expect-close.js';

/** One input of {@link gradCheck}: its values, shape and dtype. */
export interface GradCheckInput {
  values: Float32Array | Int32Array;
  shape: readonly number[];
  dtype?: 'float32' | 'int32';
}

/**
 * Fixed, uneven weights in [0.5, 1.5) for the scalar sum(output * weights) whose gradient the checks
 * compare: every output element contributes differently, so a gradient routed to the wrong place shows.
 */
export function projectionWeights(size: number): Float32Array {
  return new Float32Array(size).map((_, i) => 0.5 + ((i * 7919) % 13) / 13);
}

/**
 * Check the analytic gradient of `f` against central finite differences on the active backend.
 * The scalar checked is sum(f(inputs) * weights) with fixed pseudo-random weights, so every output
 * element contributes differently. Only float32 inputs are differentiated.
 */
export function gradCheck(
  f: (...inputs: Tensor[]) => Tensor, inputs: readonly GradCheckInput[],
  options: { epsilon?: number } & Tolerance = {},
): void {
  const epsilon = options.epsilon ?? 1e-2;
  const make = (index: number, values: Float32Array | Int32Array) =>
    tensor(values, inputs[index].shape, inputs[index].dtype ?? (values instanceof Int32Array ? 'int32' : 'float32'));
  engine.tidy(() => {
    const probe = f(...inputs.map((input, i) => make(i, input.values)));
    const weightTensor = tensor(projectionWeights(probe.size), probe.shape);
    const objective = (...xs: Tensor[]) => sum(mul(f(...xs), weightTensor));
    const evaluate = (values: Array<Float32Array | Int32Array>): number =>
      engine.tidy(() => objective(...values.map((v, i) => make(i, v))).dataSync()[0]);
    const floatIndices = inputs.flatMap((input, i) => ((input.dtype ?? 'float32') === 'float32' && input.values instanceof Float32Array ? [i] : []));
    const analytic = valueAndGrad((...floatTensors: Tensor[]) => {
      const all = inputs.map((input, i) => (floatIndices.includes(i) ? floatTensors[floatIndices.indexOf(i)] : make(i, input.values)));
      return objective(...all);
    })(...floatIndices.map((i) => make(i, inputs[i].values))).grads;
    floatIndices.forEach((inputIndex, k) => {
      const base = inputs.map((input) => input.values.slice());
      const numeric = new Float32Array(inputs[inputIndex].values.length);
      for (let j = 0; j < numeric.length; j++) {
        const original = base[inputIndex][j];
        base[inputIndex][j] = original + epsilon;
        const plus = evaluate(base);
        base[inputIndex][j] = original - epsilon;
        const minus = evaluate(base);
        base[inputIndex][j] = original;
        numeric[j] = (plus - minus) / (2 * epsilon);
      }
      expectClose(analytic[k].dataSync(), numeric, { atol: options.atol ?? 2e-2, rtol: options.rtol ?? 2e-2 }, `gradient of input ${inputIndex}`);
    });
  });
}
