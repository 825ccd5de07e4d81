/**
 * Layout of the small SharedArrayBuffer through which the calling thread hands one parallel call
 * to the workers. A call is cut into chunks; every thread (the caller included) claims chunks by
 * compare-and-swap on JOB, whose high 15 bits are the call's generation and low 16 bits the next
 * unclaimed chunk, so a late worker can never claim a chunk of a newer call with an older call's
 * arguments (its swap fails once the generation moves on).
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
} as const;

/** Int32 words before the arguments. */
export const CONTROL_WORD_COUNT = 16;
/** Float64 argument slots (pointers, sizes, flags of the kernel call). */
export const ARGUMENT_SLOTS = 12;
export const CONTROL_BYTES = CONTROL_WORD_COUNT * 4 + ARGUMENT_SLOTS * 8;
/** Chunk indices must fit the low 16 bits of the job word. */
export const MAX_CHUNKS = 0xffff;
/** Generations wrap within 15 bits so the job word stays a positive int32. */
export const GENERATION_MASK = 0x7fff;

/** The parallel kernels the wasm module exports, each (chunk, scratch, ...arguments) => void. */
export const KERNEL_NAMES = [
  'matmulChunk', 'unaryChunk', 'binaryChunk', 'binaryRowsChunk', 'sumLastAxisChunk', 'sumMiddleAxisChunk',
  'conv2dChunk', 'conv2dFilterGradChunk', 'sumPartialsChunk', 'padImagesChunk', 'packConvFilterChunk',
  'pool2dChunk', 'pool2dBackwardChunk',
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
