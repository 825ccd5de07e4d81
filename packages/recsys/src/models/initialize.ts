import { DendriteError } from '@dendrite/core';
import type { SeededRandom } from '@dendrite/datasets';

/** Row-major [rows, columns] values drawn uniformly from [-scale, scale) (seeded). */
export function uniformFactors(rows: number, columns: number, scale: number, random: SeededRandom): Float32Array {
  const values = new Float32Array(rows * columns);
  for (let index = 0; index < values.length; index++) values[index] = (random.nextFloat() * 2 - 1) * scale;
  return values;
}

/** Row-major [rows, columns] normal values with standard deviation `deviation` (seeded, Box–Muller). */
export function normalFactors(rows: number, columns: number, deviation: number, random: SeededRandom): Float32Array {
  const values = new Float32Array(rows * columns);
  for (let index = 0; index < values.length; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random.nextFloat()));
    const angle = 2 * Math.PI * random.nextFloat();
    values[index] = radius * Math.cos(angle) * deviation;
    if (index + 1 < values.length) values[index + 1] = radius * Math.sin(angle) * deviation;
  }
  return values;
}

/** Checks a numeric hyper-parameter, naming the model and field. */
export function checkedNumber(model: string, field: string, value: number, options: { integer?: boolean; minimum?: number; exclusiveMinimum?: number } = {}): number {
  const ok = Number.isFinite(value)
    && (!options.integer || Number.isInteger(value))
    && (options.minimum === undefined || value >= options.minimum)
    && (options.exclusiveMinimum === undefined || value > options.exclusiveMinimum);
  if (!ok) {
    const bound = options.minimum !== undefined ? ` >= ${options.minimum}` : options.exclusiveMinimum !== undefined ? ` > ${options.exclusiveMinimum}` : '';
    throw new DendriteError(`${model}: ${field} must be ${options.integer ? 'an integer' : 'a number'}${bound}, got ${value}`);
  }
  return value;
}
