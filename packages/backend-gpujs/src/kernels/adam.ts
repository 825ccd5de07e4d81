import type { KernelProgram } from '../kernel-cache.js';
import { FLAT_INDEX, kernelFunction } from './source.js';

/**
 * One output of the fused Adam step (core's `adamUpdate` kernel), elementwise over x0 = param,
 * x1 = gradient, x2 = first moment, x3 = second moment, with s0 = stepSize, s1 = β1, s2 = β2,
 * s3 = ε as uniforms, so a step size that changes every step compiles nothing new.
 * gpu.js kernels return one array, so the three outputs are three kernels; the new parameter
 * recomputes both moments rather than read them back, which keeps the three independent.
 */
export function adamProgram(output: 'param' | 'firstMoment' | 'secondMoment'): KernelProgram {
  const firstMoment = 'const m = s1 * x2[i] + (1 - s1) * g;';
  const secondMoment = 'const v = s2 * x3[i] + (1 - s2) * g * g;';
  const body = {
    firstMoment: [firstMoment, 'return m;'],
    secondMoment: [secondMoment, 'return v;'],
    param: [firstMoment, secondMoment, 'return x0[i] - (s0 * m) / (Math.sqrt(v) + s3);'],
  }[output];
  return {
    key: `adam:${output}`,
    source: () => kernelFunction(['x0', 'x1', 'x2', 'x3', 's0', 's1', 's2', 's3'], [FLAT_INDEX, 'const g = x1[i];', ...body].join('\n')),
  };
}
