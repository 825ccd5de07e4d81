// Checking option bags: a misspelt option (`unit`, `kernel_size`, `activaton`) is an error naming
// it, never silently ignored. Mirrors @dendrite/optimizers' checkKeys (layers does not depend on it).

import { DendriteError, type Padding } from '@dendrite/core';

/** The options every layer's constructor accepts (see LayerOptions). */
export const LAYER_OPTION_NAMES: readonly string[] = ['name', 'seed', 'trainable'];

/** `word` lower-cased without underscores or dashes, so `kernel_size` meets `kernelSize`. */
const folded = (word: string): string => word.toLowerCase().replace(/[_-]/g, '');

/** Edit distance of two short words (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The valid name `key` most likely stands for (the same but for case and underscores, its start, or at most 2 edits away), if any. */
function likelyMeant(key: string, valid: readonly string[]): string | undefined {
  const exact = valid.find((name) => folded(name) === folded(key));
  if (exact !== undefined) return exact;
  // A shortened name (maxLen, approx) stands for the option it begins.
  const started = folded(key).length >= 3 ? valid.find((name) => folded(name).startsWith(folded(key))) : undefined;
  if (started !== undefined) return started;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of valid) {
    const distance = editDistance(folded(key), folded(name));
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Throw a DendriteError for the first key of `options` that is not in `valid`: it names `where`
 * (the layer or method), the key, the option it most likely meant, and every valid option.
 *
 * @example
 * ```ts
 * checkOptionNames('Dense', { unit: 10 }, ['name', 'seed', 'trainable', 'units']);
 * // DendriteError: Dense: unknown option 'unit' (did you mean 'units'?); valid options are name, seed, trainable, units
 * ```
 */
export function checkOptionNames(where: string, options: object, valid: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const meant = likelyMeant(key, valid);
    throw new DendriteError(`${where}: unknown option '${key}'${meant === undefined ? '' : ` (did you mean '${meant}'?)`}; valid options are ${valid.join(', ')}`);
  }
}

/** `value` when it is a boolean, `fallback` when it is undefined; any other value is an error naming the field. */
export function booleanOption(value: unknown, where: string, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new DendriteError(`${where}: ${field} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** `padding` when it is 'same', 'valid', a non-negative integer or [top, bottom, left, right] of them; otherwise an error naming `where`. */
export function checkPadding(padding: Padding, where: string): Padding {
  const ok = padding === 'same' || padding === 'valid' || (typeof padding === 'number' && Number.isInteger(padding) && padding >= 0)
    || (Array.isArray(padding) && padding.length === 4 && padding.every((v) => Number.isInteger(v) && v >= 0));
  if (!ok) throw new DendriteError(`${where}: padding must be 'same', 'valid', a non-negative integer or [top, bottom, left, right], got ${JSON.stringify(padding)}`);
  return padding;
}
