import type { Conv2DInfo, DType, FusedActivation } from '@dendrite/core/backend';
import type { DeviceBuffer } from './device-buffer.js';
import type { KernelRunner } from './kernel-runner.js';
import { sliceProgram } from './kernels/layout.js';
import {
  conv2dBackpropFilterStripProgram, conv2dBackpropInputStripProgram, conv2dStripProgram,
} from './kernels/conv-strips.js';
import {
  packedStripMatmulProgram, packProgram, quarter, stripMatmulProgram, unpackProgram, type StripGeometry,
} from './kernels/matmul-strips.js';

/**
 * Multiply-adds below which one-output-per-thread kernels win: strips need extra passes
 * (pack/unpack on GL, a slice on WebGPU when the strip axis is not a multiple of 4). Measured in
 * Chromium on SwiftShader, WebGL2: [100, 64] x [64, 10] (64,000) ran 0.66 ms one output per thread
 * against 0.92 ms in strips; [128, 128] x [128, 128] ran 7.9 ms against 3.5 ms.
 */
export const STRIP_MIN_WORK = 1 << 17;

/** Whether a kernel of `work` multiply-adds runs in strips of four outputs per thread here. */
export function usesStrips(runner: KernelRunner, work: number): boolean {
  return runner.vectorOutputs !== null && work >= STRIP_MIN_WORK;
}

/**
 * Run `launch` with temporaries it registers through `keep`, then turn its [rows, columns/4]
 * strips into a plain [rows, columns] buffer (GL: unpack; WebGPU: the flat view, sliced when
 * columns % 4 ≠ 0). Every temporary is freed, also when a launch throws.
 */
function inStrips(
  runner: KernelRunner, rows: number, columns: number, dtype: DType,
  launch: (keep: (buffer: DeviceBuffer) => DeviceBuffer) => DeviceBuffer,
): DeviceBuffer {
  const temporaries: DeviceBuffer[] = [];
  const keep = (buffer: DeviceBuffer): DeviceBuffer => {
    temporaries.push(buffer);
    return buffer;
  };
  try {
    const strips = launch(keep);
    if (runner.vectorOutputs === 'packed') return runner.run(unpackProgram(rows, columns), [keep(strips)], rows * columns, dtype);
    if (columns % 4 === 0) return strips;
    return runner.run(sliceProgram([rows, quarter(columns) * 4], [0, 0], [rows, columns]), [keep(strips)], rows * columns, dtype);
  } finally {
    for (const temporary of temporaries) runner.free(temporary);
  }
}

/** activation(op(a) @ op(b) + bias) four outputs per thread (see kernels/matmul-strips.ts), as a plain [m, n] buffer. */
export function stripMatmul(
  runner: KernelRunner, a: DeviceBuffer, b: DeviceBuffer, bias: DeviceBuffer | null, activation: FusedActivation,
  geometry: StripGeometry, dtype: DType,
): DeviceBuffer {
  const { m, k, n, transposeA, transposeB } = geometry;
  const epilogue = { hasBias: bias !== null, activation };
  const extra = bias ? [bias] : [];
  return inStrips(runner, m, n, dtype, (keep) => {
    if (runner.vectorOutputs === 'flat') return runner.run(stripMatmulProgram(geometry, epilogue), [a, b, ...extra], m * quarter(n) * 4, dtype);
    const k4 = quarter(k);
    const packedA = keep(runner.run(packProgram(m, k, m, transposeA), [a], m * k4 * 4, dtype));
    const packedB = keep(runner.run(packProgram(k, n, k4 * 4, transposeB), [b], k4 * 4 * quarter(n) * 4, dtype));
    return runner.run(packedStripMatmulProgram(geometry, epilogue), [packedA, packedB, ...extra], m * quarter(n) * 4, dtype);
  });
}

/** conv2d four output channels per thread (see kernels/conv-strips.ts): [N·outH·outW, Cout] floats. */
export function stripConv2d(runner: KernelRunner, x: DeviceBuffer, filter: DeviceBuffer, info: Conv2DInfo, dtype: DType): DeviceBuffer {
  const pixels = info.batch * info.outHeight * info.outWidth;
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const packed = runner.vectorOutputs === 'packed';
  return inStrips(runner, pixels, info.outChannels, dtype, (keep) => {
    const filterOperand = packed
      ? keep(runner.run(packProgram(taps, info.outChannels, taps, false), [filter], taps * quarter(info.outChannels) * 4, dtype))
      : filter;
    return runner.run(conv2dStripProgram(info, packed), [x, filterOperand], pixels * quarter(info.outChannels) * 4, dtype);
  });
}

/** conv2d's input gradient four input channels per thread: [N·H·W, Cin] floats. */
export function stripConv2dBackpropInput(runner: KernelRunner, dy: DeviceBuffer, filter: DeviceBuffer, info: Conv2DInfo, dtype: DType): DeviceBuffer {
  const pixels = info.batch * info.inHeight * info.inWidth;
  const taps = info.filterHeight * info.filterWidth;
  const packed = runner.vectorOutputs === 'packed';
  return inStrips(runner, pixels, info.inChannels, dtype, (keep) => {
    // Each tap's [Cin, Cout] block, transposed to [Cout, Cin] and packed along Cin.
    const filterOperand = packed
      ? keep(runner.run(packProgram(info.outChannels, info.inChannels, info.outChannels, true, taps), [filter], taps * info.outChannels * quarter(info.inChannels) * 4, dtype))
      : filter;
    return runner.run(conv2dBackpropInputStripProgram(info, packed), [dy, filterOperand], pixels * quarter(info.inChannels) * 4, dtype);
  });
}

/** conv2d's per-image filter gradient four output channels per thread: [N·kh·kw·Cin, Cout] floats. */
export function stripConv2dBackpropFilter(runner: KernelRunner, x: DeviceBuffer, dy: DeviceBuffer, info: Conv2DInfo, dtype: DType): DeviceBuffer {
  const rows = info.batch * info.filterHeight * info.filterWidth * info.inChannels;
  const outPixels = info.batch * info.outHeight * info.outWidth;
  const packed = runner.vectorOutputs === 'packed';
  return inStrips(runner, rows, info.outChannels, dtype, (keep) => {
    const dyOperand = packed
      ? keep(runner.run(packProgram(outPixels, info.outChannels, outPixels, false), [dy], outPixels * quarter(info.outChannels) * 4, dtype))
      : dy;
    return runner.run(conv2dBackpropFilterStripProgram(info, packed), [x, dyOperand], rows * quarter(info.outChannels) * 4, dtype);
  });
}
