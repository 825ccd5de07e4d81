// 2-D max and average pooling over NHWC images and their gradients, 4 channels per vector (the
// last C % 4 channels one at a time). They follow the TypeScript reference to the bit: max keeps
// the first strictly greater value or the first NaN, average adds in float32 in window order and
// scales in float64, and the max gradient goes to the first maximal cell of each window.
// Geometry comes in a parameter block of i32 words (POOL_* below), shared with
// src/backends/cpu/wasm/wasm-pool.ts.

import { word } from './parameter-block';

const POOL_X = 0;
const POOL_OUT = 1;
const POOL_DY = 2;
const POOL_BATCH = 3;
const POOL_HEIGHT = 4;
const POOL_WIDTH = 5;
const POOL_CHANNELS = 6;
const POOL_OUT_HEIGHT = 7;
const POOL_OUT_WIDTH = 8;
const POOL_FILTER_HEIGHT = 9;
const POOL_FILTER_WIDTH = 10;
const POOL_STRIDE_HEIGHT = 11;
const POOL_STRIDE_WIDTH = 12;
const POOL_PAD_TOP = 13;
const POOL_PAD_LEFT = 14;
const POOL_AVERAGE = 15;
const POOL_IMAGES_PER_CHUNK = 16;

/** Lanes where the max takes `value` over `best`: strictly greater, or NaN (the first NaN sticks). */
// @ts-ignore: decorator
@inline function takesMax(value: v128, best: v128): v128 {
  return v128.or(f32x4.gt(value, best), f32x4.ne(value, value));
}

/** f32(f64(value) * scale) per lane, as the reference scales in double precision. */
// @ts-ignore: decorator
@inline function scaleInDouble(value: v128, scale: f64): v128 {
  const factor = f64x2.splat(scale);
  const low = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(value), factor));
  const high = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(f32x4.shuffle(value, value, 2, 3, 2, 3)), factor));
  return f32x4.shuffle(low, high, 0, 1, 4, 5);
}

/**
 * Pooling of the images [chunk * imagesPerChunk, ...). A window entirely in the padding gives 0;
 * the average counts only in-bounds cells.
 */
export function pool2dChunk(chunk: i32, scratch: usize, params: usize): void {
  const x = <usize>word(params, POOL_X);
  const out = <usize>word(params, POOL_OUT);
  const batch = word(params, POOL_BATCH);
  const height = word(params, POOL_HEIGHT);
  const width = word(params, POOL_WIDTH);
  const channels = word(params, POOL_CHANNELS);
  const outHeight = word(params, POOL_OUT_HEIGHT);
  const outWidth = word(params, POOL_OUT_WIDTH);
  const filterHeight = word(params, POOL_FILTER_HEIGHT);
  const filterWidth = word(params, POOL_FILTER_WIDTH);
  const strideHeight = word(params, POOL_STRIDE_HEIGHT);
  const strideWidth = word(params, POOL_STRIDE_WIDTH);
  const padTop = word(params, POOL_PAD_TOP);
  const padLeft = word(params, POOL_PAD_LEFT);
  const average = word(params, POOL_AVERAGE) != 0;
  const imagesPerChunk = word(params, POOL_IMAGES_PER_CHUNK);

  const pixelBytes = <usize>channels << 2;
  const vectorChannels = channels & ~3;
  const imageBegin = chunk * imagesPerChunk;
  const imageEnd = min(batch, imageBegin + imagesPerChunk);
  for (let image = imageBegin; image < imageEnd; image++) {
    const imageBase = x + <usize>(image * height * width) * pixelBytes;
    for (let outY = 0; outY < outHeight; outY++) {
      const y0 = outY * strideHeight - padTop;
      const yBegin = max(0, y0);
      const yEnd = min(height, y0 + filterHeight);
      for (let outX = 0; outX < outWidth; outX++) {
        const x0 = outX * strideWidth - padLeft;
        const xBegin = max(0, x0);
        const xEnd = min(width, x0 + filterWidth);
        const target = out + <usize>((image * outHeight + outY) * outWidth + outX) * pixelBytes;
        const cells = (yEnd - yBegin) * (xEnd - xBegin);
        if (yEnd <= yBegin || xEnd <= xBegin) {
          memory.fill(target, 0, pixelBytes);
          continue;
        }
        const scale: f64 = 1.0 / <f64>cells;
        for (let c = 0; c < vectorChannels; c += 4) {
          let best = average ? f32x4.splat(0) : f32x4.splat(-Infinity);
          for (let y = yBegin; y < yEnd; y++) {
            let cell = imageBase + <usize>(y * width + xBegin) * pixelBytes + (<usize>c << 2);
            for (let xi = xBegin; xi < xEnd; xi++) {
              const value = v128.load(cell);
              best = average ? f32x4.add(best, value) : v128.bitselect(value, best, takesMax(value, best));
              cell += pixelBytes;
            }
          }
          v128.store(target + (<usize>c << 2), average ? scaleInDouble(best, scale) : best);
        }
        for (let c = vectorChannels; c < channels; c++) {
          let best: f32 = average ? 0 : -Infinity;
          for (let y = yBegin; y < yEnd; y++) {
            let cell = imageBase + <usize>(y * width + xBegin) * pixelBytes + (<usize>c << 2);
            for (let xi = xBegin; xi < xEnd; xi++) {
              const value = load<f32>(cell);
              if (average) best += value;
              else if (value > best || value != value) best = value;
              cell += pixelBytes;
            }
          }
          store<f32>(target + (<usize>c << 2), average ? <f32>(<f64>best * scale) : best);
        }
      }
    }
  }
}

