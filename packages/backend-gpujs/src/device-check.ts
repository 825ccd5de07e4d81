/**
 * Is the graphics device real? Browsers fall back to software rasterizers (SwiftShader, Mesa's
 * llvmpipe/lavapipe) when the GPU is blocklisted or absent, and headless-gl under Xvfb always
 * renders with llvmpipe. gpu.js on such a device is a CPU program with a graphics API in the way,
 * far slower than core's CPU backend, so {@link useBestBackend} asks before choosing it.
 */
import type { Backend, DataId } from '@dendrite/core/backend';
import type { GpuJsMode } from './gpujs-types.js';

/** Renderer, vendor or adapter names of software rasterizers. */
const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

interface DebugRendererInfo {
  UNMASKED_RENDERER_WEBGL: number;
}

interface GlLike {
  getExtension(name: string): unknown;
  getParameter(name: number): unknown;
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: Record<string, unknown>;
  requestAdapterInfo?(): Promise<Record<string, unknown>>;
}

interface CanvasLike {
  getContext(kind: string, attributes?: object): unknown;
}

function createCanvas(): CanvasLike | null {
  const scope = globalThis as unknown as {
    OffscreenCanvas?: new (width: number, height: number) => CanvasLike;
    document?: { createElement(tag: string): CanvasLike };
  };
  if (scope.OffscreenCanvas) return new scope.OffscreenCanvas(1, 1);
  if (scope.document) return scope.document.createElement('canvas');
  return null;
}

/** Free a probe context now rather than when it is collected (browsers cap live contexts). */
function release(context: unknown): void {
  const lose = (context as GlLike | null)?.getExtension('WEBGL_lose_context') as { loseContext(): void } | null | undefined;
  lose?.loseContext();
}

/** WebGL/WebGL2 in a browser: the renderer's name, and whether the browser flags a major performance caveat. */
function webGlSoftware(kind: 'webgl' | 'webgl2'): string | null {
  const plain = createCanvas()?.getContext(kind) as GlLike | null | undefined;
  if (!plain) return null;
  const debug = plain.getExtension('WEBGL_debug_renderer_info') as DebugRendererInfo | null;
  const renderer = debug ? String(plain.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : '';
  release(plain);
  if (SOFTWARE_NAMES.test(renderer)) return `${kind} renders in software (${renderer})`;
  const strict = createCanvas()?.getContext(kind, { failIfMajorPerformanceCaveat: true });
  if (strict === null) return `${kind} has a major performance caveat here (a software renderer${renderer ? `: ${renderer}` : ''})`;
  release(strict);
  return null;
}

/** WebGPU: a fallback adapter, or an adapter named after a software rasterizer. */
async function webGpuSoftware(): Promise<string | null> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<AdapterLike | null> } } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {};
  const name = ['vendor', 'architecture', 'device', 'description']
    .map((key) => info[key]).filter((part) => typeof part === 'string' && part !== '').join(' ');
  if (adapter.isFallbackAdapter === true || info.isFallbackAdapter === true) return `the WebGPU adapter is a fallback (software) adapter${name ? ` (${name})` : ''}`;
  if (SOFTWARE_NAMES.test(name)) return `the WebGPU adapter renders in software (${name})`;
  return null;
}

/**
 * Why `mode`'s device looks like a software rasterizer from what the API reports, or null when
 * it looks real or cannot tell (headless-gl hides its renderer: see {@link timeMatmul}).
 */
export async function softwareDevice(mode: GpuJsMode): Promise<string | null> {
  if (mode === 'webgl' || mode === 'webgl2') return webGlSoftware(mode);
  if (mode === 'webgpu') return webGpuSoftware();
  return null;
}

/** The probe: a [PROBE, PROBE] × [PROBE, PROBE] matmul, big enough that a real GPU wins it. */
export const PROBE_SIZE = 512;

/**
 * Milliseconds `backend` takes for a PROBE_SIZE² matmul including the readback of its result,
 * best of two runs after a warm-up run (which compiles the kernels).
 */
export async function timeMatmul(backend: Backend): Promise<number> {
  const size = PROBE_SIZE;
  const values = new Float32Array(size * size).map((_, index) => ((index * 7919) % 1000) / 1000 - 0.5);
  const a = backend.upload(values, [size, size], 'float32');
  const b = backend.upload(values, [size, size], 'float32');
  const info = (dataId: DataId) => ({ dataId, shape: [size, size], dtype: 'float32' as const });
  let best = Infinity;
  try {
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const product = backend.matmul(info(a), info(b), false, false, [size, size]);
      await backend.read(product, 'float32');
      if (run > 0) best = Math.min(best, performance.now() - started);
      backend.dispose(product);
    }
  } finally {
    backend.dispose(a);
    backend.dispose(b);
  }
  return best;
}
