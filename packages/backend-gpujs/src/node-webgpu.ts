/**
 * WebGPU for Node through the optional `webgpu` package (Dawn).
 *
 * gpu.js looks for `navigator.gpu`, which Node 20 lacks, so this installs one from the package.
 * Two wrinkles of Dawn's binding are absorbed here: gpu.js assigns `device.onuncapturederror`, and
 * the binding throws on that assignment, so gpu.js gets the device behind a Proxy that keeps the
 * handler to itself (methods stay bound to the real device).
 */

/** Whether the install worked, and why not when it did not. */
export type NodeWebGpuResult = { installed: true } | { installed: false; reason: string };

interface WebGpuModule {
  create(options: string[]): unknown;
  globals?: Record<string, unknown>;
}

/** Why the last install attempt failed (loading Dawn is tried once per process). */
let attempt: Promise<NodeWebGpuResult> | null = null;

/** Install `navigator.gpu` from the `webgpu` package, once per process. Never throws. */
export function installNodeWebGpu(): Promise<NodeWebGpuResult> {
  attempt ??= install();
  return attempt;
}

async function install(): Promise<NodeWebGpuResult> {
  const existing = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (existing?.gpu) return { installed: true };
  let module: WebGpuModule;
  try {
    // A variable specifier keeps bundlers from inlining the native package.
    const specifier = 'webgpu';
    const loaded = (await import(/* @vite-ignore */ specifier)) as WebGpuModule & { default?: WebGpuModule };
    module = typeof loaded.create === 'function' ? loaded : loaded.default!;
    if (!module || typeof module.create !== 'function') return { installed: false, reason: "the 'webgpu' package has no create()" };
  } catch (error) {
    return { installed: false, reason: `the optional 'webgpu' package did not load (${firstLine(error)})` };
  }
  let gpu: unknown;
  try {
    if (module.globals) Object.assign(globalThis, module.globals);
    gpu = module.create([]);
  } catch (error) {
    return { installed: false, reason: `Dawn failed to start (${firstLine(error)})` };
  }
  const wrapped = wrapGpu(gpu as GpuLike);
  if (existing) {
    Object.defineProperty(existing, 'gpu', { value: wrapped, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: wrapped }, configurable: true, writable: true });
  }
  return { installed: true };
}

interface GpuLike {
  requestAdapter(options?: unknown): Promise<object | null>;
}

function wrapGpu(gpu: GpuLike): object {
  return bindAll(gpu, {
    requestAdapter: async (options?: unknown) => {
      const adapter = await gpu.requestAdapter(options);
      return adapter ? wrapAdapter(adapter) : null;
    },
  });
}

function wrapAdapter(adapter: object): object {
  const requestDevice = (adapter as { requestDevice(descriptor?: unknown): Promise<object> }).requestDevice.bind(adapter);
  return bindAll(adapter, { requestDevice: async (descriptor?: unknown) => wrapDevice(await requestDevice(descriptor)) });
}

/** The device with `onuncapturederror` kept on the Proxy instead of reaching Dawn. */
function wrapDevice(device: object): object {
  let uncapturedErrorHandler: unknown = null;
  return new Proxy(device, {
    get(target, property) {
      if (property === 'onuncapturederror') return uncapturedErrorHandler;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    set(target, property, value) {
      if (property === 'onuncapturederror') {
        uncapturedErrorHandler = value;
        return true;
      }
      return Reflect.set(target, property, value, target);
    },
  });
}

/** A Proxy over `target` whose methods are bound to it, with some replaced. */
function bindAll(target: object, overrides: Record<string, unknown>): object {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === 'string' && property in overrides) return overrides[property];
      const value = Reflect.get(object, property, object) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 200);
}
