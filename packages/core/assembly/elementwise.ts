// Elementwise kernels over float32 arrays: unary math, same-shape or scalar binary ops, and row
// sums. Each call handles one chunk of `chunkLength` elements (or `rowsPerChunk` rows) so large
// arrays can be split across threads; lengths that are not a multiple of 4 finish in scratch.

import { expVector, reluVector, sigmoidVector, tanhVector } from './simd-math';

// Unary op codes (keep in sync with the TS loader).
const RELU = 0, SIGMOID = 1, TANH = 2, EXP = 3, NEG = 4, ABS = 5, SQRT = 6;
// Binary op codes; comparisons give 1 or 0.
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, MAXIMUM = 4, MINIMUM = 5;
const EQUAL = 6, NOT_EQUAL = 7, LESS = 8, LESS_EQUAL = 9, GREATER = 10, GREATER_EQUAL = 11;
// relu's gradient a * (b > 0), b being relu's output: mul(dy, greater(output, 0)) in one pass.
const RELU_GRAD = 12;
// Which operand of a binary op is a single broadcast value.
const B_SCALAR = 1, A_SCALAR = 2;

// @ts-ignore: decorator
@inline function applyUnary(op: i32, x: v128): v128 {
  if (op == RELU) return reluVector(x);
  if (op == SIGMOID) return sigmoidVector(x);
  if (op == TANH) return tanhVector(x);
  if (op == EXP) return expVector(x);
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  return f32x4.sqrt(x);
}

// @ts-ignore: decorator
@inline function applyBinary(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  if (op == DIV) return f32x4.div(a, b);
  if (op == MAXIMUM) return f32x4.max(a, b);
  if (op == MINIMUM) return f32x4.min(a, b);
  // A comparison's all-ones lanes masked with 1.0f leave exactly 1.0f, the others 0.
  const one = f32x4.splat(1);
  if (op == EQUAL) return v128.and(f32x4.eq(a, b), one);
  if (op == NOT_EQUAL) return v128.and(f32x4.ne(a, b), one);
  if (op == LESS) return v128.and(f32x4.lt(a, b), one);
  if (op == LESS_EQUAL) return v128.and(f32x4.le(a, b), one);
  if (op == GREATER) return v128.and(f32x4.gt(a, b), one);
  // The same two roundings as mul(a, greater(b, 0)): a * 1.0 or a * 0.0 (so -0 and NaN come out alike).
  if (op == RELU_GRAD) return f32x4.mul(a, v128.and(f32x4.gt(b, f32x4.splat(0)), one));
  return v128.and(f32x4.ge(a, b), one);
}

/** Copies `count` (< 4) floats into a zeroed vector slot of scratch and loads it. */
// @ts-ignore: decorator
@inline function loadPartial(src: usize, count: i32, slot: usize): v128 {
  v128.store(slot, f32x4.splat(0));
  memory.copy(slot, src, <usize>count << 2);
  return v128.load(slot);
}

// @ts-ignore: decorator
@inline function storePartial(dst: usize, value: v128, count: i32, slot: usize): void {
  v128.store(slot, value);
  memory.copy(dst, slot, <usize>count << 2);
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, count: i32, scratch: usize): void {
  const whole = count & ~3;
  for (let i = 0; i < whole; i += 4) {
    const offset = <usize>i << 2;
    v128.store(out + offset, applyUnary(op, v128.load(x + offset)));
  }
  if (whole < count) {
    const offset = <usize>whole << 2;
    const rest = count - whole;
    storePartial(out + offset, applyUnary(op, loadPartial(x + offset, rest, scratch)), rest, scratch);
  }
}

/** out[i] = op(x[i]) for i in this chunk. */
export function unaryChunk(chunk: i32, scratch: usize, op: i32, x: usize, out: usize, length: i32, chunkLength: i32): void {
  const start = chunk * chunkLength;
  const count = min(length - start, chunkLength);
  const offset = <usize>start << 2;
  x += offset;
  out += offset;
  // One loop per op so each is compiled with its op folded in.
  switch (op) {
    case RELU: unaryLoop(RELU, x, out, count, scratch); break;
    case SIGMOID: unaryLoop(SIGMOID, x, out, count, scratch); break;
    case TANH: unaryLoop(TANH, x, out, count, scratch); break;
    case EXP: unaryLoop(EXP, x, out, count, scratch); break;
    case NEG: unaryLoop(NEG, x, out, count, scratch); break;
    case ABS: unaryLoop(ABS, x, out, count, scratch); break;
    default: unaryLoop(SQRT, x, out, count, scratch); break;
  }
}

