// Test helpers (not exported from the package): finite-difference checks of a layer's gradients with
// respect to its input and every trainable parameter, through the layer's own apply().

import { Tensor, mul, noGrad, sum, tensor, tidy, variable, variableGrads } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import type { Layer } from './layer.js';

/** Fixed uneven weights so each output element contributes differently to the checked scalar. */
function probeWeights(size: number): Float32Array {
  return new Float32Array(size).map((_, i) => 0.5 + ((i * 7919) % 13) / 13);
}

/**
 * Compare d sum(layer(x) · w) / d(x, parameters) from autograd with central differences.
 * `inputs` are float32 (differentiated) or int32 (ids, not differentiated).
 */
export function checkLayerGradients(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  layer: Layer<any, Tensor>,
  inputs: ReadonlyArray<{ values: Float32Array | Int32Array; shape: readonly number[] }>,
  options: { epsilon?: number; atol?: number; rtol?: number; single?: boolean } = {},
): void {
  const epsilon = options.epsilon ?? 1e-2;
  const single = options.single ?? inputs.length === 1;
  const make = () => inputs.map((input) => tensor(input.values, input.shape, input.values instanceof Int32Array ? 'int32' : 'float32'));
  const run = (xs: Tensor[]) => layer.apply(single ? xs[0] : xs);
  tidy(() => {
    // Build first, so the parameters exist.
    const first = run(make());
    const weights = tensor(probeWeights(first.size), first.shape);
    const objective = (xs: Tensor[]) => sum(mul(run(xs), weights));
    const floatInputs = make().map((x) => (x.dtype === 'float32' ? variable(x) : x));
    const parameters = layer.parameters({ trainableOnly: true });
    const differentiated = [...floatInputs.filter((x) => x.dtype === 'float32'), ...parameters];
    const { grads } = variableGrads(() => objective(floatInputs), differentiated);
    const evaluate = (): number => tidy(() => noGrad(() => objective(floatInputs).dataSync()[0]));
    differentiated.forEach((target, k) => {
      const base = target.dataSync().slice() as Float32Array;
      const numeric = new Float32Array(base.length);
      for (let j = 0; j < base.length; j++) {
        const probe = base.slice();
        probe[j] = base[j] + epsilon;
        target.assign(tensor(probe, target.shape));
        const plus = evaluate();
        probe[j] = base[j] - epsilon;
        target.assign(tensor(probe, target.shape));
        const minus = evaluate();
        numeric[j] = (plus - minus) / (2 * epsilon);
      }
      target.assign(tensor(base, target.shape));
      const label = k < differentiated.length - parameters.length ? `input ${k}` : `parameter ${layer.namedParameters({ trainableOnly: true })[k - (differentiated.length - parameters.length)][0]}`;
      expectClose(grads[k].dataSync(), numeric, { atol: options.atol ?? 2e-2, rtol: options.rtol ?? 2e-2 }, `${layer.name}: gradient of ${label}`);
    });
    for (const x of floatInputs) if (x.kept) x.dispose();
  });
}
