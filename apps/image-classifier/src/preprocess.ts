// From any picture to a Fashion-MNIST-like input, the same in Node (predict) and the browser (the page):
// gray, light-on-dark, square, 28×28. Pure functions over pixel arrays, no I/O.

/** Pixels in [0, 1], row-major HWC: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (what datasets' decodeImage gives). */
export interface Picture {
  width: number;
  height: number;
  channels: number;
  pixels: Float32Array | Uint8ClampedArray;
}

/** What {@link toModelInput} did, so a UI or the CLI can say it. */
export interface PreparedInput {
  /** `[height · width]` gray values in [0, 1], light object on a dark background. */
  pixels: Float32Array;
  /** Whether the picture was inverted because its background was light. */
  inverted: boolean;
}

/**
 * Gray (BT.601 luma) in [0, 1]; transparent pixels count as white paper (alpha composited over white).
 * `scale` is 255 for byte data (canvas ImageData), 1 for floats.
 */
export function toGray(picture: Picture, scale = 1): Float32Array {
  const { width, height, channels, pixels } = picture;
  if (![1, 2, 3, 4].includes(channels) || pixels.length !== width * height * channels) {
    throw new Error(`a picture of ${width}×${height}×${channels} needs ${width * height * channels} values, got ${pixels.length}`);
  }
  const gray = new Float32Array(width * height);
  for (let pixel = 0; pixel < gray.length; pixel++) {
    const base = pixel * channels;
    const luma = channels >= 3
      ? 0.299 * pixels[base] + 0.587 * pixels[base + 1] + 0.114 * pixels[base + 2]
      : pixels[base];
    const alpha = channels === 2 || channels === 4 ? pixels[base + channels - 1] / scale : 1;
    gray[pixel] = (luma / scale) * alpha + (1 - alpha);
  }
  return gray;
}

/** The mean of the outermost rows and columns: the background's brightness. */
export function borderMean(gray: Float32Array, width: number, height: number): number {
  let total = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    total += gray[x] + gray[(height - 1) * width + x];
    count += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    total += gray[y * width] + gray[y * width + width - 1];
    count += 2;
  }
  return total / count;
}

/**
 * Area (box) resampling: each output pixel is the mean of the source area it covers, so shrinking a
 * large photo keeps thin strokes instead of skipping them as a point sampler would.
 */
export function resizeArea(gray: Float32Array, width: number, height: number, targetWidth: number, targetHeight: number): Float32Array {
  const output = new Float32Array(targetWidth * targetHeight);
  const scaleX = width / targetWidth;
  const scaleY = height / targetHeight;
  for (let y = 0; y < targetHeight; y++) {
    const top = y * scaleY;
    const bottom = top + scaleY;
    for (let x = 0; x < targetWidth; x++) {
      const left = x * scaleX;
      const right = left + scaleX;
      let total = 0;
      let weightTotal = 0;
      for (let sourceY = Math.floor(top); sourceY < Math.min(Math.ceil(bottom), height); sourceY++) {
        const weightY = Math.min(bottom, sourceY + 1) - Math.max(top, sourceY);
        for (let sourceX = Math.floor(left); sourceX < Math.min(Math.ceil(right), width); sourceX++) {
          const weight = weightY * (Math.min(right, sourceX + 1) - Math.max(left, sourceX));
          total += gray[sourceY * width + sourceX] * weight;
          weightTotal += weight;
        }
      }
      output[y * targetWidth + x] = weightTotal > 0 ? total / weightTotal : 0;
    }
  }
  return output;
}

/**
 * Prepares a picture as the model's training data looked: gray; inverted when the background (the
 * border's mean) is light, since Fashion-MNIST has light objects on black; padded to a square with the
 * background so the object keeps its proportions; area-resized to `width × height`.
 *
 * @example
 * ```ts
 * const { pixels, inverted } = toModelInput(decodeImage(bytes), 28, 28); // pixels: 784 values in [0, 1]
 * ```
 */
export function toModelInput(picture: Picture, width: number, height: number, scale = 1): PreparedInput {
  let gray = toGray(picture, scale);
  const inverted = borderMean(gray, picture.width, picture.height) > 0.5;
  if (inverted) gray = gray.map((value) => 1 - value);
  const background = borderMean(gray, picture.width, picture.height);
  const side = Math.max(picture.width, picture.height);
  const square = new Float32Array(side * side).fill(background);
  const offsetX = Math.floor((side - picture.width) / 2);
  const offsetY = Math.floor((side - picture.height) / 2);
  for (let y = 0; y < picture.height; y++) {
    square.set(gray.subarray(y * picture.width, (y + 1) * picture.width), (y + offsetY) * side + offsetX);
  }
  return { pixels: resizeArea(square, side, side, width, height), inverted };
}

/** The `count` most probable classes, best first. */
export function topClasses(probabilities: ArrayLike<number>, classNames: readonly string[], count = 3): { label: string; index: number; probability: number }[] {
  return Array.from(probabilities, (probability, index) => ({ label: classNames[index] ?? String(index), index, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, count);
}
