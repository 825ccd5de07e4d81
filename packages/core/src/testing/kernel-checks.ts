/**
 * Kernel checks for any backend, kernel by kernel below the ops: upload → kernel → read, compared
 * with the naive loops in ./kernel-reference.ts. Free of vitest, so a browser page can run them too
 * (the GPU backend runs them in Node and in headless Chromium); `runKernelChecks` wraps them for vitest.
 *
 * Tolerance: |actual - expected| <= absolute + relative * |expected|, with relative 1e-4 for
 * float32 on a GPU (summation order differs from the reference's) and exact for integers.
 */
import type {
  Backend, BinaryOp, Conv2DInfo, DataId, DType, FusedActivation, Pool2DInfo, TensorInfo, TypedArray, UnaryOp,
} from '../backend/backend.js';
import { RandomGenerator } from '../random.js';
import { broadcastShapes } from '../shape.js';
import {
  argReduceReference, BINARY, broadcastMap, conv2dBackpropReference, conv2dReference, coordinatesOf, matmulReference,
  poolReference, reduceReference, sizeOf, stridesOf, UNARY,
} from './kernel-reference.js';

/** A tensor's values on the host, as kernel cases give and receive them. */
export interface HostTensor {
  shape: number[];
  dtype: DType;
  values: TypedArray;
}

/** One backend kernel call and its reference result, computed in plain TypeScript. */
export interface KernelCase {
  name: string;
  inputs: HostTensor[];
  outDtype: DType;
  /** Calls the kernel under test on the uploaded inputs. */
  call(backend: Backend, inputs: TensorInfo[]): DataId;
  /** The reference values of the output. */
  expected(inputs: HostTensor[]): ArrayLike<number>;
  /** Absolute part of the tolerance (default 1e-5, scaled by the case). */
  absolute?: number;
  relative?: number;
}

/**
 * Deterministic values in [low, high) from core's one seeded generator, so every run checks the same numbers.
 *
 * @example
 * ```ts
 * const values = randomValues(16, 7); // 16 floats in [-1, 1), the same every run
 * ```
 */
export function randomValues(count: number, seed: number, low = -1, high = 1): Float32Array {
  const random = new RandomGenerator(seed);
  const values = new Float32Array(count);
  for (let index = 0; index < count; index++) values[index] = low + random.nextFloat() * (high - low);
  return values;
}

function floatTensor(shape: number[], seed: number, low = -1, high = 1): HostTensor {
  return { shape, dtype: 'float32', values: randomValues(sizeOf(shape), seed, low, high) };
}

function intTensor(shape: number[], values: number[]): HostTensor {
  return { shape, dtype: 'int32', values: Int32Array.from(values) };
}

/** The reference of a fused matmul's activation. */
function activate(activation: FusedActivation, value: number): number {
  return activation === 'linear' ? value : UNARY[activation](value);
}

function unaryCases(): KernelCase[] {
  const ops = Object.keys(UNARY) as UnaryOp[];
  return ops.map((op) => {
    const positive = op === 'log' || op === 'sqrt';
    const input = floatTensor([3, 37], 11, positive ? 0.01 : -4, 4);
    return {
      name: `unary ${op}`,
      inputs: [input],
      outDtype: 'float32',
      absolute: 2e-5,
      call: (backend, [x]) => backend.unary(op, x),
      expected: ([x]) => Array.from(x.values, UNARY[op]),
    };
  });
}

