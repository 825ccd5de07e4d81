import { describe } from '../values.js';
import { DendriteError } from '../errors.js';
import type { Backend } from './backend.js';

/** Kernels every backend must have; `setBackend` checks them so a wrong object fails at once. */
const REQUIRED_BACKEND_METHODS = [
  'upload', 'read', 'dispose', 'memory', 'info', 'unary', 'binary', 'where', 'reduce', 'argReduce', 'matmul',
  'transpose', 'slice', 'pad', 'concat', 'gather', 'scatterAdd', 'cast', 'fill', 'conv2d', 'conv2dBackpropInput',
  'conv2dBackpropFilter', 'pool2d', 'pool2dBackward',
] as const;


/** Refuse anything that is not a Backend (setBackend({}) would otherwise break every later op). */
export function assertBackend(candidate: unknown): asserts candidate is Backend {
  if (!candidate || typeof candidate !== 'object') {
    throw new DendriteError(`setBackend: expected a backend name or a Backend object, got ${describe(candidate)}`);
  }
  const object = candidate as Record<string, unknown>;
  const missing = REQUIRED_BACKEND_METHODS.filter((method) => typeof object[method] !== 'function');
  if (typeof object.name !== 'string' || missing.length) {
    throw new DendriteError(
      `setBackend: the object is not a Backend (${typeof object.name !== 'string' ? 'no string name; ' : ''}` +
      `missing methods: ${missing.join(', ') || 'none'})`);
  }
}
