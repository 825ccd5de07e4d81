// Timing of a grouped Conv2D's forward + backward pass against the group count (not a test): Conv2D 3x3
// 'same' over [batch 8, 28, 28, channels 32], filters 32, groups 1, 4, 8 and 32 (depthwise), its groups
// taken with one `unstack` (Conv2D, now) and with a `slice` per group (the previous formula, kept in
// src/test-support/slice-grouped-conv.ts), in alternating rounds so contention hits both alike. Reports the
// best CPU time of the process (all threads) per pass: with slices each group's input gradient is padded to
// the full input and the G of them summed, so the slice column grows with G.
// Run from packages/layers with `pnpm timing:grouped-conv [--groups 1,4,8,32] [--rounds 3] [--only slice|unstack]`
// (`--only` times one formula, so `/usr/bin/time -v` gives its peak memory).
import { add, getBackendInfo, mul, randomNormal, ready, sum, tanh, tidy, variable, variableGrads, type Tensor } from '@dendrite/core';
import { Conv2D } from '../src/conv2d.js';
import { groupedConv2dWithSlices } from '../src/test-support/slice-grouped-conv.js';

const [BATCH, SIZE, CHANNELS] = [8, 28, 32];

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}
const groupCounts = argument('groups', '1,4,8,32').split(',').map(Number);
const rounds = Number(argument('rounds', '3'));
const only = argument('only', '');

await ready();
const input = variable(randomNormal([BATCH, SIZE, SIZE, CHANNELS], 0, 1, 1));
const projection = randomNormal([BATCH, SIZE, SIZE, CHANNELS], 0, 1, 2);

/** CPU milliseconds of one forward + backward pass of `forward` (gradients of x, kernel and bias read back). */
function timePass(forward: () => Tensor, variables: Tensor[]): number {
  const start = process.cpuUsage();
  tidy(() => {
    const { grads } = variableGrads(() => sum(mul(forward(), projection)), variables);
    for (const g of grads) g.dataSync();
  });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const info = getBackendInfo();
console.log(`Conv2D(${CHANNELS}, 3x3 'same', tanh) forward + backward over [${BATCH}, ${SIZE}, ${SIZE}, ${CHANNELS}]; backend ${info.name} (${info.implementation}, ${info.threads ?? 1} threads); best of ${rounds} rounds, CPU ms of the process`);
console.log('| groups | slice per group: ms per pass | unstack: ms per pass | speed-up |');
console.log('|---:|---:|---:|---:|');
for (const groups of groupCounts) {
  const conv = new Conv2D({ filters: CHANNELS, kernelSize: 3, padding: 'same', groups, activation: 'tanh', seed: 3 });
  conv.build(input.shape);
  const variables = [input, conv.kernel, conv.bias!];
  const formulas: Array<[string, () => Tensor]> = ([
    ['slice', () => tanh(add(groupedConv2dWithSlices(input, conv.kernel, groups, { padding: 'same' }), conv.bias!))],
    ['unstack', () => conv.apply(input)],
  ] as Array<[string, () => Tensor]>).filter(([name]) => !only || name === only);
  const best = new Map<string, number>(formulas.map(([name]) => [name, Infinity]));
  for (const [, forward] of formulas) timePass(forward, variables); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const [name, forward] of formulas) best.set(name, Math.min(best.get(name)!, timePass(forward, variables)));
  }
  const [sliced, unstacked] = [best.get('slice') ?? NaN, best.get('unstack') ?? NaN];
  const cell = (ms: number) => (Number.isNaN(ms) ? '–' : ms.toFixed(0));
  console.log(`| ${groups} | ${cell(sliced)} | ${cell(unstacked)} | ${only ? '–' : `${(sliced / unstacked).toFixed(2)}x`} |`);
}