function binaryCases(): KernelCase[] {
  const ops = Object.keys(BINARY) as BinaryOp[];
  const shapes: Array<[number[], number[]]> = [[[4, 5], [4, 5]], [[2, 3, 4], [4]], [[3, 1, 5], [1, 4, 1]], [[6], [1]]];
  const cases: KernelCase[] = [];
  for (const op of ops) {
    for (const [aShape, bShape] of shapes) {
      const outShape = broadcastShapes('binary', aShape, bShape);
      const a = floatTensor(aShape, 3, op === 'pow' ? 0.1 : -3, 3);
      const b = floatTensor(bShape, 5, op === 'pow' ? -2 : -3, op === 'pow' ? 2 : 3);
      // Comparisons need ties; make a few equal.
      if (op === 'equal' || op === 'notEqual' || op.endsWith('Equal')) for (let index = 0; index < Math.min(a.values.length, b.values.length); index += 2) a.values[index] = b.values[index];
      cases.push({
        name: `binary ${op} [${aShape}] [${bShape}]`,
        inputs: [a, b],
        outDtype: 'float32',
        absolute: 1e-5,
        call: (backend, [x, y]) => backend.binary(op, x, y, outShape, 'float32'),
        expected: ([x, y]) => broadcastMap([x, y], outShape, BINARY[op]),
      });
    }
  }
  // pow with negative bases and integer exponents (GLSL's pow leaves these undefined).
  cases.push({
    name: 'binary pow negative base, integer exponent',
    inputs: [{ shape: [6], dtype: 'float32', values: Float32Array.from([-2, -2, -3, 0, 0, 2]) }, { shape: [6], dtype: 'float32', values: Float32Array.from([2, 3, 0, 2, 0, -1]) }],
    outDtype: 'float32',
    call: (backend, [x, y]) => backend.binary('pow', x, y, [6], 'float32'),
    expected: () => [4, -8, 1, 0, 1, 0.5],
  });
  // int32 arithmetic: exact, floor division, x / 0 = 0.
  const intA = intTensor([8], [7, -7, 7, -7, 9, 0, 5, 100]);
  const intB = intTensor([8], [2, 2, -2, -2, 3, 4, 0, 7]);
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum'] as BinaryOp[]) {
    cases.push({
      name: `binary ${op} int32`,
      inputs: [intA, intB],
      outDtype: 'int32',
      absolute: 0,
      relative: 0,
      call: (backend, [x, y]) => backend.binary(op, x, y, [8], 'int32'),
      expected: ([x, y]) => Array.from(x.values, (value, index) => {
        const divisor = y.values[index];
        if (op === 'div') return divisor === 0 ? 0 : Math.floor(value / divisor);
        return BINARY[op](value, divisor);
      }),
    });
  }
  cases.push({
    name: 'binary less int32 gives float32 0/1',
    inputs: [intA, intB],
    outDtype: 'float32',
    call: (backend, [x, y]) => backend.binary('less', x, y, [8], 'float32'),
    expected: ([x, y]) => Array.from(x.values, (value, index) => Number(value < y.values[index])),
  });
  return cases;
}

function whereCase(): KernelCase {
  const condition: HostTensor = { shape: [3, 1], dtype: 'float32', values: Float32Array.from([1, 0, 2]) };
  const a = floatTensor([3, 4], 7);
  const b = floatTensor([4], 8);
  return {
    name: 'where broadcast',
    inputs: [condition, a, b],
    outDtype: 'float32',
    call: (backend, [c, x, y]) => backend.where(c, x, y, [3, 4]),
    expected: ([c, x, y]) => broadcastMap([c, x, y], [3, 4], (cv, xv, yv) => (cv !== 0 ? xv : yv)),
  };
}

function reduceCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  const layouts: Array<[number[], number[]]> = [[[4, 6], [1]], [[4, 6], [0]], [[2, 3, 4], [0, 2]], [[2, 3, 4], [1, 2]], [[2, 3, 4], [0, 1, 2]], [[70, 90], [0, 1]], [[3, 5000], [1]]];
  for (const op of ['sum', 'max', 'min'] as const) {
    for (const [shape, axes] of layouts) {
      const input = floatTensor(shape, 13);
      cases.push({
        name: `reduce ${op} [${shape}] axes ${axes}`,
        inputs: [input],
        outDtype: 'float32',
        absolute: 1e-4,
        call: (backend, [x]) => backend.reduce(op, x, axes),
        expected: ([x]) => reduceReference(x.values, x.shape, axes, op),
      });
    }
  }
  cases.push({
    name: 'reduce sum int32',
    inputs: [intTensor([2, 3], [1, 2, 3, 4, 5, 6])],
    outDtype: 'int32',
    absolute: 0,
    call: (backend, [x]) => backend.reduce('sum', x, [1]),
    expected: () => [6, 15],
  });
  for (const op of ['argmax', 'argmin'] as const) {
    for (const [shape, axis] of [[[4, 7], 1], [[4, 7], 0], [[2, 3, 5], 1]] as Array<[number[], number]>) {
      const input = floatTensor(shape, 17);
      // Ties: the first index must win.
      input.values[2] = input.values[0] = op === 'argmax' ? 5 : -5;
      cases.push({
        name: `${op} [${shape}] axis ${axis}`,
        inputs: [input],
        outDtype: 'int32',
        absolute: 0,
        call: (backend, [x]) => backend.argReduce(op, x, axis),
        expected: ([x]) => argReduceReference(x.values, x.shape, axis, op),
      });
    }
  }
  return cases;
}

function matmulCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  const geometries: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean; out: number[] }> = [
    { a: [5, 7], b: [7, 3], ta: false, tb: false, out: [5, 3] },
    { a: [7, 5], b: [7, 3], ta: true, tb: false, out: [5, 3] },
    { a: [5, 7], b: [3, 7], ta: false, tb: true, out: [5, 3] },
    { a: [7, 5], b: [3, 7], ta: true, tb: true, out: [5, 3] },
    { a: [2, 4, 6], b: [1, 6, 5], ta: false, tb: false, out: [2, 4, 5] },
    { a: [33, 65], b: [65, 17], ta: false, tb: false, out: [33, 17] },
    // At least STRIP_MIN_WORK multiply-adds: four outputs per thread on WebGL and WebGPU,
    // with K and N off multiples of 4 (padding) and on them (WebGPU's unsliced view).
    { a: [48, 70], b: [70, 45], ta: false, tb: false, out: [48, 45] },
    { a: [70, 48], b: [70, 45], ta: true, tb: false, out: [48, 45] },
    { a: [48, 70], b: [45, 70], ta: false, tb: true, out: [48, 45] },
    { a: [70, 48], b: [45, 70], ta: true, tb: true, out: [48, 45] },
    { a: [64, 64], b: [64, 64], ta: false, tb: false, out: [64, 64] },
    // Batched a over an unbatched b: one [(3·25), 70] x [70, 45] product in strips.
    { a: [3, 25, 70], b: [1, 70, 45], ta: false, tb: false, out: [3, 25, 45] },
    { a: [3, 25, 70], b: [1, 45, 70], ta: false, tb: true, out: [3, 25, 45] },
  ];
  for (const { a, b, ta, tb, out } of geometries) {
    cases.push({
      name: `matmul [${a}]${ta ? 'T' : ''} x [${b}]${tb ? 'T' : ''}`,
      inputs: [floatTensor(a, 21), floatTensor(b, 22)],
      outDtype: 'float32',
      absolute: 1e-4,
      call: (backend, [x, y]) => backend.matmul(x, y, ta, tb, out),
      expected: ([x, y]) => matmulReference(x.values, x.shape, y.values, y.shape, ta, tb, out),
    });
  }
  for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
    cases.push({
      name: `fusedMatmul ${activation} with bias`,
      inputs: [floatTensor([6, 9], 31), floatTensor([4, 9], 32), floatTensor([4], 33)],
      outDtype: 'float32',
      absolute: 1e-4,
      call: (backend, [x, y, bias]) => backend.fusedMatmul!(x, y, bias, activation, false, true, [6, 4]),
      expected: ([x, y, bias]) => matmulReference(x.values, x.shape, y.values, y.shape, false, true, [6, 4])
        .map((value, index) => activate(activation, value + bias.values[index % 4])),
    });
    cases.push({
      name: `fusedMatmul ${activation} with bias, in strips`,
      inputs: [floatTensor([50, 61], 34), floatTensor([61, 47], 35), floatTensor([47], 36)],
      outDtype: 'float32',
      absolute: 1e-4,
      call: (backend, [x, y, bias]) => backend.fusedMatmul!(x, y, bias, activation, false, false, [50, 47]),
      expected: ([x, y, bias]) => matmulReference(x.values, x.shape, y.values, y.shape, false, false, [50, 47])
        .map((value, index) => activate(activation, value + bias.values[index % 47])),
    });
  }
  cases.push({
    name: 'fusedMatmul relu without bias, in strips, b transposed',
    inputs: [floatTensor([40, 64], 37), floatTensor([52, 64], 38)],
    outDtype: 'float32',
    absolute: 1e-4,
    call: (backend, [x, y]) => backend.fusedMatmul!(x, y, null, 'relu', false, true, [40, 52]),
    expected: ([x, y]) => matmulReference(x.values, x.shape, y.values, y.shape, false, true, [40, 52]).map((value) => Math.max(value, 0)),
  });
  return cases;
}

