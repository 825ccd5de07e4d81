import type { FashionMnist } from './fashion-mnist.js';
import type { ImplementationName } from './records.js';

/** What one epoch through a library's own fit loop did. */
export interface FitEpochResult {
  seconds: number;
  meanLoss: number;
  batchesRun: number;
  batchesPerEpoch: number;
  testAccuracy: number;
}

/** Batch size, shuffle seed, and (quick runs) how many batches to run of the epoch. */
export interface FitOptions {
  batchSize: number;
  seed: number;
  batchLimit?: number;
}

/** Initial values of one parameter, shared by every implementation so they all start from the same model. */
export interface ParameterValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** A prepared piece of work: `run` does it once and resolves only after the results were read back. */
export interface Runner {
  run(): Promise<void>;
  dispose(): void;
}

/** A model being trained: the MLP or the CNN, built from the given initial parameters. */
export interface Classifier {
  /**
   * One training step (forward, backward, Adam update) on `batchSize` images of 784 pixels in [0, 1];
   * resolves to the batch's loss. The arrays may be reused by the caller once the promise resolves.
   */
  trainStep(images: Float32Array, labels: Int32Array, batchSize: number): Promise<number>;
  /** Logits [batchSize, 10] of a forward pass without gradients. */
  predict(images: Float32Array, batchSize: number): Promise<Float32Array>;
  dispose(): void;
}

/** The ways a workload can be declined: why, in a phrase for the table's notes. */
export interface Unsupported {
  unsupported: string;
}

export function isUnsupported(value: unknown): value is Unsupported {
  return typeof value === 'object' && value !== null && 'unsupported' in value;
}

/** One library on one backend, set up in its own process. */
export interface Implementation {
  readonly name: ImplementationName;
  /** One line about the backend as it runs here (kernels, SIMD, threads). */
  describe(): string;
  /** c = a @ b for float32 square matrices of this size. */
  matmul(size: number): Runner;
  /** conv2d forward, then the gradients with respect to the input and the filter ('same' padding, stride 1). */
  conv2dForwardBackward(inputShape: readonly number[], filterShape: readonly number[]): Runner | Unsupported;
  /** The 784-128-64-10 MLP (relu, relu, softmax cross-entropy) with Adam. */
  mlp(parameters: readonly ParameterValues[], learningRate: number): Classifier;
  /**
   * One epoch (or its first `batchLimit` batches) of the same MLP through a library's own training loop
   * (@dendrite/training's Trainer.fit, tfjs-layers' model.fit); resolves to the time of the fit and the
   * test accuracy after it.
   * Absent where the library's loop is not benchmarked.
   */
  mlpFit?(parameters: readonly ParameterValues[], learningRate: number, data: FashionMnist, options: FitOptions): Promise<FitEpochResult>;
  /** The same for the CNN. Absent where the library's loop is not benchmarked. */
  cnnFit?(parameters: readonly ParameterValues[], learningRate: number, data: FashionMnist, options: FitOptions): Promise<FitEpochResult>;
  /** The small CNN (conv-pool-conv-pool-dense) with Adam. */
  cnn(parameters: readonly ParameterValues[], learningRate: number): Classifier | Unsupported;
  /** The same MLP and CNN built from a layers API (Dendrite's @dendrite/layers), to measure its overhead. */
  layersMlp?(parameters: readonly ParameterValues[], learningRate: number): Classifier;
  layersCnn?(parameters: readonly ParameterValues[], learningRate: number): Classifier;
  /** The layers MLP quantized to int8 (dynamic activation scales), for inference: predict only. */
  int8Mlp?(parameters: readonly ParameterValues[]): Promise<Pick<Classifier, 'predict' | 'dispose'>>;
  /** The layers CNN quantized to int8 (dynamic per-image activation scales, integer convolution kernel): predict only. */
  int8Cnn?(parameters: readonly ParameterValues[]): Promise<Pick<Classifier, 'predict' | 'dispose'>>;
}
