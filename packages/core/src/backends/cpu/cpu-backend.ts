import {
  DEFAULT_MAX_TENSOR_BYTES, type Backend, type BackendInfo, type DataId, type DType, type TensorInfo, type TypedArray,
} from '../../backend/backend.js';
import type { CpuAccelerator } from './accelerator.js';
import type { CpuFloatTensor, CpuTensor, KernelContext } from './kernel-context.js';
import { sizeOfShape } from './strides.js';
import { adamUpdate } from './kernels/adam-update.js';
import { adamUpdateRows } from './kernels/adam-update-rows.js';
import { softmaxCrossEntropy } from './kernels/softmax-cross-entropy.js';
import { argReduce } from './kernels/arg-reduce.js';
import { binary } from './kernels/binary.js';
import { cast } from './kernels/cast.js';
import { concat } from './kernels/concat.js';
import { conv2d } from './kernels/conv2d.js';
import { conv2dBackpropFilter } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './kernels/conv2d-backprop-input.js';
import { fill } from './kernels/fill.js';
import { fusedMatmul } from './kernels/fused-matmul.js';
import { reluGrad } from './kernels/relu-grad.js';
import { gather } from './kernels/gather.js';
import { int8Conv2d } from './kernels/int8-conv2d.js';
import { int8Linear } from './kernels/int8-linear.js';
import { matmul } from './kernels/matmul.js';
import { pad } from './kernels/pad.js';
import { pool2d } from './kernels/pool2d.js';
import { conv2dMaxPool, maxPoolScatter } from './kernels/conv2d-max-pool.js';
import { pool2dBackward } from './kernels/pool2d-backward.js';
import { reduce } from './kernels/reduce.js';
import { scatterAdd } from './kernels/scatter-add.js';
import { slice } from './kernels/slice.js';
import { topK } from './kernels/top-k.js';
import { transpose } from './kernels/transpose.js';
import { unary } from './kernels/unary.js';
import { where } from './kernels/where.js';
import { DendriteError } from '../../errors.js';

/** The CPU backend's buffer handle: the host array itself. */
export interface CpuDataId {
  values: TypedArray;
}

/** Options of {@link createCpuBackend}. */
export interface CpuBackendOptions {
  /** Fast paths (WebAssembly SIMD) consulted before the TypeScript kernels. */
  accelerator?: CpuAccelerator;
  /** The largest tensor (bytes) the engine may allocate here; default 2 GiB (see `Backend.maxTensorBytes`). */
  maxTensorBytes?: number;
}

/** The CPU backend: a {@link Backend} whose memory is host memory, with a pluggable accelerator. */
export interface CpuBackend extends Backend {
  readonly name: 'cpu';
  readSync(dataId: DataId, dtype: DType): TypedArray;
  /** Plug in (or remove, with null) the accelerator, e.g. once its WebAssembly has compiled. */
  setAccelerator(accelerator: CpuAccelerator | null): void;
}

const EMPTY = new Float32Array(0);

/**
 * Create a CPU backend: every kernel in plain TypeScript over Float32Array/Int32Array, with an
 * optional {@link CpuAccelerator} consulted first for matmul, convolution, pooling, large elementwise
 * ops and sums.
 * Each call makes an independent backend with its own buffers; nothing is global.
 *
 * @example
 * ```ts
 * const backend = createCpuBackend();
 * const a = backend.upload(new Float32Array([1, 2, 3, 4]), [2, 2], 'float32');
 * const product = backend.matmul({ dataId: a, shape: [2, 2], dtype: 'float32' },
 *   { dataId: a, shape: [2, 2], dtype: 'float32' }, false, false, [2, 2]);
 * backend.readSync(product, 'float32'); // Float32Array [7, 10, 15, 22]
 * ```
 */
