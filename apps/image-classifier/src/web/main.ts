// The classifier's page: draw or drop an image, see the predicted class and a probability chart,
// computed here on the GPU path (useBestBackend: WebGPU or WebGL2 via gpu.js, else the CPU backend,
// said on the page); train a model in a Web Worker with a live loss chart.
import { getBackendInfo, ready, softmax, tensor, tidy } from '@dendrite/core';
import { useBestBackend } from '@dendrite/backend-gpujs';
import { modelFromBytes, type Sequential } from '@dendrite/layers';
import { toModelInput, topClasses } from '../preprocess.js';
import { drawLoss, drawProbabilities } from './charts.js';
import type { WorkerMessage } from './protocol.js';

interface LoadedModel {
  model: Sequential;
  classNames: string[];
  height: number;
  width: number;
  source: string;
}

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = element<HTMLCanvasElement>('drawing');
const context = canvas.getContext('2d', { willReadFrequently: true })!;
let current: LoadedModel | undefined;

function clearCanvas(): void {
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
}

function setStatus(id: string, text: string): void {
  element(id).textContent = text;
}

/** Shows the 28×28 input the model sees, scaled up. */
function showInput(pixels: Float32Array, width: number, height: number): void {
  const preview = element<HTMLCanvasElement>('model-input');
  preview.width = width;
  preview.height = height;
  const image = new ImageData(width, height);
  pixels.forEach((value, index) => {
    const byte = Math.round(value * 255);
    image.data.set([byte, byte, byte, 255], index * 4);
  });
  preview.getContext('2d')!.putImageData(image, 0, 0);
}

/** Classifies what the drawing canvas holds. */
async function classifyCanvas(): Promise<void> {
  if (!current) return;
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  const { pixels, inverted } = toModelInput({ width, height, channels: 4, pixels: data }, current.width, current.height, 255);
  showInput(pixels, current.width, current.height);
  const probabilities = tidy(() => softmax(current!.model.predict(tensor(pixels, [1, current!.height, current!.width, 1])), 1));
  const values = Array.from(await probabilities.data());
  probabilities.dispose();
  const [best, ...rest] = topClasses(values, current.classNames, 3);
  const prediction = element('prediction');
  prediction.dataset.label = best.label;
  prediction.dataset.count = String(Number(prediction.dataset.count ?? 0) + 1);
  prediction.textContent = `${best.label} (${(best.probability * 100).toFixed(1)}%)`;
  setStatus('prediction-detail', `then ${rest.map(({ label, probability }) => `${label} ${(probability * 100).toFixed(1)}%`).join(', ')}` +
    `${inverted ? ' · light background: inverted to match the training data' : ''}`);
  await drawProbabilities(element('probabilities'), current.classNames, values);
}

/** Draws a dropped or chosen image file onto the canvas (fitted, centred), then classifies it. */
async function classifyFile(file: File): Promise<void> {
  const bitmap = await createImageBitmap(file);
  clearCanvas();
  const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
  const width = bitmap.width * scale;
  const height = bitmap.height * scale;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, (canvas.width - width) / 2, (canvas.height - height) / 2, width, height);
  if (width < canvas.width || height < canvas.height) {
    // Fill the margins with the image's corner colour so the border judges the picture, not the canvas.
    const corner = context.getImageData(Math.ceil((canvas.width - width) / 2), Math.ceil((canvas.height - height) / 2), 1, 1).data;
    context.fillStyle = `rgb(${corner[0]}, ${corner[1]}, ${corner[2]})`;
    const left = (canvas.width - width) / 2;
    const top = (canvas.height - height) / 2;
    context.fillRect(0, 0, canvas.width, top);
    context.fillRect(0, top + height, canvas.width, canvas.height - top - height);
    context.fillRect(0, 0, left, canvas.height);
    context.fillRect(left + width, 0, canvas.width - left - width, canvas.height);
  }
  await classifyCanvas();
}

