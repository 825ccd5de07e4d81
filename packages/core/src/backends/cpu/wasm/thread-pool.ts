import {
  ARGUMENT_SLOTS, CLOSED_CHUNK, CONTROL_BYTES, CONTROL_WORD_COUNT, CONTROL_WORDS, GENERATION_MASK, KERNEL_NAMES,
  MAX_CHUNKS, MESSAGE_BYTES, MESSAGE_OFFSET, type KernelName,
} from './control-block.js';
import { canBlockThisThread, startKernelWorker, type KernelWorker } from './host.js';
import { describeError, WasmKernelError } from './kernel-error.js';
import { kernelWorkerSource } from './worker-source.js';

/** A parallel kernel as exported by the wasm module. */
type ChunkKernel = (chunk: number, scratch: number, ...args: number[]) => void;

/** How long to wait for workers to instantiate before running single-threaded instead. */
const WORKER_START_TIMEOUT_MS = 15_000;
/**
 * Spins (~1 ms) of the calling thread before it sleeps on chunks that workers still run: it has
 * nothing else to do, and sleeping would add a wake-up (~25 µs) to the end of the call.
 */
const CALLER_SPIN_ITERATIONS = 200_000;

/**
 * Waking sleeping workers costs the caller ~15 µs (Atomics.notify) and ~40 µs pass before they
 * help, so it pays once this much single-thread work is at hand, in one call or in a burst.
 */
const WAKE_MIN_MICROSECONDS = 100;
/** Calls closer together than this count as one burst. */
const BURST_GAP_MS = 1;

/** Test-only hooks into the hand-off of a call (see thread-pool.test.ts). */
export interface ThreadPoolTestHooks {
  /**
   * Runs after a call's count, kernel and arguments are written and before its JOB word opens it,
   * with the control words and the JOB value that the previous call left.
   */
  beforeOpen?(words: Int32Array, previousJob: number): void;
  /** Runs once the calling thread has seen every chunk of a call counted done, before the count is checked. */
  afterChunks?(words: Int32Array): void;
}

/** Everything a pool needs to start workers over the same module and memory. */
export interface ThreadPoolSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The calling thread's own instance of the module. */
  instance: WebAssembly.Instance;
  /** Scratch byte offset for each thread; index 0 is the calling thread. */
  scratch: readonly number[];
}

/**
 * Runs the wasm kernels on the calling thread plus zero or more workers. `run` is synchronous:
 * the caller publishes a call, claims chunks like any worker, and then waits (Atomics.wait, or a
 * spin on a browser main thread) for the chunks the workers took.
 */
export class KernelThreadPool {
  private readonly words: Int32Array;
  private readonly argumentSlots: Float64Array;
  private readonly messageBytes: Uint8Array;
  private readonly kernels: ChunkKernel[];
  private readonly callerScratch: number;
  private callerCanBlock = canBlockThisThread();
  private workers: KernelWorker[];
  private generation = 0;
  /** Start time (ms) of the last call that found every worker asleep. */
  private lastCallStart = -Infinity;
  /** Estimated single-thread time of the current burst of calls that ran without the sleeping workers. */
  private burstMicroseconds = 0;
  /** Chunks of the last call handed to the workers: the DONE word must still hold exactly this. */
  private lastPublishedChunks = 0;
  private testHooks: ThreadPoolTestHooks = {};
  /** Why a worker stopped on its own (it is retired, with the others, at the next call). */
  private lostWorker: string | null = null;
  /**
   * Set once the pool has fallen back to the calling thread because a worker stopped: what
   * happened (the accelerator lists it in its notes).
   */
  degradedReason: string | null = null;
  /**
   * Called after every kernel call with its name (the accelerator's debug mode checks the guard
   * words around its buffers here); an error it throws propagates from {@link KernelThreadPool.run}.
   */
  afterRun: ((kernel: KernelName) => void) | null = null;

  private constructor(setup: ThreadPoolSetup, control: SharedArrayBuffer | null, workers: KernelWorker[]) {
    const buffer = control ?? new ArrayBuffer(CONTROL_BYTES);
    this.words = new Int32Array(buffer, 0, CONTROL_WORD_COUNT);
    this.argumentSlots = new Float64Array(buffer, CONTROL_WORD_COUNT * 4, ARGUMENT_SLOTS);
    this.messageBytes = new Uint8Array(buffer, MESSAGE_OFFSET, MESSAGE_BYTES);
    this.kernels = KERNEL_NAMES.map((name) => setup.instance.exports[name] as ChunkKernel);
    this.callerScratch = setup.scratch[0];
    this.workers = workers;
    workers.forEach((worker, index) => worker.onLost((reason) => {
      this.lostWorker ??= `kernel worker thread ${index + 1} stopped (${reason})`;
    }));
  }

