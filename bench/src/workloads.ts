import { PIXELS_PER_IMAGE, type FashionMnist } from './fashion-mnist.js';
import { isUnsupported, type Classifier, type Implementation, type ParameterValues, type Unsupported } from './implementation.js';
import { cnnParameters, mlpParameters } from './parameters.js';
import { WORKLOAD_UNITS, type BenchRecord, type ImplementationName, type RecordDetails, type SkippedRow, type WorkloadName } from './records.js';
import { measureMedianMilliseconds, type RepetitionPlan } from './statistics.js';
import { testAccuracy, trainEpoch } from './training.js';

/** What a workload gets besides the implementation. */
export interface WorkloadContext {
  quick: boolean;
  /** Fashion-MNIST, loaded on first use. */
  data(): Promise<FashionMnist>;
  log(message: string): void;
}

export interface Workload {
  name: WorkloadName;
  /** Implementations this workload is not run for at all, and why (decided before starting them). */
  skip?: Partial<Record<ImplementationName, string>>;
  run(implementation: Implementation, context: WorkloadContext): Promise<BenchRecord | SkippedRow>;
}

const LEARNING_RATE = 1e-3;
const MLP_BATCH = 128;
const CNN_BATCH = 64;
const INFERENCE_BATCH = 256;
const CONV_INPUT = [64, 28, 28, 8];
const CONV_FILTER = [5, 5, 8, 16];
/** Seed of every implementation's initial weights (src/parameters.ts). */
export const WEIGHT_SEED = 42;
/** Seed of the epochs' shuffle (the same order of batches for every implementation). */
export const SHUFFLE_SEED = 7;
/** Batches of a quick run's epoch slices. */
const MLP_QUICK_BATCHES = 50;
const CNN_QUICK_BATCHES = 100;

/** Quick runs: one warm-up, then timed runs for about a second (at least one, at most five). */
const QUICK_PLAN: RepetitionPlan = { warmup: 1, minRuns: 1, minMilliseconds: 1000, maxRuns: 5 };

function plan(quick: boolean, full: RepetitionPlan): RepetitionPlan {
  return quick ? QUICK_PLAN : full;
}

/** A measurement of `workload`, in its unit from WORKLOAD_UNITS. */
function measured(workload: Workload, implementation: Implementation, value: number, details: RecordDetails): BenchRecord {
  return { name: workload.name, impl: implementation.name, value, unit: WORKLOAD_UNITS[workload.name], details };
}

function matmulWorkload(size: number): Workload {
  return {
    name: `matmul ${size}` as WorkloadName,
    async run(implementation, context) {
      const runner = implementation.matmul(size);
      try {
        const { milliseconds, runs } = await measureMedianMilliseconds(() => runner.run(),
          plan(context.quick, { warmup: 2, minRuns: 5, minMilliseconds: 1000, maxRuns: 50 }));
        const gigaflops = (2 * size ** 3) / (milliseconds * 1e6);
        return measured(this, implementation, gigaflops, { runs });
      } finally {
        runner.dispose();
      }
    },
  };
}

const convWorkload: Workload = {
  name: 'conv2d fwd+bwd 64x28x28x8',
  async run(implementation, context) {
    const runner = implementation.conv2dForwardBackward(CONV_INPUT, CONV_FILTER);
    if (isUnsupported(runner)) return { name: this.name, impl: implementation.name, reason: runner.unsupported };
    try {
      const { milliseconds, runs } = await measureMedianMilliseconds(() => runner.run(),
        plan(context.quick, { warmup: 2, minRuns: 3, minMilliseconds: 3000, maxRuns: 20 }));
      return measured(this, implementation, milliseconds, { runs });
    } finally {
      runner.dispose();
    }
  },
};

async function withModel<T>(model: Classifier, use: (model: Classifier) => Promise<T>): Promise<T> {
  try {
    return await use(model);
  } finally {
    model.dispose();
  }
}