function useModel(loaded: LoadedModel): void {
  current?.model.dispose();
  current = loaded;
  loaded.model.eval();
  setStatus('model-status', `model: ${loaded.source} · classes: ${loaded.classNames.join(', ')}`);
  document.body.dataset.ready = 'true';
}

async function loadServerModel(): Promise<void> {
  const response = await fetch('/api/model-info');
  if (!response.ok) {
    setStatus('model-status', 'no model on the server: train one below (or start the server with --model DIR)');
    return;
  }
  const info = await response.json() as { classNames: string[]; height: number; width: number; model: string; training?: { testAccuracy: number } };
  const bytes = new Uint8Array(await (await fetch('/api/model')).arrayBuffer());
  const accuracy = info.training ? `, ${(info.training.testAccuracy * 100).toFixed(2)}% test accuracy` : '';
  useModel({ model: modelFromBytes(bytes) as Sequential, classNames: info.classNames, height: info.height, width: info.width, source: `${info.model.toUpperCase()} from the server${accuracy}` });
}

function setUpDrawing(): void {
  clearCanvas();
  let drawing = false;
  const point = (event: PointerEvent) => {
    const bounds = canvas.getBoundingClientRect();
    return [(event.clientX - bounds.left) * (canvas.width / bounds.width), (event.clientY - bounds.top) * (canvas.height / bounds.height)];
  };
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    const [x, y] = point(event);
    context.beginPath();
    context.moveTo(x, y);
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    context.strokeStyle = '#fff';
    context.lineWidth = 22;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineTo(x, y);
    context.stroke();
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    void classifyCanvas();
  };
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointerleave', finish);
  element('clear').addEventListener('click', () => clearCanvas());
  const input = element<HTMLInputElement>('file-input');
  input.addEventListener('change', () => {
    if (input.files?.[0]) void classifyFile(input.files[0]).catch(showError);
  });
  const dropZone = element('drop-zone');
  dropZone.addEventListener('dragover', (event) => event.preventDefault());
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) void classifyFile(file).catch(showError);
  });
}

function setUpTraining(): void {
  const points: { step: number; loss: number; epoch: number }[] = [];
  let worker: Worker | undefined;
  element('train').addEventListener('click', () => {
    worker?.terminate();
    points.length = 0;
    worker = new Worker('worker.js');
    const count = Number(element<HTMLInputElement>('train-count').value);
    const epochs = Number(element<HTMLInputElement>('train-epochs').value);
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      if (message.type === 'status') setStatus('train-status', message.text);
      if (message.type === 'loss') {
        points.push({ step: message.step, loss: message.loss, epoch: message.epoch });
        void drawLoss(element('loss-chart'), points);
      }
      if (message.type === 'epoch') setStatus('train-status', `epoch ${message.epoch}: loss ${message.logs.loss.toFixed(4)}, accuracy ${(message.logs.accuracy * 100).toFixed(1)}%`);
      if (message.type === 'done') {
        setStatus('train-status', `trained in ${message.seconds.toFixed(1)} s; the page now uses this model`);
        useModel({ model: modelFromBytes(message.model) as Sequential, ...message.info, source: 'MLP trained in this browser' });
        document.body.dataset.trained = 'true';
        worker?.terminate();
      }
      if (message.type === 'error') setStatus('train-status', `training failed: ${message.message}`);
    };
    worker.postMessage({ type: 'train', count, epochs });
  });
}

function showError(error: unknown): void {
  setStatus('error', error instanceof Error ? error.message : String(error));
}

async function main(): Promise<void> {
  await ready();
  const info = await useBestBackend();
  const fallback = info.name === 'gpu' ? '' : ` · CPU fallback: ${(info.notes ?? []).join('; ') || 'no usable GPU'}`;
  setStatus('backend', `backend: ${info.name} (${info.implementation})${fallback}`);
  element('backend').dataset.backend = getBackendInfo().name;
  setUpDrawing();
  setUpTraining();
  await loadServerModel();
}

main().catch(showError);
