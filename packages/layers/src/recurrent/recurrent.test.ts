import { DendriteError, Tensor, randomNormal, tensor, tidy, zeros } from '@dendrite/core';
import { expectClose } from '@dendrite/core/testing';
import { describe, expect, it } from 'vitest';
import golden from '../__fixtures__/golden.json';
import { constant } from '../initializers.js';
import { input } from '../symbolic.js';
import { Layer, type InputShape } from '../layer.js';
import { loadPyTorchStateDict, pytorchStateDict } from '../pytorch.js';
import { checkLayerGradients } from '../test-utils.js';
import { Bidirectional } from './bidirectional.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { Recurrent } from './recurrent.js';
import { SimpleRNN } from './simple-rnn.js';

interface Encoded { shape: number[]; values: number[] }
const fixture = (golden as unknown as { cases: Record<string, { inputs: Encoded[]; outputs: Encoded[]; params: Record<string, Encoded> }> }).cases;
const fromFixture = (encoded: Encoded) => tensor(Float32Array.from(encoded.values), encoded.shape);

/** Calls a recurrent layer with a fixed mask (or initial state), so the gradient checker sees a tensor-in layer. */
class WithMask extends Layer {
  constructor(private readonly inner: Recurrent<boolean> | Bidirectional<boolean>, private readonly mask: Tensor) {
    super({});
    this.addLayer('inner', inner);
  }

  protected override onBuild(shape: InputShape): void {
    this.inner.build(shape);
  }

  protected forward(x: Tensor): Tensor {
    const output = this.inner.apply({ input: x, mask: this.mask });
    return Array.isArray(output) ? output[0] : output;
  }
}

const sequence = (batch: number, time: number, features: number, seed = 3) =>
  ({ values: randomNormal([batch, time, features], 0, 1, seed).dataSync() as Float32Array, shape: [batch, time, features] });

