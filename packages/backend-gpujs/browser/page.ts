/**
 * The browser side of the Chromium test: the same kernel checks as the Node tests, on the real
 * WebGL2 path, plus residency (GL readPixels counted), lifetime (live GL textures counted) and
 * context-loss checks. Bundled by esbuild and driven by chromium.test.ts.
 */
import { matmul, tensor as makeTensor } from '@dendrite/core';
import type { TensorInfo } from '@dendrite/core/backend';
import { createGpuBackend, useBestBackend, type GpuBackend, type GpuBackendMode } from '../src/index.js';
import { kernelCases, randomValues, runKernelCase } from '@dendrite/core/testing';
import { webGpuAvailable } from './web-gpu-available.js';

/** GL calls counted on every context of the page. */
const glCounters = { readPixels: 0, liveTextures: 0 };
const contexts: WebGL2RenderingContext[] = [];

function instrument(prototype: WebGL2RenderingContext | WebGLRenderingContext): void {
  const readPixels = prototype.readPixels;
  prototype.readPixels = function (this: WebGL2RenderingContext, ...args: unknown[]) {
    glCounters.readPixels++;
    return (readPixels as (...values: unknown[]) => void).apply(this, args);
  } as typeof readPixels;
  const createTexture = prototype.createTexture;
  prototype.createTexture = function (this: WebGL2RenderingContext) {
    glCounters.liveTextures++;
    return createTexture.call(this);
  };
  const deleteTexture = prototype.deleteTexture;
  prototype.deleteTexture = function (this: WebGL2RenderingContext, texture: WebGLTexture | null) {
    if (texture) glCounters.liveTextures--;
    return deleteTexture.call(this, texture);
  };
}
instrument(WebGL2RenderingContext.prototype);
instrument(WebGLRenderingContext.prototype);
const getContext = HTMLCanvasElement.prototype.getContext;
HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement, ...args: unknown[]) {
  const context = (getContext as (...values: unknown[]) => unknown).apply(this, args);
  if (context instanceof WebGL2RenderingContext) contexts.push(context);
  return context;
} as typeof getContext;

interface CheckReport {
  mode: string;
  info: unknown;
  failures: string[];
  passed: number;
  /** Kernel launches of one big matmul and conv2d: more than one when they run in strips on GL. */
  stripLaunches: { matmul: number; conv2d: number };
}

/** Launches of a matmul and a conv2d big enough for strips (GL: pack(s), strips, unpack; WebGPU: strips, a slice when needed). */
async function countStripLaunches(backend: GpuBackend): Promise<{ matmul: number; conv2d: number }> {
  const shape = [64, 64];
  const a = backend.upload(randomValues(64 * 64, 5), shape, 'float32');
  let before = backend.stats().kernelRuns;
  const product = backend.matmul(tensor(a, shape), tensor(a, shape), false, false, shape);
  const matmul = backend.stats().kernelRuns - before;
  const xShape = [2, 12, 12, 6];
  const filterShape = [3, 3, 6, 10];
  const x = backend.upload(randomValues(2 * 12 * 12 * 6, 6), xShape, 'float32');
  const filter = backend.upload(randomValues(3 * 3 * 6 * 10, 7), filterShape, 'float32');
  const info = {
    batch: 2, inHeight: 12, inWidth: 12, inChannels: 6, outHeight: 12, outWidth: 12, outChannels: 10, filterHeight: 3, filterWidth: 3,
    strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1,
  };
  before = backend.stats().kernelRuns;
  const convolved = backend.conv2d(tensor(x, xShape), tensor(filter, filterShape), info);
  const conv2d = backend.stats().kernelRuns - before;
  await backend.read(convolved, 'float32');
  for (const dataId of [product, a, x, filter, convolved]) backend.dispose(dataId);
  return { matmul, conv2d };
}

async function runChecks(mode: GpuBackendMode): Promise<CheckReport> {
  const backend = await createGpuBackend({ mode });
  const failures: string[] = [];
  let passed = 0;
  for (const kernelCase of kernelCases()) {
    const failure = await runKernelCase(backend, kernelCase);
    if (failure) failures.push(`${kernelCase.name}: ${failure}`);
    else passed++;
  }
  const memory = backend.memory();
  if (memory.buffers !== 0) failures.push(`leaked ${memory.buffers} buffers`);
  const info = backend.info();
  const stripLaunches = await countStripLaunches(backend);
  await backend.destroy();
  return { mode, info, failures, passed, stripLaunches };
}

function tensor(dataId: object, shape: number[]): TensorInfo {
  return { dataId, shape, dtype: 'float32' };
}

