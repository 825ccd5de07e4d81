import { DendriteError, Tensor, concat, noGrad, setSeed, tidy, variableGrads } from '@dendrite/core';
import { callHook, type Callback, type TrainerHandle, type TrainingProgress } from './callbacks/callback.js';
import { History } from './callbacks/history.js';
import { modelTensors, restoreModel, restoreOptimizer, toHost, type TrainingState } from './checkpoint-state.js';
import {
  ArrayBatches, deriveSeed, examplesIn, isArrayData, isTensorData, seededPermutation, sourceBatches, tensorsIn,
  type BatchSource, type Loadable, type PreparedBatch, type TrainingData,
} from './data.js';
import { guardFit } from './fit-guard.js';
import { checkDataGiven, checkEvaluateOptions, checkFitOptions, type FitOptions } from './fit-options.js';
import { GradientAccumulator } from './gradient-accumulator.js';
import type { Metric } from './metrics/metric.js';
import { RunningLoss } from './running-loss.js';
import { TrainingEvents, type TrainingEventListener } from './training-events.js';
import type { Batch, Logs, TensorData, TrainableModel, TrainableOptimizer } from './types.js';

/** Options of the {@link Trainer} constructor. */
export interface TrainerOptions<O, T> {
  optimizer: TrainableOptimizer;
  /** The scalar loss of a batch's output against its targets. */
  loss: (output: O, target: T) => Tensor;
  metrics?: Metric<O, T>[];
}

/** Options of {@link Trainer.evaluate} and {@link Trainer.predict}. */
export interface EvaluateOptions {
  /** Batch size for whole-array data (default 32). */
  batchSize?: number;
}

/**
 * Trains a model with an optimizer and a loss, in the shape of Keras' `fit`/`evaluate`/`predict`.
 * Each step runs in `tidy` (memory stays flat), updates metrics on the device, and applies the
 * gradients of the trainable parameters (`requiresGrad`; frozen ones are skipped).
 *
 * @example
 * ```ts
 * const trainer = new Trainer(model, { optimizer: new Adam(model.parameters()), loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
 * const history = await trainer.fit({ inputs: images, targets: labels }, { epochs: 5, batchSize: 128, validationSplit: 0.1, seed: 1 });
 * const { loss, accuracy } = await trainer.evaluate({ inputs: testImages, targets: testLabels });
 * ```
 */
export class Trainer<I = Tensor, O = Tensor, T = Tensor> implements TrainerHandle {
  readonly model: TrainableModel<I, O>;
  readonly optimizer: TrainableOptimizer;
  /** The loss of the model's output against the batch's targets (a scalar tensor). */
  readonly loss: (output: O, target: T) => Tensor;
  readonly metrics: Metric<O, T>[];
  stopTraining = false;
  stopReason: string | undefined;
  private readonly events = new TrainingEvents();
  private progressState: TrainingProgress = { epoch: 0, epochs: 0, stepInEpoch: 0, globalStep: 0, stepsPerEpoch: undefined };
  private seed: number | undefined;
  private callbacks: Callback[] = [];
  private accumulator = new GradientAccumulator(1);

  constructor(model: TrainableModel<I, O>, options: TrainerOptions<O, T>) {
    if (!model || typeof model.apply !== 'function' || typeof model.parameters !== 'function') {
      throw new DendriteError('Trainer: the model needs apply(input) and parameters()');
    }
    if (!options?.optimizer || typeof options.optimizer.step !== 'function') throw new DendriteError('Trainer: options.optimizer with step(gradients) is required');
    if (typeof options.loss !== 'function') throw new DendriteError('Trainer: options.loss (output, target) => Tensor is required');
    this.model = model;
    this.optimizer = options.optimizer;
    this.loss = options.loss;
    if (options.metrics !== undefined && !Array.isArray(options.metrics)) throw new DendriteError(`Trainer: options.metrics must be an array of metrics, got ${options.metrics === null ? 'null' : typeof options.metrics}`);
    this.metrics = options.metrics ?? [];
    const names = this.metrics.map((metric) => metric.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index || name === 'loss');
    if (repeated !== undefined) throw new DendriteError(`Trainer: metric name "${repeated}" is used twice (or clashes with "loss"); give one a name`);
  }

