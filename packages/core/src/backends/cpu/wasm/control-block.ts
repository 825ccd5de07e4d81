/**
 * Layout of the small SharedArrayBuffer through which the calling thread hands one parallel call
 * to the workers. A call is cut into chunks; every thread (the caller included) claims chunks by
 * compare-and-swap on JOB, whose high 15 bits are the call's generation and low 16 bits the next
 * unclaimed chunk.
 *
 * Publishing a call takes three steps, in this order: JOB := (new generation, CLOSED_CHUNK), then
 * the call's chunk count, kernel and arguments, then JOB := (new generation, 0). A worker reads JOB,
 * then the call, then claims by swapping the JOB value it read: the swap succeeds only if JOB did
 * not move in between, and the first step moves it before anything of the call is overwritten, so
 * a claim can never pair a chunk index with another call's count, kernel or arguments. (Without the
 * first step a worker that read the finished previous call's JOB and then the new call's count
 * could claim chunks of the new call while it was still being written: it ran them with half-set
 * arguments and counted them as done, so the caller returned before the call's real chunks had
 * finished. Found chasing issue 9's intermittent CNN crash, it accounts for both the worker's trap
 * and the epoch's run-to-run differences.)
 */
export const CONTROL_WORDS = {
  /** (generation << 16) | next chunk to claim. Workers sleep on it. */
  job: 0,
  /** Chunks finished in the current call. The caller sleeps on it. */
  done: 1,
  /** Chunks in the current call. */
  chunkCount: 2,
  /** Index into KERNEL_NAMES of the current call's kernel. */
  kernel: 3,
  /** Set to 1 to make the workers exit. */
  quit: 4,
  /** Set to 1 by a worker whose kernel threw; the caller reports it. */
  failed: 5,
  /** Workers asleep in Atomics.wait (or about to be): waking one costs the caller ~15 µs. */
  sleepers: 6,
  /** Chunks run by workers since the pool started (a diagnostic; wraps past 2^31). */
  workerChunks: 7,
  /** The chunk whose failure is described in the message area (the first failure of the call). */
  failedChunk: 8,
  /** Worker number (1, 2, ...) of that failure. */
  failedThread: 9,
  /** Bytes of UTF-8 in the message area. */
  messageLength: 10,
  /**
   * Test-only fault injection: 1 makes the next chunk a worker claims do a real out-of-bounds access
   * instead of its kernel; 2 makes the next worker that looks for work die outside any kernel; 3 makes
   * the next worker that claims a chunk end its thread while holding it. The worker that acts on it
   * clears the word.
   */
  injectFault: 11,
} as const;

/** Int32 words before the arguments. */
export const CONTROL_WORD_COUNT = 16;
/** Float64 argument slots (pointers, sizes, flags of the kernel call). */
export const ARGUMENT_SLOTS = 12;
/** Bytes for the message of a worker's failure (its error's name and message, UTF-8, cut to fit). */
export const MESSAGE_BYTES = 512;
export const MESSAGE_OFFSET = CONTROL_WORD_COUNT * 4 + ARGUMENT_SLOTS * 8;
export const CONTROL_BYTES = MESSAGE_OFFSET + MESSAGE_BYTES;
/** The chunk field of a JOB word while a call is being written: above every real chunk count. */
export const CLOSED_CHUNK = 0xffff;
/** Chunk indices must fit the low 16 bits of the job word, below {@link CLOSED_CHUNK}. */
export const MAX_CHUNKS = CLOSED_CHUNK - 1;
/** Generations wrap within 15 bits so the job word stays a positive int32. */
export const GENERATION_MASK = 0x7fff;

/** The parallel kernels the wasm module exports, each (chunk, scratch, ...arguments) => void. */
export const KERNEL_NAMES = [
  'matmulChunk', 'unaryChunk', 'binaryChunk', 'binaryRowsChunk', 'sumLastAxisChunk', 'sumMiddleAxisChunk',
  'conv2dChunk', 'conv2dFilterGradChunk', 'sumPartialsChunk', 'padImagesChunk', 'packConvFilterChunk',
  'pool2dChunk', 'pool2dBackwardChunk', 'int8LinearChunk', 'int8Conv2dChunk', 'adamChunk',
  'conv2dMaxPoolChunk', 'maxPoolScatterChunk', 'maxPoolIndicesChunk',
  'winogradFilterChunk', 'winogradChunk', 'winogradFilterGradChunk', 'winogradFilterGradOutputChunk',
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/**
 * Spins (~300 µs) of an idle worker before it sleeps, so the kernel calls of a training step,
 * separated by a little JS, find it awake: waking a sleeping worker costs the caller ~15 µs in
 * Atomics.notify and the worker ~40 µs before it runs.
 */
export const WORKER_SPIN_ITERATIONS = 50_000;

/**
 * Spins (~12 µs) of an idle worker before it sleeps while the cores are oversubscribed: there its
 * spinning takes time from other threads, the caller's among them. With another process keeping
 * one of two cores busy, a CNN training step took 15.1 ms on two threads with full spins, 12.8 ms
 * with these, and 12.0 ms on one thread.
 */
export const WORKER_CONTENDED_SPIN_ITERATIONS = 2_000;
/** A spinning worker that finds this much time gone between two clock checks was descheduled. */
export const DESCHEDULED_MS = 1;
/** How long after being descheduled a worker keeps its spins short. */
export const CONTENDED_MS = 3000;
