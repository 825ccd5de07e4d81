/**
 * What the JavaScript host offers the kernels: Node worker_threads or Web Workers, shared
 * memory, and whether this thread may block in Atomics.wait. Node modules are imported through a
 * variable so browser bundlers do not try to resolve them.
 */

/** A started kernel worker, whatever kind of thread runs it. */
export interface KernelWorker {
  /** Resolves once the worker has instantiated the kernels, rejects if it fails to start. */
  readonly ready: Promise<void>;
  /** Lets the process exit while the worker sleeps (Node); a no-op in browsers. */
  unref(): void;
  terminate(): void;
  /**
   * Registers `listener` for the worker stopping on its own after it was ready (an uncaught error
   * outside a kernel, or the thread exiting), with the reason; not called after `terminate()`.
   */
  onLost(listener: (reason: string) => void): void;
}

/** Calls the registered listener once, for the first unexpected stop. */
function lossReporter(): { report(reason: string): void; listen(listener: (reason: string) => void): void; silence(): void } {
  let listener: ((reason: string) => void) | null = null;
  let pending: string | null = null;
  let silenced = false;
  return {
    report(reason) {
      if (silenced) return;
      silenced = true;
      if (listener === null) pending = reason;
      else listener(reason);
    },
    listen(next) {
      listener = next;
      if (pending !== null) next(pending);
      pending = null;
    },
    silence() {
      silenced = true;
    },
  };
}

/** What every worker receives: the compiled module, the shared memory, the control block, its scratch and number. */
export interface KernelWorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  scratch: number;
  /** 1, 2, ...: named in the report of a kernel that failed on this worker. */
  thread: number;
  /** The pool's lifeline block (see lifeline.ts): what this worker holds, and whether it stopped. */
  lifeline: SharedArrayBuffer;
  /** Node: this worker's end of the port whose closing tells the watchdog that the thread ended (transferred). */
  lifelinePort?: unknown;
}

interface NodeProcessLike {
  versions?: { node?: string };
}

export function isNode(): boolean {
  const process = (globalThis as { process?: NodeProcessLike }).process;
  return typeof process?.versions?.node === 'string';
}

/** Whether SharedArrayBuffer (and so shared WebAssembly memory) is usable here. */
export function hasSharedMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isNode() || isolated !== false;
}

/**
 * Whether Atomics.wait may block this thread: always in Node (main thread included), in browser
 * workers, but never on a browser's main thread.
 */
export function canBlockThisThread(): boolean {
  if (isNode()) return true;
  const scope = globalThis as { WorkerGlobalScope?: unknown; document?: unknown };
  return scope.WorkerGlobalScope !== undefined && scope.document === undefined;
}

async function importNodeBuiltin<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}

/** Logical cores available to this process (or page). */
export async function availableCores(): Promise<number> {
  if (isNode()) {
    const os = await importNodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  const navigatorLike = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return navigatorLike?.hardwareConcurrency ?? 1;
}

interface NodeWorker {
  once(event: 'message', listener: (message: unknown) => void): void;
  once(event: 'error', listener: (error: Error) => void): void;
  once(event: 'exit', listener: (code: number) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerConstructor = new (
  source: string, options: { eval: true; workerData: unknown; transferList?: unknown[] },
) => NodeWorker;

interface BrowserWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}
type BrowserWorkerConstructor = new (url: string) => BrowserWorker;

/** Starts a worker running `source` (see worker-source.ts) in Node or a browser. */
export async function startKernelWorker(source: string, data: KernelWorkerData): Promise<KernelWorker> {
  if (isNode()) {
    const { Worker } = await importNodeBuiltin<{ Worker: NodeWorkerConstructor }>('worker_threads');
    const transferList = data.lifelinePort === undefined ? [] : [data.lifelinePort];
    const worker = new Worker(source, { eval: true, workerData: data, transferList });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`kernel worker exited with code ${code} before it was ready`)));
    });
    // Kernel errors are caught in the worker and reported per call; anything else stops the worker,
    // which the pool hears of here (and stops handing it work) instead of the process crashing.
    const loss = lossReporter();
    worker.on('error', (error) => loss.report(`${error.name}: ${error.message}`));
    worker.on('exit', (code) => loss.report(`exited with code ${code}`));
    return {
      ready,
      unref: () => worker.unref(),
      terminate: () => {
        loss.silence();
        void worker.terminate();
      },
      onLost: (listener) => loss.listen(listener),
    };
  }
  const scope = globalThis as unknown as {
    Worker: BrowserWorkerConstructor;
    Blob: new (parts: string[], options: { type: string }) => unknown;
    URL: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
  };
  const url = scope.URL.createObjectURL(new scope.Blob([source], { type: 'text/javascript' }));
  const worker = new scope.Worker(url);

  const loss = lossReporter();
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = () => {
      worker.onmessage = null;
      worker.onerror = (event) => loss.report(`Error: ${event.message ?? 'unknown error'}`);
      resolve();
    };
    worker.onerror = (event) => reject(new Error(`kernel worker failed to start: ${event.message ?? 'unknown error'}`));
  }).finally(() => scope.URL.revokeObjectURL(url));
  // The watchdog is Node-only: a browser worker gets no lifeline port.
  worker.postMessage({ ...data, lifelinePort: undefined });
  return {
    ready,
    unref: () => {},
    terminate: () => {
      loss.silence();
      worker.terminate();
    },
    onLost: (listener) => loss.listen(listener),
  };
}

/** The thread that watches the kernel workers' lifeline ports (see lifeline.ts). */
export interface KernelWatchdog {
  terminate(): void;
}

/** A channel per worker: `workerEnds` go to the workers, `watchdogEnds` to the watchdog. */
export async function lifelineChannels(workers: number): Promise<{ workerEnds: unknown[]; watchdogEnds: unknown[] } | null> {
  if (!isNode()) return null;
  const { MessageChannel } = await importNodeBuiltin<{ MessageChannel: new () => { port1: unknown; port2: unknown } }>('worker_threads');
  const channels = Array.from({ length: workers }, () => new MessageChannel());
  return { workerEnds: channels.map((channel) => channel.port1), watchdogEnds: channels.map((channel) => channel.port2) };
}

/**
 * Node: starts the watchdog thread over the control block and the lifeline block, holding
 * `ports` (the far ends of the workers' lifeline ports). It lets the process exit.
 */
export async function startKernelWatchdog(
  source: string, control: SharedArrayBuffer, lifeline: SharedArrayBuffer, ports: unknown[],
): Promise<KernelWatchdog> {
  const { Worker } = await importNodeBuiltin<{ Worker: NodeWorkerConstructor }>('worker_threads');
  const worker = new Worker(source, { eval: true, workerData: { control, lifeline, ports }, transferList: ports });
  // A watchdog that fails only loses the quick notice of a stopped worker: never let it crash the process.
  worker.on('error', () => {});
  worker.unref();
  return { terminate: () => void worker.terminate() };
}
