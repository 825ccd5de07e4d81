import type { TypedArray, UnaryOp } from '../../../backend/backend.js';
import type { CpuTensor, KernelContext } from '../kernel-context.js';
import { stableSigmoid } from './activation.js';
import { DendriteError } from '../../../errors.js';

/** Unary ops that are exact on integers and so keep int32 inputs int32. */
const INTEGER_UNARY_OPS: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['neg', 'abs', 'sign']);

/** Elementwise unary math (see `Kernels.unary`); the output has x's dtype. */
export function unary(context: KernelContext, op: UnaryOp, x: CpuTensor): TypedArray {
  if (x.dtype === 'int32' && !INTEGER_UNARY_OPS.has(op)) {
    throw new DendriteError(`unary '${op}': needs a float32 tensor, got int32 (cast it to float32 first)`);
  }
  const length = x.values.length;
  const out = context.allocate(length, x.dtype);
  const accelerator = context.accelerator;
  if (accelerator?.unary !== undefined && x.values instanceof Float32Array && out instanceof Float32Array) {
    if (accelerator.unary(op, x.values, out)) return out;
  }
  applyUnary(op, x.values, out, length);
  return out;
}

function applyUnary(op: UnaryOp, x: TypedArray, out: TypedArray, length: number): void {
  switch (op) {
    case 'neg': for (let i = 0; i < length; i++) out[i] = -x[i]; return;
    case 'exp': for (let i = 0; i < length; i++) out[i] = Math.exp(x[i]); return;
    case 'log': for (let i = 0; i < length; i++) out[i] = Math.log(x[i]); return;
    case 'sqrt': for (let i = 0; i < length; i++) out[i] = Math.sqrt(x[i]); return;
    case 'abs': for (let i = 0; i < length; i++) out[i] = Math.abs(x[i]); return;
    // Math.sign keeps sign(0) = 0 (and -0, which reads as 0) and NaN as NaN.
    case 'sign': for (let i = 0; i < length; i++) out[i] = Math.sign(x[i]); return;
    case 'sigmoid': for (let i = 0; i < length; i++) out[i] = stableSigmoid(x[i]); return;
    case 'tanh': for (let i = 0; i < length; i++) out[i] = Math.tanh(x[i]); return;
    // `v < 0 ? 0 : v` keeps NaN as NaN.
    case 'relu': for (let i = 0; i < length; i++) { const v = x[i]; out[i] = v < 0 ? 0 : v; } return;
    case 'erf': for (let i = 0; i < length; i++) out[i] = erf(x[i]); return;
    case 'floor': for (let i = 0; i < length; i++) out[i] = Math.floor(x[i]); return;
    case 'sin': for (let i = 0; i < length; i++) out[i] = Math.sin(x[i]); return;
    case 'cos': for (let i = 0; i < length; i++) out[i] = Math.cos(x[i]); return;
    default:
      throw new DendriteError(`unary: unknown op '${String(op)}'`);
  }
}

/**
 * The error function, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, under float32's
 * resolution near 1), made odd by symmetry.
 */
export function erf(x: number): number {
  if (x === 0) return x;
  const sign = x < 0 ? -1 : 1;
  const absX = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * absX);
  const polynomial =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - polynomial * Math.exp(-absX * absX));
}
