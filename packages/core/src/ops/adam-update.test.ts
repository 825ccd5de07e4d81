import { describe, it } from 'vitest';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { engine } from '../engine.js';
import { expectClose } from '../testing/expect-close.js';
import { adamUpdate } from './adam-update.js';
import { randomNormal, randomUniform } from './random.js';
import { tensor } from './creation.js';

describe('adamUpdate', () => {
  it('the fused CPU kernel matches the composed ops', () => {
    const hyper = { stepSize: 3e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const run = (backend: ReturnType<typeof createCpuBackend>) => engine.withBackend(backend, () => {
      const p = randomNormal([50, 7], 0, 1, 1);
      const g = randomNormal([50, 7], 0, 1, 2);
      const m = randomNormal([50, 7], 0, 0.1, 3);
      const v = randomUniform([50, 7], 0, 0.1, 4);
      const next = adamUpdate(p, g, m, v, hyper);
      return [next.param, next.firstMoment, next.secondMoment].map((t) => t.dataSync());
    });
    const fused = run(createCpuBackend());
    const composedBackend = { ...createCpuBackend(), adamUpdate: undefined };
    const composed = run(composedBackend);
    fused.forEach((values, i) => expectClose(values, composed[i], { atol: 1e-6, rtol: 1e-5 }));
  });
});

describe('adamUpdate with a max second moment (AMSGrad)', () => {
  it('divides by the larger of the running maximum and the new second moment', () => {
    const hyper = { stepSize: 0.1, beta1: 0.5, beta2: 0.5, epsilon: 1e-8 };
    const p = tensor([1, 1]);
    const g = tensor([2, 2]);
    const m = tensor([0, 0]);
    const v = tensor([0, 0]);
    const maxSecondMoment = tensor([16, 0]); // v' = 2: the first element keeps 16, the second takes 2
    const next = adamUpdate(p, g, m, v, hyper, maxSecondMoment);
    expectClose(next.maxSecondMoment!.dataSync(), [16, 2], { atol: 0 });
    expectClose(next.secondMoment.dataSync(), [2, 2], { atol: 0 });
    expectClose(next.param.dataSync(), [1 - 0.1 * (1 / 4), 1 - 0.1 * (1 / Math.SQRT2)], { atol: 1e-6 });
  });
});
