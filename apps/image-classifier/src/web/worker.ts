// The training worker: fetches a slice of the training data from the server and trains the MLP recipe
// with @dendrite/training off the page's main thread, posting the loss as it goes and the model at the end.
import { getBackendInfo, ready, softmaxCrossEntropy } from '@dendrite/core';
import { modelToBytes } from '@dendrite/layers';
import { Adam } from '@dendrite/optimizers';
import { Accuracy, Trainer } from '@dendrite/training';
import { createMlp } from '../models.js';
import type { TrainRequest, WorkerMessage } from './protocol.js';

const post = (message: WorkerMessage, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

async function train(request: TrainRequest): Promise<void> {
  await ready();
  post({ type: 'status', text: `fetching ${request.count} training images…` });
  const [imagesResponse, labelsResponse] = await Promise.all([fetch(`/api/train-images?count=${request.count}`), fetch(`/api/train-labels?count=${request.count}`)]);
  if (!imagesResponse.ok || !labelsResponse.ok) throw new Error(`the server has no training data (${imagesResponse.status})`);
  const height = Number(imagesResponse.headers.get('x-image-height'));
  const width = Number(imagesResponse.headers.get('x-image-width'));
  const classNames = JSON.parse(decodeURIComponent(imagesResponse.headers.get('x-class-names') ?? '[]')) as string[];
  const bytes = new Uint8Array(await imagesResponse.arrayBuffer());
  const labels = Int32Array.from(new Uint8Array(await labelsResponse.arrayBuffer()));
  const images = Float32Array.from(bytes, (value) => value / 255);
  const model = createMlp({ height, width, classes: classNames.length }, 1);
  const trainer = new Trainer(model, { optimizer: new Adam(model.parameters(), { learningRate: 2e-3 }), loss: softmaxCrossEntropy, metrics: [new Accuracy()] });
  const info = getBackendInfo();
  post({ type: 'status', text: `training the MLP on ${labels.length} images in a Web Worker (${info.name}, ${info.implementation})…` });
  const unsubscribe = trainer.subscribe((event) => {
    if (event.type === 'batchEnd') post({ type: 'loss', step: event.progress.globalStep, epoch: event.progress.epoch + 1, loss: event.logs.loss });
    if (event.type === 'epochEnd') post({ type: 'epoch', epoch: event.progress.epoch, logs: event.logs });
  });
  const start = performance.now();
  await trainer.fit({ inputs: { data: images, shape: [labels.length, height, width, 1] }, targets: { data: labels, shape: [labels.length] } },
    { epochs: request.epochs, batchSize: 64, seed: 1, logEvery: 5 });
  unsubscribe();
  const modelBytes = await modelToBytes(model);
  model.dispose();
  post({ type: 'done', model: modelBytes, info: { classNames, height, width }, seconds: (performance.now() - start) / 1000 }, [modelBytes.buffer]);
}

self.onmessage = (event: MessageEvent<TrainRequest>) => {
  if (event.data?.type !== 'train') return;
  train(event.data).catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