function layoutCases(): KernelCase[] {
  const x = floatTensor([2, 3, 4], 41);
  const cases: KernelCase[] = [
    {
      name: 'transpose [2,3,4] perm 2,0,1',
      inputs: [x],
      outDtype: 'float32',
      call: (backend, [t]) => backend.transpose(t, [2, 0, 1]),
      expected: ([t]) => {
        const outShape = [4, 2, 3];
        const strides = stridesOf(t.shape);
        return Array.from({ length: 24 }, (_, index) => {
          const [c0, c1, c2] = coordinatesOf(index, outShape);
          return t.values[c1 * strides[0] + c2 * strides[1] + c0 * strides[2]];
        });
      },
    },
    {
      name: 'slice [2,3,4] begin 1,1,0 size 1,2,3',
      inputs: [x],
      outDtype: 'float32',
      call: (backend, [t]) => backend.slice(t, [1, 1, 0], [1, 2, 3]),
      expected: ([t]) => Array.from({ length: 6 }, (_, index) => {
        const [c0, c1, c2] = coordinatesOf(index, [1, 2, 3]);
        return t.values[(c0 + 1) * 12 + (c1 + 1) * 4 + c2];
      }),
    },
    {
      name: 'pad [2,3,4] with 7',
      inputs: [x],
      outDtype: 'float32',
      call: (backend, [t]) => backend.pad(t, [[0, 1], [2, 0], [1, 1]], 7),
      expected: ([t]) => Array.from({ length: 3 * 5 * 6 }, (_, index) => {
        const [c0, c1, c2] = coordinatesOf(index, [3, 5, 6]);
        const [s0, s1, s2] = [c0, c1 - 2, c2 - 1];
        return s0 < 2 && s1 >= 0 && s1 < 3 && s2 >= 0 && s2 < 4 ? t.values[s0 * 12 + s1 * 4 + s2] : 7;
      }),
    },
  ];
  for (const axis of [0, 1, 2]) {
    const shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]].map((shape, index) => shape.map((dim, position) => (position === axis ? dim + index : dim)));
    cases.push({
      name: `concat axis ${axis}`,
      inputs: shapes.map((shape, index) => floatTensor(shape, 50 + index)),
      outDtype: 'float32',
      call: (backend, tensors) => backend.concat(tensors, axis),
      expected: (tensors) => concatReference(tensors, axis),
    });
  }
  const many = Array.from({ length: 11 }, (_, index) => floatTensor([2, 1 + (index % 3)], 60 + index));
  cases.push({
    name: 'concat of 11 inputs (several passes)',
    inputs: many,
    outDtype: 'float32',
    call: (backend, tensors) => backend.concat(tensors, 1),
    expected: (tensors) => concatReference(tensors, 1),
  });
  return cases;
}

