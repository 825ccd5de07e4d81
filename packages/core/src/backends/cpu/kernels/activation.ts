import type { FusedActivation } from '../../../backend/backend.js';
import { DendriteError } from '../../../errors.js';

/** The logistic function without overflow: exp is only ever taken of a non-positive number. */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const expX = Math.exp(x);
  return expX / (1 + expX);
}

/**
 * out[offset + j] = activation(out[offset + j] + bias[j]) for j < count; the epilogue of a fused
 * matmul, run on a row segment while it is still in cache.
 */
export function applyBiasActivation(
  out: Float32Array, offset: number, count: number,
  bias: Float32Array | null, biasOffset: number, activation: FusedActivation,
): void {
  if (bias !== null) {
    for (let j = 0; j < count; j++) out[offset + j] += bias[biasOffset + j];
  }
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let j = 0; j < count; j++) if (out[offset + j] < 0) out[offset + j] = 0;
      return;
    case 'sigmoid':
      for (let j = 0; j < count; j++) out[offset + j] = stableSigmoid(out[offset + j]);
      return;
    case 'tanh':
      for (let j = 0; j < count; j++) out[offset + j] = Math.tanh(out[offset + j]);
      return;
    default:
      throw new DendriteError(`cpu backend: unknown fused activation '${String(activation)}'`);
  }
}
