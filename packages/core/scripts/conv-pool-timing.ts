// Timing of the CNN layers' forward pass with their 2x2 max pool (not a test), one thread, CPU time,
// interleaved rounds so contention hits every form alike, best round of each:
//   fused     conv2dMaxPool: each tile pooled as it is computed (assembly/conv-pool.ts);
//   separate  the fused conv2d (bias + relu) into a full-resolution buffer, then maxPoolWithIndices;
//   unpooled  the fused conv2d, then pool2d (the form before conv2dMaxPool; no indices kept).
// What `separate` costs over `fused` is what a layer pays when another kernel (e.g. a Winograd one)
// computes the convolution. Then the filter gradient from a pool's gradient (the sparse path) and
// from the same gradient with its zeros made 1e-30 (the dense path). Run with `npx tsx scripts/conv-pool-timing.ts [--rounds 7]`.
import type { Conv2DInfo } from '../src/backend/backend.js';
import { createWasmAccelerator } from '../src/backends/cpu/wasm/index.js';
import { randomArray } from './timing-helpers.js';

// The direct kernels: with Winograd on, conv2dMaxPool declines layer 2 (5x5, 8 channels) and this script stopped.
process.env.DENDRITE_WINOGRAD ??= 'off';

const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;
const CALLS_PER_ROUND = 20;
const BATCH = 64;

/** 'same' 5x5 convolution geometry of the bench CNN's layers. */
function layer(size: number, inChannels: number, outChannels: number): Conv2DInfo {
  return {
    batch: BATCH, inHeight: size, inWidth: size, inChannels, outHeight: size, outWidth: size, outChannels,
    filterHeight: 5, filterWidth: 5, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 2, padLeft: 2,
  };
}

const accelerator = await createWasmAccelerator({ threads: 1 });
const layers = [layer(28, 1, 8), layer(14, 8, 16)].map((info) => {
  const convolvedLength = BATCH * info.outHeight * info.outWidth * info.outChannels;
  const pooledLength = convolvedLength / 4;
  return {
    info,
    x: randomArray(accelerator, BATCH * info.inHeight * info.inWidth * info.inChannels),
    filter: randomArray(accelerator, 25 * info.inChannels * info.outChannels),
    bias: randomArray(accelerator, info.outChannels),
    convolved: accelerator.allocate!(convolvedLength),
    pooled: accelerator.allocate!(pooledLength),
    indexArray: new Int32Array(pooledLength),
  };
});
const poolInfo = (info: Conv2DInfo) => ({
  batch: BATCH, inHeight: info.outHeight, inWidth: info.outWidth, channels: info.outChannels, outHeight: info.outHeight / 2,
  outWidth: info.outWidth / 2, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0,
});

type Form = 'fused' | 'separate' | 'unpooled';
const forms: Record<Form, (l: (typeof layers)[number]) => boolean> = {
  fused: (l) => accelerator.conv2dMaxPool!(l.x, l.filter, l.bias, 'relu', l.info, l.pooled, l.indexArray),
  separate: (l) => accelerator.conv2d!(l.x, l.filter, l.convolved, l.info, l.bias, 'relu') &&
    accelerator.maxPoolWithIndices!(l.convolved, l.pooled, l.indexArray, BATCH, l.info.outHeight, l.info.outWidth, l.info.outChannels),
  unpooled: (l) => accelerator.conv2d!(l.x, l.filter, l.convolved, l.info, l.bias, 'relu') &&
    accelerator.pool2d!(l.convolved, l.pooled, poolInfo(l.info), 'max'),
};

/** CPU milliseconds per call of `form` on layer `index`. */
function time(form: Form, index: number): number {
  const start = process.cpuUsage();
  for (let call = 0; call < CALLS_PER_ROUND; call++) {
    if (!forms[form](layers[index])) throw new Error(`${form} declined layer ${index + 1}`);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / CALLS_PER_ROUND;
}

// The filter gradient from the pool's gradient (3 zeros in 4, so the sparse path runs) and from the
// same gradient with every zero made 1e-30 (the dense path), each layer.
const gradients = layers.map((l) => {
  const pooledDy = randomArray(accelerator, l.pooled.length);
  const sparse = accelerator.allocate!(l.convolved.length);
  if (!forms.fused(l)) throw new Error('fused declined');
  const cells = l.convolved.length / BATCH;
  if (!accelerator.maxPoolScatter!(pooledDy, l.indexArray, sparse, BATCH, l.pooled.length / BATCH, cells)) throw new Error('scatter declined');
  const dense = accelerator.allocate!(l.convolved.length);
  dense.set(sparse.map((value) => (value === 0 ? 1e-30 : value)));
  return { sparse, dense, dFilter: accelerator.allocate!(l.filter.length) };
});

/** CPU milliseconds per filter-gradient call of layer `index` from its sparse or dense dy. */
function timeFilterGradient(index: number, which: 'sparse' | 'dense'): number {
  const l = layers[index];
  const g = gradients[index];
  const start = process.cpuUsage();
  for (let call = 0; call < CALLS_PER_ROUND; call++) {
    if (!accelerator.conv2dBackpropFilter!(l.x, g[which], g.dFilter, l.info)) throw new Error('filter gradient declined');
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / CALLS_PER_ROUND;
}

const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const index of [0, 1]) {
    for (const form of Object.keys(forms) as Form[]) {
      const key = `layer ${index + 1} ${form}`;
      best.set(key, Math.min(best.get(key) ?? Infinity, time(form, index)));
    }
    for (const which of ['sparse', 'dense'] as const) {
      const key = `layer ${index + 1} dFilter ${which}`;
      best.set(key, Math.min(best.get(key) ?? Infinity, timeFilterGradient(index, which)));
    }
  }
}
console.log(`one thread, best of ${ROUNDS} rounds of ${CALLS_PER_ROUND} calls, CPU ms per call (batch ${BATCH})`);
for (const [key, milliseconds] of best) console.log(`${key.padEnd(24)} ${milliseconds.toFixed(3)}`);
accelerator.dispose();
