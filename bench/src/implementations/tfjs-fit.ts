import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FashionMnist } from '../fashion-mnist.js';
import type { FitEpochResult, ParameterValues } from '../implementation.js';

/**
 * One epoch of the MLP through TensorFlow.js layers' own loop, `model.fit` (shuffled, with its accuracy
 * metric), on whichever tfjs backend is active: the counterpart of the `Trainer.fit` row. Same initial
 * weights, logits and softmax cross-entropy, Adam with ε = 1e-8, batch size. Timed from the call to fit
 * to its end; the data is made tensors before the clock starts.
 */
export async function tfjsMlpFit(
  initial: readonly ParameterValues[],
  learningRate: number,
  data: FashionMnist,
  options: { batchSize: number; seed: number; batchLimit?: number },
): Promise<FitEpochResult> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
      tfl.layers.dense({ units: 64, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  // Kernels are [in, out] in both libraries, so the shared initial values load as they are.
  const weights = initial.map((parameter) => tf.tensor(parameter.values, parameter.shape, 'float32'));
  model.setWeights(weights);
  tf.dispose(weights);
  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
  model.compile({
    optimizer,
    loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits),
    metrics: ['accuracy'],
  });
  const trainCount = data.trainLabels.length;
  const batchesPerEpoch = Math.ceil(trainCount / options.batchSize);
  const batchesRun = Math.min(batchesPerEpoch, options.batchLimit ?? batchesPerEpoch);
  const examples = Math.min(trainCount, batchesRun * options.batchSize);
  const inputs = tf.tensor2d(data.trainImages.subarray(0, examples * 784), [examples, 784]);
  const targets = tf.tidy(() => tf.oneHot(tf.tensor1d(data.trainLabels.subarray(0, examples), 'int32'), 10));
  try {
    const start = performance.now();
    const history = await model.fit(inputs, targets, { epochs: 1, batchSize: options.batchSize, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - start) / 1000;
    const testCount = data.testLabels.length;
    const correct = tf.tidy(() => {
      const logits = model.predict(tf.tensor2d(data.testImages, [testCount, 784]), { batchSize: 1000 }) as tf.Tensor;
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.tensor1d(data.testLabels, 'int32')), 'float32'));
    });
    const testAccuracy = (await correct.data())[0] / testCount;
    correct.dispose();
    return { seconds, meanLoss: history.history.loss[0] as number, batchesRun, batchesPerEpoch, testAccuracy };
  } finally {
    inputs.dispose();
    targets.dispose();
    model.dispose();
    // The model does not own an optimizer it was given: free its moments too.
    optimizer.dispose();
  }
}
