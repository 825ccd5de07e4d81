// Timing and accuracy of the Winograd F(2x2, 5x5) kernel against the direct kernel (not a test), on
// the issue-3 CNN's 5x5 layers: conv1 [64,28,28,1] -> 8 and conv2 [64,14,14,8] -> 16, 'same',
// forward with bias + relu and both gradients. A/B interleaved, CPU time of the process
// (process.cpuUsage: with one thread it is the kernel's own time whatever else loads the machine),
// minimum over rounds. Also the worst |difference| from the float64 definition, relative to the
// largest |value|, for both kernels. Run with
// `npx tsx scripts/winograd-timing.ts [--threads 1] [--rounds 15] [--repeats 20]`.

import type { Conv2DInfo } from '../src/backend/backend.js';
import { createWasmAccelerator, type WasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { naiveConv2d } from '../src/backends/cpu/conv-test-helpers.js';
import { randomArray } from './timing-helpers.js';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** 'same' 5x5 geometry. */
function sameInfo(batch: number, size: number, inChannels: number, outChannels: number): Conv2DInfo {
  return {
    batch, inHeight: size, inWidth: size, inChannels, outHeight: size, outWidth: size, outChannels,
    filterHeight: 5, filterWidth: 5, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 2, padLeft: 2,
  };
}

/** CPU milliseconds per call of `run`, `repeats` calls in a row. */
function cpuMilliseconds(run: () => void, repeats: number): number {
  const start = process.cpuUsage();
  for (let repeat = 0; repeat < repeats; repeat++) run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / repeats;
}

/** max |actual - expected| / max |expected|. */
function relativeError(actual: Float32Array, expected: Float64Array): string {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  return (worst / scale).toExponential(2);
}

async function main(): Promise<void> {
  const threads = argument('threads', 1);
  const rounds = argument('rounds', 15);
  const repeats = argument('repeats', 20);
  const winograd = await createWasmAccelerator({ threads });
  process.env.DENDRITE_WINOGRAD = 'off';
  const direct = await createWasmAccelerator({ threads });
  delete process.env.DENDRITE_WINOGRAD;
  const cases: Array<{ label: string; info: Conv2DInfo }> = [
    { label: 'conv1 [64,28,28,1]->8', info: sameInfo(64, 28, 1, 8) },
    { label: 'conv2 [64,14,14,8]->16', info: sameInfo(64, 14, 8, 16) },
  ];
  console.log(`threads ${threads}, ${rounds} interleaved rounds of ${repeats} calls, CPU ms per call (min over rounds)`);
  for (const { label, info } of cases) {
    const arrays = (accelerator: WasmAccelerator) => ({
      x: randomArray(accelerator, info.batch * info.inHeight * info.inWidth * info.inChannels),
      w: randomArray(accelerator, 25 * info.inChannels * info.outChannels),
      bias: randomArray(accelerator, info.outChannels),
      out: accelerator.allocate!(info.batch * info.outHeight * info.outWidth * info.outChannels),
      dy: randomArray(accelerator, info.batch * info.outHeight * info.outWidth * info.outChannels),
      dx: accelerator.allocate!(info.batch * info.inHeight * info.inWidth * info.inChannels),
      dFilter: accelerator.allocate!(25 * info.inChannels * info.outChannels),
    });
    const a = arrays(winograd);
    const b = arrays(direct);
    b.x.set(a.x); b.w.set(a.w); b.bias.set(a.bias); b.dy.set(a.dy);
    // Accuracy against float64 (forward without bias or activation, and both gradients).
    const expected = naiveConv2d(info, a.x, a.w, a.dy);
    for (const [name, accelerator, operands] of [['winograd', winograd, a], ['direct', direct, b]] as const) {
      accelerator.conv2d!(operands.x, operands.w, operands.out, info);
      accelerator.conv2dBackpropInput!(operands.dy, operands.w, operands.dx, info);
      accelerator.conv2dBackpropFilter!(operands.x, operands.dy, operands.dFilter, info);
      console.log(`${label}, ${name}: max error / max |value| against float64: forward ${relativeError(operands.out, expected.out)}, ` +
        `input gradient ${relativeError(operands.dx, expected.dx)}, filter gradient ${relativeError(operands.dFilter, expected.dFilter)}`);
    }
    const best = { forward: [Infinity, Infinity], input: [Infinity, Infinity], filter: [Infinity, Infinity] };
    for (let round = 0; round < rounds; round++) {
      for (const [index, [accelerator, operands]] of ([[winograd, a], [direct, b]] as const).entries()) {
        best.forward[index] = Math.min(best.forward[index], cpuMilliseconds(
          () => accelerator.conv2d!(operands.x, operands.w, operands.out, info, operands.bias, 'relu'), repeats));
        best.input[index] = Math.min(best.input[index], cpuMilliseconds(
          () => accelerator.conv2dBackpropInput!(operands.dy, operands.w, operands.dx, info), repeats));
        best.filter[index] = Math.min(best.filter[index], cpuMilliseconds(
          () => accelerator.conv2dBackpropFilter!(operands.x, operands.dy, operands.dFilter, info), repeats));
      }
    }
    const line = (name: string, [w, d]: number[]) =>
      `  ${name.padEnd(22)} winograd ${w.toFixed(3)} ms, direct ${d.toFixed(3)} ms, ${((1 - w / d) * 100).toFixed(1)}% less`;
    console.log(line('forward + bias + relu', best.forward));
    console.log(line('input gradient', best.input));
    console.log(line('filter gradient', best.filter));
    console.log(line('all three', [0, 1].map((i) => best.forward[i] + best.input[i] + best.filter[i])));
  }
  winograd.dispose();
  direct.dispose();
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
