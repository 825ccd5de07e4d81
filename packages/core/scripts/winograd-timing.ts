// Timing and accuracy of the Winograd F(4x4, 5x5) kernels against the direct kernels (not a test), on
// the issue-3 CNN's 5x5 layers: conv1 [64,28,28,1] -> 8 (which Winograd leaves to the direct kernel)
// and conv2 [64,14,14,8] -> 16, 'same', forward with bias + relu and both gradients. A/B interleaved,
// CPU time of the process (process.cpuUsage: with one thread it is the kernel's own time whatever
// else loads the machine), minimum over rounds. Also conv2dMaxPool (+ bias + relu) as each kernel fuses
// the pool, and as conv2d then maxPoolWithIndices. Also the worst |difference| from the float64
// definition, relative to the largest |value|, for both kernels: on the CNN layers, and with
// --accuracy N over N random 5x5 stride-1 convolutions of wasm-winograd.test.ts's kind (batch 1-3,
// sizes 1-17, channels 4-17, paddings 0-4) that Winograd takes. Run with
// `npx tsx scripts/winograd-timing.ts [--threads 1] [--rounds 15] [--repeats 20] [--accuracy 200]`.

import type { Conv2DInfo } from '../src/backend/backend.js';
import { createWasmAccelerator, type WasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { winogradApplies } from '../src/backends/cpu/wasm/wasm-conv.js';
import { convInfoOf, naiveConv2d } from '../src/backends/cpu/conv-test-helpers.js';
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
function relativeErrorOf(actual: Float32Array, expected: Float64Array): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  return scale === 0 ? 0 : worst / scale;
}

function relativeError(actual: Float32Array, expected: Float64Array): string {
  return relativeErrorOf(actual, expected).toExponential(2);
}

/**
 * Worst relative error of each kernel over `count` random convolutions that Winograd takes (forward,
 * input gradient, filter gradient), for the Winograd and the direct accelerators.
 */
function accuracySweep(count: number, winograd: WasmAccelerator, direct: WasmAccelerator): void {
  const integer = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));
  const worst = { winograd: [0, 0, 0], direct: [0, 0, 0] };
  let taken = 0;
  while (taken < count) {
    const height = integer(1, 17);
    const width = integer(1, 17);
    const pad: [number, number, number, number] = [integer(0, 4), integer(0, 4), integer(0, 4), integer(0, 4)];
    if (height + pad[0] + pad[1] < 5 || width + pad[2] + pad[3] < 5) continue;
    const info = convInfoOf({
      batch: integer(1, 3), height, width, inChannels: integer(4, 17), outChannels: integer(4, 17),
      filterHeight: 5, filterWidth: 5, stride: [1, 1], dilation: [1, 1], pad,
    });
    if (!winogradApplies(info, info.inChannels, info.outHeight, info.outWidth) ||
      !winogradApplies(info, info.outChannels, info.inHeight, info.inWidth)) continue;
    taken++;
    const x = Float32Array.from({ length: info.batch * info.inHeight * info.inWidth * info.inChannels }, () => Math.random() - 0.5);
    const filter = Float32Array.from({ length: 25 * info.inChannels * info.outChannels }, () => Math.random() - 0.5);
    const dy = Float32Array.from({ length: info.batch * info.outHeight * info.outWidth * info.outChannels }, () => Math.random() - 0.5);
    const expected = naiveConv2d(info, x, filter, dy);
    for (const [name, accelerator] of [['winograd', winograd], ['direct', direct]] as const) {
      const out = new Float32Array(expected.out.length);
      const dx = new Float32Array(expected.dx.length);
      const dFilter = new Float32Array(expected.dFilter.length);
      accelerator.conv2d!(x, filter, out, info);
      accelerator.conv2dBackpropInput!(dy, filter, dx, info);
      accelerator.conv2dBackpropFilter!(x, dy, dFilter, info);
      const errors = [relativeErrorOf(out, expected.out), relativeErrorOf(dx, expected.dx), relativeErrorOf(dFilter, expected.dFilter)];
      worst[name] = worst[name].map((value, i) => Math.max(value, errors[i]));
    }
  }
  for (const name of ['winograd', 'direct'] as const) {
    const [forward, input, filter] = worst[name].map((value) => value.toExponential(2));
    console.log(`${count} random convolutions, ${name}: worst max error / max |value| against float64: forward ${forward}, ` +
      `input gradient ${input}, filter gradient ${filter}`);
  }
}