function concatReference(tensors: HostTensor[], axis: number): number[] {
  const outer = sizeOf(tensors[0].shape.slice(0, axis));
  const out: number[] = [];
  for (let row = 0; row < outer; row++) {
    for (const tensor of tensors) {
      const run = sizeOf(tensor.shape.slice(axis));
      for (let index = 0; index < run; index++) out.push(tensor.values[row * run + index]);
    }
  }
  return out;
}

function gatherCases(): KernelCase[] {
  const table = floatTensor([5, 3], 71);
  const indices = intTensor([6], [4, 0, 4, 2, 1, 4]);
  const updates = floatTensor([6, 3], 72);
  const columns = floatTensor([2, 5], 73);
  const columnIndices = intTensor([4], [1, 1, 3, 0]);
  return [
    {
      name: 'gather axis 0',
      inputs: [table, indices],
      outDtype: 'float32',
      call: (backend, [x, i]) => backend.gather(x, i, 0),
      expected: ([x, i]) => Array.from(i.values).flatMap((row) => Array.from(x.values.slice(row * 3, row * 3 + 3))),
    },
    {
      name: 'gather axis 1',
      inputs: [columns, columnIndices],
      outDtype: 'float32',
      call: (backend, [x, i]) => backend.gather(x, i, 1),
      expected: ([x, i]) => [0, 1].flatMap((row) => Array.from(i.values, (column) => x.values[row * 5 + column])),
    },
    {
      name: 'scatterAdd axis 0 (indices from the host)',
      inputs: [updates, indices],
      outDtype: 'float32',
      call: (backend, [u, i]) => backend.scatterAdd(u, i, 0, [5, 3]),
      expected: ([u, i]) => {
        const out = new Array<number>(15).fill(0);
        i.values.forEach((row, j) => { for (let c = 0; c < 3; c++) out[row * 3 + c] += u.values[j * 3 + c]; });
        return out;
      },
    },
    {
      name: 'scatterAdd axis 1 (indices computed on the device)',
      inputs: [floatTensor([2, 4], 74), columnIndices],
      outDtype: 'float32',
      // cast twice: the indices become a device-made buffer with no host copy.
      call: (backend, [u, i]) => {
        const asFloat = backend.cast(i, 'float32');
        const deviceIndices = backend.cast({ dataId: asFloat, shape: i.shape, dtype: 'float32' }, 'int32');
        const result = backend.scatterAdd(u, { dataId: deviceIndices, shape: i.shape, dtype: 'int32' }, 1, [2, 5]);
        backend.dispose(asFloat);
        backend.dispose(deviceIndices);
        return result;
      },
      expected: ([u, i]) => {
        const out = new Array<number>(10).fill(0);
        i.values.forEach((column, j) => { for (let r = 0; r < 2; r++) out[r * 5 + column] += u.values[r * 4 + j]; });
        return out;
      },
    },
  ];
}

function castAndFillCases(): KernelCase[] {
  return [
    {
      name: 'cast float32 -> int32 truncates toward zero',
      inputs: [{ shape: [6], dtype: 'float32', values: Float32Array.from([1.7, -1.7, 0.2, -0.2, 5, -3.5]) }],
      outDtype: 'int32',
      absolute: 0,
      call: (backend, [x]) => backend.cast(x, 'int32'),
      expected: () => [1, -1, 0, 0, 5, -3],
    },
    {
      // core's rule for every backend: saturate beyond the int32 range (±Infinity too), NaN -> 0.
      name: 'cast float32 -> int32 saturates and sends NaN to 0',
      inputs: [{ shape: [6], dtype: 'float32', values: Float32Array.from([3e10, -3e10, Infinity, -Infinity, NaN, 16_777_216]) }],
      outDtype: 'int32',
      absolute: 0,
      call: (backend, [x]) => backend.cast(x, 'int32'),
      expected: () => [2147483647, -2147483648, 2147483647, -2147483648, 0, 16_777_216],
    },
    {
      name: 'cast int32 -> float32',
      inputs: [intTensor([3], [-4, 0, 12345])],
      outDtype: 'float32',
      call: (backend, [x]) => backend.cast(x, 'float32'),
      expected: () => [-4, 0, 12345],
    },
    {
      name: 'fill',
      inputs: [],
      outDtype: 'float32',
      call: (backend) => backend.fill([2, 3], 2.5, 'float32'),
      expected: () => [2.5, 2.5, 2.5, 2.5, 2.5, 2.5],
    },
  ];
}

