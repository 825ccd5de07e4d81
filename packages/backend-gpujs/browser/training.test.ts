import { setBackend } from '@dendrite/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFashionMnist, loadFashionMnist } from '../src/test-support/fashion-mnist.js';
import { trainAndEvaluate, type ImageSplit, type TrainingReport } from '../src/test-support/mlp-training.js';
import { chromiumAvailable, openPage, type OpenPage, type Routes } from './harness.js';
import type { TrainingRequest } from './training-page.js';

const dataFolder = findFashionMnist('train');
if (dataFolder === null) console.warn('Skipping the Fashion-MNIST training in Chromium: set DENDRITE_DATA to a folder holding fashion-mnist/.');
const available = chromiumAvailable('the Fashion-MNIST training in Chromium') && dataFolder !== null;

/** Sized for SwiftShader (a CPU rasterizer) on two cores: a few seconds of training. */
const REQUEST: TrainingRequest = { sizes: [784, 128, 64, 10], epochs: 3, batchSize: 100, seed: 7, learningRate: 3e-3 };
const TRAIN_COUNT = 2000;
const TEST_COUNT = 1000;

function routesFor(train: ImageSplit, test: ImageSplit): Routes {
  const bytes = (array: Float32Array | Int32Array): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return {
    '/data/train-images': bytes(train.images),
    '/data/train-labels': bytes(train.labels),
    '/data/test-images': bytes(test.images),
    '/data/test-labels': bytes(test.labels),
  };
}

// The same MLP, seed and training code on the gpu backend in Chromium (WebGL2 through SwiftShader)
// and on core's CPU backend in Node: the browser must reach the CPU's test accuracy.
describe.skipIf(!available)('training an MLP on Fashion-MNIST in headless Chromium (WebGL2) matches the CPU', () => {
  let opened: OpenPage;
  // The page's report is plain JSON; its shape is what training-page.ts returns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: Record<string, any>;
  let cpu: TrainingReport;

  beforeAll(async () => {
    const train = await loadFashionMnist(dataFolder!, 'train', TRAIN_COUNT);
    const test = await loadFashionMnist(dataFolder!, 't10k', TEST_COUNT);
    opened = await openPage(new URL('./training-page.ts', import.meta.url), routesFor(train, test));
    browser = await opened.page.evaluate(
      async (request) => (window as unknown as { trainOnGpu(request: TrainingRequest): Promise<Record<string, unknown>> }).trainOnGpu(request),
      REQUEST,
    );
    if (opened.pageErrors.length > 0) console.warn(`page errors: ${opened.pageErrors.join('; ')}`);
    await setBackend('cpu');
    cpu = await trainAndEvaluate(REQUEST.sizes, train, test, REQUEST);
    const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
    console.info(
      `MLP ${REQUEST.sizes.join('-')}, ${TRAIN_COUNT} images x ${REQUEST.epochs} epochs: ` +
      `Chromium ${browser.info.implementation} ${percent(browser.report.testAccuracy)} test accuracy in ${browser.report.trainSeconds.toFixed(1)} s ` +
      `(epochs ${browser.report.epochSeconds.map((seconds: number) => seconds.toFixed(1)).join(', ')} s) ` +
      `(epoch losses ${browser.report.epochLosses.map((loss: number) => loss.toFixed(4)).join(', ')}); ` +
      `Node CPU ${percent(cpu.testAccuracy)} in ${cpu.trainSeconds.toFixed(1)} s (${cpu.epochLosses.map((loss) => loss.toFixed(4)).join(', ')})`,
    );
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('trains on the gpu backend in WebGL2 mode with the subset the test served', () => {
    expect(browser.info).toMatchObject({ name: 'gpu', implementation: 'webgl2' });
    expect(browser.trainCount).toBe(TRAIN_COUNT);
    expect(browser.testCount).toBe(TEST_COUNT);
  });

  it('reaches the CPU backend\'s test accuracy within 2 points, above 70%', () => {
    expect(browser.report.testAccuracy).toBeGreaterThan(0.7);
    expect(Math.abs(browser.report.testAccuracy - cpu.testAccuracy)).toBeLessThanOrEqual(0.02);
  });

  it('follows the CPU\'s losses epoch by epoch (within 1e-2)', () => {
    for (let epoch = 0; epoch < REQUEST.epochs; epoch++) {
      expect(Math.abs(browser.report.epochLosses[epoch] - cpu.epochLosses[epoch])).toBeLessThan(1e-2);
    }
  });

  it('reads back one loss per epoch plus one prediction batch, and frees every tensor', () => {
    expect(browser.readbacks).toBe(REQUEST.epochs + 1);
    expect(browser.memoryAfter).toEqual(browser.memoryBefore);
  });
});