// @ts-ignore: decorator
@inline function binaryLoop(op: i32, mode: i32, a: usize, b: usize, out: usize, count: i32, scratch: usize): void {
  const whole = count & ~3;
  const aSplat = v128.load32_splat(a);
  const bSplat = v128.load32_splat(b);
  for (let i = 0; i < whole; i += 4) {
    const offset = <usize>i << 2;
    const left = mode == A_SCALAR ? aSplat : v128.load(a + offset);
    const right = mode == B_SCALAR ? bSplat : v128.load(b + offset);
    v128.store(out + offset, applyBinary(op, left, right));
  }
  if (whole < count) {
    const offset = <usize>whole << 2;
    const rest = count - whole;
    const left = mode == A_SCALAR ? aSplat : loadPartial(a + offset, rest, scratch);
    const right = mode == B_SCALAR ? bSplat : loadPartial(b + offset, rest, scratch + 16);
    storePartial(out + offset, applyBinary(op, left, right), rest, scratch);
  }
}

// @ts-ignore: decorator
@inline function binaryModes(op: i32, mode: i32, a: usize, b: usize, out: usize, count: i32, scratch: usize): void {
  if (mode == B_SCALAR) binaryLoop(op, B_SCALAR, a, b, out, count, scratch);
  else if (mode == A_SCALAR) binaryLoop(op, A_SCALAR, a, b, out, count, scratch);
  else binaryLoop(op, 0, a, b, out, count, scratch);
}

/**
 * out[i] = a[i] op b[i] for i in this chunk; `scalarMode` 1 reads b[0] for every i, 2 reads a[0].
 */
export function binaryChunk(
  chunk: i32, scratch: usize, op: i32, a: usize, b: usize, out: usize, length: i32, chunkLength: i32, scalarMode: i32,
): void {
  const start = chunk * chunkLength;
  const count = min(length - start, chunkLength);
  const offset = <usize>start << 2;
  if (scalarMode != A_SCALAR) a += offset;
  if (scalarMode != B_SCALAR) b += offset;
  out += offset;
  switch (op) {
    case ADD: binaryModes(ADD, scalarMode, a, b, out, count, scratch); break;
    case SUB: binaryModes(SUB, scalarMode, a, b, out, count, scratch); break;
    case MUL: binaryModes(MUL, scalarMode, a, b, out, count, scratch); break;
    case DIV: binaryModes(DIV, scalarMode, a, b, out, count, scratch); break;
    case MAXIMUM: binaryModes(MAXIMUM, scalarMode, a, b, out, count, scratch); break;
    case MINIMUM: binaryModes(MINIMUM, scalarMode, a, b, out, count, scratch); break;
    case EQUAL: binaryModes(EQUAL, scalarMode, a, b, out, count, scratch); break;
    case NOT_EQUAL: binaryModes(NOT_EQUAL, scalarMode, a, b, out, count, scratch); break;
    case LESS: binaryModes(LESS, scalarMode, a, b, out, count, scratch); break;
    case LESS_EQUAL: binaryModes(LESS_EQUAL, scalarMode, a, b, out, count, scratch); break;
    case GREATER: binaryModes(GREATER, scalarMode, a, b, out, count, scratch); break;
    case RELU_GRAD: binaryModes(RELU_GRAD, scalarMode, a, b, out, count, scratch); break;
    default: binaryModes(GREATER_EQUAL, scalarMode, a, b, out, count, scratch); break;
  }
}

// @ts-ignore: decorator
@inline function binaryRowsLoop(op: i32, a: usize, b: usize, out: usize, rows: i32, cols: i32, scratch: usize): void {
  const whole = cols & ~3;
  const rest = cols - whole;
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < whole; c += 4) {
      const offset = <usize>c << 2;
      v128.store(out + offset, applyBinary(op, v128.load(a + offset), v128.load(b + offset)));
    }
    if (rest > 0) {
      const offset = <usize>whole << 2;
      const value = applyBinary(op, loadPartial(a + offset, rest, scratch), loadPartial(b + offset, rest, scratch + 16));
      storePartial(out + offset, value, rest, scratch);
    }
    a += rowBytes;
    out += rowBytes;
  }
}

/**
 * out[r][c] = a[r][c] op b[c] for the rows [chunk * rowsPerChunk, ...) of a [rows, cols] (a row
 * vector b broadcast down the rows, as in a bias add).
 */