/**
 * Gradient of pooling for the images [chunk * imagesPerChunk, ...): dx of those images is zeroed,
 * then max sends each dy to its window's first maximal cell and average spreads dy * (1 / cells)
 * over the in-bounds cells (added in float64, stored as float32, like the reference).
 */
export function pool2dBackwardChunk(chunk: i32, scratch: usize, params: usize): void {
  const x = <usize>word(params, POOL_X);
  const dx = <usize>word(params, POOL_OUT);
  const dy = <usize>word(params, POOL_DY);
  const batch = word(params, POOL_BATCH);
  const height = word(params, POOL_HEIGHT);
  const width = word(params, POOL_WIDTH);
  const channels = word(params, POOL_CHANNELS);
  const outHeight = word(params, POOL_OUT_HEIGHT);
  const outWidth = word(params, POOL_OUT_WIDTH);
  const filterHeight = word(params, POOL_FILTER_HEIGHT);
  const filterWidth = word(params, POOL_FILTER_WIDTH);
  const strideHeight = word(params, POOL_STRIDE_HEIGHT);
  const strideWidth = word(params, POOL_STRIDE_WIDTH);
  const padTop = word(params, POOL_PAD_TOP);
  const padLeft = word(params, POOL_PAD_LEFT);
  const average = word(params, POOL_AVERAGE) != 0;
  const imagesPerChunk = word(params, POOL_IMAGES_PER_CHUNK);

  const pixelBytes = <usize>channels << 2;
  const imageBytes = <usize>(height * width) * pixelBytes;
  const vectorChannels = channels & ~3;
  const imageBegin = chunk * imagesPerChunk;
  const imageEnd = min(batch, imageBegin + imagesPerChunk);
  if (imageEnd <= imageBegin) return;
  memory.fill(dx + <usize>imageBegin * imageBytes, 0, <usize>(imageEnd - imageBegin) * imageBytes);
  // Byte offsets of lanes 0..3 within a cell, added to a cell's offset to index dx per lane.
  const laneOffsets = i32x4(0, 4, 8, 12);
  for (let image = imageBegin; image < imageEnd; image++) {
    const imageOffset = <usize>image * imageBytes;
    for (let outY = 0; outY < outHeight; outY++) {
      const y0 = outY * strideHeight - padTop;
      const yBegin = max(0, y0);
      const yEnd = min(height, y0 + filterHeight);
      for (let outX = 0; outX < outWidth; outX++) {
        const x0 = outX * strideWidth - padLeft;
        const xBegin = max(0, x0);
        const xEnd = min(width, x0 + filterWidth);
        if (yEnd <= yBegin || xEnd <= xBegin) continue;
        const source = dy + <usize>((image * outHeight + outY) * outWidth + outX) * pixelBytes;
        if (average) {
          const scale: f64 = 1.0 / <f64>((yEnd - yBegin) * (xEnd - xBegin));
          for (let y = yBegin; y < yEnd; y++) {
            for (let xi = xBegin; xi < xEnd; xi++) {
              const cell = dx + imageOffset + <usize>(y * width + xi) * pixelBytes;
              for (let c = 0; c < channels; c++) {
                const at = cell + (<usize>c << 2);
                store<f32>(at, <f32>(<f64>load<f32>(at) + <f64>load<f32>(source + (<usize>c << 2)) * scale));
              }
            }
          }
          continue;
        }
        for (let c = 0; c < vectorChannels; c += 4) {
          const channelOffset = <usize>c << 2;
          let offset = imageOffset + <usize>(yBegin * width + xBegin) * pixelBytes + channelOffset;
          let best = v128.load(x + offset);
          let bestOffset = i32x4.add(i32x4.splat(<i32>offset), laneOffsets);
          let first = true;
          for (let y = yBegin; y < yEnd; y++) {
            offset = imageOffset + <usize>(y * width + xBegin) * pixelBytes + channelOffset;
            for (let xi = xBegin; xi < xEnd; xi++) {
              if (!first) {
                const value = v128.load(x + offset);
                // Strictly greater, or a NaN where the best so far is not NaN: the first NaN sticks.
                const take = v128.or(f32x4.gt(value, best), v128.and(f32x4.ne(value, value), f32x4.eq(best, best)));
                best = v128.bitselect(value, best, take);
                bestOffset = v128.bitselect(i32x4.add(i32x4.splat(<i32>offset), laneOffsets), bestOffset, take);
              }
              first = false;
              offset += pixelBytes;
            }
          }
          const gradient = v128.load(source + channelOffset);
          let at = dx + <usize>i32x4.extract_lane(bestOffset, 0);
          store<f32>(at, load<f32>(at) + f32x4.extract_lane(gradient, 0));
          at = dx + <usize>i32x4.extract_lane(bestOffset, 1);
          store<f32>(at, load<f32>(at) + f32x4.extract_lane(gradient, 1));
          at = dx + <usize>i32x4.extract_lane(bestOffset, 2);
          store<f32>(at, load<f32>(at) + f32x4.extract_lane(gradient, 2));
          at = dx + <usize>i32x4.extract_lane(bestOffset, 3);
          store<f32>(at, load<f32>(at) + f32x4.extract_lane(gradient, 3));
        }
        for (let c = vectorChannels; c < channels; c++) {
          const channelOffset = <usize>c << 2;
          let bestOffset = imageOffset + <usize>(yBegin * width + xBegin) * pixelBytes + channelOffset;
          let best = load<f32>(x + bestOffset);
          for (let y = yBegin; y < yEnd; y++) {
            let offset = imageOffset + <usize>(y * width + xBegin) * pixelBytes + channelOffset;
            for (let xi = xBegin; xi < xEnd; xi++) {
              const value = load<f32>(x + offset);
              if (value > best || (value != value && best == best)) {
                best = value;
                bestOffset = offset;
              }
              offset += pixelBytes;
            }
          }
          const at = dx + bestOffset;
          store<f32>(at, load<f32>(at) + load<f32>(source + channelOffset));
        }
      }
    }
  }
}
