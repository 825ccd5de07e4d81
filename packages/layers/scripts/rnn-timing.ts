// Timing of a recurrent layer's forward + backward pass against the sequence length (not a test): an
// LSTM of 64 units over [batch 32, T, features 32], T = 25, 50, 100, 200, its steps taken with one
// `unstack` (runRecurrent, now) and with a `slice` per step (the previous loop, kept in
// src/test-support/slice-recurrent.ts), in alternating rounds so contention hits both alike. Reports the
// best CPU time of the process (all threads) per pass and per time step: with unstack the time per step
// should stay about flat, with slices it grows with T (each step's gradient padded to the full sequence).
// Run from packages/layers with `pnpm timing:rnn [--lengths 25,50,100,200] [--rounds 3] [--only slice|unstack] [--sequences]`
// (`--sequences`: returnSequences, the loss over every step's output, so stack's backward is timed too);
// `--only` times one loop, so `/usr/bin/time -v` gives that loop's peak memory (the sweep used to free the
// gradients it accumulated only at its end, so T padded full-size gradients were alive at once; it now frees
// each when done with it).
import {
  getBackendInfo, mul, randomNormal, ready, sigmoid, sum, tanh, tidy, variable, variableGrads, zeros, type Tensor,
} from '@dendrite/core';
import { LSTM } from '../src/recurrent/lstm.js';
import { lstmCell } from '../src/recurrent/cells.js';
import { runRecurrent, type RunRecurrentOptions, type RecurrentResult } from '../src/recurrent/run.js';
import { runRecurrentWithSlices } from '../src/test-support/slice-recurrent.js';

const [BATCH, FEATURES, UNITS] = [32, 32, 64];

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}
const lengths = argument('lengths', '25,50,100,200').split(',').map(Number);
const rounds = Number(argument('rounds', '3'));
const returnSequences = process.argv.includes('--sequences');

await ready();
// The layer only supplies LSTM weights (its initializers); both loops run the same cell on them.
const layer = new LSTM({ units: UNITS, seed: 1 });
layer.build([BATCH, 1, FEATURES]);
const weights = [layer.kernel, layer.recurrentKernel, layer.bias!, layer.recurrentBias!].map((w) => variable(w));
const cell = lstmCell(tanh, sigmoid);

type Loop = (options: RunRecurrentOptions) => RecurrentResult;
const only = argument('only', '');
const loops: Array<[string, Loop]> = ([['slice per step', runRecurrentWithSlices], ['unstack', runRecurrent]] as Array<[string, Loop]>)
  .filter(([name]) => !only || name.startsWith(only));

/** CPU milliseconds of one forward + backward pass (the loss: the last output, or every output, summed). */
function timePass(loop: Loop, input: Tensor): number {
  const start = process.cpuUsage();
  tidy(() => {
    const [kernel, recurrentKernel, bias, recurrentBias] = weights;
    const { grads } = variableGrads(() => sum(mul(loop({
      input, cell, kernel, bias, weights: { recurrentKernel, recurrentBias },
      initialStates: [zeros([BATCH, UNITS]), zeros([BATCH, UNITS])], mask: null, reverse: false, returnSequences,
    }).output, 1)), weights);
    // Reading the gradients makes sure every kernel ran.
    for (const g of grads) g.dataSync();
  });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const info = getBackendInfo();
console.log(`LSTM(${UNITS}${returnSequences ? ', returnSequences' : ''}) forward + backward, batch ${BATCH}, features ${FEATURES}; backend ${info.name} (${info.implementation}, ${info.threads ?? 1} threads); best of ${rounds} rounds, CPU ms of the process`);
console.log('| T | slice per step: ms per pass | ms per step | unstack: ms per pass | ms per step | speed-up |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const time of lengths) {
  const input = randomNormal([BATCH, time, FEATURES], 0, 1, time);
  const best = new Map<string, number>(loops.map(([name]) => [name, Infinity]));
  for (const [, loop] of loops) timePass(loop, input); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, loop] of loops) best.set(name, Math.min(best.get(name)!, timePass(loop, input)));
  }
  input.dispose();
  const [sliced, unstacked] = [best.get('slice per step') ?? NaN, best.get('unstack') ?? NaN];
  const cells = (ms: number) => (Number.isNaN(ms) ? '– | –' : `${ms.toFixed(0)} | ${(ms / time).toFixed(2)}`);
  console.log(`| ${time} | ${cells(sliced)} | ${cells(unstacked)} | ${only ? '–' : `${(sliced / unstacked).toFixed(2)}x`} |`);
}
