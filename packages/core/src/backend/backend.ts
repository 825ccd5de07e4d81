/**
 * The backend interface: the small set of primitive kernels every backend implements.
 *
 * Every op in `@dendrite/core` is composed from these kernels, so a backend that implements them
 * runs every op and every gradient. Kernels take {@link TensorInfo} handles and return the
 * {@link DataId} of a new, contiguous, row-major buffer; they never mutate their inputs. Shapes
 * and attributes arrive already validated and resolved by the op, so a kernel never has to
 * re-derive broadcasting or padding rules.
 */

export type DType = 'float32' | 'int32';
/** The host array of a dtype's values. */
export type TypedArray = Float32Array | Int32Array;

/** Opaque handle of a buffer owned by one backend. Only that backend looks inside it. */
export type DataId = object;

/** What a kernel sees of a tensor: its buffer and its (contiguous, row-major) layout. */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** The elementwise unary ops every backend implements in `unary`. */
export const UNARY_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'sigmoid', 'tanh', 'relu', 'erf', 'floor', 'sin', 'cos',
] as const;
/** One of {@link UNARY_OPS}. */
export type UnaryOp = (typeof UNARY_OPS)[number];

/** The broadcasting binary ops every backend implements in `binary`. */
export const BINARY_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual',
] as const;
/** One of {@link BINARY_OPS}. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Reductions of the `reduce` kernel. */
export type ReduceOp = 'sum' | 'max' | 'min';
/** Index reductions of the `argReduce` kernel. */
export type ArgReduceOp = 'argmax' | 'argmin';
/** Pooling of the pool2d kernels. */
export type PoolMode = 'max' | 'avg';
/** Activations a backend may fuse into matmul (see {@link Kernels.fusedMatmul}). */
export type FusedActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

/**
 * Geometry of a 2-D convolution, NHWC input and [filterHeight, filterWidth, inChannels, outChannels]
 * filter. Padding is explicit (the op resolves 'same'/'valid'); bottom/right padding is implied by
 * the output size.
 */