  /** Where training stands (epoch, step). */
  get progress(): TrainingProgress {
    return { ...this.progressState };
  }

  /**
   * Subscribe to training events (plain objects a UI can forward): trainBegin, epochBegin, batchEnd,
   * epochEnd, trainEnd. Returns the unsubscribe function.
   *
   * @example
   * ```ts
   * const unsubscribe = trainer.subscribe((event) => { if (event.type === 'epochEnd') chart.add(event.logs); });
   * ```
   */
  subscribe(listener: TrainingEventListener): () => void {
    return this.events.subscribe(listener);
  }

  /**
   * Train for `options.epochs` epochs; resolves with the {@link History} of losses and metrics.
   *
   * @example
   * ```ts
   * await trainer.fit(Dataset.fromArray(batches), { epochs: 3, callbacks: [new EarlyStopping({ patience: 2 })], validationData: testBatches });
   * ```
   */
  async fit(data: TrainingData<I, T>, options: FitOptions<I, T>): Promise<History> {
    checkFitOptions(options as FitOptions<unknown, unknown>);
    checkDataGiven(data, 'fit');
    if (options.validationData !== undefined) checkDataGiven(options.validationData, 'fit: validationData');
    let interrupted = false;
    const guard = guardFit(this.model, {
      handleInterrupt: options.handleInterrupt ?? true,
      onInterrupt: () => {
        interrupted = true;
        this.stopTraining = true;
        this.stopReason = 'interrupted (SIGINT)';
      },
    });
    const owned: ArrayBatches[] = [];
    this.accumulator = new GradientAccumulator(options.gradientAccumulation ?? 1);
    try {
      let trainData: TrainingData<I, T> | ArrayBatches = data;
      let validationData = options.validationData as TrainingData<I, T> | ArrayBatches | undefined;
      if (isArrayData(data)) {
        const arrays = new ArrayBatches(data, 'fit');
        owned.push(arrays);
        trainData = arrays;
        if (options.validationSplit !== undefined) {
          const { train, validation } = ArrayBatches.split(arrays, options.validationSplit);
          owned.push(train, validation);
          trainData = train;
          validationData = validation;
        }
      } else if (options.validationSplit !== undefined) {
        throw new DendriteError('fit: validationSplit needs whole-array data { inputs, targets }; give a batch source validationData instead');
      }
      return await this.runFit(trainData, validationData, options, () => interrupted);
    } finally {
      guard.release();
      // Metrics and the accumulator hold running sums on the device: none outlive a fit.
      this.resetMetrics();
      this.accumulator.dispose();
      this.accumulator = new GradientAccumulator(1);
      for (const arrays of owned) arrays.dispose();
    }
  }