async function main(): Promise<void> {
  const threads = argument('threads', 1);
  const rounds = argument('rounds', 15);
  const repeats = argument('repeats', 20);
  const winograd = await createWasmAccelerator({ threads });
  process.env.DENDRITE_WINOGRAD = 'off';
  const direct = await createWasmAccelerator({ threads });
  delete process.env.DENDRITE_WINOGRAD;
  const accuracyCount = argument('accuracy', 0);
  if (accuracyCount > 0) accuracySweep(accuracyCount, winograd, direct);
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
      pooled: accelerator.allocate!(info.batch * (info.outHeight >> 1) * (info.outWidth >> 1) * info.outChannels),
      indices: new Int32Array(info.batch * (info.outHeight >> 1) * (info.outWidth >> 1) * info.outChannels),
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
    const best = {
      forward: [Infinity, Infinity], input: [Infinity, Infinity], filter: [Infinity, Infinity], pooled: [Infinity, Infinity],
      unfused: [Infinity, Infinity],
    };
    // conv2dMaxPool: fused into the kernel that takes the convolution (a false return leaves the op's
    // fallback, conv2d then maxPoolWithIndices, which 'unfused' times on both).
    const convolveAndPool = (accelerator: WasmAccelerator, operands: ReturnType<typeof arrays>, fused: boolean) => {
      if (fused && accelerator.conv2dMaxPool!(operands.x, operands.w, operands.bias, 'relu', info, operands.pooled, operands.indices)) return;
      accelerator.conv2d!(operands.x, operands.w, operands.out, info, operands.bias, 'relu');
      accelerator.maxPoolWithIndices!(operands.out, operands.pooled, operands.indices, info.batch, info.outHeight, info.outWidth, info.outChannels);
    };
    for (let round = 0; round < rounds; round++) {
      for (const [index, [accelerator, operands]] of ([[winograd, a], [direct, b]] as const).entries()) {
        best.forward[index] = Math.min(best.forward[index], cpuMilliseconds(
          () => accelerator.conv2d!(operands.x, operands.w, operands.out, info, operands.bias, 'relu'), repeats));
        best.input[index] = Math.min(best.input[index], cpuMilliseconds(
          () => accelerator.conv2dBackpropInput!(operands.dy, operands.w, operands.dx, info), repeats));
        best.filter[index] = Math.min(best.filter[index], cpuMilliseconds(
          () => accelerator.conv2dBackpropFilter!(operands.x, operands.dy, operands.dFilter, info), repeats));
        best.pooled[index] = Math.min(best.pooled[index], cpuMilliseconds(() => convolveAndPool(accelerator, operands, true), repeats));
        best.unfused[index] = Math.min(best.unfused[index], cpuMilliseconds(() => convolveAndPool(accelerator, operands, false), repeats));
      }
    }
    const line = (name: string, [w, d]: number[]) =>
      `  ${name.padEnd(22)} winograd ${w.toFixed(3)} ms, direct ${d.toFixed(3)} ms, ${((1 - w / d) * 100).toFixed(1)}% less`;
    console.log(line('forward + bias + relu', best.forward));
    console.log(line('input gradient', best.input));
    console.log(line('filter gradient', best.filter));
    console.log(line('all three', [0, 1].map((i) => best.forward[i] + best.input[i] + best.filter[i])));
    console.log(line('conv2dMaxPool, fused', best.pooled));
    console.log(line('conv2d, maxPoolIndices', best.unfused));
  }
  winograd.dispose();
  direct.dispose();
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