/** One training step on the first batch, timed as a median: the model from `make`, or a skipped row. */
async function trainStepRecord(
  workload: Workload, implementation: Implementation, context: WorkloadContext, batchSize: number,
  make: () => Classifier | Unsupported | undefined, repetitions: RepetitionPlan,
): Promise<BenchRecord | SkippedRow> {
  const data = await context.data();
  const images = data.trainImages.subarray(0, batchSize * PIXELS_PER_IMAGE);
  const labels = data.trainLabels.subarray(0, batchSize);
  const model = make();
  if (model === undefined) return { name: workload.name, impl: implementation.name, reason: 'no layers API in this implementation' };
  if (isUnsupported(model)) return { name: workload.name, impl: implementation.name, reason: model.unsupported };
  return withModel(model, async (trained) => {
    const { milliseconds, runs } = await measureMedianMilliseconds(async () => { await trained.trainStep(images, labels, batchSize); },
      plan(context.quick, repetitions));
    return measured(workload, implementation, milliseconds, { runs });
  });
}

const MLP_STEP_PLAN: RepetitionPlan = { warmup: 5, minRuns: 20, minMilliseconds: 2000, maxRuns: 200 };
const CNN_STEP_PLAN: RepetitionPlan = { warmup: 2, minRuns: 5, minMilliseconds: 3000, maxRuns: 40 };
const LAYERS_ONLY_REASON = 'Dendrite layers only: the row measures @dendrite/layers against the raw-ops row above';
const LAYERS_ONLY = {
  'tfjs-cpu': LAYERS_ONLY_REASON,
  'tfjs-wasm': LAYERS_ONLY_REASON,
  'pytorch-cpu': `${LAYERS_ONLY_REASON} (PyTorch's own rows already use torch.nn modules)`,
  'jax-js': `${LAYERS_ONLY_REASON} (jax-js has no layers API)`,
};
const JAX_NO_FIT_LOOP = 'jax-js has no training loop of its own (no layers/fit API); its jit-ed step is in the raw-ops rows';

const mlpStepWorkload: Workload = {
  name: 'mlp train step',
  run(implementation, context) {
    return trainStepRecord(this, implementation, context, MLP_BATCH, () => implementation.mlp(mlpParameters(WEIGHT_SEED), LEARNING_RATE), MLP_STEP_PLAN);
  },
};

const mlpLayersStepWorkload: Workload = {
  name: 'mlp train step (layers)',
  skip: LAYERS_ONLY,
  run(implementation, context) {
    return trainStepRecord(this, implementation, context, MLP_BATCH, () => implementation.layersMlp?.(mlpParameters(WEIGHT_SEED), LEARNING_RATE), MLP_STEP_PLAN);
  },
};

const cnnStepWorkload: Workload = {
  name: 'cnn train step',
  skip: {
    'tfjs-cpu': 'not run: about 5 s per batch of 64 on tfjs-backend-cpu (see cnn epoch)',
    'tfjs-wasm': 'cannot train it: tfjs-backend-wasm has no Conv2DBackpropFilter kernel',
  },
  run(implementation, context) {
    return trainStepRecord(this, implementation, context, CNN_BATCH, () => implementation.cnn(cnnParameters(WEIGHT_SEED), LEARNING_RATE), CNN_STEP_PLAN);
  },
};

const cnnLayersStepWorkload: Workload = {
  name: 'cnn train step (layers)',
  skip: LAYERS_ONLY,
  run(implementation, context) {
    return trainStepRecord(this, implementation, context, CNN_BATCH, () => implementation.layersCnn?.(cnnParameters(WEIGHT_SEED), LEARNING_RATE), CNN_STEP_PLAN);
  },
};

const INFERENCE_PLAN: RepetitionPlan = { warmup: 5, minRuns: 20, minMilliseconds: 2000, maxRuns: 1000 };
const CNN_INFERENCE_PLAN: RepetitionPlan = { warmup: 3, minRuns: 10, minMilliseconds: 2000, maxRuns: 200 };
const NO_INT8_IN_TFJS = 'no int8 inference path in TensorFlow.js; compare with its float32 row above';

/** Predictions of `model` for the first 256 test images, as images/s from the median time. */
async function inferenceRecord(
  workload: Workload, implementation: Implementation, context: WorkloadContext, model: Pick<Classifier, 'predict'>, repetitions: RepetitionPlan,
): Promise<BenchRecord> {
  const data = await context.data();
  const images = data.testImages.subarray(0, INFERENCE_BATCH * PIXELS_PER_IMAGE);
  const { milliseconds, runs } = await measureMedianMilliseconds(async () => { await model.predict(images, INFERENCE_BATCH); },
    plan(context.quick, repetitions));
  return measured(workload, implementation, INFERENCE_BATCH / (milliseconds / 1000), { runs });
}

