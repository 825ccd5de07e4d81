import type { DType } from '../backend/backend.js';
import { describe } from '../values.js';
import { DendriteError } from '../errors.js';
import { Tensor } from '../tensor.js';

// The shared argument checks of the public ops: plain-JavaScript misuse (null, a string axis, an
// array where a tensor goes) gets a DendriteError naming the op and the argument, never a
// TypeError from deep inside. The op helpers (unaryOp, binaryOp, reduceOp) call them for every op
// built on them; ops with their own signatures call them first thing.

const DTYPES: ReadonlySet<string> = new Set<DType>(['float32', 'int32']);

/** `value` must be a live Tensor. */
export function checkTensor(op: string, argument: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new DendriteError(`${op}: argument '${argument}' must be a Tensor, got ${describe(value)}`);
  }
}

/** Every element of `values` must be a Tensor (concat, stack). */
export function checkTensorList(op: string, argument: string, values: unknown): asserts values is readonly Tensor[] {
  if (!Array.isArray(values)) throw new DendriteError(`${op}: argument '${argument}' must be an array of Tensors, got ${describe(values)}`);
  values.forEach((value, i) => checkTensor(op, `${argument}[${i}]`, value));
}

/** `dtype` must be one Dendrite knows ('float32' or 'int32'). */
export function checkDType(op: string, dtype: unknown): asserts dtype is DType {
  if (typeof dtype !== 'string' || !DTYPES.has(dtype)) {
    throw new DendriteError(`${op}: unknown dtype ${typeof dtype === 'string' ? `'${dtype}'` : describe(dtype)} (Dendrite has 'float32' and 'int32')`);
  }
}

/** A finite number argument (rates, constants, bounds). */
export function checkNumber(op: string, argument: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new DendriteError(`${op}: argument '${argument}' must be a number, got ${describe(value)}`);
  }
}

/** An options argument: undefined or an object (null, a number or an array is a mistake). */
export function checkOptions(op: string, options: unknown): void {
  if (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options))) return;
  throw new DendriteError(`${op}: argument 'options' must be an object, got ${describe(options)}`);
}

/** A list of integers (a permutation, axes, sizes). */
export function checkIntegerList(op: string, argument: string, values: unknown): asserts values is readonly number[] {
  if (Array.isArray(values) && values.every((value) => typeof value === 'number')) return;
  throw new DendriteError(`${op}: argument '${argument}' must be an array of integers, got ${describe(values)}`);
}

/** An axis argument: undefined, an integer, or an array of integers (range is checked by normalizeAxis). */
export function checkAxisArgument(op: string, axis: unknown): void {
  if (axis === undefined || typeof axis === 'number') return;
  if (Array.isArray(axis) && axis.every((a) => typeof a === 'number')) return;
  throw new DendriteError(`${op}: argument 'axis' must be an integer or an array of integers, got ${describe(axis)}`);
}