export interface Conv2DInfo {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** Geometry of a 2-D pooling window over an NHWC input (channels are pooled independently). */
export interface Pool2DInfo {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** The primitive kernels. Adding one here makes the compiler point at every backend that lacks it. */
export interface Kernels {
  /** Elementwise unary math on a float32 (or int32 for neg/abs/sign) tensor. Output has x's dtype. */
  unary(op: UnaryOp, x: TensorInfo): DataId;
  /**
   * Elementwise binary op with NumPy broadcasting. `outShape` is the broadcast shape; `outDtype` is
   * int32 only when both inputs are int32 and the op is arithmetic; comparisons give float32 0/1.
   */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId;
  /** `condition != 0 ? a : b`, all three broadcast to `outShape`. */
  where(condition: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): DataId;
  /** Reduce over `axes` (sorted, unique, non-empty). Output shape is x's shape without those axes. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId;
  /** Index (int32) of the max/min along `axis`; the first one on ties. Output drops `axis`. */
  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): DataId;
  /**
   * Batched matrix product. a: [...batchA, M, K] (or [..., K, M] when transposeA), b: [...batchB, K, N]
   * (or [..., N, K] when transposeB); both have rank >= 2 and the same rank (the op pads ranks), and
   * batch dims broadcast to `outShape`'s leading dims.
   */
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): DataId;
  /** Permute axes: output dim i is input dim perm[i]. */
  transpose(x: TensorInfo, perm: readonly number[]): DataId;
  /** Copy the box starting at `begin` with extent `size` (all in range). */
  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId;
  /** Constant padding: paddings[i] = [before, after] for dim i (non-negative). */
  pad(x: TensorInfo, paddings: ReadonlyArray<readonly [number, number]>, value: number): DataId;
  /** Join along `axis`; all inputs share dtype and every other dim. */
  concat(xs: readonly TensorInfo[], axis: number): DataId;
  /**
   * Pick `indices` (int32, flat, each in [0, x.shape[axis])) along `axis`. Output shape is x's with
   * dim `axis` replaced by indices.length.
   */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): DataId;
  /**
   * The adjoint of gather: a zero tensor of `outShape`, then out[.., indices[j], ..] += updates[.., j, ..]
   * along `axis` (updates has outShape with dim `axis` replaced by indices.length).
   */
  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): DataId;
  /**
   * The `k` largest entries of each row along the last axis (0 <= k <= its length): returns [values
   * (x's dtype), indices (int32)], both of shape x.shape[:-1] + [k]. Ties keep the lower index first.
   * With `sorted` the k are in descending order, otherwise in ascending index order.
   */
  topK(x: TensorInfo, k: number, sorted: boolean): [DataId, DataId];
  /** Convert between float32 and int32 (int32 truncates toward zero). */
  cast(x: TensorInfo, dtype: DType): DataId;
  /** A new tensor of `shape` filled with `value`. */
  fill(shape: readonly number[], value: number, dtype: DType): DataId;
  /** NHWC convolution; x: [N, H, W, Cin], filter: [kh, kw, Cin, Cout] -> [N, outH, outW, Cout]. */
  conv2d(x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): DataId;
  /** Gradient of conv2d with respect to its input (also the transposed convolution): dy -> [N, H, W, Cin]. */
  conv2dBackpropInput(dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): DataId;
  /** Gradient of conv2d with respect to its filter: -> [kh, kw, Cin, Cout]. */
  conv2dBackpropFilter(x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): DataId;
  /** Max or average pooling (average counts only in-bounds cells). */
  pool2d(x: TensorInfo, info: Pool2DInfo, mode: PoolMode): DataId;
  /** Gradient of pool2d with respect to x (max routes to the first maximal cell of each window). */
  pool2dBackward(dy: TensorInfo, x: TensorInfo, info: Pool2DInfo, mode: PoolMode): DataId;

  // ---- optional fused kernels: speed only, never a behaviour the composed ops lack ----

  /**
   * One Adam step over a parameter in a single pass: returns new [param, firstMoment, secondMoment]
   * with m' = β1·m + (1-β1)·g, v' = β2·v + (1-β2)·g², p' = p - stepSize·m' / (√v' + ε).
   */
  adamUpdate?(
    param: TensorInfo, gradient: TensorInfo, firstMoment: TensorInfo, secondMoment: TensorInfo, hyper: AdamHyperparameters,
  ): [DataId, DataId, DataId];

  /**
   * Adam on some rows of a parameter (distinct int32 `rows` along axis 0, checked by the op; one gradient
   * row each): returns new [param, firstMoment, secondMoment], the listed rows stepped as adamUpdate
   * does, every other row copied unchanged.
   */
  adamUpdateRows?(
    param: TensorInfo, rowGradients: TensorInfo, rows: TensorInfo, firstMoment: TensorInfo, secondMoment: TensorInfo, hyper: AdamHyperparameters,
  ): [DataId, DataId, DataId];

  /**
   * adamUpdateRows written into the param and moment buffers themselves (host backends): the engine
   * calls it only when each of the three buffers is held by one tensor that no gradient rule saved.
   */
  adamUpdateRowsInPlace?(
    param: TensorInfo, rowGradients: TensorInfo, rows: TensorInfo, firstMoment: TensorInfo, secondMoment: TensorInfo, hyper: AdamHyperparameters,
  ): void;

  /**
   * Softmax cross-entropy of each row of logits [batch, classes] against int32 labels [batch] (each in
   * [0, classes)): returns [loss per row [batch], softmax probabilities [batch, classes]], the
   * probabilities being what the gradient needs. A label outside [0, classes) must never read
   * another row: throw (host backends; the engine checks host labels first anyway) or give that
   * row a NaN loss (device backends, which cannot throw without a readback).
   */
  softmaxCrossEntropy?(logits: TensorInfo, labels: TensorInfo): [DataId, DataId];

  /**
   * activation(conv2d(x, filter) + bias) for NHWC x and a bias of outChannels values (or null): the
   * convolution layer's forward pass in one kernel. Same values as conv2d, then add, then the
   * activation, each in float32 (relu bit for bit).
   */
  fusedConv2d?(x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, activation: FusedActivation, info: Conv2DInfo): DataId;

  /**
   * A convolution layer and the 2x2 max pool (stride 2) after it in one kernel: pooled =
   * maxPool2d(activation(conv2d(x, filter) + bias), 2), float32 [N, outH / 2, outW / 2, Cout] (an odd
   * last row or column dropped), and an int32 tensor of the same shape holding, for each pooled
   * value, the flat index of the cell it came from in the [N, outH, outW, Cout] convolution output
   * (the first maximal cell of its window, as pool2dBackward picks it). Same values as fusedConv2d
   * then pool2d.
   */
  conv2dMaxPool?(x: TensorInfo, filter: TensorInfo, bias: TensorInfo | null, activation: FusedActivation, info: Conv2DInfo): [DataId, DataId];

  /**
   * The gradient of a max pool with non-overlapping windows from the indices conv2dMaxPool gave:
   * float32 zeros of `shape` ([N, outH, outW, Cout]) with dy's values stored at their indices.
   */
  maxPoolScatter?(dy: TensorInfo, indices: TensorInfo, shape: readonly number[]): DataId;

  /**
   * relu's gradient from its output: dy * (output > 0 ? 1 : 0) for float32 dy and output of one
   * shape, the same bits as mul(dy, greater(output, 0)) in one pass.
   */
  reluGrad?(dy: TensorInfo, output: TensorInfo): DataId;

  /** activation(matmul(a, b) + bias) for rank-2 a, b and a rank-1 bias (or null). */
  fusedMatmul?(
    a: TensorInfo, b: TensorInfo, bias: TensorInfo | null, activation: FusedActivation,
    transposeA: boolean, transposeB: boolean, outShape: readonly number[],
  ): DataId;

  /**
   * int8 inference matmul: float32 x [m, k] quantized to int8 per row (scale max|row|/127, or
   * `inputScale` for all rows when > 0; q = clamp(floor(x/scale + 0.5), ±127)), times weight [n, k]
   * (int32 holding int8 values), each sum scaled by rowScale · weightScales[n], plus bias, then relu
   * when asked -> [m, n]. Same values as the composed `int8Linear` op (exact while k·127² < 2²⁴).
   */
  int8Linear?(
    x: TensorInfo, weight: TensorInfo, weightScales: TensorInfo, bias: TensorInfo | null, relu: boolean, inputScale: number,
  ): DataId;

  /**
   * int8 inference convolution (groups 1): each image of float32 NHWC x quantized to int8 with its
   * own scale (max|image|/127, or `inputScale` when > 0), convolved with filter [kh, kw, in, out]
   * (int32 holding int8 values) in exact integer arithmetic, each sum scaled by imageScale ·
   * filterScales[out], plus bias, then relu when asked, then max-pooled over non-overlapping `pool`
   * windows when given ('valid'). Same values as the composed `int8Conv2d` op.
   */
  int8Conv2d?(
    x: TensorInfo, filter: TensorInfo, filterScales: TensorInfo, bias: TensorInfo | null, info: Conv2DInfo, relu: boolean, inputScale: number,
    pool?: readonly [number, number] | null,
  ): DataId;
}

