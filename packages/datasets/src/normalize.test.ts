import { describe, expect, it } from 'vitest';
import { MinMaxScaler, StandardScaler } from './normalize.js';

describe('normalisation', () => {
  it('min-max scales per feature with statistics from the fitted data only', () => {
    const train = Float32Array.of(0, 10, 5, 20, 10, 30); // rows [0,10] [5,20] [10,30]
    const scaler = MinMaxScaler.fit(train, 2);
    expect(Array.from(scaler.transform(train))).toEqual([0, 0, 0.5, 0.5, 1, 1]);
    expect(Array.from(scaler.transform(Float32Array.of(20, 0)))).toEqual([2, -0.5]);
    expect(Array.from(scaler.inverseTransform(scaler.transform(train)))).toEqual(Array.from(train));
    expect(Array.from(MinMaxScaler.fit([3, 3]).transform([3]))).toEqual([0]);
  });

  it('standardises with the train mean and population standard deviation', () => {
    const scaler = StandardScaler.fit([1, 2, 3, 4]);
    expect(scaler.mean[0]).toBe(2.5);
    expect(scaler.standardDeviation[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    const output = scaler.transform([1, 2, 3, 4]);
    expect(output.reduce((sum, value) => sum + value, 0)).toBeCloseTo(0, 6);
    expect(scaler.transform([2.5])[0]).toBe(0);
    expect(Array.from(StandardScaler.fit([5, 5]).transform([5, 6]))).toEqual([0, 1]);
    expect(() => StandardScaler.fit([1, 2, 3], 2)).toThrow(/3 values do not divide into rows of 2 features/);
    expect(() => MinMaxScaler.fit([1, Number.NaN])).toThrow(/NaN at index 1/);
  });
});
