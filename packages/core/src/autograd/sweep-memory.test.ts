import { describe, expect, it } from 'vitest';
import { gradients } from './backward.js';
import { valueAndGrad, variable, variableGrads } from './grad.js';
import { engine, memory, tidy } from '../engine.js';
import { DendriteError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, mul, reshape, square, stack, sum, tanh, tensor, unstack } from '../ops/index.js';
import { gradCheck } from '../testing/gradcheck.js';

/**
 * An identity op whose gradient rule records the live-tensor count when the sweep reaches it (and
 * passes `dy` on unchanged, as reshape and add do), so a test sees the sweep's memory from inside.
 */
function probe(x: Tensor, samples: number[]): Tensor {
  return engine.recordGrad(engine.makeView(x, x.shape), 'probe', [x], (dy) => {
    samples.push(memory().tensors);
    return [dy];
  });
}

/** 0.1, 0.2, … as a float32 tensor of `shape`, a fixed input with no symmetry. */
function ramp(shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: size }, (_, i) => 0.1 * (i + 1) - 0.05 * (i % 3)), shape);
}

const values = (t: Tensor) => Array.from(t.dataSync());

describe('backward frees gradients as the sweep goes', () => {
  it('keeps the live tensors of a 200-op chain bounded during the sweep (all gradients were alive before)', () => {
    const samples: number[] = [];
    const x = ramp([4, 8]);
    const w = variable(ramp([8]));
    variableGrads(() => {
      let y = mul(x, w);
      for (let i = 0; i < 200; i++) {
        // A probe every 40 ops: the sweep meets them from the end of the chain to its start.
        if (i % 40 === 0) y = probe(y, samples);
        // mul's rule makes a new gradient (and unbroadcast temporaries for w) at every step.
        y = tanh(mul(y, w));
      }
      return sum(y);
    }, [w]);
    expect(samples).toHaveLength(5);
    // Between two probes the sweep ran 40 mul and tanh rules: holding every gradient (and every
    // temporary) until the end added 200+ live tensors per probe; freeing them adds none (w's
    // running gradient is replaced, not kept beside its predecessors).
    const growth = samples[samples.length - 1] - samples[0];
    expect(growth).toBeLessThanOrEqual(2);
    w.dispose();
    x.dispose();
  });

  it('gives the same gradients through identity rules, shared inputs, a reused dy and unstack groups', () => {
    // add passes dy on to both inputs (the same tensor twice), reshape hands on a view of it, x is
    // read by many consumers (and by one op twice: mul(x, x)), unstack's outputs are consumed
    // unevenly (one twice, one never) and one of them is also stacked back.
    const f = (x: Tensor, b: Tensor) => {
      const doubled = add(x, x);
      const flat = add(reshape(doubled, [12]), b);
      const rows = unstack(reshape(flat, [3, 4]), 0);
      const used = add(mul(rows[0], rows[0]), tanh(rows[2]));
      const restacked = stack([rows[0], rows[2], used], 0);
      return add(add(reshape(restacked, [3, 4]), mul(x, x)), square(add(x, reshape(b, [3, 4]))));
    };
    const inputs = [ramp([3, 4]), ramp([12])];
    gradCheck(f, inputs.map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape })), { epsilon: 1e-2 });
    // And exactly what the chain rule gives by hand for a pure identity chain: dy reaches x unchanged.
    const seed = ramp([3, 4]);
    const x = variable(ramp([3, 4]));
    const [dx] = tidy(() => gradients(reshape(add(reshape(x, [12]), 0), [3, 4]), [x], seed));
    expect(values(dx!)).toEqual(values(seed));
    inputs.forEach((t) => t.dispose());
  });

  it('never disposes the caller\'s seed, even when an identity rule hands it straight to the target', () => {
    const x = variable(ramp([2, 3]));
    const seed = ramp([2, 3]);
    const [dx] = gradients(add(x, 0), [x], seed);
    expect(seed.isDisposed).toBe(false);
    expect(values(dx!)).toEqual(values(seed));
    expect(values(seed)).toEqual(values(ramp([2, 3])));
  });

  it('leaks nothing: after variableGrads only the value and the gradients are new', () => {
    const x = ramp([5, 6]);
    const w = variable(ramp([6, 6]));
    const b = variable(ramp([6]));
    const before = memory();
    const { value, grads } = variableGrads(() => {
      const parts = unstack(tanh(add(reshape(mul(x, x), [5, 6]), b)), 0);
      return sum(mul(add(stack(parts.slice(1), 0), parts[0]), sum(w, 0)));
    }, [w, b]);
    const after = memory();
    expect(after.tensors).toBe(before.tensors + 1 + grads.length);
    value.dispose();
    grads.forEach((g) => g.dispose());
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().buffers).toBe(before.buffers);
    [x, w, b].forEach((t) => t.dispose());
  });

  it('leaks nothing when a rule throws halfway through the sweep', () => {
    const x = ramp([3, 3]);
    const before = memory();
    const failing = (t: Tensor) => engine.recordGrad(engine.makeView(t, t.shape), 'failing', [t], () => {
      throw new DendriteError('failing: this rule always throws');
    });
    expect(() => valueAndGrad((t: Tensor) => sum(tanh(mul(failing(tanh(t)), t))))(x)).toThrow(/always throws/);
    expect(memory().tensors).toBe(before.tensors);
    expect(memory().buffers).toBe(before.buffers);
    x.dispose();
  });
});