  private async runFit(
    data: TrainingData<I, T> | ArrayBatches,
    validationData: TrainingData<I, T> | ArrayBatches | undefined,
    options: FitOptions<I, T>,
    interrupted: () => boolean,
  ): Promise<History> {
    const batchSize = options.batchSize ?? 32;
    const history = new History();
    this.seed = options.seed;
    this.stopTraining = false;
    this.stopReason = undefined;
    this.callbacks = [history, ...(options.callbacks ?? []), this.events];
    const arrays = data instanceof ArrayBatches ? data : null;
    const batchesPerEpoch = arrays ? arrays.batchCount(batchSize) : undefined;
    const stepsPerEpoch = options.stepsPerEpoch !== undefined && batchesPerEpoch !== undefined
      ? Math.min(options.stepsPerEpoch, batchesPerEpoch) : (options.stepsPerEpoch ?? batchesPerEpoch);
    this.progressState = { epoch: 0, epochs: options.epochs, stepInEpoch: 0, globalStep: 0, stepsPerEpoch };
    if (options.resumeFrom) this.restore(options.resumeFrom);
    await callHook(this.callbacks, 'onTrainBegin', this.hookEvent());
    while (this.progressState.epoch < options.epochs && !this.stopTraining) {
      const epochStart = performance.now();
      const order = arrays && (options.shuffle ?? true) ? await seededPermutation(arrays.count, deriveSeed(options.seed ?? 0, this.progressState.epoch)) : null;
      const batches: Iterable<PreparedBatch<I, T>> | AsyncIterable<PreparedBatch<I, T>> = arrays
        ? (arrays.batches(batchSize, order, this.progressState.stepInEpoch) as Iterable<PreparedBatch<unknown, unknown>> as Iterable<PreparedBatch<I, T>>)
        : sourceBatches(data as BatchSource<I, T>, this.progressState.stepInEpoch);
      const logs = await this.runEpoch(batches, options.logEvery ?? 10, epochStart);
      // A stop inside an epoch (Ctrl-C, a NaN) leaves the progress mid-epoch, so a checkpoint taken now resumes there.
      if (logs === null) break;
      if (validationData !== undefined) {
        const validation = await this.evaluateData(validationData, { batchSize });
        for (const [key, value] of Object.entries(validation)) logs[`val_${key}`] = value;
      }
      this.progressState.epoch++;
      this.progressState.stepInEpoch = 0;
      await callHook(this.callbacks, 'onEpochEnd', {
        ...this.hookEvent(), progress: { ...this.progress, epoch: this.progressState.epoch - 1 }, logs, epochSeconds: (performance.now() - epochStart) / 1000,
      });
    }
    await callHook(this.callbacks, 'onTrainEnd', { ...this.hookEvent(), interrupted: interrupted() });
    return history;
  }

  /** One epoch's batches (from the step it resumes at); its logs, or null when training stopped inside it. */
  private async runEpoch(batches: Iterable<PreparedBatch<I, T>> | AsyncIterable<PreparedBatch<I, T>>, logEvery: number, epochStart: number): Promise<Logs | null> {
    this.model.train(true);
    this.resetMetrics();
    await callHook(this.callbacks, 'onEpochBegin', this.hookEvent());
    const runningLoss = new RunningLoss();
    const stepsPerEpoch = this.progressState.stepsPerEpoch;
    let stepsRun = 0;
    let examples = 0;
    let loggedAt = -1;
    // The logs read at step loggedAt (a copy callbacks cannot change): the epoch's logs when it ends there.
    let lastLogs: Logs = {};
    let completed = true;
    const logBatchEnd = async () => {
      loggedAt = stepsRun;
      const logs = await this.readLogs(runningLoss);
      lastLogs = { ...logs };
      await callHook(this.callbacks, 'onBatchEnd', {
        ...this.hookEvent(), logs, examplesInEpoch: examples, epochSeconds: (performance.now() - epochStart) / 1000,
      });
    };
    try {
      for await (const { batch, owned } of batches) {
        try {
          if (this.seed !== undefined) {
            // Random draws of this step follow from (seed, step) alone: that is what makes resuming exact.
            const stepSeed = deriveSeed(this.seed, 0x5eed, this.progressState.globalStep);
            setSeed(stepSeed);
            this.model.reseed?.(stepSeed);
          }
          const loss = await this.trainStep(batch);
          const count = examplesIn(batch.inputs);
          runningLoss.add(loss, count);
          loss.dispose();
          examples += count ?? 0;
        } finally {
          for (const tensor of owned) tensor.dispose();
        }
        stepsRun++;
        this.progressState.stepInEpoch++;
        this.progressState.globalStep++;
        const epochDone = stepsPerEpoch !== undefined && this.progressState.stepInEpoch >= stepsPerEpoch;
        if (this.progressState.stepInEpoch % logEvery === 0 || epochDone) await logBatchEnd();
        if (epochDone) break;
        // Stop only between optimizer steps, so no accumulated gradient is lost.
        if (this.stopTraining && this.accumulator.pending === 0) {
          completed = false;
          break;
        }
      }
      if (stepsRun === 0 && !this.stopTraining) {
        throw new DendriteError(`fit: the data yielded no batches in epoch ${this.progressState.epoch + 1} (a generator can be walked only once; pass an array of batches or a @dendrite/datasets Dataset)`);
      }
      if (!completed) return null;
      await this.stepWithAccumulated(null);
      // Read once per logging interval: the last step's logs serve as the epoch's (the loss and metrics
      // do not change after it).
      if (loggedAt !== stepsRun) await logBatchEnd();
      return lastLogs;
    } finally {
      runningLoss.dispose();
    }
  }

