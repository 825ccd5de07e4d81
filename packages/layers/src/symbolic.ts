// Symbolic tensors: placeholders with a shape that record which layer made them from which inputs,
// so `model({ inputs, outputs })` can replay the graph. `-1` marks a dimension known only at run time
// (the batch).

import { DendriteError } from '@dendrite/core';
import type { Layer } from './layer.js';

/** The dtype of a graph input: float32 features or int32 ids (for Embedding). */
export type SymbolicDType = 'float32' | 'int32';

/** Where a symbolic tensor came from: a layer applied to symbolic inputs (output `index` of it). */
export interface SymbolicNode {
  // The graph holds layers of any input/output type; `unknown` would force casts at every replay.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly layer: Layer<any, any>;
  readonly inputs: SymbolicTensor | readonly SymbolicTensor[];
  /** Which output of a multi-output layer, or null for a layer with one output. */
  readonly outputIndex: number | null;
  /** One id per layer call: the outputs of one multi-output call share it, so the call runs once. */
  readonly callId: number;
}

let nextCallId = 0;

/** A fresh id for one symbolic layer call. */
export function newCallId(): number {
  return nextCallId++;
}

let nextSymbolicId = 0;

/**
 * A placeholder in a functional graph: made by `input({ shape })` or by applying a layer to one.
 * It holds no values; `model({ inputs, outputs })` turns the graph into a runnable model.
 */
export class SymbolicTensor {
  readonly id = nextSymbolicId++;
  readonly shape: readonly number[];
  readonly dtype: SymbolicDType;
  readonly node: SymbolicNode | null;
  readonly name: string;

  constructor(shape: readonly number[], dtype: SymbolicDType, node: SymbolicNode | null, name: string) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.node = node;
    this.name = name;
  }

  /** `SymbolicTensor(name [shape])`, -1 for a dimension known only at run time. */
  toString(): string {
    return `SymbolicTensor(${this.name} [${this.shape.join(', ')}])`;
  }
}

/** Whether a layer's input is symbolic (one placeholder or a list of them). */
export function isSymbolic(value: unknown): value is SymbolicTensor | readonly SymbolicTensor[] {
  if (value instanceof SymbolicTensor) return true;
  if (!Array.isArray(value) || value.length === 0) return false;
  const symbolic = value.filter((item) => item instanceof SymbolicTensor).length;
  if (symbolic > 0 && symbolic < value.length) {
    throw new DendriteError('apply: an input list mixes symbolic tensors (from input()) and real tensors');
  }
  return symbolic === value.length;
}

/**
 * A graph input of the given per-example `shape` (the batch dimension is added in front as -1).
 *
 * @example
 * ```ts
 * const pixels = input({ shape: [28, 28, 1] });       // [-1, 28, 28, 1]
 * const ids = input({ shape: [20], dtype: 'int32' });  // token ids for an Embedding
 * ```
 */
export function input(options: { shape: readonly number[]; dtype?: SymbolicDType; name?: string }): SymbolicTensor {
  const { shape, dtype = 'float32' } = options;
  if (!Array.isArray(shape) || shape.some((dim) => !(Number.isInteger(dim) && (dim > 0 || dim === -1)))) {
    throw new DendriteError(`input: shape must be a list of positive integers (or -1 for a variable length), got ${JSON.stringify(shape)}`);
  }
  if (dtype !== 'float32' && dtype !== 'int32') throw new DendriteError(`input: dtype must be 'float32' or 'int32', got ${JSON.stringify(dtype)}`);
  return new SymbolicTensor([-1, ...shape], dtype, null, options.name ?? `input_${nextSymbolicId}`);
}
