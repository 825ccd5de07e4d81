import { DendriteError, memory, mul, softmaxCrossEntropy, sqrt, sum, tensor, tidy, variable, zeros, type Tensor } from '@dendrite/core';
import { Dataset } from '@dendrite/datasets';
import { Adam } from '@dendrite/optimizers';
import { describe, expect, it } from 'vitest';
import type { Callback } from './callbacks/callback.js';
import { Accuracy } from './metrics/accuracy.js';
import { createMlp, MomentumSGD, separableData } from './test-support/models.js';
import { Trainer } from './trainer.js';
import type { Batch } from './types.js';

const values = async (parameters: readonly Tensor[]) => Promise.all(parameters.map(async (p) => Float32Array.from(await p.data())));

describe('Trainer.fit', () => {
  it('learns a separable problem and logs loss and accuracy per epoch, for training and validation', async () => {
    const model = createMlp([2, 16, 2]);
    const data = separableData(512);
    const trainer = new Trainer(model, { optimizer: new Adam(model.parameters(), { learningRate: 0.05 }), loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
    const history = await trainer.fit(data, { epochs: 6, batchSize: 32, validationSplit: 0.25, seed: 7 });
    expect(history.epochs).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Object.keys(history.values).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.values.loss[5]).toBeLessThan(history.values.loss[0]);
    expect(history.values.val_accuracy[5]).toBeGreaterThan(0.93);
    const evaluated = await trainer.evaluate(data, { batchSize: 100 });
    expect(evaluated.accuracy).toBeGreaterThan(0.93);
    // The loss is the mean over examples, whatever the batching (the last batch of 100 has 12).
    const whole = await trainer.evaluate(data, { batchSize: 512 });
    expect(evaluated.loss).toBeCloseTo(whole.loss, 5);
    expect(evaluated.accuracy).toBe(whole.accuracy);
    const logits = await trainer.predict(data.inputs, { batchSize: 100 });
    expect(logits.shape).toEqual([512, 2]);
    logits.dispose();
    // Batches as { data, shape } (as @dendrite/datasets gives them) are made tensors and freed.
    const before = memory().tensors;
    const shapes: number[][] = [];
    for await (const output of trainer.predictBatches([{ data: data.features.subarray(0, 6), shape: [3, 2] }])) {
      shapes.push([...output.shape]);
      output.dispose();
    }
    expect(shapes).toEqual([[3, 2]]);
    expect(memory().tensors).toBe(before);
  });

  it('keeps memory flat across steps and epochs', async () => {
    const model = createMlp([2, 8, 2]);
    const data = separableData(256);
    const optimizer = new MomentumSGD(model.parameters(), 0.05);
    const trainer = new Trainer(model, { optimizer, loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
    const counts: number[] = [];
    const probe: Callback = { onBatchEnd: () => { counts.push(memory().tensors); } };
    const before = memory().tensors;
    await trainer.fit(data, { epochs: 3, batchSize: 16, logEvery: 4, callbacks: [probe] });
    // After the first interval the optimizer's velocities and the metric's sums exist; from then on nothing grows.
    expect(counts.length).toBe(12);
    expect(new Set(counts.slice(1)).size).toBe(1);
    // Nothing of the fit outlives it but the optimizer's state.
    optimizer.dispose();
    expect(memory().tensors).toBe(before);
  });

  it('reads the metrics once per logging interval and once at the epoch end, never per batch', async () => {
    const model = createMlp([2, 8, 2]);
    const accuracy = new Accuracy();
    let reads = 0;
    const compute = accuracy.compute.bind(accuracy);
    accuracy.compute = () => { reads++; return compute(); };
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters(), 0.05), loss: softmaxCrossEntropy, metrics: [accuracy] });
    const epochs: Array<Record<string, number>> = [];
    const batches: Array<Record<string, number>> = [];
    const record: Callback = { onBatchEnd: ({ logs }) => { batches.push({ ...logs }); }, onEpochEnd: ({ logs }) => { epochs.push({ ...logs }); } };
    // 8 batches, logged at steps 4 and 8 (the epoch's end): two reads, the second also the epoch's logs.
    await trainer.fit(separableData(128), { epochs: 1, batchSize: 16, logEvery: 4, callbacks: [record] });
    expect(reads).toBe(2);
    expect(epochs[0]).toEqual(batches[1]);
    // 8 batches, logged at steps 3 and 6, then at the epoch's end (step 8): three reads.
    reads = 0;
    await trainer.fit(separableData(128), { epochs: 1, batchSize: 16, logEvery: 3, callbacks: [record] });
    expect(reads).toBe(3);
    expect(epochs[1]).toEqual(batches[4]);
  });

  it('never updates a frozen parameter (requiresGrad = false)', async () => {
    const model = createMlp([2, 8, 2]);
    const [frozen] = model.parameters();
    frozen.requiresGrad = false;
    const before = await values(model.parameters());
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    await trainer.fit(separableData(64), { epochs: 1, batchSize: 16 });
    const after = await values(model.parameters());
    expect(after[0]).toEqual(before[0]);
    expect(after[2]).not.toEqual(before[2]);
  });

  it('refuses a second concurrent fit of the same model', async () => {
    const model = createMlp([2, 8, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const data = separableData(64);
    const first = trainer.fit(data, { epochs: 2, batchSize: 8 });
    await expect(trainer.fit(data, { epochs: 1 })).rejects.toThrow(/already being trained/);
    await first;
    await expect(trainer.fit(data, { epochs: 1 })).resolves.toBeDefined();
  });

  it('stops after the current step on SIGINT and removes its handler afterwards', async () => {
    const model = createMlp([2, 8, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const listenersBefore = process.listenerCount('SIGINT');
    let listenersDuring = 0;
    const interrupter: Callback = {
      onBatchEnd: ({ progress }) => {
        listenersDuring = process.listenerCount('SIGINT');
        if (progress.globalStep === 3) process.emit('SIGINT');
      },
    };
    const history = await trainer.fit(separableData(64), { epochs: 5, batchSize: 8, logEvery: 1, callbacks: [interrupter] });
    expect(listenersDuring).toBe(listenersBefore + 1);
    expect(process.listenerCount('SIGINT')).toBe(listenersBefore);
    expect(trainer.progress).toMatchObject({ epoch: 0, stepInEpoch: 3, globalStep: 3 });
    expect(history.stopReason).toBe('interrupted (SIGINT)');
    expect(history.epochs).toEqual([]);
  });

  it('trains from a @dendrite/datasets pipeline of { data, shape } batches and from an array of tensor batches', async () => {
    const { features, labels } = separableData(128);
    const pipeline = Dataset.fromTensorSlices({ x: { data: features, shape: [128, 2] }, y: labels })
      .shuffle({ seed: 1 })
      .batch(16)
      .map(({ x, y }) => ({ inputs: x, targets: { data: Int32Array.from(y.data), shape: y.shape } }));
    const model = createMlp([2, 8, 2]);
    const trainer = new Trainer(model, { optimizer: new Adam(model.parameters(), { learningRate: 0.05 }), loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
    const history = await trainer.fit(pipeline, { epochs: 4, validationData: pipeline });
    expect(history.values.val_accuracy[3]).toBeGreaterThan(0.9);
    const before = memory().tensors;
    const batches: Batch<Tensor, Tensor>[] = [{ inputs: tensor(features.subarray(0, 32), [16, 2]), targets: tensor(labels.subarray(0, 16), [16], 'int32') }];
    await trainer.fit(batches, { epochs: 2, stepsPerEpoch: 1 });
    expect(memory().tensors).toBe(before + 2); // the caller's two batch tensors, nothing else
  });

  it('takes stepsPerEpoch batches from an endless source each epoch', async () => {
    const { features, labels } = separableData(32);
    const endless = Dataset.fromArray([{ inputs: { data: features, shape: [32, 2] }, targets: { data: labels, shape: [32] } }]).repeat();
    const model = createMlp([2, 8, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const steps: number[] = [];
    await trainer.fit(endless, { epochs: 2, stepsPerEpoch: 3, logEvery: 1, callbacks: [{ onBatchEnd: ({ progress }) => { steps.push(progress.globalStep); } }] });
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(trainer.progress).toMatchObject({ epoch: 2, stepInEpoch: 0, globalStep: 6, stepsPerEpoch: 3 });
  });

  it('says when a one-shot generator runs dry in the second epoch', async () => {
    const model = createMlp([2, 8, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const { features, labels } = separableData(32);
    function* once() {
      yield { inputs: { data: features, shape: [32, 2] }, targets: { data: labels, shape: [32] } };
    }
    await expect(trainer.fit(once(), { epochs: 2 })).rejects.toThrow(/no batches in epoch 2.*generator/);
  });

  it('with gradientAccumulation 2 over batches of 8 takes the same step as one batch of 16', async () => {
    const data = separableData(16);
    const run = async (batchSize: number, accumulation: number) => {
      const model = createMlp([2, 4, 2]);
      const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters(), 0.5, 0), loss: softmaxCrossEntropy });
      await trainer.fit(data, { epochs: 1, batchSize, shuffle: false, gradientAccumulation: accumulation });
      return values(model.parameters());
    };
    const accumulated = await run(8, 2);
    const whole = await run(16, 1);
    accumulated.forEach((parameter, index) => parameter.forEach((value, element) => expect(value).toBeCloseTo(whole[index][element], 5)));
  });

  it('lets a subclass override trainStep (here: an extra L2 penalty)', async () => {
    class PenalisedTrainer extends Trainer {
      steps = 0;
      override async trainStep(batch: Batch<Tensor, Tensor>): Promise<Tensor> {
        this.steps++;
        return super.trainStep(batch);
      }
    }
    const model = createMlp([2, 4, 2]);
    const trainer = new PenalisedTrainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    await trainer.fit(separableData(40), { epochs: 2, batchSize: 10 });
    expect(trainer.steps).toBe(8);
  });

  it('rejects bad options with errors naming them', async () => {
    const model = createMlp([2, 4, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const data = separableData(8);
    await expect(trainer.fit(data, { epochs: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(trainer.fit(data, { epochs: 1, lr: 3 } as never)).rejects.toThrow(/unknown option\(s\) lr/);
    await expect(trainer.fit(data, { epochs: 1, validationSplit: 1.5 })).rejects.toThrow(DendriteError);
    await expect(trainer.fit({ inputs: data.inputs, targets: tensor([1, 0], [2], 'int32') }, { epochs: 1 })).rejects.toThrow(/8 examples, targets 2/);
    expect(() => new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy, metrics: [new Accuracy(), new Accuracy()] })).toThrow(/used twice/);
  });

  it('rejects a batch size of 0 in evaluate and predict (it looped forever) and missing data', async () => {
    const model = createMlp([2, 4, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const data = separableData(8);
    await expect(trainer.evaluate(data, { batchSize: 0 })).rejects.toThrow(/evaluate: batchSize must be a positive integer, got 0/);
    await expect(trainer.evaluate(data, { batchSize: 2.5 })).rejects.toThrow(/evaluate: batchSize must be a positive integer, got 2.5/);
    await expect(trainer.evaluate(data, { batch_size: 4 } as never)).rejects.toThrow(/evaluate: unknown option\(s\) batch_size/);
    await expect(trainer.predict(data.inputs, { batchSize: -1 })).rejects.toThrow(/predict: batchSize must be a positive integer, got -1/);
    await expect(trainer.fit(undefined as never, { epochs: 1 })).rejects.toThrow(/fit: data must be whole arrays \{ inputs, targets \} or an \(async\) iterable .* got undefined/);
    await expect(trainer.fit(data, { epochs: 1, validationData: null as never })).rejects.toThrow(/fit: validationData: data must be .* got null/);
    await expect(trainer.evaluate(null as never)).rejects.toThrow(/evaluate: data must be .* got null/);
    await expect(trainer.fit({ inputs: data.inputs, targets: [0, 1, 0, 1, 0, 1, 0, 1] as never }, { epochs: 1 })).rejects.toThrow(/fit: targets must be a Tensor or \{ data, shape \}, got a plain array/);
    await expect(trainer.evaluate({ targets: data.targets } as never)).rejects.toThrow(/evaluate: inputs must be a Tensor or \{ data, shape \}, got nothing/);
    await expect(trainer.fit(data, { epochs: 1, callbacks: {} as never })).rejects.toThrow(/fit: callbacks must be an array, got object/);
    expect(() => new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy, metrics: new Accuracy() as never })).toThrow(/Trainer: options.metrics must be an array of metrics, got object/);
  });

  it('gives subscribers plain events in order', async () => {
    const model = createMlp([2, 4, 2]);
    const trainer = new Trainer(model, { optimizer: new MomentumSGD(model.parameters()), loss: softmaxCrossEntropy });
    const types: string[] = [];
    const unsubscribe = trainer.subscribe((event) => types.push(event.type));
    await trainer.fit(separableData(16), { epochs: 1, batchSize: 8, logEvery: 1 });
    unsubscribe();
    await trainer.fit(separableData(16), { epochs: 1, batchSize: 8 });
    expect(types).toEqual(['trainBegin', 'epochBegin', 'batchEnd', 'batchEnd', 'epochEnd', 'trainEnd']);
  });
});

describe('TerminateOnNaN', async () => {
  const { TerminateOnNaN } = await import('./callbacks/terminate-on-nan.js');
  it('stops before applying a step whose gradient is infinite, naming the parameter and the step', async () => {
    const weight = variable(tensor([1, 2]), 'weight');
    const root = tidy(() => variable(zeros([1]), 'root'));
    // d sqrt(r)/dr at r = 0 is +∞ while the loss sqrt(0) = 0 is finite.
    const model = { apply: (x: Tensor) => sum(x), parameters: () => [weight, root], train: () => undefined };
    const trainer = new Trainer<Tensor, Tensor, Tensor>(model, {
      optimizer: new MomentumSGD([weight, root], 0.1, 0),
      loss: () => sum(sqrt(root)),
    });
    const messages: string[] = [];
    const guard = new TerminateOnNaN((message) => messages.push(message));
    const history = await trainer.fit({ inputs: tensor([[1], [2]]), targets: tensor([0, 0]) }, { epochs: 3, batchSize: 1, callbacks: [guard] });
    expect(messages).toEqual(['non-finite gradient of parameter "root" (#1) at epoch 1, step 1 (global step 1)']);
    expect(history.stopReason).toBe(messages[0]);
    expect(Array.from(await root.data())).toEqual([0]);
  });

  it('names a non-finite loss and the step where it appeared', async () => {
    const weight = variable(tensor([1]), 'weight');
    const model = { apply: (x: Tensor) => mul(x, weight), parameters: () => [weight], train: () => undefined };
    const trainer = new Trainer<Tensor, Tensor, Tensor>(model, { optimizer: new MomentumSGD([weight], 0.1, 0), loss: (output) => sum(output) });
    const guard = new TerminateOnNaN(() => undefined);
    // The third example is NaN: with batches of one, the third step's loss is NaN.
    const history = await trainer.fit({ inputs: tensor([[1], [2], [Number.NaN], [4]]), targets: tensor([0, 0, 0, 0]) }, { epochs: 2, batchSize: 1, shuffle: false, callbacks: [guard] });
    expect(guard.reason).toBe('non-finite loss at epoch 1, step 3 (global step 3)');
    expect(history.stopReason).toBe(guard.reason);
    expect(trainer.progress).toMatchObject({ epoch: 0, stepInEpoch: 3 });
    expect(Array.from(await weight.data())[0]).toBeCloseTo(1 - 0.1 * (1 + 2), 6);
  });
});
