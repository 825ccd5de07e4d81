// Helpers shared by the wasm timing scripts (not a test).

import type { WasmAccelerator } from '../src/backends/cpu/wasm/index.js';

/** `length` floats in [-0.5, 0.5) inside the accelerator's memory. */
export function randomArray(accelerator: WasmAccelerator, length: number): Float32Array {
  const array = accelerator.allocate!(length);
  for (let i = 0; i < length; i++) array[i] = Math.random() - 0.5;
  return array;
}

/**
 * Best time in milliseconds of `run` after one warm-up call, repeating until `budgetMs` has been
 * spent and at least `minRepeats` calls were made, but at most `maxRepeats` calls.
 */
export function bestTime(run: () => void, budgetMs: number, minRepeats: number, maxRepeats: number): number {
  run();
  let best = Infinity;
  let spent = 0;
  for (let repeat = 0; repeat < maxRepeats && (spent < budgetMs || repeat < minRepeats); repeat++) {
    const start = performance.now();
    run();
    const elapsed = performance.now() - start;
    spent += elapsed;
    best = Math.min(best, elapsed);
  }
  return best;
}
