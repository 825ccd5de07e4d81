import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`Skipping the WebGL2 checks in Chromium: ${CHROMIUM} is absent (apt-get install -y chromium).`);

/** Bundle the page, serve it on 127.0.0.1, run every check in headless Chromium (SwiftShader WebGL2). */
describe.skipIf(!available)('gpu backend in headless Chromium (WebGL2 through SwiftShader)', () => {
  let server: Server;
  let browser: Browser;
  // The page's report is plain JSON; its shape is what page.ts returns from runAll().
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let results: Record<string, any>;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
      bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022', logLevel: 'silent',
    });
    const script = bundle.outputFiles[0].text;
    server = createServer((request, response) => {
      if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><script src="/page.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking',
        // SwiftShader also gives headless Chromium a WebGPU adapter, so the webgpu mode is exercised too.
        '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'],
    });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    results = await page.evaluate(async () => (window as unknown as { runAll(): Promise<Record<string, unknown>> }).runAll());
    if (pageErrors.length > 0) console.warn(`page errors: ${pageErrors.join('; ')}`);
    const summary = ['webgl2', 'webgl', 'webgpu'].map((mode) => `${mode}: ${results[mode] ? `${results[mode].passed} passed, ${results[mode].failures.length} failed` : 'not run'}`);
    console.info(`kernel checks in Chromium: ${summary.join('; ')}; auto mode = ${results.autoInfo.implementation}`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('auto mode picks WebGPU when an adapter answers, else WebGL2 saying why', () => {
    if (results.webgpu !== null) {
      expect(results.autoInfo.implementation).toBe('webgpu');
    } else {
      expect(results.autoInfo.implementation).toBe('webgl2');
      expect(results.autoInfo.notes.join(' ')).toMatch(/webgpu not used/);
    }
  });

  it('passes every kernel check on WebGL2', () => {
    expect(results.webgl2.failures).toEqual([]);
    expect(results.webgl2.passed).toBeGreaterThan(100);
  });

  it('passes every kernel check on WebGL 1', () => {
    expect(results.webgl.failures).toEqual([]);
  });

  it('passes every kernel check on WebGPU (SwiftShader adapter)', () => {
    if (results.webgpu === null) console.warn('no WebGPU adapter in this Chromium: webgpu checks not run');
    else expect(results.webgpu.failures).toEqual([]);
  });

  it('reads nothing back from the GPU until read() is called', () => {
    expect(results.residency.readPixelsDuringChain).toBe(0);
    expect(results.residency.readbacksDuringChain).toBe(0);
    expect(results.residency.readPixelsAfterRead).toBeGreaterThan(0);
    expect(Number.isFinite(results.residency.value)).toBe(true);
  });

  it('keeps live buffers and GL textures flat over 1,000 steps, compiling nothing new', () => {
    expect(results.residency.buffersAfter).toBe(results.residency.buffersBefore);
    expect(results.residency.texturesAfter).toBe(results.residency.texturesBefore);
    expect(results.residency.newCompiles).toBe(0);
  });

  it('refuses a tensor past the index limit with a clear error', () => {
    expect(results.oversize).toMatch(/25000000 elements.*2\^24/);
  });

  it('turns a lost WebGL context into a clear error instead of a hang', () => {
    expect(results.contextLoss.kernelError).toMatch(/WebGL context was lost/);
    expect(results.contextLoss.readError).toMatch(/WebGL context was lost/);
  });
});