  /**
   * One training step: forward, loss, metrics, gradients of the trainable parameters, optimizer step.
   * Returns the batch's loss (a scalar the trainer frees). Override it for custom losses (sampled
   * negatives, GANs); call {@link applyGradients} to step.
   *
   * @example
   * ```ts
   * class NegativeSamplingTrainer extends Trainer<Pairs, Tensor, Tensor> {
   *   override async trainStep(batch: Batch<Pairs, Tensor>): Promise<Tensor> {
   *     const { value, grads } = variableGrads(() => sampledLoss(this.model, batch), this.trainableParameters());
   *     await this.applyGradients(grads, value);
   *     return value;
   *   }
   * }
   * ```
   */
  async trainStep(batch: Batch<I, T>): Promise<Tensor> {
    const parameters = this.trainableParameters();
    const { value, grads } = variableGrads(() => {
      const output = this.model.apply(batch.inputs);
      this.updateMetrics(output, batch.targets);
      return this.loss(output, batch.targets);
    }, parameters);
    await this.applyGradients(grads, value);
    return value;
  }

  /** One evaluation step: forward without gradients, metrics updated; returns the batch's loss. */
  testStep(batch: Batch<I, T>): Tensor {
    return noGrad(() => tidy(() => {
      const output = this.model.apply(batch.inputs);
      this.updateMetrics(output, batch.targets);
      return this.loss(output, batch.targets);
    }));
  }

  /** The parameters the optimizer updates: the model's that require grad (and belong to the optimizer, when it lists them). */
  trainableParameters(): Tensor[] {
    const parameters = this.model.parameters().filter((parameter) => parameter.requiresGrad);
    const owned = this.optimizer.parameters ? new Set(this.optimizer.parameters) : null;
    const trainable = owned ? parameters.filter((parameter) => owned.has(parameter)) : parameters;
    if (trainable.length === 0) throw new DendriteError('Trainer: the model has no trainable parameters (requiresGrad) that the optimizer updates');
    return trainable;
  }

  /**
   * Apply gradients (one per {@link trainableParameters} entry; freed here): accumulated when
   * `gradientAccumulation` > 1, shown to `onGradients` callbacks (which may skip the step), then given
   * to the optimizer.
   */
  async applyGradients(gradients: Tensor[], loss: Tensor): Promise<void> {
    const parameters = this.trainableParameters();
    if (gradients.length !== parameters.length) throw new DendriteError(`applyGradients: got ${gradients.length} gradients for ${parameters.length} trainable parameters`);
    if (this.accumulator.count === 1) {
      await this.stepOptimizer(gradients, parameters, loss);
      return;
    }
    const means = this.accumulator.add(gradients);
    if (means) await this.stepOptimizer(means, parameters, loss);
  }

