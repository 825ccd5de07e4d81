// Weight initializers: functions of (shape, generator) that draw on the host from core's seeded
// RandomGenerator, so the same seed gives the same weights on every backend.

/**
 * Weight initializers: functions of (shape, generator) that a layer calls with its own seeded
 * generator, e.g. `initializers.heNormal([784, 128], new RandomGenerator(1))`.
 *
 * @module
 */
import { DendriteError, RandomGenerator, tensor, type Tensor } from '@dendrite/core';

/** Makes a tensor of `shape` from the layer's own generator. */
export type Initializer = (shape: readonly number[], random: RandomGenerator) => Tensor;

/** The initializers that a layer's config can name (and serialization can store). */
export type InitializerName =
  | 'zeros' | 'ones' | 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal'
  | 'lecunUniform' | 'lecunNormal' | 'orthogonal' | 'uniform';

/**
 * Fan-in and fan-out as Keras computes them: `[in, out]` for a kernel, and for a filter
 * `[...window, in, out]` both multiplied by the window size; a vector counts its length for both.
 */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(0, -2).reduce((product, dim) => product * dim, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function fromHost(shape: readonly number[], draw: () => number): Tensor {
  const values = new Float32Array(sizeOfShape(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return tensor(values, shape);
}

/** Every element `value`. */
export function constant(value: number): Initializer {
  if (!Number.isFinite(value)) throw new DendriteError(`constant: value must be a finite number, got ${value}`);
  return (shape) => fromHost(shape, () => value);
}

/** All zeros (the default for biases). */
export const zeros: Initializer = constant(0);
/** All ones (the default for normalization scales). */
export const ones: Initializer = constant(1);

/** Uniform in [-limit, limit). */
export function uniform(limit: number): Initializer {
  return (shape, random) => fromHost(shape, () => (2 * random.nextFloat() - 1) * limit);
}

/** Normal with mean 0 and this standard deviation, redrawing values beyond two deviations (Keras). */
export function truncatedNormal(stddev: number): Initializer {
  return (shape, random) => fromHost(shape, () => {
    for (;;) {
      const value = random.nextNormal();
      if (Math.abs(value) <= 2) return value * stddev;
    }
  });
}

// A normal truncated at ±2σ has a standard deviation of 0.8796σ; dividing by it restores the variance
// the scaling rule asks for (Keras's variance_scaling does the same).
const TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978;

function varianceScaling(scale: number, mode: 'fanIn' | 'fanOut' | 'fanAvg', distribution: 'uniform' | 'normal'): Initializer {
  return (shape, random) => {
    const { fanIn, fanOut } = fans(shape);
    const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, fan);
    return distribution === 'uniform'
      ? uniform(Math.sqrt(3 * variance))(shape, random)
      : truncatedNormal(Math.sqrt(variance) / TRUNCATED_STDDEV_CORRECTION)(shape, random);
  };
}

/** Glorot (Xavier) uniform: U(-√(6/(fanIn+fanOut)), +…) — the default for Dense and Conv2D kernels. */
export const glorotUniform: Initializer = varianceScaling(1, 'fanAvg', 'uniform');
/** Glorot (Xavier) normal: truncated normal with variance 2/(fanIn+fanOut). */
export const glorotNormal: Initializer = varianceScaling(1, 'fanAvg', 'normal');
/** He (Kaiming) uniform: U(-√(6/fanIn), +…), for ReLU layers. */
export const heUniform: Initializer = varianceScaling(2, 'fanIn', 'uniform');
/** He (Kaiming) normal: truncated normal with variance 2/fanIn. */
export const heNormal: Initializer = varianceScaling(2, 'fanIn', 'normal');
/** LeCun uniform: U(-√(3/fanIn), +…), for SELU networks. */
export const lecunUniform: Initializer = varianceScaling(1, 'fanIn', 'uniform');
/** LeCun normal: truncated normal with variance 1/fanIn. */
export const lecunNormal: Initializer = varianceScaling(1, 'fanIn', 'normal');

/**
 * A (semi-)orthogonal matrix times `gain`, flattened to `shape` as [prod(shape[:-1]), shape[-1]]:
 * the QR decomposition of a normal matrix with R's diagonal signs folded in (Saxe et al.), as Keras
 * and PyTorch do. Recurrent kernels use it.
 *
 * @example
 * ```ts
 * const recurrentKernel = orthogonal()([8, 32], new RandomGenerator(1)); // rows are orthonormal
 * ```
 */
export function orthogonal(gain = 1): Initializer {
  return (shape, random) => {
    if (shape.length < 2) throw new DendriteError(`orthogonal: needs a shape of rank ≥ 2, got [${shape.join(', ')}]`);
    const columns = shape[shape.length - 1];
    const rows = sizeOfShape(shape) / columns;
    // Orthonormalize the longer side's vectors: work on a tall matrix [tall, short].
    const tall = Math.max(rows, columns);
    const short = Math.min(rows, columns);
    const basis: Float64Array[] = [];
    for (let j = 0; j < short; j++) {
      const vector = new Float64Array(tall);
      for (let i = 0; i < tall; i++) vector[i] = random.nextNormal();
      // Modified Gram–Schmidt, twice for stability; the sign of R's diagonal is kept, as QR gives it.
      let norm = 0;
      for (let pass = 0; pass < 2; pass++) {
        for (const previous of basis) {
          let dot = 0;
          for (let i = 0; i < tall; i++) dot += previous[i] * vector[i];
          for (let i = 0; i < tall; i++) vector[i] -= dot * previous[i];
        }
      }
      for (let i = 0; i < tall; i++) norm += vector[i] * vector[i];
      norm = Math.sqrt(norm);
      for (let i = 0; i < tall; i++) vector[i] /= norm;
      basis.push(vector);
    }
    const values = new Float32Array(rows * columns);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        values[r * columns + c] = gain * (rows >= columns ? basis[c][r] : basis[r][c]);
      }
    }
    return tensor(values, shape);
  };
}

const NAMED: Record<InitializerName, Initializer> = {
  zeros, ones, glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal, orthogonal: orthogonal(),
  uniform: uniform(0.05),
};

/** An initializer from its name (as configs store it) or itself. */
export function getInitializer(initializer: InitializerName | Initializer, op: string): Initializer {
  if (typeof initializer === 'function') return initializer;
  const found = NAMED[initializer as InitializerName];
  if (!found) throw new DendriteError(`${op}: unknown initializer ${JSON.stringify(initializer)} (known: ${Object.keys(NAMED).join(', ')})`);
  return found;
}

/** The name stored in a config, or null for a custom function (which a config cannot hold). */
export function initializerName(initializer: InitializerName | Initializer): InitializerName | null {
  if (typeof initializer === 'string') return initializer;
  const entry = Object.entries(NAMED).find(([, value]) => value === initializer);
  return entry ? (entry[0] as InitializerName) : null;
}