  /** A pool that runs everything on the calling thread. */
  static singleThreaded(setup: ThreadPoolSetup): KernelThreadPool {
    return new KernelThreadPool(setup, null, []);
  }

  /**
   * Starts `setup.scratch.length - 1` workers. Throws if they cannot start (the caller falls
   * back to {@link KernelThreadPool.singleThreaded}).
   */
  static async withWorkers(setup: ThreadPoolSetup): Promise<KernelThreadPool> {
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const source = kernelWorkerSource();
    const workers: KernelWorker[] = [];
    try {
      for (let index = 1; index < setup.scratch.length; index++) {
        workers.push(await startKernelWorker(source, {
          module: setup.module, memory: setup.memory, control, scratch: setup.scratch[index], thread: index,
        }));
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`kernel workers did not start within ${WORKER_START_TIMEOUT_MS} ms`)), WORKER_START_TIMEOUT_MS);
      });
      try {
        await Promise.race([Promise.all(workers.map((worker) => worker.ready)), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    for (const worker of workers) worker.unref();
    return new KernelThreadPool(setup, control, workers);
  }

  /** Threads that share each call: the workers plus the calling thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Chunks the workers (not the calling thread) have run so far. */
  get chunksRunByWorkers(): number {
    return Atomics.load(this.words, CONTROL_WORDS.workerChunks);
  }

  /** Workers currently asleep (they sleep after ~300 µs without work). */
  get sleepingWorkers(): number {
    return Atomics.load(this.words, CONTROL_WORDS.sleepers);
  }

  /**
   * Runs chunks 0..chunkCount-1 of `kernel` with `args` and returns when all are done.
   * `estimatedMicroseconds` (the call's cost on one thread) decides whether sleeping workers are
   * worth waking: only for a long call, or once short calls keep coming (a burst, as in a training
   * step). Calls of one chunk, and every call of a single-threaded pool, stay on the calling thread.
   */
  run(kernel: KernelName, chunkCount: number, args: readonly number[], estimatedMicroseconds = Infinity): void {
    // A stopped worker would never take its share: carry on with the calling thread alone, and say why.
    if (this.lostWorker !== null && this.workers.length > 0) {
      this.degradedReason = `${this.lostWorker}: kernels run on the calling thread from now on`;
      this.dispose();
    }
    this.runChunks(kernel, chunkCount, args, estimatedMicroseconds);
    this.afterRun?.(kernel);
  }

  /**
   * Test-only: the next chunk a worker claims makes a real out-of-bounds access (a wasm trap)
   * instead of running its kernel, as a kernel bug would.
   */
  injectWorkerFault(): void {
    Atomics.store(this.words, CONTROL_WORDS.injectFault, 1);
  }

  /** Test-only: the next worker that looks for work dies outside any kernel, as a crashed thread would. */
  injectWorkerCrash(): void {
    Atomics.store(this.words, CONTROL_WORDS.injectFault, 2);
  }

  /** Test-only: see {@link ThreadPoolTestHooks}. */
  setTestHooks(hooks: ThreadPoolTestHooks): void {
    this.testHooks = hooks;
  }

  private runLocally(kernel: KernelName, kernelFunction: ChunkKernel, chunkCount: number, args: readonly number[]): void {
    for (let chunk = 0; chunk < chunkCount; chunk++) {
      try {
        kernelFunction(chunk, this.callerScratch, ...args);
      } catch (error) {
        throw new WasmKernelError(kernel, 0, chunk, describeError(error), error);
      }
    }
  }

  private runChunks(kernel: KernelName, chunkCount: number, args: readonly number[], estimatedMicroseconds: number): void {
    const kernelIndex = KERNEL_NAMES.indexOf(kernel);
    const kernelFunction = this.kernels[kernelIndex];
    const words = this.words;
    const workerCount = this.workers.length;
    if (chunkCount <= 1 || workerCount === 0) {
      this.runLocally(kernel, kernelFunction, chunkCount, args);
      return;
    }
    const allAsleep = Atomics.load(words, CONTROL_WORDS.sleepers) >= workerCount;
    if (allAsleep && !this.burstWorthWaking(estimatedMicroseconds)) {
      this.runLocally(kernel, kernelFunction, chunkCount, args);
      return;
    }
    if (chunkCount > MAX_CHUNKS) throw new Error(`thread pool: ${chunkCount} chunks exceed the limit of ${MAX_CHUNKS}`);
    // Every chunk of the previous call was counted exactly once; more means a chunk ran outside a call.
    const previousDone = Atomics.load(words, CONTROL_WORDS.done);
    if (previousDone !== this.lastPublishedChunks) {
      this.abandonWorkers(`thread pool: the previous call counted ${previousDone} chunks done out of ${this.lastPublishedChunks}`);
    }
    const previousJob = Atomics.load(words, CONTROL_WORDS.job);
    // Close first (see control-block.ts): a worker holding the previous JOB value can no longer claim.
    this.generation = (this.generation % GENERATION_MASK) + 1;
    Atomics.store(words, CONTROL_WORDS.job, (this.generation << 16) | CLOSED_CHUNK);
    Atomics.store(words, CONTROL_WORDS.done, 0);
    Atomics.store(words, CONTROL_WORDS.failed, 0);
    Atomics.store(words, CONTROL_WORDS.chunkCount, chunkCount);
    Atomics.store(words, CONTROL_WORDS.kernel, kernelIndex);
    this.argumentSlots.fill(0);
    this.argumentSlots.set(args);
    this.lastPublishedChunks = chunkCount;
    this.testHooks.beforeOpen?.(words, previousJob);
    Atomics.store(words, CONTROL_WORDS.job, this.generation << 16);
    // Awake workers see the new job by themselves; only sleepers need the (costly) notify.
    if (Atomics.load(words, CONTROL_WORDS.sleepers) > 0) Atomics.notify(words, CONTROL_WORDS.job);

    let callerError: WasmKernelError | null = null;
    for (;;) {
      const job = Atomics.load(words, CONTROL_WORDS.job);
      const chunk = job & 0xffff;
      if (chunk >= chunkCount) break;
      if (Atomics.compareExchange(words, CONTROL_WORDS.job, job, job + 1) !== job) continue;
      try {
        kernelFunction(chunk, this.callerScratch, ...args);
      } catch (error) {
        callerError ??= new WasmKernelError(kernel, 0, chunk, describeError(error), error);
      }
      Atomics.add(words, CONTROL_WORDS.done, 1);
    }
    // Even after a failure, wait for every claimed chunk so no worker still runs this call later.
    this.waitForChunks(chunkCount);
    this.testHooks.afterChunks?.(words);
    const done = Atomics.load(words, CONTROL_WORDS.done);
    if (done !== chunkCount) this.abandonWorkers(`thread pool: ${done} chunks counted done for a call of ${chunkCount}`);
    if (callerError !== null) throw callerError;
    if (Atomics.load(words, CONTROL_WORDS.failed) !== 0) {
      const length = Atomics.load(words, CONTROL_WORDS.messageLength);
      // Decoded from a private copy: TextDecoder refuses views of shared memory.
      const message = new TextDecoder().decode(this.messageBytes.slice(0, length));
      throw new WasmKernelError(kernel, Atomics.load(words, CONTROL_WORDS.failedThread),
        Atomics.load(words, CONTROL_WORDS.failedChunk), message);
    }
  }

  /**
   * The hand-off lost count of chunks (a chunk ran outside a call, so this call's results cannot be
   * trusted): stops the workers so that later calls run on the calling thread, and throws `problem`.
   */
  private abandonWorkers(problem: string): never {
    this.degradedReason = `${problem}: kernels run on the calling thread from now on`;
    this.dispose();
    throw new Error(problem);
  }

  /**
   * With every worker asleep: whether this call, together with the short calls just before it,
   * is worth a wake-up. Short calls run alone until they add up to a burst.
   */
  private burstWorthWaking(estimatedMicroseconds: number): boolean {
    const now = performance.now();
    const inBurst = now - this.lastCallStart < BURST_GAP_MS;
    this.lastCallStart = now;
    this.burstMicroseconds = (inBurst ? this.burstMicroseconds : 0) + estimatedMicroseconds;
    if (this.burstMicroseconds < WAKE_MIN_MICROSECONDS) return false;
    this.burstMicroseconds = 0;
    return true;
  }

  private waitForChunks(chunkCount: number): void {
    const words = this.words;
    let spins = 0;
    for (;;) {
      const done = Atomics.load(words, CONTROL_WORDS.done);
      if (done >= chunkCount) return;
      // A browser main thread may not block; it keeps spinning (the workers finish their last chunk).
      if (spins < CALLER_SPIN_ITERATIONS || !this.callerCanBlock) {
        spins++;
        continue;
      }
      try {
        Atomics.wait(words, CONTROL_WORDS.done, done);
      } catch {
        // Hosts that forbid blocking here (e.g. an Electron renderer) throw: spin from now on.
        this.callerCanBlock = false;
      }
    }
  }

  /** Stops the workers; later calls run on the calling thread. */
  dispose(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.words, CONTROL_WORDS.quit, 1);
    // Closed, with no chunks to claim: a worker that misses the quit flag must not rerun the previous call.
    this.generation = (this.generation % GENERATION_MASK) + 1;
    Atomics.store(this.words, CONTROL_WORDS.job, (this.generation << 16) | CLOSED_CHUNK);
    Atomics.store(this.words, CONTROL_WORDS.chunkCount, 0);
    Atomics.notify(this.words, CONTROL_WORDS.job);
    for (const worker of this.workers) worker.terminate();
    this.workers = [];
  }
}