  /**
   * The current progress and a host copy of the weights and optimizer state (for checkpoints).
   *
   * @example
   * ```ts
   * const state = await trainer.captureState(); // state.progress: { epoch: 3, stepInEpoch: 0, globalStep: 1407, seed: 1 }
   * ```
   */
  async captureState(): Promise<TrainingState> {
    const optimizerState = this.optimizer.stateDict?.();
    let optimizerTensors;
    try {
      optimizerTensors = optimizerState ? await toHost(optimizerState.tensors) : undefined;
    } finally {
      // stateDict() hands out copies (the model's stateDict, by contrast, gives its own tensors).
      for (const tensor of Object.values(optimizerState?.tensors ?? {})) tensor.dispose();
    }
    return {
      model: await toHost(modelTensors(this.model as TrainableModel<never, unknown>)),
      optimizer: optimizerState && optimizerTensors ? { config: structuredClone(optimizerState.config), tensors: optimizerTensors } : undefined,
      progress: { epoch: this.progressState.epoch, stepInEpoch: this.progressState.stepInEpoch, globalStep: this.progressState.globalStep, seed: this.seed },
    };
  }

  /**
   * Load a captured state's weights, optimizer state and progress (`fit`'s `resumeFrom` does this).
   *
   * @example
   * ```ts
   * trainer.restore(await loadCheckpoint('runs/mlp/best.safetensors'));
   * await trainer.evaluate(testData);
   * ```
   */
  restore(state: TrainingState): void {
    restoreModel(this.model as TrainableModel<never, unknown>, state.model);
    restoreOptimizer(this.optimizer, state.optimizer);
    this.progressState.epoch = state.progress.epoch;
    this.progressState.stepInEpoch = state.progress.stepInEpoch;
    this.progressState.globalStep = state.progress.globalStep;
  }

  /**
   * Loss and metrics over `data` in evaluation mode (`model.train(false)`).
   *
   * @example
   * ```ts
   * const { loss, accuracy } = await trainer.evaluate({ inputs: testImages, targets: testLabels }, { batchSize: 256 });
   * ```
   */
  async evaluate(data: TrainingData<I, T>, options: EvaluateOptions = {}): Promise<Logs> {
    checkDataGiven(data, 'evaluate');
    checkEvaluateOptions(options, 'evaluate');
    return this.evaluateData(data, options);
  }

  /** `evaluate`, also over the trainer's own prepared arrays (fit's validation split). */
  private async evaluateData(data: TrainingData<I, T> | ArrayBatches, options: EvaluateOptions): Promise<Logs> {
    const batchSize = options.batchSize ?? 32;
    const arrays = data instanceof ArrayBatches ? data : isArrayData(data) ? new ArrayBatches(data, 'evaluate') : null;
    this.model.train(false);
    this.resetMetrics();
    const runningLoss = new RunningLoss();
    let steps = 0;
    try {
      const batches = arrays ? (arrays.batches(batchSize, null) as Iterable<PreparedBatch<unknown, unknown>> as Iterable<PreparedBatch<I, T>>) : sourceBatches(data as BatchSource<I, T>);
      for await (const { batch, owned } of batches) {
        try {
          const loss = this.testStep(batch);
          runningLoss.add(loss, examplesIn(batch.inputs));
          loss.dispose();
        } finally {
          for (const tensor of owned) tensor.dispose();
        }
        steps++;
      }
      if (steps === 0) throw new DendriteError('evaluate: the data yielded no batches');
      return await this.readLogs(runningLoss);
    } finally {
      runningLoss.dispose();
      this.resetMetrics();
      if (arrays && arrays !== data) arrays.dispose();
    }
  }