/** An int8 inference row: the model `make` gives (after quantizeModel), or a skipped row without an int8 path. */
async function int8InferenceRecord(
  workload: Workload, implementation: Implementation, context: WorkloadContext,
  make: (() => Promise<Pick<Classifier, 'predict' | 'dispose'>>) | undefined, repetitions: RepetitionPlan,
): Promise<BenchRecord | SkippedRow> {
  if (!make) return { name: workload.name, impl: implementation.name, reason: 'no int8 path' };
  const model = await make();
  try {
    return await inferenceRecord(workload, implementation, context, model, repetitions);
  } finally {
    model.dispose();
  }
}

const mlpInferenceWorkload: Workload = {
  name: 'mlp inference 256',
  run(implementation, context) {
    return withModel(implementation.mlp(mlpParameters(WEIGHT_SEED), LEARNING_RATE), (model) =>
      inferenceRecord(this, implementation, context, model, INFERENCE_PLAN));
  },
};

const mlpInt8InferenceWorkload: Workload = {
  // Beside 'mlp inference 256': the same weights after @dendrite/layers' quantizeModel (int8 kernels).
  name: 'mlp inference 256 (int8)',
  skip: { 'tfjs-cpu': NO_INT8_IN_TFJS, 'tfjs-wasm': NO_INT8_IN_TFJS },
  run(implementation, context) {
    const make = implementation.int8Mlp?.bind(implementation);
    return int8InferenceRecord(this, implementation, context, make && (() => make(mlpParameters(WEIGHT_SEED))), INFERENCE_PLAN);
  },
};

const cnnInferenceWorkload: Workload = {
  name: 'cnn inference 256',
  skip: {
    'tfjs-cpu': 'not run (see the cnn epoch notes)',
    'tfjs-wasm': 'not run (see the cnn epoch notes)',
    'jax-js': 'not run: its CNN runs on one wasm thread at seconds per training step (see cnn train step)',
  },
  async run(implementation, context) {
    const model = implementation.cnn(cnnParameters(WEIGHT_SEED), LEARNING_RATE);
    if (isUnsupported(model)) return { name: this.name, impl: implementation.name, reason: model.unsupported };
    return withModel(model, (trained) => inferenceRecord(this, implementation, context, trained, CNN_INFERENCE_PLAN));
  },
};

const cnnInt8InferenceWorkload: Workload = {
  // Beside 'cnn inference 256': the same weights after quantizeModel (integer convolution and linear kernels).
  name: 'cnn inference 256 (int8)',
  skip: { 'tfjs-cpu': NO_INT8_IN_TFJS, 'tfjs-wasm': NO_INT8_IN_TFJS },
  run(implementation, context) {
    const make = implementation.int8Cnn?.bind(implementation);
    return int8InferenceRecord(this, implementation, context, make && (() => make(cnnParameters(WEIGHT_SEED))), CNN_INFERENCE_PLAN);
  },
};

/** One epoch (or, in quick runs, a slice of it scaled up), then test accuracy. */
async function epochRecord(
  workload: Workload,
  implementation: Implementation,
  context: WorkloadContext,
  model: Classifier,
  batchSize: number,
  quickBatches: number,
): Promise<BenchRecord> {
  const data = await context.data();
  const epoch = await trainEpoch(model, data, batchSize, { seed: SHUFFLE_SEED, batchLimit: context.quick ? quickBatches : undefined });
  const extrapolated = epoch.batchesRun < epoch.batchesPerEpoch;
  const seconds = epoch.seconds * (epoch.batchesPerEpoch / epoch.batchesRun);
  // Quick runs check accuracy on a fifth of the test set to stay quick.
  const accuracy = await testAccuracy(model, data, { batchSize: 1000, imageLimit: context.quick ? 2000 : undefined });
  context.log(`${workload.name}: ${epoch.batchesRun}/${epoch.batchesPerEpoch} batches in ${epoch.seconds.toFixed(2)} s, mean loss ${epoch.meanLoss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)}`);
  return measured(workload, implementation, seconds, {
    loss: epoch.meanLoss, testAccuracy: accuracy, extrapolated,
    batchesRun: epoch.batchesRun, batchesPerEpoch: epoch.batchesPerEpoch,
  });
}

const mlpEpochWorkload: Workload = {
  name: 'mlp epoch',
  async run(implementation, context) {
    return withModel(implementation.mlp(mlpParameters(WEIGHT_SEED), LEARNING_RATE), (model) =>
      epochRecord(this, implementation, context, model, MLP_BATCH, MLP_QUICK_BATCHES));
  },
};

