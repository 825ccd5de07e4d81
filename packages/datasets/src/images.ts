import { convertIndexedToRgb, decode as decodePng, type DecodedPng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { DatasetError } from './errors.js';

/** A decoded image with values in [0, 1], row-major HWC, in the channels the file had. */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: number;
  pixels: Float32Array;
}

/** Image data ready for a tensor: Float32Array in [0, 1] with shape `[height, width, channels]`. */
export interface ImageArray {
  data: Float32Array;
  shape: [number, number, number];
}

/** Options for {@link imageToArray}. */
export interface ImageArrayOptions {
  /** Output width; with `height`, the image is resized bilinearly. Defaults to the image's own size. */
  width?: number;
  /** Output height. */
  height?: number;
  /** 1 for grayscale (BT.601 luma), 3 for RGB (default). Alpha is dropped. */
  channels?: 1 | 3;
  /** File name for error messages. */
  source?: string;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** `'png'`, `'jpeg'` or undefined, judged by the file's first bytes (not its name). */
export function detectImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((value, index) => bytes[index] === value)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG (any bit depth, palette, gray, alpha) or baseline/progressive JPEG with pure-JS decoders
 * (`fast-png`, `jpeg-js`) that work in Node and in the browser.
 *
 * @example
 * ```ts
 * const image = decodeImage(new Uint8Array(await (await fetch('/cat.png')).arrayBuffer()));
 * ```
 */
export function decodeImage(bytes: Uint8Array, options: { source?: string } = {}): DecodedImage {
  const source = options.source ?? 'image';
  const format = detectImageFormat(bytes);
  if (format === undefined) {
    throw new DatasetError('unsupported image format: expected a PNG or JPEG signature at the start of the file', { file: source });
  }
  try {
    return format === 'png' ? fromPng(decodePng(bytes)) : fromJpeg(bytes);
  } catch (cause) {
    if (cause instanceof DatasetError) throw cause;
    throw new DatasetError(`corrupt ${format.toUpperCase()} image: ${(cause as Error).message}`, { file: source, cause });
  }
}

function fromPng(png: DecodedPng): DecodedImage {
  const { width, height } = png;
  const pixelCount = width * height;
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / pixelCount;
    return { width, height, channels, pixels: scale(rgb, 255) };
  }
  const channels = png.channels;
  if (png.depth === 16) return { width, height, channels, pixels: scale(png.data, 65535) };
  if (png.depth === 8) return { width, height, channels, pixels: scale(png.data, 255) };
  // 1, 2 or 4-bit grayscale: samples are packed into bytes, each row starting on a byte boundary.
  const depth = png.depth;
  const maximum = (1 << depth) - 1;
  const bytesPerRow = Math.ceil((width * channels * depth) / 8);
  const pixels = new Float32Array(pixelCount * channels);
  for (let row = 0; row < height; row++) {
    for (let sample = 0; sample < width * channels; sample++) {
      const bit = sample * depth;
      const byte = png.data[row * bytesPerRow + (bit >> 3)];
      const value = (byte >> (8 - depth - (bit & 7))) & maximum;
      pixels[row * width * channels + sample] = value / maximum;
    }
  }
  return { width, height, channels, pixels };
}

function fromJpeg(bytes: Uint8Array): DecodedImage {
  const jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false });
  return { width: jpeg.width, height: jpeg.height, channels: 3, pixels: scale(jpeg.data, 255) };
}

function scale(values: ArrayLike<number>, maximum: number): Float32Array {
  const scaled = new Float32Array(values.length);
  for (let index = 0; index < values.length; index++) scaled[index] = values[index] / maximum;
  return scaled;
}

/**
 * Converts between channel layouts: to 1 channel by BT.601 luma (0.299 R + 0.587 G + 0.114 B), to 3 by
 * repeating gray. Alpha is dropped.
 */
export function convertChannels(image: DecodedImage, channels: 1 | 3): DecodedImage {
  const { width, height } = image;
  const pixelCount = width * height;
  const source = image.pixels;
  const from = image.channels;
  if (from === channels) return image;
  const pixels = new Float32Array(pixelCount * channels);
  const hasColor = from >= 3;
  for (let pixel = 0; pixel < pixelCount; pixel++) {
    const base = pixel * from;
    if (channels === 1) {
      pixels[pixel] = hasColor ? 0.299 * source[base] + 0.587 * source[base + 1] + 0.114 * source[base + 2] : source[base];
    } else if (hasColor) {
      pixels[pixel * 3] = source[base];
      pixels[pixel * 3 + 1] = source[base + 1];
      pixels[pixel * 3 + 2] = source[base + 2];
    } else {
      pixels[pixel * 3] = pixels[pixel * 3 + 1] = pixels[pixel * 3 + 2] = source[base];
    }
  }
  return { width, height, channels, pixels };
}

/**
 * Bilinear resize of an HWC float image, with half-pixel centres (the convention of PyTorch's
 * `align_corners=False` and TensorFlow 2), no antialiasing.
 *
 * @example
 * ```ts
 * const small = resizeBilinear(image, 28, 28);
 * ```
 */
export function resizeBilinear(image: DecodedImage, width: number, height: number): DecodedImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DatasetError(`resize target must be positive integers, got ${width}x${height}`);
  }
  if (width === image.width && height === image.height) return image;
  const { channels, pixels: source } = image;
  const pixels = new Float32Array(width * height * channels);
  const scaleX = image.width / width;
  const scaleY = image.height / height;
  for (let y = 0; y < height; y++) {
    const sourceY = Math.min(Math.max((y + 0.5) * scaleY - 0.5, 0), image.height - 1);
    const top = Math.floor(sourceY);
    const bottom = Math.min(top + 1, image.height - 1);
    const weightY = sourceY - top;
    for (let x = 0; x < width; x++) {
      const sourceX = Math.min(Math.max((x + 0.5) * scaleX - 0.5, 0), image.width - 1);
      const left = Math.floor(sourceX);
      const right = Math.min(left + 1, image.width - 1);
      const weightX = sourceX - left;
      const topLeft = (top * image.width + left) * channels;
      const topRight = (top * image.width + right) * channels;
      const bottomLeft = (bottom * image.width + left) * channels;
      const bottomRight = (bottom * image.width + right) * channels;
      const output = (y * width + x) * channels;
      for (let channel = 0; channel < channels; channel++) {
        const upper = source[topLeft + channel] + (source[topRight + channel] - source[topLeft + channel]) * weightX;
        const lower = source[bottomLeft + channel] + (source[bottomRight + channel] - source[bottomLeft + channel]) * weightX;
        pixels[output + channel] = upper + (lower - upper) * weightY;
      }
    }
  }
  return { width, height, channels, pixels };
}

/**
 * Decodes a PNG/JPEG, converts it to gray or RGB and resizes it: the usual path from an image file to a
 * model input, as a Float32Array in [0, 1] with shape `[height, width, channels]`.
 *
 * @example
 * ```ts
 * const { data, shape } = imageToArray(pngBytes, { width: 28, height: 28, channels: 1 }); // shape [28, 28, 1]
 * ```
 */
export function imageToArray(bytes: Uint8Array, options: ImageArrayOptions = {}): ImageArray {
  const decoded = decodeImage(bytes, { source: options.source });
  const converted = convertChannels(decoded, options.channels ?? 3);
  const resized = resizeBilinear(converted, options.width ?? converted.width, options.height ?? converted.height);
  return { data: resized.pixels, shape: [resized.height, resized.width, resized.channels] };
}
