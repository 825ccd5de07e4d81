import type {
  AdamHyperparameters, BinaryOp, Conv2DInfo, FusedActivation, Pool2DInfo, PoolMode, UnaryOp,
} from '../../backend/backend.js';

/**
 * Optional fast paths for the CPU backend (the WebAssembly SIMD kernels implement this).
 *
 * The plain-TypeScript kernels stay the reference; each method here either computes the reference's
 * result into `out` and returns true (the same bits, or the same up to float32 rounding where it
 * sums in another order or approximates exp, sigmoid and tanh), or returns false (size too small to
 * be worth it, unsupported case) so the reference kernel runs instead. Arrays are plain row-major
 * Float32Arrays.
 */
export interface CpuAccelerator {
  /** 'wasm-simd', for getBackendInfo(). */
  readonly implementation: string;
  /** Worker threads in use, 1 when single-threaded. */
  readonly threads: number;
  /**
   * Which build of its kernels runs, for getBackendInfo() (the WebAssembly accelerator:
   * 'relaxed-simd' or 'simd128').
   */
  readonly instructionSet?: string;
  /** Why a faster configuration was not used (e.g. no SharedArrayBuffer in this browser). */
  readonly notes: readonly string[];
  /**
   * Allocate a Float32Array the accelerated kernels can read without copying (a view into the
   * WebAssembly memory). The backend uses it for every float32 buffer it creates and hands it back
   * to {@link CpuAccelerator.free} on dispose.
   */
  allocate?(length: number): Float32Array;
  /** Return an array made by {@link CpuAccelerator.allocate} (its buffer was disposed). */
  free?(array: Float32Array): void;
  /**
   * out[M, N] = activation(op(a)[M, K] @ op(b)[K, N] + bias[N]); op transposes when asked.
   * `a`, `b`, `out` may be subarrays (one matrix of a batch).
   */
  matmul(
    a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, bias: Float32Array | null, activation: FusedActivation,
  ): boolean;
  /** Same-length elementwise unary op. */
  unary?(op: UnaryOp, x: Float32Array, out: Float32Array): boolean;
  /** Same-shape elementwise binary op, or `b` of length 1 (a scalar). */
  binary?(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array): boolean;
  /** relu's gradient: out[i] = dy[i] * (output[i] > 0 ? 1 : 0), output being relu's output (see `Kernels.reluGrad`). */
  reluGrad?(dy: Float32Array, output: Float32Array, out: Float32Array): boolean;
  /** out[r, c] = a[r, c] op b[c] for a [rows, cols] and a row vector b of length cols (a bias add). */
  binaryRows?(op: BinaryOp, a: Float32Array, b: Float32Array, out: Float32Array, rows: number, cols: number): boolean;
  /** Sum over the last axis: x is [rows, cols] -> out [rows]. */
  sumLastAxis?(x: Float32Array, out: Float32Array, rows: number, cols: number): boolean;
  /** Sum over the middle axis: x is [outer, reduced, inner] -> out [outer, inner]. */
  sumMiddleAxis?(x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number): boolean;
  /**
   * NHWC convolution (see `Kernels.conv2d`): x [N, H, W, Cin] * filter [kh, kw, Cin, Cout] -> out,
   * then, when given, + bias [Cout] and the activation (see `Kernels.fusedConv2d`).
   */
  conv2d?(
    x: Float32Array, filter: Float32Array, out: Float32Array, info: Conv2DInfo, bias?: Float32Array | null, activation?: FusedActivation,
  ): boolean;
  /** Gradient of conv2d with respect to x: dy [N, outH, outW, Cout] -> dx [N, H, W, Cin]. */
  conv2dBackpropInput?(dy: Float32Array, filter: Float32Array, dx: Float32Array, info: Conv2DInfo): boolean;
  /** Gradient of conv2d with respect to the filter: -> dFilter [kh, kw, Cin, Cout]. */
  conv2dBackpropFilter?(x: Float32Array, dy: Float32Array, dFilter: Float32Array, info: Conv2DInfo): boolean;
  /**
   * activation(conv2d(x, filter) + bias) then a 2x2 max pool of stride 2 (see `Kernels.conv2dMaxPool`):
   * the pooled [N, outH / 2, outW / 2, Cout] into `pooled` and each value's flat index in the
   * [N, outH, outW, Cout] convolution output into `indices`.
   */
  conv2dMaxPool?(
    x: Float32Array, filter: Float32Array, bias: Float32Array | null, activation: FusedActivation, info: Conv2DInfo,
    pooled: Float32Array, indices: Int32Array,
  ): boolean;
  /**
   * A 2x2 max pool of stride 2 over NHWC x [batch, height, width, channels] with each value's flat
   * index in x (conv2dMaxPool's pool, for a convolution computed by another kernel).
   */
  maxPoolWithIndices?(
    x: Float32Array, pooled: Float32Array, indices: Int32Array, batch: number, height: number, width: number, channels: number,
  ): boolean;
  /**
   * dx [batch, cellsPerImage] = zeros with dy[i] stored at indices[i] (see `Kernels.maxPoolScatter`);
   * dy and indices hold pooledPerImage values per image, each index inside its own image.
   */
  maxPoolScatter?(dy: Float32Array, indices: Int32Array, dx: Float32Array, batch: number, pooledPerImage: number, cellsPerImage: number): boolean;
  /** Max or average pooling of NHWC x (see `Kernels.pool2d`). */
  pool2d?(x: Float32Array, out: Float32Array, info: Pool2DInfo, mode: PoolMode): boolean;
  /** Gradient of pool2d with respect to x (see `Kernels.pool2dBackward`); dx is overwritten. */
  pool2dBackward?(dy: Float32Array, x: Float32Array, dx: Float32Array, info: Pool2DInfo, mode: PoolMode): boolean;
  /**
   * The fused Adam step (see `Kernels.adamUpdate`): next parameter and moments from p, g, m, v, all
   * of one length; the results must equal the TypeScript reference's bits.
   */
  adamUpdate?(
    param: Float32Array, gradient: Float32Array, firstMoment: Float32Array, secondMoment: Float32Array,
    nextParam: Float32Array, nextFirstMoment: Float32Array, nextSecondMoment: Float32Array, hyper: AdamHyperparameters,
  ): boolean;
  /**
   * int8 linear (see `Kernels.int8Linear`): x [m, k] quantized per row (or with `inputScale` > 0),
   * times int8-valued weights [n, k], scaled by weightScales [n], plus bias, then relu if asked.
   */
  int8Linear?(
    x: Float32Array, weights: Int32Array, weightScales: Float32Array, bias: Float32Array | null, out: Float32Array,
    m: number, n: number, k: number, inputScale: number, relu: boolean,
  ): boolean;
  /**
   * int8 convolution (see `Kernels.int8Conv2d`): each image of x quantized with its own scale (or
   * `inputScale` > 0), convolved with the int8-valued filter, scaled by filterScales, plus bias, relu,
   * then max-pooled over non-overlapping `poolWindow` windows when given (out is the pooled output).
   */
  int8Conv2d?(
    x: Float32Array, filter: Int32Array, filterScales: Float32Array, bias: Float32Array | null, out: Float32Array,
    info: Conv2DInfo, inputScale: number, relu: boolean, poolWindow?: readonly [number, number] | null,
  ): boolean;
}
