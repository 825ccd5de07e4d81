import type { Conv2DInfo } from '@dendrite/core/backend';
import type { KernelProgram } from '../kernel-cache.js';
import { decomposeIndex, FLAT_INDEX, kernelFunction } from './source.js';

export function infoKey(info: Conv2DInfo): string {
  return [
    info.batch, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padTop, info.padLeft,
  ].join(',');
}

/** `const name = ...` input position of output position `out` and filter tap `tap` on one axis. */
export function inputPosition(name: string, out: string, tap: string, stride: number, dilation: number, pad: number): string {
  const outTerm = stride === 1 ? out : `${out} * ${stride}`;
  const tapTerm = dilation === 1 ? tap : `${tap} * ${dilation}`;
  return `const ${name} = ${outTerm} + ${tapTerm} - ${pad};`;
}

/**
 * Statements that find the output position `name` whose window puts tap `tap` on input position
 * `input`, with `${name}Valid` 1 when there is one (the position divides by the stride and is in range).
 */
export function outputPosition(name: string, input: string, tap: string, stride: number, dilation: number, pad: number, extent: number): string {
  const tapTerm = dilation === 1 ? tap : `${tap} * ${dilation}`;
  const lines = [`const ${name}Offset = ${input} + ${pad} - ${tapTerm};`];
  if (stride === 1) {
    lines.push(`const ${name} = ${name}Offset;`, `let ${name}Valid = 0;`);
    lines.push(`if (${name} >= 0 && ${name} < ${extent}) { ${name}Valid = 1; }`);
  } else {
    lines.push(`const ${name} = Math.floor((${name}Offset + 0.5) / ${stride});`, `let ${name}Valid = 0;`);
    lines.push(`if (${name} * ${stride} === ${name}Offset && ${name} >= 0 && ${name} < ${extent}) { ${name}Valid = 1; }`);
  }
  return lines.join('\n');
}

/** NHWC conv2d: x0 = x [N,H,W,Cin], x1 = filter [kh,kw,Cin,Cout]. */
export function conv2dProgram(info: Conv2DInfo): KernelProgram {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight, filterWidth } = info;
  const source = (grid: boolean): string => kernelFunction(['x0', 'x1'], [
      // grid: thread.y walks output pixels and thread.x output channels (neighbouring filter reads).
      grid ? `const pixel = this.thread.y / 1;\n${decomposeIndex('pixel', [info.batch, outHeight, outWidth], 'c')}\nconst c3 = this.thread.x;`
        : `${FLAT_INDEX}\n${decomposeIndex('i', [info.batch, outHeight, outWidth, cout], 'c')}`,
      'let sum = 0;',
      `for (let kh = 0; kh < ${filterHeight}; kh++) {`,
      inputPosition('ih', 'c1', 'kh', info.strideHeight, info.dilationHeight, info.padTop),
      `  if (ih >= 0 && ih < ${inHeight}) {`,
      `    for (let kw = 0; kw < ${filterWidth}; kw++) {`,
      inputPosition('iw', 'c2', 'kw', info.strideWidth, info.dilationWidth, info.padLeft),
      `      if (iw >= 0 && iw < ${inWidth}) {`,
      `        const xBase = ((c0 * ${inHeight} + ih) * ${inWidth} + iw) * ${cin};`,
      `        const filterBase = (kh * ${filterWidth} + kw) * ${cin * cout} + c3;`,
      `        for (let ci = 0; ci < ${cin}; ci++) {`,
      `          sum = sum + x0[xBase + ci] * x1[filterBase + ci * ${cout}];`,
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
      'return sum;',
    ].join('\n'));
  return {
    key: `conv2d:${infoKey(info)}`,
    loopMax: Math.max(filterHeight, filterWidth, cin),
    source: () => source(false),
    grid: { rows: info.batch * outHeight * outWidth, columns: cout, source: () => source(true) },
  };
}

/** Gradient of conv2d with respect to x: x0 = dy [N,outH,outW,Cout], x1 = filter -> [N,H,W,Cin]. */
export function conv2dBackpropInputProgram(info: Conv2DInfo): KernelProgram {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight, filterWidth } = info;
  return {
    key: `conv2dBackpropInput:${infoKey(info)}`,
    loopMax: Math.max(filterHeight, filterWidth, cout),
    source: () => kernelFunction(['x0', 'x1'], [
      FLAT_INDEX,
      decomposeIndex('i', [info.batch, inHeight, inWidth, cin], 'c'),
      'let sum = 0;',
      `for (let kh = 0; kh < ${filterHeight}; kh++) {`,
      outputPosition('oh', 'c1', 'kh', info.strideHeight, info.dilationHeight, info.padTop, outHeight),
      '  if (ohValid === 1) {',
      `    for (let kw = 0; kw < ${filterWidth}; kw++) {`,
      outputPosition('ow', 'c2', 'kw', info.strideWidth, info.dilationWidth, info.padLeft, outWidth),
      '      if (owValid === 1) {',
      `        const dyBase = ((c0 * ${outHeight} + oh) * ${outWidth} + ow) * ${cout};`,
      `        const filterBase = ((kh * ${filterWidth} + kw) * ${cin} + c3) * ${cout};`,
      `        for (let co = 0; co < ${cout}; co++) {`,
      '          sum = sum + x0[dyBase + co] * x1[filterBase + co];',
      '        }',
      '      }',
      '    }',
      '  }',
      '}',
      'return sum;',
    ].join('\n')),
  };
}

/**
 * Per-image gradient of conv2d with respect to the filter: x0 = x, x1 = dy ->
 * [N, kh, kw, Cin, Cout]; the caller sums over N (one image per thread group keeps the GPU busy).
 */
export function conv2dBackpropFilterProgram(info: Conv2DInfo): KernelProgram {
  const { inHeight, inWidth, inChannels: cin, outHeight, outWidth, outChannels: cout, filterHeight, filterWidth } = info;
  return {
    key: `conv2dBackpropFilter:${infoKey(info)}`,
    loopMax: Math.max(outHeight, outWidth),
    source: () => kernelFunction(['x0', 'x1'], [
      FLAT_INDEX,
      decomposeIndex('i', [info.batch, filterHeight, filterWidth, cin, cout], 'c'),
      'let sum = 0;',
      `for (let oh = 0; oh < ${outHeight}; oh++) {`,
      inputPosition('ih', 'oh', 'c1', info.strideHeight, info.dilationHeight, info.padTop),
      `  if (ih >= 0 && ih < ${inHeight}) {`,
      `    for (let ow = 0; ow < ${outWidth}; ow++) {`,
      inputPosition('iw', 'ow', 'c2', info.strideWidth, info.dilationWidth, info.padLeft),
      `      if (iw >= 0 && iw < ${inWidth}) {`,
      `        const xValue = x0[((c0 * ${inHeight} + ih) * ${inWidth} + iw) * ${cin} + c3];`,
      `        sum = sum + xValue * x1[((c0 * ${outHeight} + oh) * ${outWidth} + ow) * ${cout} + c4];`,
      '      }',
      '    }',
      '  }',
      '}',
      'return sum;',
    ].join('\n')),
  };
}
