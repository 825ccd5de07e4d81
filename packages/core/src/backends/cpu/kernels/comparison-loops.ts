import type { BinaryOp } from '../../../backend/backend.js';
import type { ContiguousLoops } from './binary-loops.js';

/*
 * Contiguous loops of the comparisons (float32 masks of 1 and 0) and of maximum/minimum, for
 * same-shape operands, a scalar right operand (relu's gradient mask: x > 0) and contiguous rows.
 * One function per op, like binary-loops.ts, so V8 keeps each loop monomorphic.
 */

export const COMPARISON_LOOPS: Partial<Record<BinaryOp, ContiguousLoops>> = {
  equal: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] === b[i] ? 1 : 0; },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] === s ? 1 : 0; },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = a[ai + i] === b[bi + i] ? 1 : 0; },
  },
  notEqual: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] !== b[i] ? 1 : 0; },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] !== s ? 1 : 0; },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = a[ai + i] !== b[bi + i] ? 1 : 0; },
  },
  less: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] < b[i] ? 1 : 0; },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] < s ? 1 : 0; },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = a[ai + i] < b[bi + i] ? 1 : 0; },
  },
  lessEqual: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] <= b[i] ? 1 : 0; },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] <= s ? 1 : 0; },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = a[ai + i] <= b[bi + i] ? 1 : 0; },
  },
  greater: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] > b[i] ? 1 : 0; },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] > s ? 1 : 0; },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = a[ai + i] > b[bi + i] ? 1 : 0; },
  },
  greaterEqual: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] >= b[i] ? 1 : 0; },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = a[i] >= s ? 1 : 0; },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = a[ai + i] >= b[bi + i] ? 1 : 0; },
  },
  maximum: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = Math.max(a[i], b[i]); },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = Math.max(a[i], s); },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = Math.max(a[ai + i], b[bi + i]); },
  },
  minimum: {
    whole(a, b, out, count) { for (let i = 0; i < count; i++) out[i] = Math.min(a[i], b[i]); },
    scalar(a, s, out, count) { for (let i = 0; i < count; i++) out[i] = Math.min(a[i], s); },
    rows(a, ai, b, bi, out, o, count) { for (let i = 0; i < count; i++) out[o + i] = Math.min(a[ai + i], b[bi + i]); },
  },
};
