import { DendriteError, sizeOf } from '@dendrite/core';
import type {
  AdamHyperparameters, ArgReduceOp, BinaryOp, Conv2DInfo, DataId, DType, FusedActivation, Kernels, Pool2DInfo, PoolMode, ReduceOp,
  TensorInfo, UnaryOp,
} from '@dendrite/core/backend';
import { DeviceBuffer, asDeviceBuffer } from './device-buffer.js';
import type { KernelRunner } from './kernel-runner.js';
import { adamProgram } from './kernels/adam.js';
import { conv2dBackpropFilterProgram, conv2dBackpropInputProgram, conv2dProgram } from './kernels/conv.js';
import { binaryProgram, castProgram, fillProgram, unaryProgram, whereProgram } from './kernels/elementwise.js';
import { gatherProgram, scatterAddListProgram, scatterAddScanProgram, scatterIndexLists } from './kernels/gather.js';
import { concatProgram, padProgram, sliceProgram, transposeProgram } from './kernels/layout.js';
import { fusedMatmulProgram, innerDimension, matmulProgram, type MatmulGeometry } from './kernels/matmul.js';
import { pool2dBackwardProgram, pool2dProgram, poolArgmaxProgram } from './kernels/pool.js';
import { argReduceProgram, chunkedReduceProgram, reduceProgram, reductionLayout } from './kernels/reduce.js';
import { topKAscendingIndicesProgram, topKIndicesProgram, topKValuesProgram } from './kernels/top-k.js';
import { rowLogSumExpProgram, rowLossProgram, softmaxFromLseProgram } from './kernels/softmax-cross-entropy.js';
import {
  stripConv2d, stripConv2dBackpropFilter, stripConv2dBackpropInput, stripMatmul, usesStrips,
} from './strips.js';
import type { StripGeometry } from './kernels/matmul-strips.js';

/**
 * Inputs joined per concat pass: each is a texture unit on GL (16 guaranteed) and a storage buffer
 * on WebGPU, where the default limit is 8 per shader stage, output and parameters included.
 */
const CONCAT_INPUTS_PER_PASS = 6;
/** A reduction of at least this many values per output, over few outputs, runs in two passes. */
const CHUNKED_REDUCTION_MINIMUM = 4096;
const CHUNKED_REDUCTION_MAX_OUTPUTS = 4096;