describe('the PyTorch contract of the issue', () => {
  it('LSTM built for [2, 5, 4], loaded from weight_ih_l0… , equals torch.nn.LSTM(4, 3, batch_first=True)(xs)[0]', () => tidy(() => {
    const { inputs: [xsEncoded], outputs: [expected], params } = fixture.lstm_contract;
    const [weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((key) => fromFixture(params[key]));
    const xs = fromFixture(xsEncoded);
    const lstm = new LSTM({ units: 3, returnSequences: true });
    lstm.build([2, 5, 4]);
    loadPyTorchStateDict(lstm, { weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 });
    const ys = lstm.apply(xs);
    expect(ys.shape).toEqual([2, 5, 3]);
    expectClose(ys.dataSync(), expected.values, { atol: 2e-4, rtol: 0 });
  }));
});

describe('SimpleRNN, LSTM, GRU', () => {
  const kinds = [
    ['SimpleRNN', (o: { units: number; returnSequences?: boolean; seed?: number }) => new SimpleRNN(o)],
    ['LSTM', (o: { units: number; returnSequences?: boolean; seed?: number }) => new LSTM(o)],
    ['GRU', (o: { units: number; returnSequences?: boolean; seed?: number }) => new GRU(o)],
  ] as const;

  for (const [kind, make] of kinds) {
    it(`${kind}: gradients of input and every weight pass finite differences (sequences, with a padding mask)`, () => {
      const mask = tensor([[1, 1, 0], [0, 1, 1]], [2, 3], 'int32');
      checkLayerGradients(new WithMask(make({ units: 2, returnSequences: true, seed: 5 }), mask), [sequence(2, 3, 2)], { epsilon: 1e-2, atol: 1e-2, rtol: 2e-2 });
      checkLayerGradients(make({ units: 2, seed: 6 }), [sequence(2, 3, 2, 4)], { epsilon: 1e-2, atol: 1e-2, rtol: 2e-2 });
    });

    it(`${kind}: masked steps output zeros and carry the state; lengths are the same as a right-padding mask`, () => tidy(() => {
      const layer = make({ units: 3, returnSequences: true, seed: 7 }) as Recurrent<false>;
      const x = randomNormal([2, 4, 2], 0, 1, 8);
      const mask = tensor([[1, 1, 1, 1], [1, 1, 0, 0]], [2, 4]);
      const masked = layer.apply({ input: x, mask }).arraySync() as number[][][];
      expectClose([...masked[1][2], ...masked[1][3]], [0, 0, 0, 0, 0, 0], { atol: 0, rtol: 0 });
      expectClose(layer.apply({ input: x, lengths: [4, 2] }).dataSync(), masked.flat(2));
      // Any non-zero entry marks a valid step.
      expectClose(layer.apply({ input: x, mask: tensor([[3, 1, 1, 0.5], [2, 1, 0, 0]], [2, 4]) }).dataSync(), masked.flat(2));
      // The last output of a padded sequence is the output of its last valid step.
      const last = make({ units: 3, seed: 7 }) as Recurrent<false>;
      last.build([2, 4, 2]);
      last.loadStateDict(layer.stateDict());
      const final = last.apply({ input: x, mask }).arraySync() as number[][];
      expectClose(final[1], masked[1][1]);
      expectClose(final[0], masked[0][3]);
    }));
  }

  it('returnState gives [output, h, c] for the LSTM and [output, h] for the GRU; initialState is used', () => tidy(() => {
    const x = randomNormal([2, 3, 2], 0, 1, 9);
    const lstm = new LSTM({ units: 4, returnState: true, seed: 1 });
    const [output, h, c] = lstm.apply(x);
    expect([output.shape, h.shape, c.shape]).toEqual([[2, 4], [2, 4], [2, 4]]);
    expectClose(output.dataSync(), h.dataSync());
    const gru = new GRU({ units: 4, returnState: true, returnSequences: true, seed: 1 });
    const outputs = gru.apply(x);
    expect(outputs.map((t) => t.shape)).toEqual([[2, 3, 4], [2, 4]]);
    const fromState = gru.apply({ input: x, initialState: [tensor(new Float32Array(8).fill(0.5), [2, 4])] });
    expect(fromState[1].dataSync()).not.toEqual(outputs[1].dataSync());
  }));

  it('the same seed gives the same weights; the LSTM forget-gate bias starts at one', () => tidy(() => {
    const a = new LSTM({ units: 2, seed: 11 });
    const b = new LSTM({ units: 2, seed: 11 });
    a.build([1, 1, 3]);
    b.build([1, 1, 3]);
    expect(a.kernel.dataSync()).toEqual(b.kernel.dataSync());
    expect(Array.from(a.bias!.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(a.stateDict().recurrentKernel.shape).toEqual([2, 8]);
  }));

  it('getConfig rebuilds the layer; outputShape and symbolic inputs give the shapes', () => {
    const gru = new GRU({ units: 5, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid', seed: 2 });
    const copy = new GRU(gru.getConfig() as unknown as ConstructorParameters<typeof GRU>[0]);
    expect(copy.getConfig()).toEqual(gru.getConfig());
    expect(gru.outputShape([-1, 7, 3])).toEqual([[-1, 7, 5], [-1, 5]]);
    const symbolic = new LSTM({ units: 6 }).apply(input({ shape: [10, 4] }));
    expect(symbolic.shape).toEqual([-1, 6]);
  });

  it('refuses bad options and inputs with DendriteErrors that say what is wrong', () => tidy(() => {
    expect(() => new LSTM({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(() => new SimpleRNN({ units: 2, activation: 'nope' as 'tanh' })).toThrow(DendriteError);
    const lstm = new LSTM({ units: 2, seed: 1 });
    const x = zeros([2, 3, 4]);
    lstm.apply(x);
    expect(() => lstm.apply(zeros([2, 3, 5]))).toThrow(/expected inputs \[batch, time > 0, 4\], got \[2, 3, 5\]/);
    expect(() => lstm.apply({ input: x, mask: zeros([2, 4]) })).toThrow(/mask \[2, 4\] does not match \[batch, time\] = \[2, 3\]/);
    expect(() => lstm.apply({ input: x, lengths: [3, 4] })).toThrow(/length 4 of sequence 1 is not an integer in \[0, 3\]/);
    expect(() => lstm.apply({ input: x, lengths: [3] })).toThrow(/got 1 lengths for a batch of 2/);
    expect(() => lstm.apply({ input: x, mask: zeros([2, 3]), lengths: [1, 1] })).toThrow(/mask or lengths, not both/);
    expect(() => lstm.apply({ input: x, initialState: [zeros([2, 2])] })).toThrow(/initialState must be a list of 2 tensor/);
    expect(() => lstm.apply({ input: x, initialState: [zeros([2, 2]), zeros([3, 2])] })).toThrow(/initialState\[1\] must be \[2, 2\], got \[3, 2\]/);
  }));
});

describe('Bidirectional', () => {
  it('passes finite differences with a padding mask (both directions, every weight)', () => {
    const mask = tensor([[1, 1, 1], [1, 1, 0]], [2, 3]);
    const layer = new Bidirectional({ layer: new GRU({ units: 2, returnSequences: true }), mergeMode: 'concat', seed: 3 });
    checkLayerGradients(new WithMask(layer, mask), [sequence(2, 3, 2, 12)], { epsilon: 1e-2, atol: 1e-2, rtol: 2e-2 });
  });

  it('the backward direction reads each sequence from its last valid step', () => tidy(() => {
    const layer = new Bidirectional({ layer: new SimpleRNN({ units: 2, returnSequences: true }), seed: 4 });
    const x = randomNormal([1, 4, 3], 0, 1, 13);
    const padded = layer.apply({ input: x, lengths: [2] }).arraySync() as number[][][];
    // The same two steps alone: equal where valid (the backward half starts at step 1, not step 3).
    const alone = layer.apply(x.shape[1] === 4 ? sliceSteps(x, 2) : x).arraySync() as number[][][];
    expectClose(padded[0].slice(0, 2).flat(), alone[0].flat());
    expectClose(padded[0][3], [0, 0, 0, 0], { atol: 0, rtol: 0 });
  }));

  it('merges by concat, sum, mul or average; returnState lists forward then backward states; PyTorch names end in _reverse', () => tidy(() => {
    const x = randomNormal([2, 3, 2], 0, 1, 14);
    const concat = new Bidirectional({ layer: new LSTM({ units: 2, returnState: true }), seed: 5 });
    const [output, ...states] = concat.apply(x);
    expect(output.shape).toEqual([2, 4]);
    expect(states.map((s) => s.shape)).toEqual([[2, 2], [2, 2], [2, 2], [2, 2]]);
    for (const mergeMode of ['sum', 'mul', 'average'] as const) {
      expect(new Bidirectional({ layer: new GRU({ units: 2 }), mergeMode, seed: 5 }).apply(x).shape).toEqual([2, 2]);
    }
    expect(concat.outputShape([-1, 3, 2])).toEqual([[-1, 4], [-1, 2], [-1, 2], [-1, 2], [-1, 2]]);
    expect(Object.keys(pytorchStateDict(concat)).sort()).toEqual([
      'bias_hh_l0', 'bias_hh_l0_reverse', 'bias_ih_l0', 'bias_ih_l0_reverse',
      'weight_hh_l0', 'weight_hh_l0_reverse', 'weight_ih_l0', 'weight_ih_l0_reverse',
    ]);
    expect(() => new Bidirectional({ layer: new GRU({ units: 2 }), mergeMode: 'max' as 'sum' })).toThrow(/mergeMode/);
    // The backward copy keeps the options, custom initializers included, and goes the other way.
    const custom = new Bidirectional({ layer: new GRU({ units: 2, kernelInitializer: constant(0.5) }), seed: 6 });
    custom.build([1, 3, 2]);
    expect(Array.from(custom.backwardLayer.kernel.dataSync())).toEqual(new Array(12).fill(0.5));
    expect([custom.forwardLayer.goBackwards, custom.backwardLayer.goBackwards]).toEqual([false, true]);
    expect(() => concat.apply({ input: x, initialState: [zeros([2, 2])] })).toThrow(/initialState must list 4 tensors/);
  }));
});

function sliceSteps(x: Tensor, steps: number): Tensor {
  const [batch, , features] = x.shape;
  const values = x.dataSync().slice(0, batch * steps * features);
  return tensor(values, [batch, steps, features]);
}
