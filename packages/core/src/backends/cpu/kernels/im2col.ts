import type { Conv2DInfo } from '../../../backend/backend.js';

/** Runs at least this long are copied with `TypedArray.set`, shorter ones by a loop. */
const SET_MIN_LENGTH = 32;

/**
 * True when the convolution reads x exactly as a [N*H*W, Cin] matrix (1x1 filter, stride 1, no
 * padding), so im2col would only copy it.
 */
export function isPointwise(info: Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.padTop === 0 && info.padLeft === 0 && info.outHeight === info.inHeight && info.outWidth === info.inWidth;
}

/**
 * Write the patches of output positions [rowBegin, rowEnd) (row = (n*outH + oy)*outW + ox) into
 * `columns` as rows of filterHeight*filterWidth*inChannels values ordered (fy, fx, c), the
 * row-major order of the filter, with zeros where the window leaves the (padded) input.
 */
export function im2col(
  x: Float32Array, info: Conv2DInfo, rowBegin: number, rowEnd: number, columns: Float32Array,
): void {
  const { inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = info;
  const windowRowLength = filterWidth * channels;
  // With dilation 1, a window row that lies inside the image is one contiguous run of x.
  const contiguousWindowRows = dilationWidth === 1;
  let target = 0;
  for (let row = rowBegin; row < rowEnd; row++) {
    const outX = row % outWidth;
    const rest = (row - outX) / outWidth;
    const outY = rest % outHeight;
    const image = (rest - outY) / outHeight;
    const inY0 = outY * strideHeight - padTop;
    const inX0 = outX * strideWidth - padLeft;
    const xInside = inX0 >= 0 && inX0 + filterWidth <= inWidth;
    for (let filterY = 0; filterY < filterHeight; filterY++) {
      const inY = inY0 + filterY * dilationHeight;
      if (inY < 0 || inY >= inHeight) {
        columns.fill(0, target, target + windowRowLength);
        target += windowRowLength;
        continue;
      }
      const imageRow = (image * inHeight + inY) * inWidth;
      if (contiguousWindowRows && xInside) {
        copyRun(x, (imageRow + inX0) * channels, columns, target, windowRowLength);
        target += windowRowLength;
        continue;
      }
      for (let filterX = 0; filterX < filterWidth; filterX++) {
        const inX = inX0 + filterX * dilationWidth;
        if (inX < 0 || inX >= inWidth) columns.fill(0, target, target + channels);
        else copyRun(x, (imageRow + inX) * channels, columns, target, channels);
        target += channels;
      }
    }
  }
}

/**
 * The adjoint of {@link im2col}: add each patch row of `columns` back onto the input positions it
 * was read from (positions read by several windows accumulate; padding is dropped).
 */
export function col2im(
  columns: Float32Array, info: Conv2DInfo, rowBegin: number, rowEnd: number, dx: Float32Array,
): void {
  const { inHeight, inWidth, inChannels: channels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = info;
  const windowRowLength = filterWidth * channels;
  let source = 0;
  for (let row = rowBegin; row < rowEnd; row++) {
    const outX = row % outWidth;
    const rest = (row - outX) / outWidth;
    const outY = rest % outHeight;
    const image = (rest - outY) / outHeight;
    const inY0 = outY * strideHeight - padTop;
    const inX0 = outX * strideWidth - padLeft;
    for (let filterY = 0; filterY < filterHeight; filterY++) {
      const inY = inY0 + filterY * dilationHeight;
      if (inY < 0 || inY >= inHeight) {
        source += windowRowLength;
        continue;
      }
      const imageRow = (image * inHeight + inY) * inWidth;
      for (let filterX = 0; filterX < filterWidth; filterX++) {
        const inX = inX0 + filterX * dilationWidth;
        if (inX >= 0 && inX < inWidth) {
          const target = (imageRow + inX) * channels;
          for (let c = 0; c < channels; c++) dx[target + c] += columns[source + c];
        }
        source += channels;
      }
    }
  }
}

function copyRun(source: Float32Array, sourceOffset: number, target: Float32Array, targetOffset: number, length: number): void {
  if (length >= SET_MIN_LENGTH) {
    target.set(source.subarray(sourceOffset, sourceOffset + length), targetOffset);
  } else {
    for (let i = 0; i < length; i++) target[targetOffset + i] = source[sourceOffset + i];
  }
}