/** The primitive kernels of {@link Kernels} on gpu.js, over the runner's buffers. */
export function createKernels(runner: KernelRunner): Kernels {
  const input = (tensor: TensorInfo, what: string): DeviceBuffer => asDeviceBuffer(tensor.dataId, what);
  const free = (temporary: DeviceBuffer): void => runner.free(temporary);
  const filled = (shape: readonly number[], value: number, dtype: DType): DeviceBuffer =>
    runner.run(fillProgram, [], sizeOf(shape), dtype, [value]);

  const reduce = (op: ReduceOp, shape: readonly number[], source: DeviceBuffer, axes: readonly number[], dtype: DType): DeviceBuffer => {
    const layout = reductionLayout(shape, axes);
    const outSize = sizeOf(layout.keptShape);
    if (layout.reducedCount === 0) {
      return filled(layout.keptShape, op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity, dtype);
    }
    if (layout.reducedCount >= CHUNKED_REDUCTION_MINIMUM && outSize <= CHUNKED_REDUCTION_MAX_OUTPUTS) {
      const chunks = Math.ceil(Math.sqrt(layout.reducedCount));
      const chunked = chunkedReduceProgram(op, shape, axes, chunks);
      if (chunked) {
        const partial = runner.run(chunked, [source], outSize * chunks, dtype);
        const partialShape = [...layout.keptShape, chunks];
        const result = reduce(op, partialShape, partial, [partialShape.length - 1], dtype);
        free(partial);
        return result;
      }
    }
    return runner.run(reduceProgram(op, shape, axes), [source], outSize, dtype);
  };

  const matmulGeometry = (a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): MatmulGeometry =>
    ({ aShape: a.shape, bShape: b.shape, outShape, transposeA, transposeB });
  /**
   * The sizes of a matmul worth running in strips of four outputs per thread, else null: rank 2,
   * or a batched, untransposed a over an unbatched b ([..., m, k] @ [k, n], e.g. a dense layer over
   * a sequence), which is one [(batch·m), k] @ [k, n] product over the same buffers.
   */
  const stripGeometry = (geometry: MatmulGeometry): StripGeometry | null => {
    const { aShape, bShape, outShape, transposeA, transposeB } = geometry;
    const rank = outShape.length;
    const outBatch = sizeOf(outShape.slice(0, -2));
    const flattens = rank > 2 && !transposeA && sizeOf(bShape.slice(0, -2)) === 1 && sizeOf(aShape.slice(0, -2)) === outBatch;
    if (rank !== 2 && !flattens) return null;
    const strips = { m: outBatch * outShape[rank - 2], k: innerDimension(geometry), n: outShape[rank - 1], transposeA, transposeB };
    return usesStrips(runner, strips.m * strips.k * strips.n) ? strips : null;
  };

  return {
    unary(op: UnaryOp, x: TensorInfo): DataId {
      return runner.run(unaryProgram(op), [input(x, `unary ${op} input`)], sizeOf(x.shape), x.dtype);
    },

    binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId {
      return runner.run(
        binaryProgram(op, a.shape, b.shape, outShape, outDtype),
        [input(a, `binary ${op} a`), input(b, `binary ${op} b`)], sizeOf(outShape), outDtype,
      );
    },

    where(condition: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: readonly number[]): DataId {
      return runner.run(
        whereProgram(condition.shape, a.shape, b.shape, outShape),
        [input(condition, 'where condition'), input(a, 'where a'), input(b, 'where b')], sizeOf(outShape), a.dtype,
      );
    },

    reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId {
      return reduce(op, x.shape, input(x, `reduce ${op} input`), axes, x.dtype);
    },

    argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): DataId {
      const outShape = x.shape.filter((_, index) => index !== axis);
      if (x.shape[axis] === 0) throw new DendriteError(`gpu backend: ${op} along axis ${axis} of shape [${x.shape.join(', ')}] has nothing to pick from`);
      return runner.run(argReduceProgram(op, x.shape, axis), [input(x, `${op} input`)], sizeOf(outShape), 'int32');
    },

    matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: readonly number[]): DataId {
      const geometry = matmulGeometry(a, b, transposeA, transposeB, outShape);
      if (innerDimension(geometry) === 0) return filled(outShape, 0, a.dtype);
      const strips = stripGeometry(geometry);
      if (strips) return stripMatmul(runner, input(a, 'matmul a'), input(b, 'matmul b'), null, 'linear', strips, a.dtype);
      return runner.run(matmulProgram(geometry), [input(a, 'matmul a'), input(b, 'matmul b')], sizeOf(outShape), a.dtype);
    },

    fusedMatmul(
      a: TensorInfo, b: TensorInfo, bias: TensorInfo | null, activation: FusedActivation,
      transposeA: boolean, transposeB: boolean, outShape: readonly number[],
    ): DataId {
      const geometry = matmulGeometry(a, b, transposeA, transposeB, outShape);
      const inputs = [input(a, 'fusedMatmul a'), input(b, 'fusedMatmul b')];
      if (bias) inputs.push(input(bias, 'fusedMatmul bias'));
      if (innerDimension(geometry) === 0) {
        // activation(0 + bias): the fused kernel over a [M, 1] x [1, N] product of zeros.
        const [rows, columns] = outShape;
        const zerosA = filled([rows, 1], 0, a.dtype);
        const zerosB = filled([1, columns], 0, a.dtype);
        const zeroGeometry = { aShape: [rows, 1], bShape: [1, columns], outShape, transposeA: false, transposeB: false };
        const result = runner.run(fusedMatmulProgram(zeroGeometry, bias !== null, activation), [zerosA, zerosB, ...inputs.slice(2)], sizeOf(outShape), a.dtype);
        free(zerosA);
        free(zerosB);
        return result;
      }
      const strips = stripGeometry(geometry);
      if (strips) return stripMatmul(runner, inputs[0], inputs[1], inputs[2] ?? null, activation, strips, a.dtype);
      return runner.run(fusedMatmulProgram(geometry, bias !== null, activation), inputs, sizeOf(outShape), a.dtype);
    },

    transpose(x: TensorInfo, perm: readonly number[]): DataId {
      return runner.run(transposeProgram(x.shape, perm), [input(x, 'transpose input')], sizeOf(x.shape), x.dtype);
    },

    slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId {
      return runner.run(sliceProgram(x.shape, begin, size), [input(x, 'slice input')], sizeOf(size), x.dtype);
    },

    pad(x: TensorInfo, paddings: ReadonlyArray<readonly [number, number]>, value: number): DataId {
      const outShape = x.shape.map((dim, axis) => dim + paddings[axis][0] + paddings[axis][1]);
      if (sizeOf(x.shape) === 0) return filled(outShape, value, x.dtype);
      return runner.run(padProgram(x.shape, paddings), [input(x, 'pad input')], sizeOf(outShape), x.dtype, [value]);
    },

    concat(xs: readonly TensorInfo[], axis: number): DataId {
      if (xs.length === 0) throw new DendriteError('gpu backend: concat needs at least one input');
      const dtype = xs[0].dtype;
      let parts = xs.map((x, index) => ({ shape: x.shape, buffer: input(x, `concat input ${index}`), temporary: false }))
        .filter((part) => sizeOf(part.shape) > 0);
      const outShape = [...xs[0].shape];
      outShape[axis] = xs.reduce((total, x) => total + x.shape[axis], 0);
      if (parts.length === 0) return runner.run(fillProgram, [], sizeOf(outShape), dtype, [0]);
      // Join in groups small enough for the texture units, then join the groups.
      while (parts.length > 1 || !parts[0].temporary) {
        const next: typeof parts = [];
        for (let start = 0; start < parts.length; start += CONCAT_INPUTS_PER_PASS) {
          const group = parts.slice(start, start + CONCAT_INPUTS_PER_PASS);
          const shape = [...group[0].shape];
          shape[axis] = group.reduce((total, part) => total + part.shape[axis], 0);
          const joined = runner.run(concatProgram(group.map((part) => part.shape), axis), group.map((part) => part.buffer), sizeOf(shape), dtype);
          for (const part of group) if (part.temporary) free(part.buffer);
          next.push({ shape, buffer: joined, temporary: true });
        }
        parts = next;
      }
      return parts[0].buffer;
    },

    gather(x: TensorInfo, indices: TensorInfo, axis: number): DataId {
      const indexCount = sizeOf(indices.shape);
      const outShape = [...x.shape];
      outShape[axis] = indexCount;
      return runner.run(gatherProgram(x.shape, indexCount, axis), [input(x, 'gather input'), input(indices, 'gather indices')], sizeOf(outShape), x.dtype);
    },

    scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: readonly number[]): DataId {
      const indexCount = sizeOf(indices.shape);
      const updateBuffer = input(updates, 'scatterAdd updates');
      const indexBuffer = input(indices, 'scatterAdd indices');
      if (indexCount === 0 || sizeOf(updates.shape) === 0) return filled(outShape, 0, updates.dtype);
      if (indexBuffer.hostValues) {
        // The indices came from the host: sort them there, so each output reads only its own updates.
        const lists = scatterIndexLists(indexBuffer.hostValues, outShape[axis]);
        const order = runner.upload(lists.order, 'int32');
        const starts = runner.upload(lists.starts, 'int32');
        const result = runner.run(
          scatterAddListProgram(outShape, indexCount, axis, lists.longestRun),
          [updateBuffer, order, starts], sizeOf(outShape), updates.dtype,
        );
        free(order);
        free(starts);
        return result;
      }
      return runner.run(scatterAddScanProgram(outShape, indexCount, axis), [updateBuffer, indexBuffer], sizeOf(outShape), updates.dtype);
    },

    topK(x: TensorInfo, k: number, sorted: boolean): [DataId, DataId] {
      const n = x.shape[x.shape.length - 1];
      const rows = n === 0 ? 0 : sizeOf(x.shape) / n;
      if (rows * k === 0) return [filled([rows * k], 0, x.dtype), filled([rows * k], 0, 'int32')];
      const source = input(x, 'topK input');
      let indices = runner.run(topKIndicesProgram(rows, n, k), [source], rows * k, 'int32');
      if (!sorted) {
        const descending = indices;
        indices = runner.run(topKAscendingIndicesProgram(rows, k), [descending], rows * k, 'int32');
        free(descending);
      }
      return [runner.run(topKValuesProgram(rows, n, k), [source, indices], rows * k, x.dtype), indices];
    },

    adamUpdate(
      param: TensorInfo, gradient: TensorInfo, firstMoment: TensorInfo, secondMoment: TensorInfo, hyper: AdamHyperparameters,
    ): [DataId, DataId, DataId] {
      const inputs = [
        input(param, 'adamUpdate param'), input(gradient, 'adamUpdate gradient'),
        input(firstMoment, 'adamUpdate first moment'), input(secondMoment, 'adamUpdate second moment'),
      ];
      const size = sizeOf(param.shape);
      const scalars = [hyper.stepSize, hyper.beta1, hyper.beta2, hyper.epsilon];
      if (size === 0) return [filled(param.shape, 0, 'float32'), filled(param.shape, 0, 'float32'), filled(param.shape, 0, 'float32')];
      return [
        runner.run(adamProgram('param'), inputs, size, 'float32', scalars),
        runner.run(adamProgram('firstMoment'), inputs, size, 'float32', scalars),
        runner.run(adamProgram('secondMoment'), inputs, size, 'float32', scalars),
      ];
    },

    softmaxCrossEntropy(logits: TensorInfo, labels: TensorInfo): [DataId, DataId] {
      const [batch, classes] = logits.shape;
      const x = input(logits, 'softmaxCrossEntropy logits');
      const labelBuffer = input(labels, 'softmaxCrossEntropy labels');
      // Labels uploaded from the host are checked there (no readback); ones computed on the
      // device cannot be without one.
      const hostLabels = labelBuffer.hostValues;
      if (hostLabels) {
        for (let row = 0; row < batch; row++) {
          const target = hostLabels[row];
          if (!(target >= 0 && target < classes)) {
            throw new DendriteError(`softmaxCrossEntropy: label ${target} at row ${row} is outside [0, ${classes})`);
          }
        }
      }
      if (batch === 0) return [filled([0], 0, 'float32'), filled([0], 0, 'float32')];
      if (classes === 0) throw new DendriteError(`softmaxCrossEntropy: ${batch} rows of 0 classes have no label to pick`);
      const lse = runner.run(rowLogSumExpProgram(classes), [x], batch, 'float32');
      try {
        return [
          runner.run(rowLossProgram(classes), [x, labelBuffer, lse], batch, 'float32', [Number.NaN]),
          runner.run(softmaxFromLseProgram(batch, classes), [x, lse], batch * classes, 'float32'),
        ];
      } finally {
        free(lse);
      }
    },

    cast(x: TensorInfo, dtype: DType): DataId {
      const truncate = x.dtype === 'float32' && dtype === 'int32';
      return runner.run(castProgram(truncate), [input(x, 'cast input')], sizeOf(x.shape), dtype);
    },

    fill(shape: readonly number[], value: number, dtype: DType): DataId {
      return filled(shape, dtype === 'int32' ? Math.trunc(value) : value, dtype);
    },

    conv2d(x: TensorInfo, filter: TensorInfo, info: Conv2DInfo): DataId {
      const outSize = info.batch * info.outHeight * info.outWidth * info.outChannels;
      if (info.inChannels === 0 || info.filterHeight === 0 || info.filterWidth === 0) return filled([outSize], 0, x.dtype);
      if (usesStrips(runner, outSize * info.filterHeight * info.filterWidth * info.inChannels)) {
        return stripConv2d(runner, input(x, 'conv2d x'), input(filter, 'conv2d filter'), info, x.dtype);
      }
      return runner.run(conv2dProgram(info), [input(x, 'conv2d x'), input(filter, 'conv2d filter')], outSize, x.dtype);
    },

    conv2dBackpropInput(dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): DataId {
      const outSize = info.batch * info.inHeight * info.inWidth * info.inChannels;
      if (info.outChannels === 0 || sizeOf(dy.shape) === 0) return filled([outSize], 0, dy.dtype);
      if (usesStrips(runner, outSize * info.filterHeight * info.filterWidth * info.outChannels)) {
        return stripConv2dBackpropInput(runner, input(dy, 'conv2dBackpropInput dy'), input(filter, 'conv2dBackpropInput filter'), info, dy.dtype);
      }
      return runner.run(conv2dBackpropInputProgram(info), [input(dy, 'conv2dBackpropInput dy'), input(filter, 'conv2dBackpropInput filter')], outSize, dy.dtype);
    },

    conv2dBackpropFilter(x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): DataId {
      const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
      if (info.batch === 0 || info.outHeight === 0 || info.outWidth === 0) return filled(filterShape, 0, x.dtype);
      const work = info.batch * sizeOf(filterShape) * info.outHeight * info.outWidth;
      const perImage = usesStrips(runner, work)
        ? stripConv2dBackpropFilter(runner, input(x, 'conv2dBackpropFilter x'), input(dy, 'conv2dBackpropFilter dy'), info, x.dtype)
        : runner.run(
          conv2dBackpropFilterProgram(info), [input(x, 'conv2dBackpropFilter x'), input(dy, 'conv2dBackpropFilter dy')],
          info.batch * sizeOf(filterShape), x.dtype,
        );
      if (info.batch === 1) return perImage;
      const summed = reduce('sum', [info.batch, ...filterShape], perImage, [0], x.dtype);
      free(perImage);
      return summed;
    },

    pool2d(x: TensorInfo, info: Pool2DInfo, mode: PoolMode): DataId {
      const outSize = info.batch * info.outHeight * info.outWidth * info.channels;
      return runner.run(pool2dProgram(info, mode), [input(x, `${mode} pool input`)], outSize, x.dtype);
    },

    pool2dBackward(dy: TensorInfo, x: TensorInfo, info: Pool2DInfo, mode: PoolMode): DataId {
      const inSize = info.batch * info.inHeight * info.inWidth * info.channels;
      const gradient = input(dy, `${mode} pool backward dy`);
      if (sizeOf(dy.shape) === 0) return filled([inSize], 0, dy.dtype);
      if (mode === 'avg') return runner.run(pool2dBackwardProgram(info, mode), [gradient], inSize, dy.dtype);
      const positions = runner.run(poolArgmaxProgram(info), [input(x, 'max pool backward x')], sizeOf(dy.shape), 'int32');
      const result = runner.run(pool2dBackwardProgram(info, mode), [gradient, positions], inSize, dy.dtype);
      free(positions);
      return result;
    },
  };
}