/** Constants of one fused Adam step; `stepSize` already holds the bias correction. */
export interface AdamHyperparameters {
  stepSize: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Facts a backend reports about itself, for `getBackendInfo()`. */
export interface BackendInfo {
  /** Registered name, e.g. 'cpu' or 'gpu'. */
  name: string;
  /** What actually runs the kernels, e.g. 'typescript', 'wasm-simd', 'webgpu', 'webgl2'. */
  implementation: string;
  /** Worker threads in use (1 when single-threaded). */
  threads?: number;
  /** Why a faster path was not used, when it was not. */
  notes?: string[];
  [key: string]: unknown;
}

/**
 * The largest single tensor a backend accepts unless it says otherwise (`Backend.maxTensorBytes`):
 * 2 GiB. Bigger requests are refused before anything is allocated, with the op, shape and bytes.
 */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 31;

/** A backend is a plain object: buffer management plus the primitive kernels. */
export interface Backend extends Kernels {
  readonly name: string;
  /**
   * The largest single tensor (in bytes) this backend accepts; the engine refuses bigger ones before
   * allocating, naming the op, shape and bytes. Unset means `DEFAULT_MAX_TENSOR_BYTES` (2 GiB).
   * Assign to raise or lower it: `getBackend().maxTensorBytes = 4 * 2 ** 30`.
   */
  maxTensorBytes?: number;
  /**
   * True when buffers live in host memory (the CPU backend): reading one back is a copy, not a
   * device sync, so ops may check data on the host before running (softmaxCrossEntropy's labels).
   */
  readonly hostMemory?: boolean;
  /** Optional async start-up (compiling WebAssembly, asking for a GPU adapter). */
  init?(): Promise<void>;
  /** Copy host values into a new buffer. The backend may keep `values` (callers hand over ownership). */
  upload(values: TypedArray, shape: readonly number[], dtype: DType): DataId;
  /** Read a buffer back to the host, as a fresh array the caller owns (may keep or change). */
  read(dataId: DataId, dtype: DType): Promise<TypedArray>;
  /** Synchronous read (a fresh array too), for backends whose memory is host memory. */
  readSync?(dataId: DataId, dtype: DType): TypedArray;
  /** Free a buffer. Called once, when the last tensor viewing it is disposed. */
  dispose(dataId: DataId): void;
  /** Buffers and bytes this backend holds now. */
  memory(): { buffers: number; bytes: number };
  /** What this backend is and runs on, for `getBackendInfo()`. */
  info(): BackendInfo;
}
