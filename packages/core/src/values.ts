import { formatShape } from './shape.js';
import { Tensor } from './tensor.js';

// Reading the values users hand to Dendrite: the tensors inside a returned structure (tidy keeps
// them) and how an unexpected value reads in an error message.

/**
 * Every tensor inside `value` (arrays, plain objects, Maps — keys and values — and Sets), walked
 * without recursion and visiting each object once, so cyclic or 10,000-deep results are fine.
 */
export function collectTensors(value: unknown): Set<Tensor> {
  const found = new Set<Tensor>();
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (item instanceof Tensor) {
      found.add(item);
      continue;
    }
    if (!item || typeof item !== 'object' || ArrayBuffer.isView(item) || seen.has(item)) continue;
    seen.add(item);
    if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (item instanceof Map) {
      for (const [key, entry] of item) stack.push(key, entry);
    } else if (item instanceof Set) {
      for (const element of item) stack.push(element);
    } else {
      for (const key in item) stack.push((item as Record<string, unknown>)[key]);
    }
  }
  return found;
}

/** How an unexpected value reads in an error message: `null`, `a string 'x'`, `an array`, … */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value instanceof Tensor) return `a ${value.dtype} tensor ${formatShape(value.shape)}`;
  if (typeof value === 'string') return `a string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `a ${typeof value}`;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 2)} ${units[unit]}`;
}
