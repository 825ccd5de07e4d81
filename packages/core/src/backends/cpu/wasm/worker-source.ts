import {
  ARGUMENT_SLOTS, CONTENDED_MS, CONTROL_WORD_COUNT, CONTROL_WORDS, DESCHEDULED_MS, KERNEL_NAMES, MESSAGE_BYTES,
  MESSAGE_OFFSET, WORKER_CONTENDED_SPIN_ITERATIONS, WORKER_SPIN_ITERATIONS,
} from './control-block.js';
import { LIFELINE_STOPPED_COUNT, holdingWord } from './lifeline.js';

/**
 * The source of one kernel worker, as a string so that it runs unchanged from the TypeScript
 * sources, from the ESM and CJS builds and inside a browser bundle: Node starts it with
 * `new Worker(source, { eval: true, workerData })`, a browser from a Blob URL followed by one
 * message. Either way it receives { module, memory, control, lifeline, lifelinePort, scratch, thread }, instantiates the
 * kernel module over the shared memory, reports 'ready' and then serves calls until told to quit.
 * A kernel that throws is reported through the control block (its message, the chunk and this
 * worker's number, see control-block.ts) and the worker goes on serving. What this worker holds, and
 * whether it stopped, is kept in the lifeline block (see lifeline.ts).
 */
export function kernelWorkerSource(): string {
  return `'use strict';
const W = ${JSON.stringify(CONTROL_WORDS)};
const KERNEL_NAMES = ${JSON.stringify(KERNEL_NAMES)};
const SPIN = ${WORKER_SPIN_ITERATIONS};
const CONTENDED_SPIN = ${WORKER_CONTENDED_SPIN_ITERATIONS};
const DESCHEDULED_MS = ${DESCHEDULED_MS};
const CONTENDED_MS = ${CONTENDED_MS};
function serve(data, post) {
  const instance = new WebAssembly.Instance(data.module, {
    env: { memory: data.memory, abort() { throw new Error('wasm kernel aborted'); } },
  });
  const kernels = KERNEL_NAMES.map((name) => instance.exports[name]);
  const words = new Int32Array(data.control, 0, ${CONTROL_WORD_COUNT});
  const args = new Float64Array(data.control, ${CONTROL_WORD_COUNT * 4}, ${ARGUMENT_SLOTS});
  const messageBytes = new Uint8Array(data.control, ${MESSAGE_OFFSET}, ${MESSAGE_BYTES});
  const encoder = new TextEncoder();
  const scratch = data.scratch;
  // Node: data.lifelinePort's far end is the watchdog's, which hears it close when this thread ends;
  // data (and so the port) stays referenced by the loop below, so it is never collected and closed.
  const lifeline = new Int32Array(data.lifeline);
  const holding = ${holdingWord(1)} + 2 * (data.thread - 1);
  // The first failure of a call is kept: later ones are usually its consequences.
  function report(error, chunk) {
    if (Atomics.compareExchange(words, W.failed, 0, 1) !== 0) return;
    const text = error instanceof Error ? error.name + ': ' + error.message : String(error);
    // Copied through a private buffer: encodeInto may not accept a shared one in every host.
    const encoded = encoder.encode(text).subarray(0, ${MESSAGE_BYTES});
    messageBytes.set(encoded);
    Atomics.store(words, W.messageLength, encoded.length);
    Atomics.store(words, W.failedChunk, chunk);
    Atomics.store(words, W.failedThread, data.thread);
  }
  let contendedUntil = -Infinity;
  post('ready');
  try {
    loop();
  } catch (error) {
    // Stopping on an error outside a kernel: tell a caller that may be waiting for this worker's chunk.
    if (Atomics.compareExchange(lifeline, holding + 1, 0, 1) === 0) Atomics.add(lifeline, ${LIFELINE_STOPPED_COUNT}, 1);
    Atomics.notify(words, W.done);
    throw error;
  }
  function loop() {
    for (;;) {
      if (Atomics.load(words, W.quit) !== 0) return;
      // Test-only: 2 makes this worker die outside any kernel, as a crash of the thread would.
      if (Atomics.load(words, W.injectFault) === 2 && Atomics.compareExchange(words, W.injectFault, 2, 0) === 2) {
        throw new Error('kernel worker stopped by an injected crash');
      }
      const job = Atomics.load(words, W.job);
      const count = Atomics.load(words, W.chunkCount);
      const chunk = job & 0xffff;
      if (chunk < count) {
        const kernel = kernels[Atomics.load(words, W.kernel)];
        const a0 = args[0], a1 = args[1], a2 = args[2], a3 = args[3], a4 = args[4], a5 = args[5];
        const a6 = args[6], a7 = args[7], a8 = args[8], a9 = args[9], a10 = args[10], a11 = args[11];
        // Held before the claim (a plain store, see lifeline.ts), so a claimed chunk is always named.
        lifeline[holding] = job;
        // The swap succeeds only while JOB still holds the value read above, and the caller moves JOB
        // before it rewrites a call (see control-block.ts), so the reads above belong to this call.
        if (Atomics.compareExchange(words, W.job, job, job + 1) !== job) {
          lifeline[holding] = 0;
          continue;
        }
        // Test-only: 3 makes the worker holding this chunk end its thread, as process.exit in a kernel would.
        if (Atomics.load(words, W.injectFault) === 3 && Atomics.compareExchange(words, W.injectFault, 3, 0) === 3) {
          if (typeof process === 'object') process.exit(70);
          throw new Error('kernel worker stopped by an injected exit');
        }
        try {
          if (Atomics.load(words, W.injectFault) === 1 && Atomics.compareExchange(words, W.injectFault, 1, 0) === 1) {
            // A real trap of the wasm code, as a kernel reading past the memory would make.
            kernels[${KERNEL_NAMES.indexOf('unaryChunk')}](0, scratch, 4, data.memory.buffer.byteLength, data.memory.buffer.byteLength, 64, 64);
          }
          kernel(chunk, scratch, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
        } catch (error) {
          report(error, chunk);
        }
        Atomics.add(words, W.workerChunks, 1);
        if (Atomics.add(words, W.done, 1) + 1 === count) Atomics.notify(words, W.done);
        lifeline[holding] = 0;
        continue;
      }
      // Spin a while for the next call, checking the clock every 1024 spins: a long gap means this
      // thread was descheduled, so the cores are oversubscribed and spinning only takes time from
      // other threads (the caller's among them): spin briefly for a while after that.
      const limit = performance.now() < contendedUntil ? CONTENDED_SPIN : SPIN;
      let spins = 0;
      let idle = true;
      let last = performance.now();
      while (spins < limit) {
        if (Atomics.load(words, W.job) !== job) {
          idle = false;
          break;
        }
        spins++;
        if ((spins & 1023) === 0) {
          const now = performance.now();
          if (now - last > DESCHEDULED_MS) {
            contendedUntil = now + CONTENDED_MS;
            break;
          }
          last = now;
        }
      }
      if (idle) {
        Atomics.add(words, W.sleepers, 1);
        Atomics.wait(words, W.job, job);
        Atomics.sub(words, W.sleepers, 1);
      }
    }
  }
}
if (typeof require === 'function' && typeof process === 'object' && process.versions && process.versions.node) {
  const threads = require('node:worker_threads');
  serve(threads.workerData, (message) => threads.parentPort.postMessage(message));
} else {
  self.onmessage = (event) => {
    self.onmessage = null;
    serve(event.data, (message) => self.postMessage(message));
  };
}
`;
}