export function createCpuBackend(options: CpuBackendOptions = {}): CpuBackend {
  let accelerator: CpuAccelerator | null = options.accelerator ?? null;
  const live = new Set<CpuDataId>();
  let bytes = 0;
  // Which accelerator allocated an array, so it is freed by that one even after a swap.
  const allocatedBy = new WeakMap<TypedArray, CpuAccelerator>();

  function allocateFloat32(length: number): Float32Array {
    if (accelerator?.allocate !== undefined && length > 0) {
      const array = accelerator.allocate(length);
      allocatedBy.set(array, accelerator);
      return array;
    }
    return new Float32Array(length);
  }

  // int32 buffers (argmax results, max-pool indices) live in accelerator memory too, as views over a
  // float block of the same size: the kernels that write or read them then need no staging copies.
  function allocateInt32(length: number): Int32Array {
    if (accelerator?.allocate !== undefined && length > 0) {
      const floats = accelerator.allocate(length);
      const array = new Int32Array(floats.buffer, floats.byteOffset, length);
      allocatedBy.set(array, accelerator);
      return array;
    }
    return new Int32Array(length);
  }

  function release(array: TypedArray): void {
    const owner = allocatedBy.get(array);
    if (owner !== undefined) {
      allocatedBy.delete(array);
      owner.free?.(array as Float32Array);
    }
  }

  const context: KernelContext = {
    get accelerator() {
      return accelerator;
    },
    allocate: (length, dtype) => (dtype === 'int32' ? allocateInt32(length) : allocateFloat32(length)),
    allocateFloat32,
    allocateZeroed(length, dtype) {
      const array = dtype === 'int32' ? allocateInt32(length) : allocateFloat32(length);
      if (allocatedBy.has(array)) array.fill(0);
      return array;
    },
    release,
  };

  function register(values: TypedArray): CpuDataId {
    const dataId: CpuDataId = { values };
    live.add(dataId);
    bytes += values.byteLength;
    return dataId;
  }

  function valuesOf(dataId: DataId, where: string): TypedArray {
    if (!live.has(dataId as CpuDataId)) {
      throw new DendriteError(`cpu backend (${where}): buffer is not live here (already disposed, or from another backend)`);
    }
    return (dataId as CpuDataId).values;
  }

  function tensor(info: TensorInfo, where: string): CpuTensor {
    const values = valuesOf(info.dataId, where);
    const expected = sizeOfShape(info.shape);
    if (values.length !== expected) {
      throw new DendriteError(
        `cpu backend (${where}): buffer has ${values.length} values but shape [${info.shape.join(', ')}] needs ${expected}`,
      );
    }
    const actualDtype: DType = values instanceof Int32Array ? 'int32' : 'float32';
    if (actualDtype !== info.dtype) {
      throw new DendriteError(`cpu backend (${where}): buffer holds ${actualDtype} but the tensor says ${info.dtype}`);
    }
    return { values, shape: info.shape, dtype: info.dtype };
  }

  function readSync(dataId: DataId, dtype: DType): TypedArray {
    const values = valuesOf(dataId, 'read');
    if ((dtype === 'int32') !== (values instanceof Int32Array)) {
      throw new DendriteError(`cpu read: asked for ${dtype} but the buffer holds ${values instanceof Int32Array ? 'int32' : 'float32'}`);
    }
    // A copy: the caller may keep or change it without touching the tensor.
    return values.slice();
  }

  return {
    name: 'cpu',
    maxTensorBytes: options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES,
    hostMemory: true,

    upload(values, shape, dtype) {
      const expected = sizeOfShape(shape);
      if (values.length !== expected) {
        throw new DendriteError(`cpu upload: ${values.length} values for shape [${shape.join(', ')}] (needs ${expected})`);
      }
      const isInt = values instanceof Int32Array;
      if ((dtype === 'int32') !== isInt) {
        throw new DendriteError(`cpu upload: dtype ${dtype} but got a ${isInt ? 'Int32Array' : 'Float32Array'}`);
      }
      // Into accelerator memory, so the accelerated kernels read it without a copy.
      if (!isInt && accelerator?.allocate !== undefined && values.length > 0) {
        const copy = allocateFloat32(values.length);
        copy.set(values);
        return register(copy);
      }
      return register(values);
    },

    readSync,

    read(dataId, dtype) {
      try {
        return Promise.resolve(readSync(dataId, dtype));
      } catch (error) {
        return Promise.reject(error);
      }
    },

    dispose(dataId) {
      const buffer = dataId as CpuDataId;
      if (!live.delete(buffer)) return;
      bytes -= buffer.values.byteLength;
      release(buffer.values);
      buffer.values = EMPTY;
    },

    memory() {
      return { buffers: live.size, bytes };
    },

    info(): BackendInfo {
      return {
        name: 'cpu',
        implementation: accelerator?.implementation ?? 'typescript',
        threads: accelerator?.threads ?? 1,
        ...(accelerator?.instructionSet !== undefined ? { instructionSet: accelerator.instructionSet } : {}),
        notes: accelerator !== null ? [...accelerator.notes] : ['no accelerator installed: plain TypeScript kernels'],
      };
    },

    setAccelerator(next) {
      accelerator = next;
    },

    unary: (op, x) => register(unary(context, op, tensor(x, op))),
    binary: (op, a, b, outShape, outDtype) =>
      register(binary(context, op, tensor(a, op), tensor(b, op), outShape, outDtype)),
    where: (condition, a, b, outShape) =>
      register(where(context, tensor(condition, 'where'), tensor(a, 'where'), tensor(b, 'where'), outShape)),
    reduce: (op, x, axes) => register(reduce(context, op, tensor(x, op), axes)),
    argReduce: (op, x, axis) => register(argReduce(context, op, tensor(x, op), axis)),
    matmul: (a, b, transposeA, transposeB, outShape) =>
      register(matmul(context, tensor(a, 'matmul'), tensor(b, 'matmul'), transposeA, transposeB, outShape)),
    transpose: (x, perm) => register(transpose(context, tensor(x, 'transpose'), perm)),
    slice: (x, begin, size) => register(slice(context, tensor(x, 'slice'), begin, size)),
    pad: (x, paddings, value) => register(pad(context, tensor(x, 'pad'), paddings, value)),
    concat: (xs, axis) => register(concat(context, xs.map((x) => tensor(x, 'concat')), axis)),
    gather: (x, indices, axis) => register(gather(context, tensor(x, 'gather'), tensor(indices, 'gather'), axis)),
    scatterAdd: (updates, indices, axis, outShape) =>
      register(scatterAdd(context, tensor(updates, 'scatterAdd'), tensor(indices, 'scatterAdd'), axis, outShape)),
    topK(x, k, sorted) {
      const [values, indices] = topK(context, tensor(x, 'topK'), k, sorted);
      return [register(values), register(indices)];
    },
    cast: (x, dtype) => register(cast(context, tensor(x, 'cast'), dtype)),
    fill: (shape, value, dtype) => register(fill(context, shape, value, dtype)),
    conv2d: (x, filter, info) => register(conv2d(context, tensor(x, 'conv2d'), tensor(filter, 'conv2d'), info)),
    reluGrad: (dy, output) => register(reluGrad(context, tensor(dy, 'reluGrad'), tensor(output, 'reluGrad'))),
    fusedConv2d: (x, filter, bias, activation, info) => register(conv2d(
      context, tensor(x, 'fusedConv2d'), tensor(filter, 'fusedConv2d'), info, bias === null ? null : tensor(bias, 'fusedConv2d'), activation,
    )),
    conv2dMaxPool(x, filter, bias, activation, info) {
      const where = 'conv2dMaxPool';
      const [pooled, indices] = conv2dMaxPool(context, tensor(x, where), tensor(filter, where), info, bias === null ? null : tensor(bias, where), activation);
      return [register(pooled), register(indices)];
    },
    maxPoolScatter: (dy, indices, shape) => register(maxPoolScatter(context, tensor(dy, 'maxPoolScatter'), tensor(indices, 'maxPoolScatter'), shape)),
    conv2dBackpropInput: (dy, filter, info) =>
      register(conv2dBackpropInput(context, tensor(dy, 'conv2dBackpropInput'), tensor(filter, 'conv2dBackpropInput'), info)),
    conv2dBackpropFilter: (x, dy, info) =>
      register(conv2dBackpropFilter(context, tensor(x, 'conv2dBackpropFilter'), tensor(dy, 'conv2dBackpropFilter'), info)),
    pool2d: (x, info, mode) => register(pool2d(context, tensor(x, 'pool2d'), info, mode)),
    pool2dBackward: (dy, x, info, mode) =>
      register(pool2dBackward(context, tensor(dy, 'pool2dBackward'), tensor(x, 'pool2dBackward'), info, mode)),
    adamUpdate(param, gradient, firstMoment, secondMoment, hyper) {
      const where = 'adamUpdate';
      const float = (info: TensorInfo) => tensor(info, where) as CpuFloatTensor;
      const outputs = adamUpdate(context, float(param), float(gradient), float(firstMoment), float(secondMoment), hyper);
      return [register(outputs[0]), register(outputs[1]), register(outputs[2])];
    },
    adamUpdateRows(param, rowGradients, rows, firstMoment, secondMoment, hyper) {
      const where = 'adamUpdateRows';
      const float = (info: TensorInfo) => tensor(info, where) as CpuFloatTensor;
      const outputs = adamUpdateRows(context, float(param), float(rowGradients), tensor(rows, where), float(firstMoment), float(secondMoment), hyper);
      return [register(outputs[0]), register(outputs[1]), register(outputs[2])];
    },
    adamUpdateRowsInPlace(param, rowGradients, rows, firstMoment, secondMoment, hyper) {
      const where = 'adamUpdateRowsInPlace';
      const float = (info: TensorInfo) => tensor(info, where) as CpuFloatTensor;
      adamUpdateRows(context, float(param), float(rowGradients), tensor(rows, where), float(firstMoment), float(secondMoment), hyper, true);
    },
    softmaxCrossEntropy(logits, labels) {
      const where = 'softmaxCrossEntropy';
      const [losses, probabilities] = softmaxCrossEntropy(context, tensor(logits, where) as CpuFloatTensor, tensor(labels, where));
      return [register(losses), register(probabilities)];
    },
    fusedMatmul: (a, b, bias, activation, transposeA, transposeB, outShape) =>
      register(fusedMatmul(
        context, tensor(a, 'fusedMatmul'), tensor(b, 'fusedMatmul'),
        bias === null ? null : tensor(bias, 'fusedMatmul'), activation, transposeA, transposeB, outShape,
      )),
    int8Linear: (x, weight, weightScales, bias, relu, inputScale) =>
      register(int8Linear(
        context, tensor(x, 'int8Linear'), tensor(weight, 'int8Linear'), tensor(weightScales, 'int8Linear'),
        bias === null ? null : tensor(bias, 'int8Linear'), relu, inputScale,
      )),
    int8Conv2d: (x, filter, filterScales, bias, info, relu, inputScale, pool) =>
      register(int8Conv2d(
        context, tensor(x, 'int8Conv2d'), tensor(filter, 'int8Conv2d'), tensor(filterScales, 'int8Conv2d'),
        bias === null ? null : tensor(bias, 'int8Conv2d'), info, relu, inputScale, pool ?? null,
      )),
  };
}
