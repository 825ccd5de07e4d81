import {
  ARGUMENT_SLOTS, CLOSED_CHUNK, CONTROL_BYTES, CONTROL_WORD_COUNT, CONTROL_WORDS, GENERATION_MASK, KERNEL_NAMES,
  MAX_CHUNKS, MESSAGE_BYTES, MESSAGE_OFFSET, type KernelName,
} from './control-block.js';
import {
  canBlockThisThread, lifelineChannels, startKernelWatchdog, startKernelWorker, type KernelWatchdog, type KernelWorker,
} from './host.js';
import { describeError, WasmKernelError } from './kernel-error.js';
import { holdingWord, LIFELINE_STOPPED_COUNT, lifelineWords, stoppedWord, watchdogSource } from './lifeline.js';
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

/**
 * Longest sleep of the calling thread between two looks at the lifeline block: a stopped worker
 * normally wakes it at once (the watchdog's notify), this bounds the one case where that notify
 * comes between the caller's look and its wait.
 */
const LIVENESS_CHECK_MS = 50;

/**
 * Kernels whose chunk can run again from the start after a worker stopped part-way through it,
 * because the chunk only writes outputs that none of its inputs overlap, and writes each output
 * whole (no read-modify-write of a value the chunk did not first store itself):
 * - matmul: the first depth block stores each tile of `out`, later ones add to what it stored
 *   (the accelerator never lets `out` overlap a, b or bias);
 * - the sums, padding, filter packing, pooling: `out` apart from `x` (pool2dBackward zero-fills
 *   its images of dx first);
 * - conv2d, int8: rows of `out` and the chunk's own slot of scratch, rewritten from the start;
 * - conv2dFilterGrad: the chunk's own partial slot, stored by its first block (zeroed when empty).
 * The elementwise kernels and Adam may run in place (an output over its own input, which the
 * accelerator allows): listed with the argument indices of their inputs and outputs, they run
 * again only when no output is one of the inputs. Not listed, so never run again: sumPartials (it
 * adds the partial slots onto the first slot, in place) and any kernel not checked here.
 */
const RERUNNABLE: Partial<Record<KernelName, { inputs: readonly number[]; outputs: readonly number[] } | 'always'>> = {
  matmulChunk: 'always',
  unaryChunk: { inputs: [1], outputs: [2] },
  binaryChunk: { inputs: [1, 2], outputs: [3] },
  binaryRowsChunk: { inputs: [1, 2], outputs: [3] },
  sumLastAxisChunk: 'always',
  sumMiddleAxisChunk: 'always',
  conv2dChunk: 'always',
  conv2dFilterGradChunk: 'always',
  padImagesChunk: 'always',
  packConvFilterChunk: 'always',
  pool2dChunk: 'always',
  pool2dBackwardChunk: 'always',
  int8LinearChunk: 'always',
  int8Conv2dChunk: 'always',
  conv2dMaxPoolChunk: 'always',
  maxPoolIndicesChunk: 'always',
  maxPoolScatterChunk: 'always',
  winogradFilterChunk: 'always',
  winogradChunk: 'always',
  // Its first block stores into the chunk's own partial slot (an empty chunk zero-fills it), later ones add.
  winogradFilterGradChunk: 'always',
  winogradFilterGradOutputChunk: 'always',
  adamChunk: { inputs: [0, 1, 2, 3], outputs: [4, 5, 6] },
};

/** Whether a chunk of `kernel` with `args` may run again after a worker stopped inside it (see {@link RERUNNABLE}). */
function canRunChunkAgain(kernel: KernelName, args: readonly number[]): boolean {
  const operands = RERUNNABLE[kernel];
  if (operands === undefined) return false;
  if (operands === 'always') return true;
  return operands.outputs.every((output) => operands.inputs.every((input) => args[input] !== args[output]));
}

