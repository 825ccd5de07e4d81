import { assertValidShape, sizeOf } from '../shape.js';
import { generatorFor } from '../random.js';
import type { Tensor } from '../tensor.js';
import { check } from '../errors.js';
import { checkShapeArgument, tensor } from './creation.js';
import { engine } from '../engine.js';
import { describe } from '../values.js';

// Random values are drawn on the host from one seeded generator and uploaded, so a seed gives the
// same numbers on every backend.

/** A float32 tensor of `shape` whose elements are `draw()`, in row-major order. */
function drawn(op: string, shape: readonly number[], draw: () => number): Tensor {
  checkShapeArgument(op, shape);
  assertValidShape(op, shape);
  engine.checkSize(op, shape, 'float32');
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return tensor(values, shape);
}

/** Uniform values in [min, max). */
export function randomUniform(shape: readonly number[], min = 0, max = 1, seed?: number): Tensor {
  const generator = generatorFor(seed);
  return drawn('randomUniform', shape, () => min + (max - min) * generator.nextFloat());
}

/** Normal values with the given mean and standard deviation. */
export function randomNormal(shape: readonly number[], mean = 0, stddev = 1, seed?: number): Tensor {
  const generator = generatorFor(seed);
  return drawn('randomNormal', shape, () => mean + stddev * generator.nextNormal());
}

/** Normal values redrawn until within two standard deviations (Keras' truncated normal). */
export function truncatedNormal(shape: readonly number[], mean = 0, stddev = 1, seed?: number): Tensor {
  const generator = generatorFor(seed);
  return drawn('truncatedNormal', shape, () => {
    let value: number;
    do value = generator.nextNormal(); while (Math.abs(value) > 2);
    return mean + stddev * value;
  });
}

/** 1 with probability p, else 0. */
export function bernoulli(shape: readonly number[], p: number, seed?: number): Tensor {
  check(p >= 0 && p <= 1, 'bernoulli', () => `p must be in [0, 1], got ${p}`);
  const generator = generatorFor(seed);
  return drawn('bernoulli', shape, () => (generator.nextFloat() < p ? 1 : 0));
}

/** A random permutation of 0..n-1 (Fisher–Yates), as int32. */
export function randomPermutation(n: number, seed?: number): Tensor {
  check(Number.isInteger(n) && n >= 0, 'randomPermutation', () => `n must be a non-negative integer, got ${typeof n === 'number' ? n : describe(n)}`);
  engine.checkSize('randomPermutation', [n], 'int32');
  const generator = generatorFor(seed);
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) values[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.nextInt(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return tensor(values, [n], 'int32');
}
