import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, openPage, type OpenPage } from './harness.js';

const available = chromiumAvailable('the kernel checks in Chromium');

/** Bundle the page, serve it on 127.0.0.1, run every check in headless Chromium (SwiftShader WebGL2). */
describe.skipIf(!available)('gpu backend in headless Chromium (WebGL2 through SwiftShader)', () => {
  let opened: OpenPage;
  // The page's report is plain JSON; its shape is what page.ts returns from runAll().
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let results: Record<string, any>;

  beforeAll(async () => {
    opened = await openPage(new URL('./page.ts', import.meta.url));
    results = await opened.page.evaluate(async () => (window as unknown as { runAll(): Promise<Record<string, unknown>> }).runAll());
    if (opened.pageErrors.length > 0) console.warn(`page errors: ${opened.pageErrors.join('; ')}`);
    const summary = ['webgl2', 'webgl', 'webgpu'].map((mode) => `${mode}: ${results[mode] ? `${results[mode].passed} passed, ${results[mode].failures.length} failed` : 'not run'}`);
    console.info(`kernel checks in Chromium: ${summary.join('; ')}; auto mode = ${results.autoInfo.implementation}`);
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('auto mode picks WebGPU when an adapter answers, else WebGL2 saying why', () => {
    if (results.webgpu !== null) {
      expect(results.autoInfo.implementation).toBe('webgpu');
    } else {
      expect(results.autoInfo.implementation).toBe('webgl2');
      expect(results.autoInfo.notes.join(' ')).toMatch(/webgpu not used/);
    }
  });

  it('useBestBackend passes over SwiftShader (a software rasterizer) for core\'s CPU backend, saying why', () => {
    console.info(`useBestBackend in Chromium: ${results.bestBackend.byDefault.notes.join('; ')}`);
    expect(results.bestBackend.byDefault.name).toBe('cpu');
    expect(results.bestBackend.byDefault.notes.join('\n')).toMatch(/gpu not used: .*(software|SwiftShader|performance caveat).*setBackend\('gpu'\) forces it/i);
  });

  it('useBestBackend({ allowSoftwareDevice: true }) activates the gpu backend on a graphics mode, and ordinary ops run on it', () => {
    expect(results.bestBackend.info.name).toBe('gpu');
    expect(['webgpu', 'webgl2']).toContain(results.bestBackend.info.implementation);
    expect(results.bestBackend.values).toEqual([[19, 22], [43, 50]]);
  });

  it('passes every kernel check on WebGL2', () => {
    expect(results.webgl2.failures).toEqual([]);
    expect(results.webgl2.passed).toBeGreaterThan(100);
  });

  it('runs big matmuls and convolutions four outputs per thread on WebGL2, WebGL and WebGPU', () => {
    // GL: pack a, pack b, strips, unpack / pack filter, strips, unpack.
    expect(results.webgl2.stripLaunches).toEqual({ matmul: 4, conv2d: 3 });
    expect(results.webgl.stripLaunches).toEqual({ matmul: 4, conv2d: 3 });
    // WebGPU: strips viewed as floats / strips and a slice dropping the padding channels (10 = 3 x 4 - 2).
    if (results.webgpu !== null) expect(results.webgpu.stripLaunches).toEqual({ matmul: 1, conv2d: 2 });
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
