// Layout helpers of the direct convolution: zero-padding (or cropping) NHWC images into the
// buffer the convolution reads, and packing a filter into the 8-column panels its tiles stream.

import { PANEL_COLS } from './pack';

/**
 * Copies the images of this chunk from source [N, H, W, C] into target [N, targetHeight,
 * targetWidth, targetChannels] shifted by (top, left) — target(y, x, c) = source(y - top, x - left, c)
 * where that lies inside the source, and 0 elsewhere (top and left may be negative: a crop).
 */
export function padImagesChunk(
  chunk: i32, scratch: usize, source: usize, target: usize, batch: i32, height: i32, width: i32, channels: i32,
  targetHeight: i32, targetWidth: i32, targetChannels: i32, top: i32, left: i32, imagesPerChunk: i32,
): void {
  const imageBegin = chunk * imagesPerChunk;
  const imageEnd = min(batch, imageBegin + imagesPerChunk);
  const targetRowBytes = <usize>(targetWidth * targetChannels) << 2;
  const sourceRowBytes = <usize>(width * channels) << 2;
  // Target columns whose source column lies inside the image.
  const xBegin = max(0, left);
  const xEnd = min(targetWidth, width + left);
  const sameChannels = channels == targetChannels;
  for (let image = imageBegin; image < imageEnd; image++) {
    for (let y = 0; y < targetHeight; y++) {
      const targetRow = target + <usize>(image * targetHeight + y) * targetRowBytes;
      const sourceY = y - top;
      if (sourceY < 0 || sourceY >= height || xEnd <= xBegin) {
        memory.fill(targetRow, 0, targetRowBytes);
        continue;
      }
      const sourceRow = source + <usize>(image * height + sourceY) * sourceRowBytes;
      memory.fill(targetRow, 0, <usize>(xBegin * targetChannels) << 2);
      if (sameChannels) {
        memory.copy(targetRow + (<usize>(xBegin * channels) << 2), sourceRow + (<usize>((xBegin - left) * channels) << 2),
          <usize>((xEnd - xBegin) * channels) << 2);
      } else {
        const pixelBytes = <usize>channels << 2;
        const paddingBytes = <usize>(targetChannels - channels) << 2;
        for (let x = xBegin; x < xEnd; x++) {
          const to = targetRow + (<usize>(x * targetChannels) << 2);
          memory.copy(to, sourceRow + (<usize>((x - left) * channels) << 2), pixelBytes);
          memory.fill(to + pixelBytes, 0, paddingBytes);
        }
      }
      const tailBegin = targetRow + (<usize>(xEnd * targetChannels) << 2);
      memory.fill(tailBegin, 0, targetRow + targetRowBytes - tailBegin);
    }
  }
}

/**
 * Packs a [filterHeight, filterWidth, inChannels, outChannels] filter as panels of 8 output
 * columns, [panel][patch entry][8] with zeros past the last column, where a patch entry is
 * (fy, fx, c) in row-major order. With `flip` it packs instead the filter of the input gradient:
 * rotated by 180° with in and out channels swapped (entries (fy, fx, outChannel), columns the
 * in channels).
 */
export function packConvFilterChunk(
  chunk: i32, scratch: usize, filter: usize, target: usize, filterHeight: i32, filterWidth: i32,
  inChannels: i32, outChannels: i32, flip: i32,
): void {
  const taps = filterHeight * filterWidth;
  const entryChannels = flip != 0 ? outChannels : inChannels;
  const columns = flip != 0 ? inChannels : outChannels;
  const patch = taps * entryChannels;
  const panels = (columns + PANEL_COLS - 1) / PANEL_COLS;
  let to = target;
  for (let panel = 0; panel < panels; panel++) {
    const column0 = panel * PANEL_COLS;
    for (let entry = 0; entry < patch; entry++) {
      const tap = entry / entryChannels;
      const channel = entry - tap * entryChannels;
      for (let column = 0; column < PANEL_COLS; column++) {
        const j = column0 + column;
        let value: f32 = 0;
        if (j < columns) {
          // filter[tap][in][out]; the flipped filter reads tap taps-1-tap, in = j, out = channel.
          const index = flip != 0
            ? ((taps - 1 - tap) * inChannels + j) * outChannels + channel
            : (tap * inChannels + channel) * outChannels + j;
          value = load<f32>(filter + (<usize>index << 2));
        }
        store<f32>(to, value);
        to += 4;
      }
    }
  }
}
