import type { FusedActivation } from '../backend/backend.js';
import { engine } from '../engine.js';
import { check } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { activationGrad } from './activation-grad.js';
import { add } from './add.js';
import { matmul, matmulGrads } from './matmul.js';
import { relu } from './relu.js';
import { sigmoid } from './sigmoid.js';
import { sum } from './sum.js';
import { tanh } from './tanh.js';
import { checkOptions, checkTensor } from './check-arguments.js';
import { composite } from './util.js';

/** Options of {@link linear}: an optional bias and fused activation. */
export interface LinearOptions {
  bias?: Tensor | null;
  activation?: FusedActivation;
  transposeWeight?: boolean;
}

/**
 * activation(x @ weight + bias) for x [batch, in] and weight [in, out] (or [out, in] with
 * transposeWeight): the dense layer's op, one fused kernel on backends that have it.
 *
 * @example
 * ```ts
 * const hidden = linear(x, w1, { bias: b1, activation: 'relu' });
 * ```
 */
export function linear(x: Tensor, weight: Tensor, options: LinearOptions = {}): Tensor {
  checkTensor('linear', 'x', x);
  checkTensor('linear', 'weight', weight);
  checkOptions('linear', options);
  if (options.bias != null) checkTensor('linear', 'bias', options.bias);
  const bias = options.bias ?? null;
  const activation = options.activation ?? 'linear';
  const transposeWeight = options.transposeWeight ?? false;
  check(x.rank === 2 && weight.rank === 2, 'linear', () => `expects rank-2 input and weight, got ${formatShape(x.shape)} and ${formatShape(weight.shape)}`);
  const inFeatures = transposeWeight ? weight.shape[1] : weight.shape[0];
  const outFeatures = transposeWeight ? weight.shape[0] : weight.shape[1];
  check(x.shape[1] === inFeatures, 'linear', () =>
    `input ${formatShape(x.shape)} has ${x.shape[1]} features but weight ${formatShape(weight.shape)} expects ${inFeatures}`);
  check(!bias || (bias.rank === 1 && bias.shape[0] === outFeatures), 'linear', () =>
    `bias ${formatShape(bias!.shape)} does not match ${outFeatures} output features`);
  const backend = engine.backend;
  if (!backend.fusedMatmul) return composite('linear', () => composed(x, weight, bias, activation, transposeWeight));
  const shape = [x.shape[0], outFeatures];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const output: Tensor = engine.runOp({
    name: 'linear', inputs, shape, dtype: 'float32',
    kernel: (kernels, [xInfo, wInfo, bInfo]) =>
      kernels.fusedMatmul!(xInfo, wInfo, bInfo ?? null, activation, false, transposeWeight, shape),
    backward: (dy, wanted) => {
      const dz = activationGrad(dy, output, activation);
      const [dx, dw] = matmulGrads(x, weight, dz, false, transposeWeight, wanted);
      return bias ? [dx, dw, wanted[2] ? sum(dz, 0) : null] : [dx, dw];
    },
  });
  return output;
}

function composed(x: Tensor, weight: Tensor, bias: Tensor | null, activation: FusedActivation, transposeWeight: boolean): Tensor {
  let z = matmul(x, weight, { transposeB: transposeWeight });
  if (bias) z = add(z, bias);
  switch (activation) {
    case 'relu': return relu(z);
    case 'sigmoid': return sigmoid(z);
    case 'tanh': return tanh(z);
    default: return z;
  }
}
