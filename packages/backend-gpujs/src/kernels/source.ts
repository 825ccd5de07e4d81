/**
 * Helpers that write gpu.js kernel source.
 *
 * Every tensor lives on the device as one flat float32 array, and every kernel has a 1-D output, so
 * a kernel of any rank is one `function (x0, x1, ..., s0, ...) { ... }` whose shapes are baked in as
 * literals (a kernel is compiled once per shape key). gpu.js translates the JavaScript subset to
 * GLSL, WGSL, WebAssembly or plain JS, so the source sticks to what all of them share: `let`,
 * numeric `for` loops with literal bounds, `if`, `Math.*`, and float arithmetic.
 *
 * Index arithmetic is float arithmetic (GLSL ES 1.00 has no exact integer division, and gpu.js
 * turns `/` into a float divide everywhere). Integers below 2^24 are exact in float32, which is why
 * {@link MAX_ELEMENTS} caps tensor sizes; quotients get a one-step correction so a division that
 * lands a hair off an integer never picks the wrong row.
 */
import { sizeOf, stridesOf } from '@dendrite/core';

/** Largest element count whose flat indices are exact in float32 (2^24). */
export const MAX_ELEMENTS = 16_777_216;

/**
 * Dividends that can exceed this get the quotient correction of {@link floorDivision} (below it
 * `(i + 0.5) / d` is already exact).
 */
export const CORRECTION_THRESHOLD = 1 << 20;

/**
 * Statements that split the flat index held in `flatVariable` into per-axis coordinates named
 * `${prefix}0`, `${prefix}1`, ... for `shape` (size-1 axes get a literal 0 coordinate).
 */
export function decomposeIndex(flatVariable: string, shape: readonly number[], prefix: string): string {
  const strides = stridesOf(shape);
  const total = sizeOf(shape);
  const lines: string[] = [];
  let remainder = flatVariable;
  for (let axis = 0; axis < shape.length; axis++) {
    const name = `${prefix}${axis}`;
    if (shape[axis] === 1) {
      lines.push(`const ${name} = 0;`);
      continue;
    }
    const stride = strides[axis];
    if (stride === 1) {
      lines.push(`const ${name} = ${remainder};`);
      continue;
    }
    const rest = `${prefix}r${axis}`;
    lines.push(...floorDivision(remainder, stride, name, rest, total > CORRECTION_THRESHOLD));
    remainder = rest;
  }
  return lines.join('\n');
}

/** `quotient = floor(dividend / divisor)`, `remainder = dividend - quotient * divisor`, exactly. */
export function floorDivision(
  dividend: string, divisor: number, quotient: string, remainder: string, corrected: boolean,
): string[] {
  const lines = [
    `let ${quotient} = Math.floor((${dividend} + 0.5) / ${divisor});`,
    `let ${remainder} = ${dividend} - ${quotient} * ${divisor};`,
  ];
  if (corrected) {
    lines.push(
      `if (${remainder} < 0) { ${quotient} = ${quotient} - 1; ${remainder} = ${remainder} + ${divisor}; }`,
      `if (${remainder} >= ${divisor}) { ${quotient} = ${quotient} + 1; ${remainder} = ${remainder} - ${divisor}; }`,
    );
  }
  return lines;
}

/**
 * The flat index into an input of `inputShape` broadcast to `outShape`, as an expression over the
 * output coordinates `${prefix}k` (NumPy rules: the input's trailing axes align with the output's).
 */
export function broadcastIndex(inputShape: readonly number[], outShape: readonly number[], prefix: string): string {
  const offset = outShape.length - inputShape.length;
  const strides = stridesOf(inputShape);
  const terms: string[] = [];
  for (let axis = 0; axis < inputShape.length; axis++) {
    if (inputShape[axis] === 1) continue;
    const coordinate = `${prefix}${axis + offset}`;
    terms.push(strides[axis] === 1 ? coordinate : `${coordinate} * ${strides[axis]}`);
  }
  return terms.length === 0 ? '0' : terms.join(' + ');
}

/** True when reading `inputShape` at the output's flat index is already correct. */
export function sameLayout(inputShape: readonly number[], outShape: readonly number[]): boolean {
  return sizeOf(inputShape) === sizeOf(outShape) && stripLeadingOnes(inputShape).join(',') === stripLeadingOnes(outShape).join(',');
}

function stripLeadingOnes(shape: readonly number[]): number[] {
  let start = 0;
  while (start < shape.length && shape[start] === 1) start++;
  return shape.slice(start);
}

/** [outer, axisLength, inner] view of a shape around `axis`. */
export function aroundAxis(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/** A kernel function's source from its parameter names and body. */
export function kernelFunction(parameters: readonly string[], body: string): string {
  return `function (${parameters.join(', ')}) {\n${body}\n}`;
}

/** The thread's flat output index as a float (`/ 1` makes gpu.js promote it from int). */
export const FLAT_INDEX = 'const i = this.thread.x / 1;';