function convInfo(overrides: Partial<Conv2DInfo>): Conv2DInfo {
  const base = {
    batch: 2, inHeight: 7, inWidth: 6, inChannels: 3, outChannels: 4, filterHeight: 3, filterWidth: 2,
    strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 0, ...overrides,
  };
  const effectiveHeight = (base.filterHeight - 1) * base.dilationHeight + 1;
  const effectiveWidth = (base.filterWidth - 1) * base.dilationWidth + 1;
  return {
    ...base,
    outHeight: overrides.outHeight ?? Math.floor((base.inHeight + 2 * base.padTop - effectiveHeight) / base.strideHeight) + 1,
    outWidth: overrides.outWidth ?? Math.floor((base.inWidth + 2 * base.padLeft - effectiveWidth) / base.strideWidth) + 1,
  };
}

function convCases(): KernelCase[] {
  const infos: Array<[string, Conv2DInfo]> = [
    ['padded', convInfo({})],
    ['strided', convInfo({ strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1 })],
    ['dilated', convInfo({ dilationHeight: 2, dilationWidth: 2, padTop: 2, padLeft: 1 })],
    // At least STRIP_MIN_WORK multiply-adds: four channels per thread on WebGL and WebGPU, with
    // channel counts off multiples of 4 (padding lanes) and on them.
    ['in strips', convInfo({ inHeight: 12, inWidth: 12, inChannels: 6, outChannels: 10, filterHeight: 3, filterWidth: 3, padTop: 1, padLeft: 1 })],
    ['in strips, strided', convInfo({ batch: 8, inHeight: 12, inWidth: 11, inChannels: 5, outChannels: 12, filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1 })],
    ['in strips, dilated', convInfo({ inHeight: 12, inWidth: 12, inChannels: 8, outChannels: 8, filterHeight: 3, filterWidth: 3, dilationHeight: 2, dilationWidth: 2, padTop: 2, padLeft: 2 })],
  ];
  const cases: KernelCase[] = [];
  for (const [label, info] of infos) {
    const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
    const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
    const dyShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
    cases.push(
      {
        name: `conv2d ${label}`,
        inputs: [floatTensor(xShape, 81), floatTensor(filterShape, 82)],
        outDtype: 'float32',
        absolute: 1e-4,
        call: (backend, [x, f]) => backend.conv2d(x, f, info),
        expected: ([x, f]) => conv2dReference(x.values, f.values, info),
      },
      {
        name: `conv2dBackpropInput ${label}`,
        inputs: [floatTensor(dyShape, 83), floatTensor(filterShape, 82), floatTensor(xShape, 81)],
        outDtype: 'float32',
        absolute: 1e-4,
        call: (backend, [dy, f]) => backend.conv2dBackpropInput(dy, f, info),
        expected: ([dy, f, x]) => conv2dBackpropReference(x.values, f.values, dy.values, info).dx,
      },
      {
        name: `conv2dBackpropFilter ${label}`,
        inputs: [floatTensor(xShape, 81), floatTensor(dyShape, 83), floatTensor(filterShape, 82)],
        outDtype: 'float32',
        absolute: 1e-4,
        call: (backend, [x, dy]) => backend.conv2dBackpropFilter(x, dy, info),
        expected: ([x, dy, f]) => conv2dBackpropReference(x.values, f.values, dy.values, info).dfilter,
      },
    );
  }
  return cases;
}

