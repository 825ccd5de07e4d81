import { createCpuBackend, type Backend } from '@dendrite/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpuBackend, type GpuBackend } from './index.js';
import { nodeTestModes } from './test-support/headless-gl.js';
import { compare, kernelCases } from './test-support/kernel-checks.js';

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

  const run = async (backend: Backend, kernelCase: ReturnType<typeof kernelCases>[number]): Promise<ArrayLike<number>> => {
    const inputs = kernelCase.inputs.map((input) => ({ dataId: backend.upload(input.values.slice(), input.shape, input.dtype), shape: input.shape, dtype: input.dtype }));
    const output = kernelCase.call(backend, inputs);
    const values = await backend.read(output, kernelCase.outDtype);
    for (const input of inputs) backend.dispose(input.dataId);
    backend.dispose(output);
    return values;
  };

  it.each(kernelCases().map((kernelCase) => [kernelCase.name, kernelCase] as const))('%s', async (_name, kernelCase) => {
    const expected = await run(cpu, kernelCase);
    const actual = await run(gpu, kernelCase);
    expect(compare(actual, expected, kernelCase.absolute ?? 1e-5, kernelCase.relative ?? 1e-4)).toBeNull();
  });
});
