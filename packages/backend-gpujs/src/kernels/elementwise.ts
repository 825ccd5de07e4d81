import type { BinaryOp, DType, FusedActivation, UnaryOp } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { broadcastIndex, decomposeIndex, FLAT_INDEX, kernelFunction, sameLayout } from './source.js';

/**
 * sin by range reduction to [-π/2, π/2] and a degree-11 Taylor polynomial (|error| < 6e-8 there):
 * GLSL leaves sin/cos precision to the driver, and SwiftShader's is off by 2e-4.
 */
function sineOf(argument: string): string {
  return [
    `const angle = ${argument};`,
    'let r = angle - 6.283185307179586 * Math.floor(angle / 6.283185307179586 + 0.5);',
    'if (r > 1.5707963267948966) { r = 3.141592653589793 - r; }',
    'if (r < -1.5707963267948966) { r = -3.141592653589793 - r; }',
    'const r2 = r * r;',
    'const result = r * (1 + r2 * (-0.16666666666666666 + r2 * (0.008333333333333333 + r2 * (-0.0001984126984126984 + r2 * (0.0000027557319223985893 - r2 * 0.00000002505210838544172)))));',
  ].join('\n');
}

/**
 * Statements computing `output` = activation(`input`), in the overflow-free forms of sigmoid and
 * tanh. `suffix` names the temporary apart when several lanes apply it in one kernel.
 */
export function activationStatements(activation: FusedActivation, input: string, output: string, suffix = ''): string[] {
  const e = `e${suffix}`;
  switch (activation) {
    case 'linear':
      return [`const ${output} = ${input};`];
    case 'relu':
      return [`let ${output} = 0;`, `if (${input} > 0) { ${output} = ${input}; }`];
    case 'sigmoid':
      return [
        `const ${e} = Math.exp(-Math.abs(${input}));`,
        `let ${output} = 1 / (1 + ${e});`,
        `if (${input} < 0) { ${output} = ${e} / (1 + ${e}); }`,
      ];
    case 'tanh':
      return [
        `const ${e} = Math.exp(-2 * Math.abs(${input}));`,
        `let ${output} = (1 - ${e}) / (1 + ${e});`,
        `if (${input} < 0) { ${output} = -${output}; }`,
      ];
  }
}

/**
 * Statements computing `result` from `v` for each unary op. Written to be safe on GLSL too:
 * tanh and sigmoid in their overflow-free forms, erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7).
 */
const UNARY_BODIES: Record<UnaryOp, string> = {
  neg: 'const result = -v;',
  exp: 'const result = Math.exp(v);',
  log: 'const result = Math.log(v);',
  sqrt: 'const result = Math.sqrt(v);',
  abs: 'const result = Math.abs(v);',
  sign: 'let result = 0;\nif (v > 0) { result = 1; }\nif (v < 0) { result = -1; }',
  sigmoid: activationStatements('sigmoid', 'v', 'result').join('\n'),
  tanh: activationStatements('tanh', 'v', 'result').join('\n'),
  relu: activationStatements('relu', 'v', 'result').join('\n'),
  erf: [
    'const z = Math.abs(v);',
    'const t = 1 / (1 + 0.3275911 * z);',
    'const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;',
    'let result = 1 - poly * Math.exp(-z * z);',
    'if (v < 0) { result = -result; }',
  ].join('\n'),
  floor: 'const result = Math.floor(v);',
  sin: sineOf('v'),
  cos: sineOf('v + 1.5707963267948966'),
};

/** out[i] = op(x[i]). */
export function unaryProgram(op: UnaryOp): KernelProgram {
  return {
    key: `unary:${op}`,
    source: () => kernelFunction(['x0'], `const v = x0[this.thread.x];\n${UNARY_BODIES[op]}\nreturn result;`),
  };
}

/**
 * Statements computing `result` from `a`, `b`. pow spells out what GLSL's pow leaves undefined
 * (negative bases, zero bases) the way Math.pow defines it.
 */
const BINARY_BODIES: Record<BinaryOp, string> = {
  add: 'let result = a + b;',
  sub: 'let result = a - b;',
  mul: 'let result = a * b;',
  div: 'let result = a / b;',
  pow: [
    'let result = 1;',
    'if (b !== 0) {',
    '  const magnitude = Math.abs(a);',
    '  if (magnitude === 0) {',
    '    result = 0;',
    '    if (b < 0) { result = 1 / magnitude; }',
    '  } else {',
    '    result = Math.exp(b * Math.log(magnitude));',
    '    if (a < 0) {',
    '      const whole = Math.floor(b);',
    '      if (whole !== b) { result = Math.sqrt(-1 - magnitude); }',
    '      const half = Math.floor(b * 0.5);',
    '      if (whole === b && half * 2 !== b) { result = -result; }',
    '    }',
    '  }',
    '}',
  ].join('\n'),
  maximum: 'let result = a;\nif (b > a) { result = b; }',
  minimum: 'let result = a;\nif (b < a) { result = b; }',
  equal: 'let result = 0;\nif (a === b) { result = 1; }',
  notEqual: 'let result = 0;\nif (a !== b) { result = 1; }',
  less: 'let result = 0;\nif (a < b) { result = 1; }',
  lessEqual: 'let result = 0;\nif (a <= b) { result = 1; }',
  greater: 'let result = 0;\nif (a > b) { result = 1; }',
  greaterEqual: 'let result = 0;\nif (a >= b) { result = 1; }',
};