/** One epoch through the library's own fit loop (`fit`, from Implementation.mlpFit/cnnFit), scaled up in quick runs. */
async function fitEpochRecord(
  workload: Workload, implementation: Implementation, context: WorkloadContext,
  fit: Implementation['mlpFit'], parameters: ParameterValues[], batchSize: number, quickBatches: number,
): Promise<BenchRecord | SkippedRow> {
  if (!fit) return { name: workload.name, impl: implementation.name, reason: 'no fit loop benchmarked' };
  const data = await context.data();
  const epoch = await fit(parameters, LEARNING_RATE, data, { batchSize, seed: SHUFFLE_SEED, batchLimit: context.quick ? quickBatches : undefined });
  const extrapolated = epoch.batchesRun < epoch.batchesPerEpoch;
  context.log(`${workload.name}: ${epoch.batchesRun}/${epoch.batchesPerEpoch} batches in ${epoch.seconds.toFixed(2)} s, mean loss ${epoch.meanLoss.toFixed(4)}, test accuracy ${epoch.testAccuracy.toFixed(4)}`);
  return measured(workload, implementation, epoch.seconds * (epoch.batchesPerEpoch / epoch.batchesRun), {
    loss: epoch.meanLoss, testAccuracy: epoch.testAccuracy, extrapolated, batchesRun: epoch.batchesRun, batchesPerEpoch: epoch.batchesPerEpoch,
  });
}

const mlpFitEpochWorkload: Workload = {
  // Each library's own fit loop: @dendrite/training's Trainer.fit on the @dendrite/layers MLP, TensorFlow.js
  // layers' model.fit, PyTorch's DataLoader loop (torch_bench.py).
  name: 'mlp epoch (fit loop)',
  skip: { 'jax-js': JAX_NO_FIT_LOOP },
  run(implementation, context) {
    return fitEpochRecord(this, implementation, context, implementation.mlpFit?.bind(implementation), mlpParameters(WEIGHT_SEED), MLP_BATCH, MLP_QUICK_BATCHES);
  },
};

const TFJS_CNN_SKIPS = {
  'tfjs-cpu': 'not run: one epoch would take over an hour on tfjs-backend-cpu (about 5 s per batch of 64, timed outside the bench)',
  'tfjs-wasm': 'cannot train it: tfjs-backend-wasm has no Conv2DBackpropFilter kernel',
};

const cnnEpochWorkload: Workload = {
  name: 'cnn epoch',
  skip: {
    ...TFJS_CNN_SKIPS,
    'jax-js': 'not run: one training step of this CNN takes seconds on jax-js\' single wasm thread (see cnn train step), so an epoch of 938 steps would take most of an hour',
  },
  async run(implementation, context) {
    const model = implementation.cnn(cnnParameters(WEIGHT_SEED), LEARNING_RATE);
    if (isUnsupported(model)) return { name: this.name, impl: implementation.name, reason: model.unsupported };
    return withModel(model, (trained) => epochRecord(this, implementation, context, trained, CNN_BATCH, CNN_QUICK_BATCHES));
  },
};

const cnnFitEpochWorkload: Workload = {
  // Trainer.fit on the @dendrite/layers CNN; PyTorch's DataLoader loop. tfjs cannot (wasm) or would take hours (cpu).
  name: 'cnn epoch (fit loop)',
  skip: { ...TFJS_CNN_SKIPS, 'jax-js': JAX_NO_FIT_LOOP },
  run(implementation, context) {
    return fitEpochRecord(this, implementation, context, implementation.cnnFit?.bind(implementation), cnnParameters(WEIGHT_SEED), CNN_BATCH, CNN_QUICK_BATCHES);
  },
};

/** Every workload, in table order. */
export const WORKLOADS: readonly Workload[] = [
  matmulWorkload(256),
  matmulWorkload(512),
  matmulWorkload(1024),
  convWorkload,
  mlpStepWorkload,
  mlpLayersStepWorkload,
  mlpEpochWorkload,
  mlpFitEpochWorkload,
  mlpInferenceWorkload,
  mlpInt8InferenceWorkload,
  cnnStepWorkload,
  cnnLayersStepWorkload,
  cnnEpochWorkload,
  cnnFitEpochWorkload,
  cnnInferenceWorkload,
  cnnInt8InferenceWorkload,
];
