import { describe, expect, it } from 'vitest';
import { borderMean, resizeArea, toGray, toModelInput, topClasses } from './preprocess.js';

describe('preprocessing pictures like the training data', () => {
  it('converts RGB by BT.601 luma and composites transparency over white', () => {
    const gray = toGray({ width: 2, height: 1, channels: 4, pixels: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 0, 0]) }, 255);
    expect(gray[0]).toBeCloseTo(0.299, 5);
    expect(gray[1]).toBeCloseTo(1, 5); // fully transparent = paper
    expect(() => toGray({ width: 2, height: 2, channels: 3, pixels: new Float32Array(5) })).toThrow(/needs 12 values, got 5/);
  });

  it('area-resizes by averaging the covered source pixels', () => {
    const source = Float32Array.from([0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]); // 4×4
    expect(Array.from(resizeArea(source, 4, 4, 2, 2))).toEqual([0.75, 0.25, 0, 1]);
    expect(Array.from(resizeArea(Float32Array.from([0, 1]), 2, 1, 1, 1))).toEqual([0.5]);
  });

  it('inverts dark-on-light pictures, pads them square and keeps light-on-dark ones', () => {
    // Half the border of this 4×2 picture is dark.
    const light = { width: 4, height: 2, channels: 1, pixels: Float32Array.from([1, 0, 0, 1, 1, 0, 0, 1]) };
    expect(borderMean(light.pixels as Float32Array, 4, 2)).toBeCloseTo(0.5, 5);
    const wide = { width: 6, height: 4, channels: 1, pixels: Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]) };
    const prepared = toModelInput(wide, 3, 3);
    expect(prepared.inverted).toBe(true);
    // A 6×4 white picture with a black 2×2 block in the middle. Inverted: the block is bright, the background dark; the padding rows (top and bottom) are background.
    expect(Array.from(prepared.pixels).map((value) => Math.round(value * 100) / 100)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const dark = { width: 3, height: 3, channels: 1, pixels: Float32Array.from([0, 0, 0, 0, 0.9, 0, 0, 0, 0]) };
    const kept = toModelInput(dark, 3, 3);
    expect(kept.inverted).toBe(false);
    expect(kept.pixels[4]).toBeCloseTo(0.9, 5);
  });

  it('ranks the top classes', () => {
    expect(topClasses([0.1, 0.6, 0.3], ['a', 'b', 'c'], 2)).toEqual([
      { label: 'b', index: 1, probability: 0.6 }, { label: 'c', index: 2, probability: 0.3 },
    ]);
  });
});