/**
 * core's float32 -> int32 rule (see its cast kernel): truncate toward zero, saturate what int32
 * cannot hold (above 2^31 - 1 or +Infinity gives 2147483647, below -2^31 or -Infinity gives
 * -2147483648) and send NaN to 0 (every comparison with NaN is false, so it falls through).
 * The saturated values are stored as the float 2^31 here; `fromFloat32` clamps them on readback.
 */
const TRUNCATE_TO_INT32 = [
  'let truncated = 0;',
  'if (result >= 2147483647) {',
  '  truncated = 2147483647;',
  '} else if (result <= -2147483648) {',
  '  truncated = -2147483648;',
  '} else if (result > -2147483648 && result < 2147483647) {',
  '  truncated = Math.floor(Math.abs(result));',
  '  if (result < 0) { truncated = -truncated; }',
  '}',
  'return truncated;',
].join('\n');

/** Reads of one broadcast input into the variable `name`. */
function broadcastRead(
  parameter: string, name: string, inputShape: readonly number[], outShape: readonly number[],
): string {
  if (sameLayout(inputShape, outShape)) return `const ${name} = ${parameter}[this.thread.x];`;
  return `const ${name} = ${parameter}[${broadcastIndex(inputShape, outShape, 'c')}];`;
}

/** Whether any input needs the output coordinates (is broadcast rather than same-layout). */
function needsCoordinates(inputShapes: readonly (readonly number[])[], outShape: readonly number[]): boolean {
  return inputShapes.some((shape) => !sameLayout(shape, outShape));
}

function coordinatePrologue(inputShapes: readonly (readonly number[])[], outShape: readonly number[]): string {
  return needsCoordinates(inputShapes, outShape) ? `${FLAT_INDEX}\n${decomposeIndex('i', outShape, 'c')}` : '';
}

/**
 * int32 division as the CPU reference does it: floor division, x / 0 = 0. The float quotient is
 * corrected by its remainder, so a division landing just below a whole number still floors right.
 */
const INT32_DIVISION = [
  'let result = 0;',
  'if (b !== 0) {',
  '  result = Math.floor(a / b);',
  '  const remainder = a - result * b;',
  '  if (b > 0 && remainder < 0) { result = result - 1; }',
  '  if (b > 0 && remainder >= b) { result = result + 1; }',
  '  if (b < 0 && remainder > 0) { result = result - 1; }',
  '  if (b < 0 && remainder <= b) { result = result + 1; }',
  '}',
].join('\n');

/** out = op(a, b) with NumPy broadcasting; int32 arithmetic truncates like an Int32Array store. */
export function binaryProgram(
  op: BinaryOp, aShape: readonly number[], bShape: readonly number[], outShape: readonly number[], outDtype: DType,
): KernelProgram {
  const integer = outDtype === 'int32' && !isComparison(op);
  return {
    key: `binary:${op}:${aShape.join('x')}:${bShape.join('x')}:${outShape.join('x')}:${integer ? 'i' : 'f'}`,
    source: () => kernelFunction(['x0', 'x1'], [
      coordinatePrologue([aShape, bShape], outShape),
      broadcastRead('x0', 'a', aShape, outShape),
      broadcastRead('x1', 'b', bShape, outShape),
      integer && op === 'div' ? INT32_DIVISION : BINARY_BODIES[op],
      integer ? TRUNCATE_TO_INT32 : 'return result;',
    ].join('\n')),
  };
}

function isComparison(op: BinaryOp): boolean {
  return op === 'equal' || op === 'notEqual' || op === 'less' || op === 'lessEqual' || op === 'greater' || op === 'greaterEqual';
}

/** out = condition != 0 ? a : b, all broadcast to outShape. */
export function whereProgram(
  conditionShape: readonly number[], aShape: readonly number[], bShape: readonly number[], outShape: readonly number[],
): KernelProgram {
  return {
    key: `where:${conditionShape.join('x')}:${aShape.join('x')}:${bShape.join('x')}:${outShape.join('x')}`,
    source: () => kernelFunction(['x0', 'x1', 'x2'], [
      coordinatePrologue([conditionShape, aShape, bShape], outShape),
      broadcastRead('x0', 'condition', conditionShape, outShape),
      broadcastRead('x1', 'a', aShape, outShape),
      broadcastRead('x2', 'b', bShape, outShape),
      'let result = b;',
      'if (condition !== 0) { result = a; }',
      'return result;',
    ].join('\n')),
  };
}

/** float32 -> int32 truncates toward zero; int32 -> float32 (and same-dtype) copies. */
export function castProgram(truncate: boolean): KernelProgram {
  return {
    key: `cast:${truncate ? 'truncate' : 'copy'}`,
    source: () => kernelFunction(['x0'], `const result = x0[this.thread.x];\n${truncate ? TRUNCATE_TO_INT32 : 'return result;'}`),
  };
}

/** Every element = the scalar argument (a uniform, so one kernel serves every fill value). */
export const fillProgram: KernelProgram = {
  key: 'fill',
  source: () => kernelFunction(['s0'], 'return s0;'),
};
