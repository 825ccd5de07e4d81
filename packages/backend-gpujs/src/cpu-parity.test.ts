import { createCpuBackend, type Backend } from '@dendrite/core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, type GpuBackend } from './index.js';
import { nodeTestModes } from './test-support/headless-gl.js';
import { compare, kernelCaseOutput, kernelCases } from '@dendrite/core/testing';

/** The same kernel calls on core's CPU reference backend and on this one must agree. */
describe.each(nodeTestModes.filter((mode) => mode !== 'cpu'))('gpu backend (%s) agrees with the CPU reference backend', (mode) => {
  let gpu: GpuBackend;
  let cpu: Backend;
  beforeAll(async () => {
    gpu = await createGpuBackend({ mode });
    cpu = createCpuBackend();
    await cpu.init?.();
  });
  afterAll(async () => {
    await gpu.destroy();
  });

  it.each(kernelCases().map((kernelCase) => [kernelCase.name, kernelCase] as const))('%s', async (_name, kernelCase) => {
    const expected = await kernelCaseOutput(cpu, kernelCase);
    const actual = await kernelCaseOutput(gpu, kernelCase);
    expect(compare(actual, expected, kernelCase.absolute ?? 1e-5, kernelCase.relative ?? 1e-4)).toBeNull();
  });
});