  /**
   * The model's outputs for `inputs`, batch by batch, in evaluation mode and without gradients.
   *
   * @example
   * ```ts
   * for await (const logits of trainer.predictBatches(testImages, { batchSize: 256 })) { …; logits.dispose(); }
   * ```
   */
  async *predictBatches(inputs: Tensor | TensorData | Iterable<Loadable<I>> | AsyncIterable<Loadable<I>>, options: EvaluateOptions = {}): AsyncGenerator<O> {
    checkDataGiven(inputs, 'predict');
    checkEvaluateOptions(options, 'predict');
    this.model.train(false);
    if (inputs instanceof Tensor || isTensorData(inputs)) {
      const arrays = new ArrayBatches({ inputs, targets: inputs }, 'predict');
      try {
        for (const { batch, owned } of arrays.batches(options.batchSize ?? 32, null)) {
          try {
            yield noGrad(() => tidy(() => this.model.apply(batch.inputs as I)));
          } finally {
            for (const tensor of owned) tensor.dispose();
          }
        }
      } finally {
        arrays.dispose();
      }
      return;
    }
    for await (const input of inputs as AsyncIterable<Loadable<I>>) {
      const made: Tensor[] = [];
      try {
        const converted = tensorsIn(input, made) as I;
        yield noGrad(() => tidy(() => this.model.apply(converted)));
      } finally {
        for (const tensor of made) tensor.dispose();
      }
    }
  }

  /**
   * All outputs for whole-array inputs, concatenated along the first axis (the model must return a tensor).
   *
   * @example
   * ```ts
   * const logits = await trainer.predict(testImages, { batchSize: 256 }); // [10000, 10]
   * ```
   */
  async predict(inputs: Tensor | TensorData, options: EvaluateOptions = {}): Promise<Tensor> {
    const outputs: Tensor[] = [];
    for await (const output of this.predictBatches(inputs, options)) {
      if (!(output instanceof Tensor)) throw new DendriteError('predict: the model returned something other than a tensor; use predictBatches');
      outputs.push(output);
    }
    const result = outputs.length === 1 ? outputs[0] : tidy(() => concat(outputs, 0));
    if (outputs.length > 1) for (const output of outputs) output.dispose();
    return result;
  }

  /** Update every metric with a batch's output (no gradients recorded). */
  protected updateMetrics(output: O, target: T): void {
    if (this.metrics.length === 0) return;
    noGrad(() => {
      for (const metric of this.metrics) metric.update(output, target);
    });
  }

  private resetMetrics(): void {
    for (const metric of this.metrics) metric.reset();
  }

  private async readMetrics(): Promise<Logs> {
    const values = await Promise.all(this.metrics.map((metric) => metric.compute()));
    return Object.fromEntries(this.metrics.map((metric, index) => [metric.name, values[index]]));
  }

  /** Step with the partial group of accumulated gradients left at an epoch's end, if any. */
  private async stepWithAccumulated(loss: Tensor | null): Promise<void> {
    const means = this.accumulator.flush();
    if (means) await this.stepOptimizer(means, this.trainableParameters(), loss);
  }

  private hookEvent(): { trainer: TrainerHandle; progress: TrainingProgress } {
    return { trainer: this, progress: this.progress };
  }

  private async readLogs(runningLoss: RunningLoss): Promise<Logs> {
    const [loss, metrics] = await Promise.all([runningLoss.read(), this.readMetrics()]);
    return { loss, ...metrics };
  }

  private async stepOptimizer(gradients: Tensor[], parameters: Tensor[], loss: Tensor | null): Promise<void> {
    try {
      let skipped = false;
      if (this.callbacks.some((callback) => callback.onGradients)) {
        await callHook(this.callbacks, 'onGradients', {
          trainer: this, progress: this.progress, loss, gradients, parameters, skipStep: () => { skipped = true; },
        });
      }
      if (skipped) return;
      const byParameter = new Map(parameters.map((parameter, index) => [parameter, gradients[index]]));
      const aligned = this.optimizer.parameters ? this.optimizer.parameters.map((parameter) => byParameter.get(parameter) ?? null) : gradients;
      tidy(() => this.optimizer.step(aligned));
    } finally {
      for (const gradient of gradients) gradient.dispose();
    }
  }
}