function poolCases(): KernelCase[] {
  const infos: Array<[string, Pool2DInfo]> = [
    ['2x2 stride 2', { batch: 2, inHeight: 6, inWidth: 5, channels: 3, outHeight: 3, outWidth: 3, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 }],
    ['3x3 stride 1 same', { batch: 1, inHeight: 5, inWidth: 5, channels: 2, outHeight: 5, outWidth: 5, filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1 }],
  ];
  const cases: KernelCase[] = [];
  for (const [label, info] of infos) {
    const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
    const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
    for (const mode of ['max', 'avg'] as const) {
      const x = floatTensor(xShape, 91);
      // A tie inside the first window: max backward must route to the first cell only.
      x.values[info.channels] = x.values[0] = 3;
      cases.push(
        {
          name: `pool2d ${mode} ${label}`,
          inputs: [x],
          outDtype: 'float32',
          absolute: 1e-5,
          call: (backend, [t]) => backend.pool2d(t, info, mode),
          expected: ([t]) => poolReference(t.values, null, info, mode).y,
        },
        {
          name: `pool2dBackward ${mode} ${label}`,
          inputs: [floatTensor(dyShape, 92), x],
          outDtype: 'float32',
          absolute: 1e-5,
          call: (backend, [dy, t]) => backend.pool2dBackward(dy, t, info, mode),
          expected: ([dy, t]) => poolReference(t.values, dy.values, info, mode).dx,
        },
      );
    }
  }
  return cases;
}

/** Output `position` of a kernel with several outputs; the others are freed (one case checks each). */
function keepOutput(backend: Backend, results: readonly DataId[], position: number): DataId {
  results.forEach((result, index) => { if (index !== position) backend.dispose(result); });
  return results[position];
}

