import { linear, mul, randomNormal, tensor, tidy, variable, type Tensor } from '@dendrite/core';

/** A multilayer perceptron: ReLU hidden layers, linear output (logits). */
export interface Mlp {
  parameters: Tensor[];
  /** Logits for a [batch, inputs] batch. */
  forward(x: Tensor): Tensor;
}

/** He-initialised MLP with layer sizes like [784, 128, 64, 10]. */
export function createMlp(sizes: readonly number[], seed = 1): Mlp {
  const layers = sizes.slice(1).map((outputs, i) => {
    const inputs = sizes[i];
    // tidy frees the initial values; variables are kept.
    const weight = tidy(() => variable(mul(randomNormal([inputs, outputs], 0, 1, seed + i), Math.sqrt(2 / inputs)), `dense${i}.weight`));
    const bias = tidy(() => variable(tensor(new Float32Array(outputs)), `dense${i}.bias`));
    return { weight, bias };
  });
  return {
    parameters: layers.flatMap(({ weight, bias }) => [weight, bias]),
    forward(x) {
      let h = x;
      layers.forEach(({ weight, bias }, i) => {
        h = linear(h, weight, { bias, activation: i < layers.length - 1 ? 'relu' : 'linear' });
      });
      return h;
    },
  };
}
