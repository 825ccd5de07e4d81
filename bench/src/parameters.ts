import type { ParameterValues } from './implementation.js';
import { SeededRandom } from '@dendrite/datasets';

/** Glorot-uniform weights (Keras' default for Dense and Conv2D). */
function glorotUniform(name: string, shape: number[], fanIn: number, fanOut: number, random: SeededRandom): ParameterValues {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((product, dimension) => product * dimension, 1));
  for (let index = 0; index < values.length; index++) values[index] = (random.nextFloat() * 2 - 1) * limit;
  return { name, shape, values };
}

function zeros(name: string, size: number): ParameterValues {
  return { name, shape: [size], values: new Float32Array(size) };
}

/** Sizes of the benchmark MLP: 784 pixels, hidden 128 and 64, 10 classes. */
export const MLP_LAYER_SIZES = [784, 128, 64, 10] as const;

/** Initial [w1, b1, w2, b2, w3, b3] of the MLP; weights are [in, out]. */
export function mlpParameters(seed: number): ParameterValues[] {
  const random = new SeededRandom(seed);
  const parameters: ParameterValues[] = [];
  for (let layer = 0; layer < MLP_LAYER_SIZES.length - 1; layer++) {
    const inputs = MLP_LAYER_SIZES[layer];
    const outputs = MLP_LAYER_SIZES[layer + 1];
    parameters.push(glorotUniform(`w${layer + 1}`, [inputs, outputs], inputs, outputs, random));
    parameters.push(zeros(`b${layer + 1}`, outputs));
  }
  return parameters;
}

/**
 * Initial [conv1Filter, conv1Bias, conv2Filter, conv2Bias, denseWeight, denseBias] of the CNN:
 * conv 5x5 1->8, pool 2, conv 5x5 8->16, pool 2, dense 7*7*16 -> 10. Filters are
 * [height, width, inChannels, outChannels].
 */
export function cnnParameters(seed: number): ParameterValues[] {
  const random = new SeededRandom(seed);
  return [
    glorotUniform('conv1Filter', [5, 5, 1, 8], 5 * 5 * 1, 5 * 5 * 8, random),
    zeros('conv1Bias', 8),
    glorotUniform('conv2Filter', [5, 5, 8, 16], 5 * 5 * 8, 5 * 5 * 16, random),
    zeros('conv2Bias', 16),
    glorotUniform('denseWeight', [7 * 7 * 16, 10], 7 * 7 * 16, 10, random),
    zeros('denseBias', 10),
  ];
}
