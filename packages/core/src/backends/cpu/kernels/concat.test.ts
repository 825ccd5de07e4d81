import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../cpu-backend.js';
import { randomFloats, randomInts, readValues, ravel, seededRandom, sizeOf, tensorOf, unravel } from '../test-helpers.js';

function naiveConcat(inputs: Array<{ values: ArrayLike<number>; shape: number[] }>, axis: number): number[] {
  const outShape = [...inputs[0].shape];
  outShape[axis] = inputs.reduce((total, input) => total + input.shape[axis], 0);
  const out = new Array<number>(sizeOf(outShape));
  for (let index = 0; index < out.length; index++) {
    const coordinates = unravel(index, outShape);
    let position = coordinates[axis];
    for (const input of inputs) {
      if (position < input.shape[axis]) {
        const inner = [...coordinates];
        inner[axis] = position;
        out[index] = input.values[ravel(inner, input.shape)];
        break;
      }
      position -= input.shape[axis];
    }
  }
  return out;
}

describe('cpu concat', () => {
  const backend = createCpuBackend();
  const random = seededRandom(11);

  it('joins along every axis of ranks 1 to 4', () => {
    for (const shape of [[5], [3, 4], [2, 3, 4], [2, 3, 4, 20]]) {
      for (let axis = 0; axis < shape.length; axis++) {
        const inputs = [1, 0, 3].map((size) => {
          const inputShape = [...shape];
          inputShape[axis] = size;
          return { values: randomFloats(sizeOf(inputShape), random), shape: inputShape };
        });
        const out = backend.concat(inputs.map((input) => tensorOf(backend, input.values, input.shape)), axis);
        expect(Array.from(readValues(backend, out))).toEqual(naiveConcat(inputs, axis));
      }
    }
  });

  it('keeps int32', () => {
    const a = randomInts(4, random, 0, 9);
    const b = randomInts(6, random, 0, 9);
    const out = readValues(backend, backend.concat([tensorOf(backend, a, [2, 2]), tensorOf(backend, b, [2, 3])], 1), 'int32');
    expect(out).toBeInstanceOf(Int32Array);
    expect(Array.from(out)).toEqual(naiveConcat([{ values: a, shape: [2, 2] }, { values: b, shape: [2, 3] }], 1));
  });
});