export function binaryRowsChunk(
  chunk: i32, scratch: usize, op: i32, a: usize, b: usize, out: usize, rows: i32, cols: i32, rowsPerChunk: i32,
): void {
  const rowBegin = chunk * rowsPerChunk;
  const count = min(rows - rowBegin, rowsPerChunk);
  const offset = (<usize>rowBegin * <usize>cols) << 2;
  a += offset;
  out += offset;
  switch (op) {
    case ADD: binaryRowsLoop(ADD, a, b, out, count, cols, scratch); break;
    case SUB: binaryRowsLoop(SUB, a, b, out, count, cols, scratch); break;
    case MUL: binaryRowsLoop(MUL, a, b, out, count, cols, scratch); break;
    case DIV: binaryRowsLoop(DIV, a, b, out, count, cols, scratch); break;
    case MAXIMUM: binaryRowsLoop(MAXIMUM, a, b, out, count, cols, scratch); break;
    case MINIMUM: binaryRowsLoop(MINIMUM, a, b, out, count, cols, scratch); break;
    case EQUAL: binaryRowsLoop(EQUAL, a, b, out, count, cols, scratch); break;
    case NOT_EQUAL: binaryRowsLoop(NOT_EQUAL, a, b, out, count, cols, scratch); break;
    case LESS: binaryRowsLoop(LESS, a, b, out, count, cols, scratch); break;
    case LESS_EQUAL: binaryRowsLoop(LESS_EQUAL, a, b, out, count, cols, scratch); break;
    case GREATER: binaryRowsLoop(GREATER, a, b, out, count, cols, scratch); break;
    default: binaryRowsLoop(GREATER_EQUAL, a, b, out, count, cols, scratch); break;
  }
}

/**
 * out[r] = sum of row r of x ([rows, cols]) for the rows of this chunk, accumulated in float64
 * like the TypeScript reference so the rounded results agree.
 */
export function sumLastAxisChunk(chunk: i32, scratch: usize, x: usize, out: usize, rows: i32, cols: i32, rowsPerChunk: i32): void {
  const rowStart = chunk * rowsPerChunk;
  const rowEnd = min(rows, rowStart + rowsPerChunk);
  const whole = cols & ~3;
  const rowBytes = <usize>cols << 2;
  let row = x + <usize>rowStart * rowBytes;
  for (let r = rowStart; r < rowEnd; r++) {
    let low = f64x2.splat(0), high = f64x2.splat(0);
    for (let c = 0; c < whole; c += 4) {
      const v = v128.load(row + (<usize>c << 2));
      low = f64x2.add(low, f64x2.promote_low_f32x4(v));
      high = f64x2.add(high, f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3)));
    }
    let sum = f64x2.extract_lane(low, 0) + f64x2.extract_lane(high, 0) + f64x2.extract_lane(low, 1) + f64x2.extract_lane(high, 1);
    for (let c = whole; c < cols; c++) sum += <f64>load<f32>(row + (<usize>c << 2));
    store<f32>(out + (<usize>r << 2), <f32>sum);
    row += rowBytes;
  }
}

/**
 * Sums over the middle axis of x [outer, reduced, inner] -> out [outer, inner], for the column
 * groups [chunk * groupsPerChunk, ...) (a group is up to 8 adjacent columns of one outer index).
 * Each column adds its values in order in float64, like the TypeScript reference, so the float32
 * results are the same to the bit.
 */
export function sumMiddleAxisChunk(
  chunk: i32, scratch: usize, x: usize, out: usize, outer: i32, reduced: i32, inner: i32, groupsPerChunk: i32,
): void {
  const groupsPerOuter = (inner + 7) >> 3;
  const groupBegin = chunk * groupsPerChunk;
  const groupEnd = min(outer * groupsPerOuter, groupBegin + groupsPerChunk);
  const rowBytes = <usize>inner << 2;
  for (let group = groupBegin; group < groupEnd; group++) {
    const o = group / groupsPerOuter;
    const column0 = (group - o * groupsPerOuter) << 3;
    const columns = min(8, inner - column0);
    const base = x + (<usize>o * <usize>reduced) * rowBytes + (<usize>column0 << 2);
    const target = out + (<usize>(o * inner + column0) << 2);
    if (columns == 8) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let at = base;
      for (let r = 0; r < reduced; r++) {
        const low = v128.load(at);
        const high = v128.load(at, 16);
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(low));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(f32x4.shuffle(low, low, 2, 3, 2, 3)));
        s2 = f64x2.add(s2, f64x2.promote_low_f32x4(high));
        s3 = f64x2.add(s3, f64x2.promote_low_f32x4(f32x4.shuffle(high, high, 2, 3, 2, 3)));
        at += rowBytes;
      }
      v128.store(target, f32x4.shuffle(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5));
      v128.store(target, f32x4.shuffle(f32x4.demote_f64x2_zero(s2), f32x4.demote_f64x2_zero(s3), 0, 1, 4, 5), 16);
      continue;
    }
    for (let c = 0; c < columns; c++) {
      let sum: f64 = 0;
      let at = base + (<usize>c << 2);
      for (let r = 0; r < reduced; r++) {
        sum += <f64>load<f32>(at);
        at += rowBytes;
      }
      store<f32>(target + (<usize>c << 2), <f32>sum);
    }
  }
}