/**
 * One small training-like step: relu(x @ w + b), summed; every intermediate disposed. The
 * [32, 64] x [64, 64] product is just big enough to run in strips (pack, strips, unpack on GL).
 */
function step(backend: GpuBackend, x: TensorInfo, w: TensorInfo, b: TensorInfo): object {
  const product = backend.matmul(x, w, false, false, [32, 64]);
  const shifted = backend.binary('add', tensor(product, [32, 64]), b, [32, 64], 'float32');
  const activated = backend.unary('relu', tensor(shifted, [32, 64]));
  const total = backend.reduce('sum', tensor(activated, [32, 64]), [0, 1]);
  backend.dispose(product);
  backend.dispose(shifted);
  backend.dispose(activated);
  return total;
}

async function runResidencyAndLifetime(): Promise<Record<string, unknown>> {
  const backend = await createGpuBackend({ mode: 'webgl2' });
  const x = tensor(backend.upload(randomValues(32 * 64, 1), [32, 64], 'float32'), [32, 64]);
  const w = tensor(backend.upload(randomValues(64 * 64, 2), [64, 64], 'float32'), [64, 64]);
  const b = tensor(backend.upload(randomValues(64, 3), [64], 'float32'), [64]);
  // Residency: a chain of kernels reads nothing back until asked.
  const readPixelsBefore = glCounters.readPixels;
  const readbacksBefore = backend.stats().readbacks;
  let total = step(backend, x, w, b);
  for (let index = 0; index < 10; index++) {
    backend.dispose(total);
    total = step(backend, x, w, b);
  }
  const readPixelsDuringChain = glCounters.readPixels - readPixelsBefore;
  const readbacksDuringChain = backend.stats().readbacks - readbacksBefore;
  const value = (await backend.read(total, 'float32'))[0];
  const readPixelsAfterRead = glCounters.readPixels - readPixelsBefore;
  backend.dispose(total);
  // Lifetime: 1,000 steps leave the live buffer and GL texture counts where they were.
  const compilesBefore = backend.stats().compiles;
  const buffersBefore = backend.memory().buffers;
  const texturesBefore = glCounters.liveTextures;
  for (let index = 0; index < 1000; index++) backend.dispose(step(backend, x, w, b));
  const result = {
    readPixelsDuringChain,
    readbacksDuringChain,
    readPixelsAfterRead,
    value,
    buffersBefore,
    buffersAfter: backend.memory().buffers,
    texturesBefore,
    texturesAfter: glCounters.liveTextures,
    newCompiles: backend.stats().compiles - compilesBefore,
  };
  for (const input of [x, w, b]) backend.dispose(input.dataId);
  await backend.destroy();
  return result;
}

async function runContextLoss(): Promise<Record<string, unknown>> {
  const backend = await createGpuBackend({ mode: 'webgl2' });
  const a = backend.upload(new Float32Array([1, 2, 3]), [3], 'float32');
  const context = contexts[contexts.length - 1];
  context.getExtension('WEBGL_lose_context')!.loseContext();
  let kernelError = '';
  try {
    backend.unary('exp', tensor(a, [3]));
  } catch (error) {
    kernelError = (error as Error).message;
  }
  let readError = '';
  await backend.read(a, 'float32').catch((error: Error) => { readError = error.message; });
  return { kernelError, readError };
}

async function runOversize(): Promise<string> {
  const backend = await createGpuBackend({ mode: 'webgl2' });
  try {
    backend.fill([5000, 5000], 1, 'float32');
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await backend.destroy();
  }
}

/**
 * useBestBackend with ordinary ops. Chromium here renders with SwiftShader, so by default it keeps
 * core's CPU backend (saying why); allowSoftwareDevice takes the graphics mode anyway.
 */
async function runBestBackend(): Promise<Record<string, unknown>> {
  const byDefault = await useBestBackend();
  const info = await useBestBackend({ allowSoftwareDevice: true });
  const product = matmul(makeTensor([[1, 2], [3, 4]]), makeTensor([[5, 6], [7, 8]]));
  const values = await product.array();
  product.dispose();
  return { byDefault, info, values };
}

async function runAll(): Promise<Record<string, unknown>> {
  const auto = await createGpuBackend();
  const autoInfo = auto.info();
  await auto.destroy();
  const webgpu = (await webGpuAvailable()) ? await runChecks('webgpu') : null;
  return {
    autoInfo,
    webgl2: await runChecks('webgl2'),
    webgl: await runChecks('webgl'),
    webgpu,
    residency: await runResidencyAndLifetime(),
    oversize: await runOversize(),
    contextLoss: await runContextLoss(),
    bestBackend: await runBestBackend(),
  };
}

(window as unknown as { runAll: typeof runAll }).runAll = runAll;
