import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tensor, variable, type Tensor } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { CosineDecay } from './schedules/cosine-decay.js';
import { ExponentialDecay } from './schedules/exponential-decay.js';
import { OneCycle } from './schedules/one-cycle.js';
import { ReduceLROnPlateau } from './schedules/reduce-on-plateau.js';
import type { LearningRateSchedule } from './schedules/schedule.js';
import { StepDecay } from './schedules/step-decay.js';
import { SGD } from './sgd.js';

interface Golden {
  shapes: number[][];
  initial: number[][];
  gradients: number[][][];
  lateParameter: number;
  lateFirstStep: number;
  optimizers: Array<{
    optimizer: string;
    options: Record<string, number | boolean>;
    groups: Array<{ parameters: number[]; options: Record<string, number | boolean> }> | null;
    trajectory: number[][][];
  }>;
  schedules: Array<{ schedule: string; options: Record<string, unknown>; rates: number[]; metrics?: number[] }>;
}

// Written by scripts/golden.py from PyTorch in float64.
const golden = JSON.parse(readFileSync(new URL('./fixtures/golden.json', import.meta.url), 'utf8')) as Golden;

type Make = (parameters: never, options: never) => Optimizer;
const optimizers: Record<string, Make> = {
  SGD: (p, o) => new SGD(p, o), Adam: (p, o) => new Adam(p, o), AdamW: (p, o) => new AdamW(p, o),
  Adagrad: (p, o) => new Adagrad(p, o), RMSprop: (p, o) => new RMSprop(p, o),
};

describe('optimizers against PyTorch (float64 golden fixture, six steps)', () => {
  it.each(golden.optimizers.map((c) => [`${c.optimizer} ${JSON.stringify(c.options)}${c.groups ? ' with groups' : ''}`, c] as const))('%s', (_, goldenCase) => {
    const parameters = golden.initial.map((values, i) => variable(tensor(values, golden.shapes[i])));
    const argument = goldenCase.groups
      ? goldenCase.groups.map((group) => ({ params: group.parameters.map((i) => parameters[i]), ...group.options }))
      : parameters;
    const optimizer = optimizers[goldenCase.optimizer](argument as never, goldenCase.options as never);
    // Parameters in the optimizer's order (groups may reorder them).
    const order = optimizer.parameters.map((p) => parameters.indexOf(p as ReturnType<typeof variable>));
    goldenCase.trajectory.forEach((expected, step) => {
      const gradients = order.map((i): Tensor | null =>
        (i === golden.lateParameter && step < golden.lateFirstStep ? null : tensor(golden.gradients[step][i], golden.shapes[i])));
      optimizer.step(gradients);
      parameters.forEach((parameter, i) => expectClose(parameter.dataSync(), expected[i], { atol: 1e-5, rtol: 1e-5 }, `step ${step + 1} parameter ${i}`));
    });
    const late = parameters[golden.lateParameter];
    expect(optimizer.stepCount(late)).toBe(goldenCase.trajectory.length - golden.lateFirstStep);
    expect(optimizer.stepCount(parameters[0])).toBe(goldenCase.trajectory.length);
    optimizer.dispose();
  });
});

const schedules: Record<string, (options: never) => LearningRateSchedule> = {
  StepDecay: (o) => new StepDecay(o), ExponentialDecay: (o) => new ExponentialDecay(o), CosineDecay: (o) => new CosineDecay(o),
  OneCycle: (o) => new OneCycle(o), ReduceLROnPlateau: (o) => new ReduceLROnPlateau(o),
};

describe('schedules against PyTorch', () => {
  it.each(golden.schedules.map((c) => [`${c.schedule} ${JSON.stringify(c.options)}`, c] as const))('%s', (_, goldenCase) => {
    const schedule = schedules[goldenCase.schedule](goldenCase.options as never);
    const rates = goldenCase.metrics
      ? goldenCase.metrics.map((metric) => (schedule as ReduceLROnPlateau).update(metric))
      : goldenCase.rates.map((_, step) => schedule.learningRateAt(step));
    expectClose(rates, goldenCase.rates, { atol: 1e-12, rtol: 1e-9 });
  });
});
