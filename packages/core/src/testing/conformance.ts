import { beforeAll, describe, expect, it } from 'vitest';
import type { Backend, TypedArray } from '../backend/backend.js';
import { createCpuBackend } from '../backends/cpu/cpu-backend.js';
import { valueAndGrad } from '../autograd/grad.js';
import { engine } from '../engine.js';
import { tensor } from '../ops/creation.js';
import { mul } from '../ops/mul.js';
import { sum } from '../ops/sum.js';
import { RandomGenerator } from '../random.js';
import { sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { CONFORMANCE_CASES, type ConformanceCase, type InputSpec } from './conformance-cases.js';
import { expectClose, type Tolerance } from './expect-close.js';
import { gradCheck, projectionWeights } from './gradcheck.js';

/** Options of {@link runConformanceSuite}. */
export interface ConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** Makes the backend under test (initialised by the suite). */
  createBackend: () => Backend | Promise<Backend>;
  /** Allowed difference from the TypeScript CPU reference (default atol 1e-4, rtol 1e-4). */
  tolerance?: Tolerance;
  /** Also check every gradient against central finite differences on this backend (needs readSync). */
  finiteDifferences?: boolean;
  /** Restrict to these case names (default: all). */
  only?: readonly string[];
}

/** Host values for a case's inputs, the same on every backend (seeded by the case's position). */
export function makeInputs(specs: readonly InputSpec[], seed: number): TypedArray[] {
  const generator = new RandomGenerator(seed);
  return specs.map((spec, inputIndex) => {
    const size = sizeOf(spec.shape);
    if (spec.dtype === 'int32') return Int32Array.from({ length: size }, () => generator.nextInt(spec.max ?? 10));
    const values = new Float32Array(size);
    if (spec.kind === 'spread') {
      // Distinct values on a shuffled grid, shifted per input: no near-ties for max/min/pooling, none within 0.01 of 0.
      const order = Array.from({ length: size }, (_, i) => i);
      for (let i = size - 1; i > 0; i--) {
        const j = generator.nextInt(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let i = 0; i < size; i++) values[i] = -3 + (6 * (order[i] + 0.5)) / size + 0.013 + 0.037 * inputIndex;
      return values;
    }
    for (let i = 0; i < size; i++) {
      const magnitude = 0.1 + 0.9 * generator.nextFloat();
      values[i] = spec.kind === 'positive' ? 0.5 + 1.5 * generator.nextFloat() : generator.nextFloat() < 0.5 ? -magnitude : magnitude;
    }
    return values;
  });
}

/** One case's output on a backend, and the gradients of sum(output * weights) per input. */
export interface CaseResult {
  /** The output's values. */
  value: TypedArray;
  /** The output's shape. */
  shape: readonly number[];
  /** One gradient per input (empty for cases without gradients). */
  grads: TypedArray[];
}

/** Run one case on `backend`: its output, and the gradients of sum(output * weights) for float inputs. */
export async function evaluateCase(backend: Backend, testCase: ConformanceCase, values: readonly TypedArray[]): Promise<CaseResult> {
  const specs = testCase.inputs;
  const tensors = engine.withBackend(backend, () => engine.tidy(() => {
    const inputs = values.map((v, i) => tensor(v, specs[i].shape, specs[i].dtype ?? 'float32'));
    const output = testCase.fn(...inputs);
    const result: Tensor[] = [engine.makeView(output, output.shape)];
    const floatIndices = specs.flatMap((spec, i) => ((spec.dtype ?? 'float32') === 'float32' ? [i] : []));
    if (testCase.grad !== false && floatIndices.length) {
      const weights = tensor(projectionWeights(output.size), output.shape);
      const { grads } = valueAndGrad((...floats: Tensor[]) => {
        const all = inputs.map((input, i) => (floatIndices.includes(i) ? floats[floatIndices.indexOf(i)] : input));
        return sum(mul(testCase.fn(...all), weights));
      })(...floatIndices.map((i) => inputs[i]));
      result.push(...grads);
    }
    return result;
  }));
  const [value, ...grads] = await Promise.all(tensors.map((t) => t.data()));
  const shape = tensors[0].shape;
  tensors.forEach((t) => t.dispose());
  return { value, shape, grads };
}

/**
 * The backend conformance suite (vitest): every op of @dendrite/core, forward and gradient, on the
 * backend under test against the TypeScript CPU reference, plus finite-difference gradient checks.
 *
 * @example
 * ```ts
 * // my-backend.conformance.test.ts
 * import { runConformanceSuite } from '@dendrite/core/testing';
 * runConformanceSuite({ name: 'my backend', createBackend: () => createMyBackend() });
 * ```
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  const tolerance = { atol: options.tolerance?.atol ?? 1e-4, rtol: options.tolerance?.rtol ?? 1e-4 };
  const cases = CONFORMANCE_CASES.filter((c) => !options.only || options.only.includes(c.name));
  describe(`backend conformance: ${options.name}`, () => {
    let backend: Backend;
    const reference = createCpuBackend();
    beforeAll(async () => {
      backend = await options.createBackend();
      await backend.init?.();
    });
    cases.forEach((testCase, caseIndex) => {
      it(testCase.name, async () => {
        const values = makeInputs(testCase.inputs, 1000 + caseIndex);
        const expected = await evaluateCase(reference, testCase, values);
        const actual = await evaluateCase(backend, testCase, values);
        expect(actual.shape).toEqual(expected.shape);
        expect(actual.value.constructor).toBe(expected.value.constructor);
        expectClose(actual.value, expected.value, tolerance, `${testCase.name} forward`);
        expect(actual.grads.length).toBe(expected.grads.length);
        actual.grads.forEach((g, i) => expectClose(g, expected.grads[i], tolerance, `${testCase.name} gradient ${i}`));
        if (options.finiteDifferences && testCase.grad !== false && testCase.inputs.some((s) => (s.dtype ?? 'float32') === 'float32')) {
          engine.withBackend(backend, () => gradCheck(testCase.fn, testCase.inputs.map((spec, i) => ({ values: values[i], shape: spec.shape, dtype: spec.dtype }))));
        }
      });
    });
  });
}
