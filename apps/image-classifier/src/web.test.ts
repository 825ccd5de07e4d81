// The page in headless Chromium (Debian's, driven by playwright-core): it loads a saved model, classifies
// known Fashion-MNIST test images dropped in as PNG files, trains an MLP in its Web Worker with a live
// loss chart, and leaves a screenshot in artifacts/.
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { softmax, tensor, tidy } from '@dendrite/core';
import { sourceEntries } from '../../../vitest.sources.js';
import { loadImageData } from './data.js';
import { loadClassifier } from './saved-model.js';
import { startServer } from './server.js';
import { trainClassifier } from './train.js';
import { bundleWeb } from './web-bundle.js';

const CHROMIUM = '/usr/bin/chromium';
const artifacts = resolve(dirname(fileURLToPath(import.meta.url)), '../artifacts');

describe.runIf(existsSync(CHROMIUM))('the web page in headless Chromium', () => {
  it('classifies known test images, trains in a worker and shows the backend', async () => {
    const dataset = await loadImageData();
    const modelDirectory = mkdtempSync(join(tmpdir(), 'classifier-web-'));
    await trainClassifier({ dataset, model: 'mlp', epochs: 2, trainLimit: 10_000, out: modelDirectory, progress: false });
    const classifier = await loadClassifier(modelDirectory);

    // Test images the model gets right with confidence in Node, one per class where possible.
    const { test } = dataset;
    const pixels = test.height * test.width;
    const probabilities = tidy(() => softmax(classifier.model.predict(tensor(test.images.subarray(0, 200 * pixels), [200, test.height, test.width, 1])), 1));
    const values = await probabilities.data() as Float32Array;
    probabilities.dispose();
    const chosen = new Map<number, number>();
    for (let index = 0; index < 200 && chosen.size < 5; index++) {
      const label = test.labels[index];
      if (!chosen.has(label) && values[index * 10 + label] > 0.9) chosen.set(label, index);
    }
    expect(chosen.size).toBe(5);

    const webDirectory = await bundleWeb({ outputDirectory: mkdtempSync(join(tmpdir(), 'classifier-web-dist-')), sources: sourceEntries });
    const { server, url } = await startServer({ classifier, dataset, webDirectory }, 0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      const backend = await page.textContent('#backend');
      // SwiftShader is a software rasterizer, so useBestBackend keeps the CPU backend and says why.
      expect(backend).toMatch(/^backend: (gpu|cpu) \(/);
      if (!backend!.startsWith('backend: gpu')) expect(backend).toMatch(/CPU fallback: /);

      let classified = 0;
      for (const [label, index] of chosen) {
        const gray = Uint8Array.from(test.images.subarray(index * pixels, (index + 1) * pixels), (value) => Math.round(value * 255));
        const png = encode({ width: test.width, height: test.height, data: gray, channels: 1 });
        await page.setInputFiles('#file-input', { name: `test-${index}.png`, mimeType: 'image/png', buffer: Buffer.from(png) });
        classified++;
        await page.waitForSelector(`#prediction[data-count="${classified}"]`, { timeout: 30_000 });
        expect(await page.getAttribute('#prediction', 'data-label'), `test image ${index}`).toBe(dataset.classNames[label]);
      }
      expect(await page.locator('#probabilities svg').count()).toBe(1);

      expect(pageErrors, pageErrors.join('\n')).toEqual([]);
      await page.fill('#train-count', '2000');
      await page.fill('#train-epochs', '1');
      await page.click('#train');
      // Done, or failed (the page says why): either ends the wait.
      await page.waitForFunction(() => document.body.dataset.trained === 'true' || /failed/.test(document.getElementById('train-status')!.textContent!),
        undefined, { timeout: 180_000 });
      expect(await page.textContent('#train-status')).toMatch(/trained in [\d.]+ s/);
      expect(await page.locator('#loss-chart svg').count()).toBe(1);
      expect(await page.textContent('#model-status')).toMatch(/MLP trained in this browser/);
      expect(pageErrors).toEqual([]);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'classifier-page.png'), fullPage: true });
    } finally {
      await browser.close();
      server.close();
    }
  });
});