/** Test-only hooks into the hand-off of a call (see thread-pool.test.ts). */
export interface ThreadPoolTestHooks {
  /**
   * Runs after a call's count, kernel and arguments are written and before its JOB word opens it,
   * with the control words and the JOB value that the previous call left.
   */
  beforeOpen?(words: Int32Array, previousJob: number): void;
  /** Runs once the calling thread has seen every chunk of a call counted done, before the count is checked. */
  afterChunks?(words: Int32Array): void;
  /**
   * Runs once the calling thread has claimed the last chunk of a call, before it waits for the
   * workers' chunks, with the control words and the lifeline words (see lifeline.ts).
   */
  beforeWait?(words: Int32Array, lifeline: Int32Array): void;
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
  /** What each worker holds and whether it stopped (see lifeline.ts); null without workers. */
  private readonly lifeline: Int32Array | null;
  /** Node: the thread that marks stopped workers in the lifeline block while the caller waits. */
  private watchdog: KernelWatchdog | null;
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

  private constructor(
    setup: ThreadPoolSetup, control: SharedArrayBuffer | null, workers: KernelWorker[],
    lifeline: SharedArrayBuffer | null = null, watchdog: KernelWatchdog | null = null,
  ) {
    const buffer = control ?? new ArrayBuffer(CONTROL_BYTES);
    this.words = new Int32Array(buffer, 0, CONTROL_WORD_COUNT);
    this.argumentSlots = new Float64Array(buffer, CONTROL_WORD_COUNT * 4, ARGUMENT_SLOTS);
    this.messageBytes = new Uint8Array(buffer, MESSAGE_OFFSET, MESSAGE_BYTES);
    this.kernels = KERNEL_NAMES.map((name) => setup.instance.exports[name] as ChunkKernel);
    this.callerScratch = setup.scratch[0];
    this.workers = workers;
    this.lifeline = lifeline === null ? null : new Int32Array(lifeline);
    this.watchdog = watchdog;
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
    const workerCount = setup.scratch.length - 1;
    const lifeline = new SharedArrayBuffer(lifelineWords(workerCount) * 4);
    const channels = await lifelineChannels(workerCount);
    const source = kernelWorkerSource();
    const workers: KernelWorker[] = [];
    let watchdog: KernelWatchdog | null = null;
    try {
      for (let index = 1; index <= workerCount; index++) {
        workers.push(await startKernelWorker(source, {
          module: setup.module, memory: setup.memory, control, scratch: setup.scratch[index], thread: index,
          lifeline, lifelinePort: channels?.workerEnds[index - 1],
        }));
      }
      if (channels !== null) watchdog = await startKernelWatchdog(watchdogSource(), control, lifeline, channels.watchdogEnds);
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
      watchdog?.terminate();
      throw error;
    }
    for (const worker of workers) worker.unref();
    return new KernelThreadPool(setup, control, workers, lifeline, watchdog);
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
    if (this.workers.length > 0 && (this.lostWorker !== null || this.workerStopped())) {
      this.degradedReason = `${this.lostWorker ?? `kernel worker thread ${this.stoppedThreads()[0]} stopped`}: kernels run on the calling thread from now on`;
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

  /**
   * Test-only: the next worker that claims a chunk ends its thread while holding it (process.exit
   * in Node), as a worker killed in the middle of a chunk would.
   */
  injectWorkerExit(): void {
    Atomics.store(this.words, CONTROL_WORDS.injectFault, 3);
  }

  /** Test-only: terminates worker thread `thread` (1, 2, ...) from outside, as its host might. */
  terminateWorker(thread: number): void {
    this.workers[thread - 1]?.terminate();
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
    if (this.testHooks.beforeWait !== undefined && this.lifeline !== null) this.testHooks.beforeWait(words, this.lifeline);
    // Even after a failure, wait for every claimed chunk so no worker still runs this call later.
    if (this.waitForChunks(chunkCount)) {
      this.testHooks.afterChunks?.(words);
      const done = Atomics.load(words, CONTROL_WORDS.done);
      if (done !== chunkCount) this.abandonWorkers(`thread pool: ${done} chunks counted done for a call of ${chunkCount}`);
    } else {
      // A worker stopped during the call: its chunk is run again here, or the call fails.
      callerError ??= this.recoverFromStoppedWorker(kernel, kernelFunction, chunkCount, args);
    }
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

  /**
   * Waits until every chunk of the call is counted done (true), or until a worker is known to have
   * stopped (false): that worker may hold a chunk it will never count.
   */
  private waitForChunks(chunkCount: number): boolean {
    const words = this.words;
    let spins = 0;
    for (;;) {
      const done = Atomics.load(words, CONTROL_WORDS.done);
      if (done >= chunkCount) return true;
      // A browser main thread may not block; it keeps spinning (the workers finish their last chunk).
      if (spins < CALLER_SPIN_ITERATIONS || !this.callerCanBlock) {
        spins++;
        if ((spins & 1023) === 0 && this.workerStopped()) return false;
        continue;
      }
      if (this.workerStopped()) return false;
      try {
        // Bounded: a notify that came just before this wait began is not lost for long.
        Atomics.wait(words, CONTROL_WORDS.done, done, LIVENESS_CHECK_MS);
      } catch {
        // Hosts that forbid blocking here (e.g. an Electron renderer) throw: spin from now on.
        this.callerCanBlock = false;
      }
    }
  }

  /** Whether the lifeline block counts a stopped worker. */
  private workerStopped(): boolean {
    return this.lifeline !== null && Atomics.load(this.lifeline, LIFELINE_STOPPED_COUNT) !== 0;
  }

  /** The worker threads (1, 2, ...) that the lifeline block marks stopped. */
  private stoppedThreads(): number[] {
    const lifeline = this.lifeline;
    if (lifeline === null) return [];
    return this.workers.map((_, index) => index + 1).filter((thread) => Atomics.load(lifeline, stoppedWord(thread)) !== 0);
  }

  /** The chunk of the current call that worker thread `thread` claims or runs, or -1. */
  private heldChunk(thread: number, chunkCount: number): number {
    if (this.lifeline === null) return -1;
    const job = Atomics.load(this.lifeline, holdingWord(thread));
    const chunk = job & 0xffff;
    return job !== 0 && job >>> 16 === this.generation && chunk < chunkCount ? chunk : -1;
  }

  /**
   * A worker stopped while the caller waited for the call's chunks. Every chunk is claimed by now,
   * and a worker names the chunk it claims before it claims it (see lifeline.ts), so: wait until no
   * live worker holds a chunk of this call, then run again, on this thread, each chunk a stopped
   * worker held (it may have stopped before, during or after running it). Then retire the workers.
   * Returns the error to throw when a held chunk cannot run again (it updates its operands in
   * place, so part of it may have run: the call's results are lost), or null.
   */
  private recoverFromStoppedWorker(
    kernel: KernelName, kernelFunction: ChunkKernel, chunkCount: number, args: readonly number[],
  ): WasmKernelError | null {
    const threads = this.workers.map((_, index) => index + 1);
    for (;;) {
      const stopped = new Set(this.stoppedThreads());
      if (threads.every((thread) => stopped.has(thread) || this.heldChunk(thread, chunkCount) < 0)) break;
      // A live worker still runs a chunk of this call: it counts it done (and notifies) when it ends.
      Atomics.wait(this.words, CONTROL_WORDS.done, Atomics.load(this.words, CONTROL_WORDS.done), 1);
    }
    const stopped = this.stoppedThreads();
    const orphans = stopped.map((thread) => ({ thread, chunk: this.heldChunk(thread, chunkCount) })).filter(({ chunk }) => chunk >= 0);
    const rerun = canRunChunkAgain(kernel, args);
    let error: WasmKernelError | null = null;
    for (const { thread, chunk } of orphans) {
      if (!rerun) {
        error ??= new WasmKernelError(kernel, thread, chunk,
          'the worker thread stopped while it held this chunk, which updates its operands in place, so it cannot run again: the call\'s results are lost');
        continue;
      }
      try {
        kernelFunction(chunk, this.callerScratch, ...args);
      } catch (caught) {
        error ??= new WasmKernelError(kernel, 0, chunk, describeError(caught), caught);
      }
    }
    const held = orphans.length === 0 ? '' : ` while it held chunk ${orphans.map(({ chunk }) => chunk).join(', ')} of '${kernel}'${rerun ? ' (run again on the calling thread)' : ''}`;
    this.degradedReason = `${this.lostWorker ?? `kernel worker thread ${stopped.join(', ')} stopped`}${held}: kernels run on the calling thread from now on`;
    this.dispose();
    return error;
  }

  /** Stops the workers; later calls run on the calling thread. */
  dispose(): void {
    this.watchdog?.terminate();
    this.watchdog = null;
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
