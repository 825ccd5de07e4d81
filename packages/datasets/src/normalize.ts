import { DatasetError } from './errors.js';

function featureCountOf(data: ArrayLike<number>, featureCount: number, operation: string): number {
  if (!Number.isInteger(featureCount) || featureCount < 1) throw new DatasetError(`${operation}: featureCount must be a positive integer, got ${featureCount}`);
  if (data.length % featureCount !== 0) {
    throw new DatasetError(`${operation}: ${data.length} values do not divide into rows of ${featureCount} features`);
  }
  if (data.length === 0) throw new DatasetError(`${operation}: cannot fit on empty data`);
  return featureCount;
}

/**
 * Scales each feature to [0, 1] using the minimum and maximum seen when fitting (fit on train, apply to
 * train, validation and test alike). Data is row-major `[rows, featureCount]`; `featureCount` 1 scales
 * all values together. A constant feature maps to 0.
 *
 * @example
 * ```ts
 * const scaler = MinMaxScaler.fit(trainFeatures, 8);
 * const scaledTest = scaler.transform(testFeatures);
 * ```
 */
export class MinMaxScaler {
  private constructor(
    readonly minimum: Float64Array,
    readonly maximum: Float64Array,
  ) {}

  /** Each feature's minimum and maximum over `data` (row-major `[rows, featureCount]`). */
  static fit(data: ArrayLike<number>, featureCount = 1): MinMaxScaler {
    featureCountOf(data, featureCount, 'MinMaxScaler.fit');
    const minimum = new Float64Array(featureCount).fill(Number.POSITIVE_INFINITY);
    const maximum = new Float64Array(featureCount).fill(Number.NEGATIVE_INFINITY);
    for (let index = 0; index < data.length; index++) {
      const value = data[index];
      if (Number.isNaN(value)) throw new DatasetError(`MinMaxScaler.fit: NaN at index ${index}`);
      const feature = index % featureCount;
      if (value < minimum[feature]) minimum[feature] = value;
      if (value > maximum[feature]) maximum[feature] = value;
    }
    return new MinMaxScaler(minimum, maximum);
  }

  /** `(x - min) / (max - min)` per feature, as a new Float32Array. */
  transform(data: ArrayLike<number>): Float32Array {
    const featureCount = featureCountOf(data, this.minimum.length, 'MinMaxScaler.transform');
    const output = new Float32Array(data.length);
    for (let index = 0; index < data.length; index++) {
      const feature = index % featureCount;
      const range = this.maximum[feature] - this.minimum[feature];
      output[index] = range === 0 ? 0 : (data[index] - this.minimum[feature]) / range;
    }
    return output;
  }

  /** Undoes {@link MinMaxScaler.transform}. */
  inverseTransform(data: ArrayLike<number>): Float32Array {
    const featureCount = featureCountOf(data, this.minimum.length, 'MinMaxScaler.inverseTransform');
    const output = new Float32Array(data.length);
    for (let index = 0; index < data.length; index++) {
      const feature = index % featureCount;
      output[index] = data[index] * (this.maximum[feature] - this.minimum[feature]) + this.minimum[feature];
    }
    return output;
  }
}

/**
 * Standardises each feature to zero mean and unit variance using the mean and (population) standard
 * deviation of the data it was fitted on — fit on train only, so nothing leaks from test. A constant
 * feature keeps scale 1 instead of dividing by zero.
 *
 * @example
 * ```ts
 * const scaler = StandardScaler.fit(trainImages); // one mean/std over all pixels
 * const normalizedTest = scaler.transform(testImages);
 * ```
 */
export class StandardScaler {
  private constructor(
    readonly mean: Float64Array,
    readonly standardDeviation: Float64Array,
  ) {}

  /** Each feature's mean and standard deviation over `data` (row-major `[rows, featureCount]`). */
  static fit(data: ArrayLike<number>, featureCount = 1): StandardScaler {
    featureCountOf(data, featureCount, 'StandardScaler.fit');
    const rows = data.length / featureCount;
    const mean = new Float64Array(featureCount);
    for (let index = 0; index < data.length; index++) {
      if (Number.isNaN(data[index])) throw new DatasetError(`StandardScaler.fit: NaN at index ${index}`);
      mean[index % featureCount] += data[index];
    }
    for (let feature = 0; feature < featureCount; feature++) mean[feature] /= rows;
    // Two passes (mean, then squared deviations) stay accurate where sum-of-squares would cancel.
    const variance = new Float64Array(featureCount);
    for (let index = 0; index < data.length; index++) {
      const deviation = data[index] - mean[index % featureCount];
      variance[index % featureCount] += deviation * deviation;
    }
    const standardDeviation = variance.map((sum) => {
      const deviation = Math.sqrt(sum / rows);
      return deviation === 0 ? 1 : deviation;
    });
    return new StandardScaler(mean, standardDeviation);
  }

  /** `(x - mean) / std` per feature, as a new Float32Array. */
  transform(data: ArrayLike<number>): Float32Array {
    const featureCount = featureCountOf(data, this.mean.length, 'StandardScaler.transform');
    const output = new Float32Array(data.length);
    for (let index = 0; index < data.length; index++) {
      const feature = index % featureCount;
      output[index] = (data[index] - this.mean[feature]) / this.standardDeviation[feature];
    }
    return output;
  }

  /** Undoes {@link StandardScaler.transform}. */
  inverseTransform(data: ArrayLike<number>): Float32Array {
    const featureCount = featureCountOf(data, this.mean.length, 'StandardScaler.inverseTransform');
    const output = new Float32Array(data.length);
    for (let index = 0; index < data.length; index++) {
      const feature = index % featureCount;
      output[index] = data[index] * this.standardDeviation[feature] + this.mean[feature];
    }
    return output;
  }
}