/** The fused Adam step, one case per output (the other two are disposed). */
function adamCases(): KernelCase[] {
  const hyper = { stepSize: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const outputs = ['param', 'first moment', 'second moment'] as const;
  return outputs.map((output, position) => ({
    name: `adamUpdate ${output}`,
    inputs: [floatTensor([5, 7], 91), floatTensor([5, 7], 92), floatTensor([5, 7], 93), floatTensor([5, 7], 94, 0, 1)],
    outDtype: 'float32' as const,
    call: (backend: Backend, [p, g, m, v]: TensorInfo[]) => {
      return keepOutput(backend, backend.adamUpdate!(p, g, m, v, hyper), position);
    },
    expected: ([p, g, m, v]: HostTensor[]) => Float32Array.from(p.values, (value, index) => {
      const nextM = hyper.beta1 * m.values[index] + (1 - hyper.beta1) * g.values[index];
      const nextV = hyper.beta2 * v.values[index] + (1 - hyper.beta2) * g.values[index] ** 2;
      return [value - (hyper.stepSize * nextM) / (Math.sqrt(nextV) + hyper.epsilon), nextM, nextV][position];
    }),
  }));
}

/** The fused softmaxCrossEntropy kernel: [row losses, probabilities] against a float64 reference. */
function softmaxCrossEntropyCases(): KernelCase[] {
  const batch = 6;
  const classes = 13;
  const labels = [0, 12, 5, 5, 7, 1];
  const reference = (logits: HostTensor): [number[], number[]] => {
    const losses: number[] = [];
    const probabilities: number[] = [];
    for (let row = 0; row < batch; row++) {
      const values = Array.from(logits.values.subarray(row * classes, (row + 1) * classes));
      const max = Math.max(...values);
      const total = values.reduce((sum, value) => sum + Math.exp(value - max), 0);
      probabilities.push(...values.map((value) => Math.exp(value - max) / total));
      losses.push(Math.log(total) + max - values[labels[row]]);
    }
    return [losses, probabilities];
  };
  return (['row losses', 'probabilities'] as const).map((output, position) => ({
    name: `softmaxCrossEntropy ${output}`,
    // Logits up to ±40: exp would overflow float32 without the max shift.
    inputs: [floatTensor([batch, classes], 95, -40, 40), intTensor([batch], labels)],
    outDtype: 'float32' as const,
    call: (backend: Backend, [logits, labelInfo]: TensorInfo[]) =>
      keepOutput(backend, backend.softmaxCrossEntropy!(logits, labelInfo), position),
    expected: ([logits]: HostTensor[]) => reference(logits)[position],
  }));
}

/**
 * topK along the last axis: values and indices, sorted (descending, ties by lower index) and unsorted
 * (the same k in ascending index order), on rows with a tie, k = 1 and k = n.
 */
function topKCases(): KernelCase[] {
  const cases: KernelCase[] = [];
  for (const [shape, k] of [[[4, 9], 3], [[2, 3, 7], 1], [[3, 5], 5]] as Array<[number[], number]>) {
    const x = floatTensor(shape, 101);
    x.values[4] = x.values[1] = 2; // a tie for the top of the first row
    const n = shape[shape.length - 1];
    const reference = (input: HostTensor, sorted: boolean): [number[], number[]] => {
      const values: number[] = [];
      const indices: number[] = [];
      for (let base = 0; base < input.values.length; base += n) {
        const ranked = Array.from({ length: n }, (_, i) => i)
          .sort((a, b) => input.values[base + b] - input.values[base + a] || a - b).slice(0, k);
        if (!sorted) ranked.sort((a, b) => a - b);
        indices.push(...ranked);
        values.push(...ranked.map((i) => input.values[base + i]));
      }
      return [values, indices];
    };
    for (const sorted of [true, false]) {
      (['values', 'indices'] as const).forEach((output, position) => cases.push({
        name: `topK [${shape}] k ${k}${sorted ? '' : ' unsorted'} ${output}`,
        inputs: [x],
        outDtype: position === 0 ? 'float32' : 'int32',
        absolute: 0,
        relative: 0,
        call: (backend, [t]) => keepOutput(backend, backend.topK(t, k, sorted), position),
        expected: ([t]) => reference(t, sorted)[position],
      }));
    }
  }
  return cases;
}

/** Every kernel check. */
export function kernelCases(): KernelCase[] {
  return [
    ...unaryCases(), ...binaryCases(), whereCase(), ...reduceCases(), ...matmulCases(), ...layoutCases(),
    ...gatherCases(), ...castAndFillCases(), ...convCases(), ...poolCases(), ...adamCases(), ...softmaxCrossEntropyCases(), ...topKCases(),
  ];
}

/** Upload the case's inputs to `backend`, run it, and read its output; every buffer is freed again. */
export async function kernelCaseOutput(backend: Backend, kernelCase: KernelCase): Promise<TypedArray> {
  const uploaded = kernelCase.inputs.map((input) => ({
    dataId: backend.upload(input.values.slice(), input.shape, input.dtype),
    shape: input.shape,
    dtype: input.dtype,
  }));
  let output: DataId | null = null;
  try {
    output = kernelCase.call(backend, uploaded);
    return await backend.read(output, kernelCase.outDtype);
  } finally {
    for (const input of uploaded) backend.dispose(input.dataId);
    if (output) backend.dispose(output);
  }
}

/** Run one case: the first mismatch as a message, or null when every element is within tolerance. */
export async function runKernelCase(backend: Backend, kernelCase: KernelCase): Promise<string | null> {
  try {
    const actual = await kernelCaseOutput(backend, kernelCase);
    return compare(actual, kernelCase.expected(kernelCase.inputs), kernelCase.absolute ?? 1e-5, kernelCase.relative ?? 1e-4);
  } catch (error) {
    return `threw ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** null when `actual` matches `expected` elementwise within tolerance (NaN matches NaN). */
export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, absolute: number, relative: number): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let index = 0; index < expected.length; index++) {
    const [got, want] = [actual[index], expected[index]];
    if (Number.isNaN(want) && Number.isNaN(got)) continue;
    if (got === want) continue;
    if (!(Math.abs(got - want) <= absolute + relative * Math.abs(want))) {
      return `element ${index}: got ${got}, expected ${want} (tolerance ${absolute} + ${relative}·|expected|)`;
    }
  }
  return null;
}
