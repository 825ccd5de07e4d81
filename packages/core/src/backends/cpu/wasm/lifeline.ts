import { CONTROL_WORD_COUNT, CONTROL_WORDS } from './control-block.js';

/**
 * The lifeline block: a small SharedArrayBuffer, beside the control block, through which the
 * calling thread learns that a kernel worker stopped while the caller sits in Atomics.wait (where
 * no event of the host, a Node worker's 'exit' among them, can reach it) and which chunk that
 * worker held.
 *
 * Int32 words: [0] counts the workers known to have stopped; for worker thread t (1, 2, ...),
 * word 2t - 1 holds the JOB value of the chunk it is about to claim or runs (0 when none), and
 * word 2t is set to 1 once it stopped.
 *
 * A worker writes its holding word with plain stores (no extra atomic on the hot path): before the
 * compare-and-swap that claims a chunk, cleared when the swap fails, and cleared after the chunk is
 * counted done. A stopped worker is marked by the worker itself when an error escapes its loop
 * (every host), and in Node by a watchdog thread that holds one end of a MessageChannel whose
 * other end lives in the worker: the port closes whenever the worker's thread ends (an uncaught
 * error, process.exit, worker.terminate(), a resource-limit abort) and the watchdog, whose event
 * loop is free, marks the worker and wakes the caller with Atomics.notify on the DONE word.
 */
export const LIFELINE_STOPPED_COUNT = 0;

/** Words of a lifeline block for `workers` workers. */
export const lifelineWords = (workers: number): number => 2 * workers + 1;

/** Index of worker thread `thread`'s holding word (the JOB value it claims or runs, 0 when none). */
export const holdingWord = (thread: number): number => 2 * thread - 1;

/** Index of worker thread `thread`'s stopped flag. */
export const stoppedWord = (thread: number): number => 2 * thread;

/**
 * The watchdog's source (Node only), run with `new Worker(source, { eval: true, workerData })` and
 * workerData { control, lifeline, ports }: ports[t - 1] is the far end of worker thread t's port.
 */
export function watchdogSource(): string {
  return `'use strict';
const { workerData } = require('node:worker_threads');
const control = new Int32Array(workerData.control, 0, ${CONTROL_WORD_COUNT});
const lifeline = new Int32Array(workerData.lifeline);
workerData.ports.forEach((port, index) => {
  // A message listener starts the port and keeps this thread alive to hear it close.
  port.on('message', () => {});
  port.on('close', () => {
    if (Atomics.compareExchange(lifeline, ${stoppedWord(1)} + 2 * index, 0, 1) === 0) Atomics.add(lifeline, ${LIFELINE_STOPPED_COUNT}, 1);
    Atomics.notify(control, ${CONTROL_WORDS.done});
  });
});
`;
}
