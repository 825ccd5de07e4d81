import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { convertChannels, decodeImage, detectImageFormat, imageToArray, resizeBilinear } from './images.js';

describe('images', () => {
  it('decodes 8-bit RGBA, 16-bit gray and packed 1-bit gray PNGs to [0, 1]', () => {
    const rgba = encodePng({ width: 2, height: 1, channels: 4, depth: 8, data: Uint8Array.of(255, 0, 0, 255, 0, 0, 255, 128) });
    expect(detectImageFormat(rgba)).toBe('png');
    const decoded = decodeImage(rgba);
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([2, 1, 4]);
    expect(Array.from(decoded.pixels)).toEqual([1, 0, 0, 1, 0, 0, 1, Math.fround(128 / 255)]);

    const gray16 = encodePng({ width: 1, height: 2, channels: 1, depth: 16, data: Uint16Array.of(0, 65535) });
    expect(Array.from(decodeImage(gray16).pixels)).toEqual([0, 1]);

    const bits = encodePng({ width: 3, height: 2, channels: 1, depth: 1, data: Uint8Array.of(0b10100000, 0b01000000) });
    expect(Array.from(decodeImage(bits).pixels)).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('decodes a JPEG close to the colour it encoded', () => {
    const pixels = new Uint8Array(8 * 8 * 4);
    for (let pixel = 0; pixel < 64; pixel++) pixels.set([200, 100, 50, 255], pixel * 4);
    const jpeg = encodeJpeg({ width: 8, height: 8, data: pixels }, 95).data;
    expect(detectImageFormat(jpeg)).toBe('jpeg');
    const { data, shape } = imageToArray(new Uint8Array(jpeg));
    expect(shape).toEqual([8, 8, 3]);
    expect(data[0]).toBeCloseTo(200 / 255, 1);
    expect(data[1]).toBeCloseTo(100 / 255, 1);
    expect(data[2]).toBeCloseTo(50 / 255, 1);
  });

  it('converts to gray with BT.601 weights and back to RGB by repetition', () => {
    const image = { width: 1, height: 1, channels: 4, pixels: Float32Array.of(1, 0.5, 0, 1) };
    const gray = convertChannels(image, 1);
    expect(gray.pixels[0]).toBeCloseTo(0.299 + 0.587 * 0.5, 6);
    expect(Array.from(convertChannels(gray, 3).pixels)).toEqual([gray.pixels[0], gray.pixels[0], gray.pixels[0]]);
  });

  it('resizes bilinearly with half-pixel centres', () => {
    const image = { width: 2, height: 1, channels: 1, pixels: Float32Array.of(0, 1) };
    // Output x = 0..3 maps to source x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    expect(Array.from(resizeBilinear(image, 4, 1).pixels)).toEqual([0, 0.25, 0.75, 1]);
    const square = { width: 2, height: 2, channels: 1, pixels: Float32Array.of(0, 1, 1, 2) };
    expect(Array.from(resizeBilinear(square, 1, 1).pixels)).toEqual([1]);
    const { data, shape } = imageToArray(encodePng({ width: 4, height: 4, channels: 3, depth: 8, data: new Uint8Array(48).fill(255) }), { width: 2, height: 3, channels: 1 });
    expect(shape).toEqual([3, 2, 1]);
    for (const value of data) expect(value).toBeCloseTo(1, 6);
  });

  it('rejects unknown formats and corrupt files with a DatasetError naming the file', () => {
    expect(() => decodeImage(Uint8Array.of(1, 2, 3, 4), { source: 'x.bmp' })).toThrow('x.bmp: unsupported image format');
    const png = encodePng({ width: 4, height: 4, channels: 1, depth: 8, data: new Uint8Array(16) });
    const truncated = png.subarray(0, 30);
    expect(() => decodeImage(truncated, { source: 'cut.png' })).toThrow(DatasetError);
    expect(() => decodeImage(truncated, { source: 'cut.png' })).toThrow(/cut\.png: corrupt PNG image/);
    expect(() => resizeBilinear({ width: 1, height: 1, channels: 1, pixels: Float32Array.of(0) }, 0, 2)).toThrow(/positive integers/);
  });
});
