/**
 * The stress test of issue 9: thousands of chunked kernel calls on two threads, with guard words
 * around every block of wasm memory checked after every kernel, blocks placed at the very top of the
 * memory, and the memory growing under them; every result must equal the one-thread bits and the
 * TypeScript reference kernels. Bounded to well under a minute on two cores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conv2DInfo, FusedActivation, Pool2DInfo, PoolMode } from '../../../backend/backend.js';
import { convInfoOf, poolInfoOf, type ConvGeometry } from '../conv-test-helpers.js';
import { createCpuBackend } from '../cpu-backend.js';
import { expectClose, randomFloats, readValues, seededRandom, tensorOf } from '../test-helpers.js';
import { buildWasmAccelerator, WasmKernelError, type WasmAccelerator, type WasmAcceleratorParts } from './index.js';

const geometry = (
  batch: number, height: number, width: number, inChannels: number, outChannels: number, filter: [number, number],
  stride: [number, number], dilation: [number, number], pad: [number, number, number, number],
): ConvGeometry => ({
  batch, height, width, inChannels, outChannels, filterHeight: filter[0], filterWidth: filter[1], stride, dilation, pad,
});

/** Enough images (or rows) that every call is cut into several chunks on two threads. */
const CONV_GEOMETRIES: ConvGeometry[] = [
  // The bench CNN's two layers ('same' 5x5), on 4 images.
  geometry(4, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  geometry(4, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  // Odd and edge sizes: 1x1 images, widths below a tile, channel counts off the 8-column panels.
  geometry(9, 1, 1, 3, 5, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0]),
  geometry(5, 3, 2, 1, 1, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
  geometry(3, 7, 13, 5, 9, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]),
  geometry(6, 9, 11, 7, 17, [2, 3], [1, 1], [1, 1], [1, 0, 2, 0]),
  geometry(4, 8, 9, 4, 8, [3, 3], [1, 1], [2, 2], [2, 1, 0, 3]),
  geometry(3, 5, 6, 3, 8, [3, 3], [1, 1], [1, 1], [3, 3, 4, 4]),
  // Strided (the input gradient declines: im2col's col2im takes it) and a filter wider than the image.
  geometry(4, 9, 8, 2, 5, [3, 2], [2, 3], [1, 1], [1, 0, 0, 1]),
  geometry(5, 4, 5, 2, 3, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
  // Winograd with partial tiles and odd outputs (its fused pool drops the last row and column).
  geometry(3, 13, 11, 6, 10, [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]),
];

const POOL_CASES: Pool2DInfo[] = [
  poolInfoOf(8, 28, 28, 8, [2, 2], [2, 2], [0, 0, 0, 0]),
  poolInfoOf(8, 14, 14, 16, [2, 2], [2, 2], [0, 0, 0, 0]),
  poolInfoOf(9, 5, 7, 3, [3, 3], [2, 2], [1, 1, 1, 1]),
  poolInfoOf(7, 6, 5, 5, [3, 2], [1, 2], [1, 1, 0, 1]),
  poolInfoOf(10, 1, 1, 1, [1, 1], [1, 1], [0, 0, 0, 0]),
  poolInfoOf(6, 2, 2, 4, [1, 1], [2, 2], [1, 1, 1, 1]),
];

interface MatmulCase {
  m: number; n: number; k: number; transposeA: boolean; transposeB: boolean; bias: boolean; activation: FusedActivation;
}
/** Above 2^18 multiply-adds, so the grid is cut across both threads; k > 256 crosses depth blocks. */
const MATMUL_CASES: MatmulCase[] = [
  { m: 67, n: 75, k: 61, transposeA: false, transposeB: false, bias: true, activation: 'relu' },
  { m: 130, n: 9, k: 300, transposeA: true, transposeB: false, bias: false, activation: 'linear' },
  { m: 33, n: 129, k: 65, transposeA: false, transposeB: true, bias: true, activation: 'tanh' },
  { m: 64, n: 10, k: 784, transposeA: true, transposeB: true, bias: true, activation: 'sigmoid' },
];

/** One kernel call of the stress: runs on an accelerator, operands inside its memory or not. */
interface StressCase {
  name: string;
  inputs: Float32Array[];
  outputLengths: number[];
  run(accelerator: WasmAccelerator, inputs: Float32Array[], outputs: Float32Array[]): boolean;
  /** The TypeScript reference kernels' results (float32, their own summation order). */
  reference: Float32Array[];
  /** Pooling must match the reference bit for bit; sums in another order to within float32 rounding. */
  exact: boolean;
}

const reference = createCpuBackend();

function convCases(): StressCase[] {
  return CONV_GEOMETRIES.flatMap((g, index): StressCase[] => {
    const info: Conv2DInfo = convInfoOf(g);
    const random = seededRandom(900 + index);
    const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
    const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
    const dyShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
    const x = randomFloats(xShape.reduce((a, b) => a * b), random);
    const filter = randomFloats(filterShape.reduce((a, b) => a * b), random);
    const dy = randomFloats(dyShape.reduce((a, b) => a * b), random);
    const label = `${xShape.join('x')} * ${filterShape.join('x')} stride ${g.stride} dilation ${g.dilation} pad ${g.pad}`;
    const read = (id: ReturnType<typeof reference.conv2d>) => readValues(reference, id) as Float32Array;
    const xTensor = tensorOf(reference, x, xShape);
    const filterTensor = tensorOf(reference, filter, filterShape);
    const dyTensor = tensorOf(reference, dy, dyShape);
    const cases: StressCase[] = [{
      name: `conv2d ${label}`, inputs: [x, filter], outputLengths: [dy.length], exact: false,
      run: (accelerator, [xIn, filterIn], [out]) => accelerator.conv2d!(xIn, filterIn, out, info),
      reference: [read(reference.conv2d(xTensor, filterTensor, info))],
    }, {
      name: `conv2dBackpropFilter ${label}`, inputs: [x, dy], outputLengths: [filter.length], exact: false,
      run: (accelerator, [xIn, dyIn], [dFilter]) => accelerator.conv2dBackpropFilter!(xIn, dyIn, dFilter, info),
      reference: [read(reference.conv2dBackpropFilter(xTensor, dyTensor, info))],
    }];
    // A max pool's kind of dy (3 values in 4 zero): the filter gradient's sparse path where it applies.
    const sparseDy = dy.map((value, i) => (i % 4 === (i >> 5) % 4 ? value : 0));
    cases.push({
      name: `conv2dBackpropFilter, mostly zero dy ${label}`, inputs: [x, sparseDy], outputLengths: [filter.length], exact: false,
      run: (accelerator, [xIn, dyIn], [dFilter]) => accelerator.conv2dBackpropFilter!(xIn, dyIn, dFilter, info),
      reference: [read(reference.conv2dBackpropFilter(xTensor, tensorOf(reference, sparseDy, dyShape), info))],
    });
    // The fused layer (bias + relu stored with each tile), against the reference's fused kernel.
    const bias = randomFloats(info.outChannels, random);
    cases.push({
      name: `conv2d + bias + relu ${label}`, inputs: [x, filter, bias], outputLengths: [dy.length], exact: false,
      run: (accelerator, [xIn, filterIn, biasIn], [out]) => accelerator.conv2d!(xIn, filterIn, out, info, biasIn, 'relu'),
      reference: [read(reference.fusedConv2d!(xTensor, filterTensor, tensorOf(reference, bias, [info.outChannels]), 'relu', info))],
    });
    // The layer with its 2x2 max pool (pooled values, their cells' indices as float bits, and the
    // gradient's scatter of a pooled dy), against the reference's fused conv2d then its pool.
    const pooledLength = info.batch * Math.floor(info.outHeight / 2) * Math.floor(info.outWidth / 2) * info.outChannels;
    // (Where the Winograd kernel takes the convolution, it fuses the pool into its output transform.)
    if (pooledLength > 0) {
      const pooledDy = randomFloats(pooledLength, random);
      const [pooledId, indicesId] = reference.conv2dMaxPool!(xTensor, filterTensor, tensorOf(reference, bias, [info.outChannels]), 'relu', info);
      const referenceIndices = readValues(reference, indicesId, 'int32') as Int32Array;
      const scatteredId = reference.maxPoolScatter!(tensorOf(reference, pooledDy, [pooledLength]), tensorOf(reference, referenceIndices, [pooledLength]), dyShape);
      const asInts = (array: Float32Array) => new Int32Array(array.buffer, array.byteOffset, array.length);
      cases.push({
        name: `conv2d + bias + relu + max pool 2x2, and its scatter ${label}`, inputs: [x, filter, bias, pooledDy],
        outputLengths: [pooledLength, pooledLength, dy.length], exact: false,
        run: (accelerator, [xIn, filterIn, biasIn, pooledDyIn], [pooled, indices, dz]) =>
          accelerator.conv2dMaxPool!(xIn, filterIn, biasIn, 'relu', info, pooled, asInts(indices)) &&
          accelerator.maxPoolScatter!(pooledDyIn, asInts(indices), dz, info.batch, pooledLength / info.batch, dy.length / info.batch),
        reference: [read(pooledId), new Float32Array(referenceIndices.buffer), read(scatteredId)],
      });
    }
    if (info.strideHeight === 1 && info.strideWidth === 1) {
      cases.push({
        name: `conv2dBackpropInput ${label}`, inputs: [dy, filter], outputLengths: [x.length], exact: false,
        run: (accelerator, [dyIn, filterIn], [dx]) => accelerator.conv2dBackpropInput!(dyIn, filterIn, dx, info),
        reference: [read(reference.conv2dBackpropInput(dyTensor, filterTensor, info))],
      });
    }
    return cases;
  });
}

function poolCases(): StressCase[] {
  return POOL_CASES.flatMap((info, index) => (['max', 'avg'] as PoolMode[]).map((mode): StressCase => {
    const random = seededRandom(700 + index);
    const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
    const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
    // Small integers: frequent ties, where the max gradient must pick the first maximal cell.
    const x = Float32Array.from(randomFloats(xShape.reduce((a, b) => a * b), random), (value) => Math.round(value * 3));
    const dy = randomFloats(dyShape.reduce((a, b) => a * b), random);
    const xTensor = tensorOf(reference, x, xShape);
    return {
      name: `pool2d ${mode} fwd+bwd ${xShape.join('x')} window ${info.filterHeight}x${info.filterWidth}`,
      inputs: [x, dy], outputLengths: [dy.length, x.length], exact: true,
      run: (accelerator, [xIn, dyIn], [out, dx]) =>
        accelerator.pool2d!(xIn, out, info, mode) && accelerator.pool2dBackward!(dyIn, xIn, dx, info, mode),
      reference: [
        readValues(reference, reference.pool2d(xTensor, info, mode)) as Float32Array,
        readValues(reference, reference.pool2dBackward(tensorOf(reference, dy, dyShape), xTensor, info, mode)) as Float32Array,
      ],
    };
  }));
}

function matmulCases(): StressCase[] {
  return MATMUL_CASES.map((c, index): StressCase => {
    const random = seededRandom(500 + index);
    const aShape = c.transposeA ? [c.k, c.m] : [c.m, c.k];
    const bShape = c.transposeB ? [c.n, c.k] : [c.k, c.n];
    const a = randomFloats(c.m * c.k, random);
    const b = randomFloats(c.k * c.n, random);
    const bias = randomFloats(c.n, random);
    const biasTensor = c.bias ? tensorOf(reference, bias, [c.n]) : null;
    const expected = reference.fusedMatmul!(tensorOf(reference, a, aShape), tensorOf(reference, b, bShape), biasTensor,
      c.activation, c.transposeA, c.transposeB, [c.m, c.n]);
    return {
      name: `matmul ${c.m}x${c.n}x${c.k} transposes ${c.transposeA},${c.transposeB} bias ${c.bias} ${c.activation}`,
      inputs: c.bias ? [a, b, bias] : [a, b], outputLengths: [c.m * c.n], exact: false,
      run: (accelerator, [aIn, bIn, biasIn], [out]) =>
        accelerator.matmul(aIn, bIn, out, c.m, c.n, c.k, c.transposeA, c.transposeB, biasIn ?? null, c.activation),
      reference: [readValues(reference, expected) as Float32Array],
    };
  });
}

/** int8 linear and convolution: the int8 weights stay outside (packed once into resident memory). */
function int8Cases(): StressCase[] {
  const int8Values = (length: number, random: () => number) => Int32Array.from({ length }, () => Math.round(random() * 254) - 127);
  const linear = [[67, 75, 61, 0], [130, 9, 300, 0.01], [33, 129, 65, 0], [256, 64, 128, 0]].map(([m, n, k, inputScale], index): StressCase => {
    const random = seededRandom(300 + index);
    const x = randomFloats(m * k, random);
    const weights = int8Values(n * k, random);
    const scales = Float32Array.from(randomFloats(n, random), (value) => Math.abs(value) * 0.01 + 1e-4);
    const bias = randomFloats(n, random);
    const expected = reference.int8Linear!(tensorOf(reference, x, [m, k]), tensorOf(reference, weights, [n, k]),
      tensorOf(reference, scales, [n]), tensorOf(reference, bias, [n]), index % 2 === 0, inputScale);
    return {
      name: `int8Linear ${m}x${n}x${k} scale ${inputScale || 'dynamic'}`, inputs: [x, scales, bias], outputLengths: [m * n], exact: true,
      run: (accelerator, [xIn, scalesIn, biasIn], [out]) => accelerator.int8Linear!(xIn, weights, scalesIn, biasIn, out, m, n, k, inputScale, index % 2 === 0),
      reference: [readValues(reference, expected) as Float32Array],
    };
  });
  // Geometries with enough multiply-adds that the kernel takes them (4096).
  const conv = CONV_GEOMETRIES.filter((g) => {
    const info = convInfoOf(g);
    return info.batch * info.outHeight * info.outWidth * info.outChannels * g.filterHeight * g.filterWidth * g.inChannels >= 4096;
  })
    // Each geometry plain, and (where its output is at least 2x2) with a fused 2x2 max pool.
    .flatMap((g) => [{ g, pool: null }, ...(convInfoOf(g).outHeight >= 2 && convInfoOf(g).outWidth >= 2 ? [{ g, pool: [2, 2] as [number, number] }] : [])])
    .map(({ g, pool }, index): StressCase => {
      const info = convInfoOf(g);
      const random = seededRandom(200 + index);
      const outLength = info.batch * (pool ? Math.floor(info.outHeight / 2) * Math.floor(info.outWidth / 2) : info.outHeight * info.outWidth) * info.outChannels;
      const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
      const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
      const x = randomFloats(xShape.reduce((a, b) => a * b), random);
      const filter = int8Values(filterShape.reduce((a, b) => a * b), random);
      const scales = Float32Array.from(randomFloats(info.outChannels, random), (value) => Math.abs(value) * 0.01 + 1e-4);
      const bias = randomFloats(info.outChannels, random);
      const expected = reference.int8Conv2d!(tensorOf(reference, x, xShape),
        tensorOf(reference, filter, filterShape),
        tensorOf(reference, scales, [info.outChannels]), tensorOf(reference, bias, [info.outChannels]), info, true, 0, pool);
      return {
        name: `int8Conv2d ${xShape.join('x')} * ${filterShape.join('x')} stride ${g.stride} dilation ${g.dilation} pad ${g.pad}${pool ? ' pool 2x2' : ''}`,
        inputs: [x, scales, bias], outputLengths: [outLength], exact: true,
        run: (accelerator, [xIn, scalesIn, biasIn], [out]) => accelerator.int8Conv2d!(xIn, filter, scalesIn, biasIn, out, info, 0, true, pool),
        reference: [readValues(reference, expected) as Float32Array],
      };
    });
  return [...linear, ...conv];
}

/** Adam over lengths split across both threads (65,536 elements and up), and one that is not. */
function adamCases(): StressCase[] {
  const hyper = { stepSize: 1e-3 * Math.sqrt(1 - 0.999 ** 7) / (1 - 0.9 ** 7), beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  return [100_003, 70_000, 4_097].map((length, index): StressCase => {
    const random = seededRandom(100 + index);
    const p = randomFloats(length, random);
    const g = randomFloats(length, random);
    const m = randomFloats(length, random);
    const v = Float32Array.from(randomFloats(length, random), Math.abs);
    const expected = reference.adamUpdate!(tensorOf(reference, p, [length]), tensorOf(reference, g, [length]),
      tensorOf(reference, m, [length]), tensorOf(reference, v, [length]), hyper);
    return {
      name: `adamUpdate ${length}`, inputs: [p, g, m, v], outputLengths: [length, length, length], exact: true,
      run: (accelerator, [pIn, gIn, mIn, vIn], [nextP, nextM, nextV]) => accelerator.adamUpdate!(pIn, gIn, mIn, vIn, nextP, nextM, nextV, hyper),
      reference: expected.map((id) => readValues(reference, id) as Float32Array),
    };
  });
}

/**
 * Runs one case: operands placed inside the accelerator's memory (so kernels use them in place,
 * outputs pre-filled with garbage), allocated in an order rotated by `rotation` so that each takes
 * the first (with top placement: the topmost) place in turn, or outside it (staged copies).
 * Returns copies of the outputs, and the operand allocated first.
 */
function runCase(
  accelerator: WasmAccelerator, stressCase: StressCase, inside: boolean, rotation = 0,
): { outputs: Float32Array[]; first: Float32Array | null } {
  const lengths = [...stressCase.inputs.map((values) => values.length), ...stressCase.outputLengths];
  const arrays = new Array<Float32Array>(lengths.length);
  for (let step = 0; step < lengths.length; step++) {
    const index = (step + rotation) % lengths.length;
    arrays[index] = inside ? accelerator.allocate!(lengths[index]) : new Float32Array(lengths[index]);
  }
  const inputs = arrays.slice(0, stressCase.inputs.length);
  inputs.forEach((array, index) => array.set(stressCase.inputs[index]));
  const outputs = arrays.slice(stressCase.inputs.length).map((array) => array.fill(7));
  try {
    if (!stressCase.run(accelerator, inputs, outputs)) throw new Error(`${stressCase.name}: the accelerator declined`);
    return { outputs: outputs.map((output) => output.slice()), first: inside ? arrays[rotation % arrays.length] : null };
  } finally {
    if (inside) for (const array of arrays) accelerator.free!(array);
  }
}

/** Whether two arrays hold the same float32 bits (cheap enough for thousands of calls). */
function sameBits(actual: Float32Array, expected: Float32Array): boolean {
  if (actual.length !== expected.length) return false;
  const left = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const right = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < left.length; i++) if (left[i] !== right[i]) return false;
  return true;
}

describe('wasm kernels under stress (issue 9)', () => {
  const cases = [...convCases(), ...poolCases(), ...matmulCases(), ...int8Cases(), ...adamCases()];
  let single: WasmAcceleratorParts;
  let guarded: WasmAcceleratorParts;
  let top: WasmAcceleratorParts;
  /** The one-thread results each two-thread call must reproduce bit for bit. */
  let singleBits: Float32Array[][];

  beforeAll(async () => {
    single = await buildWasmAccelerator({ threads: 1 });
    guarded = await buildWasmAccelerator({ threads: 2, debug: { guardBytes: 128 } });
    top = await buildWasmAccelerator({ threads: 2, debug: { guardBytes: 64, placement: 'top' } });
    singleBits = cases.map((stressCase) => runCase(single.accelerator, stressCase, false).outputs);
  });
  afterAll(() => {
    for (const parts of [single, guarded, top]) parts.accelerator.dispose();
  });

  it('the one-thread wasm results agree with the TypeScript reference kernels', () => {
    cases.forEach((stressCase, index) => {
      for (const [output, expected] of stressCase.reference.entries()) {
        const actual = singleBits[index][output];
        if (stressCase.exact) expect(sameBits(actual, expected), stressCase.name).toBe(true);
        else expectClose(actual, expected, 1e-4, 1e-4);
      }
    });
  });

  it('runs thousands of chunked calls on two threads with guards intact, across heap growth and at the top of the heap', () => {
    const counted = new Map<WasmAcceleratorParts, { calls: number; growths: number }>();
    for (const parts of [guarded, top]) {
      const tally = { calls: 0, growths: 0 };
      counted.set(parts, tally);
      const checkGuards = parts.pool.afterRun;
      expect(checkGuards).not.toBeNull();
      let capacity = parts.heap.capacityBytes;
      parts.pool.afterRun = (kernel) => {
        checkGuards!(kernel);
        tally.calls++;
        if (parts.heap.capacityBytes !== capacity) {
          capacity = parts.heap.capacityBytes;
          tally.growths++;
        }
      };
    }
    const workerChunksBefore = [guarded, top].map((parts) => parts.pool.chunksRunByWorkers);
    /** Blocks that push the packed heap's top up, so later buffers land in freshly grown memory. */
    const ballast: Float32Array[] = [];
    const rounds = 60;
    let atTheTop = 0;
    for (let round = 0; round < rounds; round++) {
      cases.forEach((stressCase, index) => {
        for (const parts of [guarded, top]) {
          const inside = (round + index) % 3 !== 0;
          const capacity = parts.heap.capacityBytes;
          const { outputs, first } = runCase(parts.accelerator, stressCase, inside, round);
          // Top placement put the first operand at the very end of the memory: one float past it traps.
          if (parts === top && first !== null) {
            expect(first.byteOffset + first.length * 4).toBe(capacity);
            atTheTop++;
          }
          for (const [output, actual] of outputs.entries()) {
            if (!sameBits(actual, singleBits[index][output])) {
              expect.fail(`round ${round}, ${stressCase.name}, output ${output}: two threads differ from one`);
            }
          }
        }
      });
      // A larger block each round lifts the packed heap's top, so the memory grows under later calls.
      ballast.push(guarded.accelerator.allocate!((1 << 14) * (round + 1)));
      // Now and then a block larger than the top-placed heap's room: it grows, and the next calls'
      // blocks sit at the new end, in pages no worker has touched yet.
      if (round % 20 === 10) top.accelerator.free!(top.accelerator.allocate!(top.heap.capacityBytes / 4));
    }
    for (const block of ballast) guarded.accelerator.free!(block);
    expect(atTheTop).toBeGreaterThan(1000);
    for (const parts of [guarded, top]) {
      parts.heap.checkGuards('the stress run');
      const tally = counted.get(parts)!;
      expect(tally.calls).toBeGreaterThan(2000);
    }
    expect(counted.get(guarded)!.growths).toBeGreaterThan(5);
    expect(counted.get(top)!.growths).toBeGreaterThanOrEqual(3);
    // The workers took part (a call of several chunks wakes them once calls come in a burst).
    expect(guarded.pool.chunksRunByWorkers).toBeGreaterThan(workerChunksBefore[0] + 500);
    expect(top.pool.chunksRunByWorkers).toBeGreaterThan(workerChunksBefore[1] + 500);
  });

  it("a fault in a worker surfaces the worker's message and the kernel, and the next call runs normally", () => {
    const backend = createCpuBackend({ accelerator: guarded.accelerator });
    const convIndex = cases.findIndex((stressCase) => stressCase.name.startsWith('conv2dBackpropFilter 4x14x14x8'));
    const stressCase = cases[convIndex];
    const info = convInfoOf(CONV_GEOMETRIES[1]);
    const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
    const dyShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
    const filterGradient = () => {
      const x = tensorOf(backend, stressCase.inputs[0], xShape);
      const dy = tensorOf(backend, stressCase.inputs[1], dyShape);
      try {
        return backend.conv2dBackpropFilter(x, dy, info);
      } finally {
        backend.dispose(x.dataId);
        backend.dispose(dy.dataId);
      }
    };
    let caught: unknown;
    guarded.pool.injectWorkerFault();
    for (let attempt = 0; attempt < 500 && caught === undefined; attempt++) {
      try {
        backend.dispose(filterGradient());
      } catch (error) {
        caught = error;
      }
    }
    expect(caught).toBeInstanceOf(WasmKernelError);
    // (The filter gradient of this 5x5 geometry runs as Winograd: its transform, partial sums and output kernels.)
    expect((caught as Error).message).toMatch(
      /^wasm kernel '(padImagesChunk|conv2dFilterGradChunk|winogradFilterGradChunk|sumPartialsChunk|winogradFilterGradOutputChunk)' failed in worker thread 1 \(chunk \d+\): RuntimeError: memory access out of bounds$/);
    // The pool and the heap are intact: the same call now gives the one-thread bits again, many times over.
    for (let call = 0; call < 20; call++) {
      const dFilter = filterGradient();
      expect(sameBits(readValues(backend, dFilter) as Float32Array, singleBits[convIndex][0])).toBe(true);
      backend.dispose(dFilter);
    }
    guarded.heap.checkGuards('the fault test');
  });
});
