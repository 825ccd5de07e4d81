import { describe, expect, it } from 'vitest';
import { add, concat, gather, linear, matmul, memory, mul, reshape, tensor, variable, variableGrads, type Tensor } from '@dendrite/core';
import { SeededRandom, withNegatives } from '@dendrite/datasets';
import { Adam } from '@dendrite/optimizers';
import { twoGroups } from '../test-support.js';
import { normalFactors, uniformFactors } from './initialize.js';
import { NeuralCf } from './neural-cf.js';
import { NeuralCfNetwork, paperInitialValues, type NeuralCfArchitecture, type NeuralCfShape } from './neural-cf-network.js';
import { NeuralCfTrainer, SampledPairs, distinctRows, logLoss } from './neural-cf-training.js';

const ids = (values: number[]) => tensor(Int32Array.from(values), [values.length], 'int32');

/** The pre-layers NeuralCf's math, on core ops over named weights (what the layers model must equal). */
function rawLogits(weights: Map<string, Tensor>, architecture: NeuralCfArchitecture, mlpDepth: number, users: Tensor, items: Tensor): Tensor {
  const p = (name: string) => weights.get(name)!;
  const parts: Tensor[] = [];
  if (architecture !== 'mlp') parts.push(mul(gather(p('gmf.user'), users, 0), gather(p('gmf.item'), items, 0)));
  if (architecture !== 'gmf') {
    let x = concat([gather(p('mlp.user'), users, 0), gather(p('mlp.item'), items, 0)], 1);
    for (let layer = 1; layer < mlpDepth; layer++) x = linear(x, p(`mlp.weight${layer}`), { bias: p(`mlp.bias${layer}`), activation: 'relu' });
    parts.push(x);
  }
  const joined = parts.length === 1 ? parts[0] : concat(parts, 1);
  return reshape(add(matmul(joined, p('output.weight')), p('output.bias')), [items.shape[0]]);
}

/** The pre-layers initialisation: every weight drawn in saved order from one generator. */
function rawInitialWeights(shape: NeuralCfShape, seed: number): Map<string, Tensor> {
  const random = new SeededRandom(seed);
  const weights = new Map<string, Tensor>();
  for (const [name, wanted] of NeuralCfNetwork.weightShapes(shape)) {
    const [rows, columns] = wanted.length === 2 ? wanted : [wanted[0], 1];
    const values = name.endsWith('.user') || name.endsWith('.item') ? normalFactors(rows, columns, 0.01, random)
      : name.includes('bias') ? new Float32Array(rows * columns) : uniformFactors(rows, columns, Math.sqrt(6 / (rows + columns)), random);
    weights.set(name, variable(tensor(values, wanted), name));
  }
  return weights;
}

describe('NeuralCfNetwork (NCF on @dendrite/layers)', () => {
  for (const architecture of ['gmf', 'mlp', 'neumf'] as const) {
    it(`${architecture}: Embedding + Dense layers give the raw-op formula's logits, from the same initial weights`, async () => {
      const shape: NeuralCfShape = { architecture, userCount: 5, itemCount: 7, factors: 3, mlpLayers: [6, 4, 2] };
      const network = new NeuralCfNetwork(shape, paperInitialValues(new SeededRandom(11)));
      const raw = rawInitialWeights(shape, 11);
      for (const [name, value] of network.namedWeights()) expect(Array.from(await value.data())).toEqual(Array.from(await raw.get(name)!.data()));
      // Make the tiny case less trivial than the near-zero embeddings: scale every weight up.
      for (const [name, value] of network.namedWeights()) {
        const scaled = mul(value, 40 + name.length);
        value.assign(scaled);
        raw.get(name)!.assign(scaled);
        scaled.dispose();
      }
      const users = ids([0, 4, 2, 2, 1]);
      const items = ids([6, 0, 3, 5, 3]);
      const fromLayers = await network.apply({ users, items }).data();
      const fromFormula = await rawLogits(raw, architecture, shape.mlpLayers.length, users, items).data();
      expect(new Set(fromLayers).size).toBeGreaterThan(1);
      fromLayers.forEach((value, pair) => expect(value).toBeCloseTo(fromFormula[pair], 5));
      network.dispose();
      for (const value of raw.values()) value.dispose();
    });
  }

  it('keeps the saved weight names and shapes of the raw-op NeuralCf, so its saved models load', () => {
    // The list the pre-layers NeuralCf saved (and loadRecommender checks) for NeuMF 16 + 64-32-16-8.
    expect(NeuralCfNetwork.weightShapes({ architecture: 'neumf', userCount: 943, itemCount: 1682, factors: 16, mlpLayers: [64, 32, 16, 8] })).toEqual([
      ['gmf.user', [943, 16]], ['gmf.item', [1682, 16]], ['mlp.user', [943, 32]], ['mlp.item', [1682, 32]],
      ['mlp.weight1', [64, 32]], ['mlp.bias1', [32]], ['mlp.weight2', [32, 16]], ['mlp.bias2', [16]], ['mlp.weight3', [16, 8]], ['mlp.bias3', [8]],
      ['output.weight', [24, 1]], ['output.bias', [1]],
    ]);
    expect(NeuralCfNetwork.weightShapes({ architecture: 'gmf', userCount: 3, itemCount: 4, factors: 2, mlpLayers: [4, 2] }).map(([name]) => name)).toEqual(['gmf.user', 'gmf.item', 'output.weight', 'output.bias']);
  });

  it('refuses pairs of mismatched shapes and ids outside the tables', () => {
    const network = new NeuralCfNetwork({ architecture: 'neumf', userCount: 3, itemCount: 4, factors: 2, mlpLayers: [4, 2] }, paperInitialValues(new SeededRandom(1)));
    expect(() => network.apply({ users: ids([0, 1]), items: ids([2]) })).toThrow(/rank-1 of one length/);
    expect(() => network.apply({ users: ids([3]), items: ids([0]) })).toThrow(/id 3 at position 0 is outside \[0, 3\)/);
    expect(() => network.weight('mlp.weight7')).toThrow(/no weight 'mlp.weight7'/);
    network.dispose();
  });

  it('NeuralCf.fit through the Trainer trains exactly as the old hand loop (same sampling, order, loss and Adam)', async () => {
    const matrix = twoGroups();
    const options = { architecture: 'neumf' as const, factors: 3, mlpLayers: [6, 4, 2], batchSize: 8, negatives: 2, learningRate: 0.01 };
    const model = new NeuralCf(options);
    const history = await model.fit(matrix, { epochs: 2, seed: 5 });
    const trained = new Map<string, Float32Array>();
    for (const [name, weight] of Object.entries(await (model as unknown as { weightTensors(): Promise<Record<string, { data: Float32Array }>> }).weightTensors())) trained.set(name, weight.data);

    // The pre-layers loop, written out: draws, shuffles, loss and Adam as NeuralCf did them before.
    const shape: NeuralCfShape = { architecture: 'neumf', userCount: matrix.userCount, itemCount: matrix.itemCount, factors: 3, mlpLayers: [6, 4, 2] };
    const raw = rawInitialWeights(shape, 5);
    const parameters = [...raw.values()];
    const adam = new Adam(parameters, { learningRate: 0.01 });
    const positives = matrix.toColumns();
    const shuffler = new SeededRandom(5 + 7919);
    const losses: number[] = [];
    for (let epoch = 1; epoch <= 2; epoch++) {
      const rows = withNegatives(positives, { itemCount: matrix.itemCount, count: 2, seed: 5 * 1000 + epoch });
      const order = shuffler.permutation(rows.users.length);
      let lossSum = 0;
      for (let start = 0; start < order.length; start += 8) {
        const picks = order.subarray(start, start + 8);
        const { value, grads } = variableGrads(() => logLoss(
          rawLogits(raw, 'neumf', 3, ids(Array.from(picks, (row) => rows.users[row])), ids(Array.from(picks, (row) => rows.items[row]))),
          tensor(Float32Array.from(picks, (row) => rows.labels[row]), [picks.length])), parameters);
        adam.step(grads);
        grads.forEach((gradient) => gradient.dispose());
        lossSum += (await value.data())[0] * picks.length;
        value.dispose();
      }
      losses.push(lossSum / order.length);
    }
    history.epochs.forEach((log, epoch) => expect(log.loss).toBeCloseTo(losses[epoch], 5));
    for (const [name, value] of raw) {
      const expected = await value.data();
      trained.get(name)!.forEach((weight, index) => expect(weight).toBeCloseTo(expected[index], 5));
    }
    adam.dispose();
    parameters.forEach((parameter) => parameter.dispose());
    model.dispose();
  });

  it('SampledPairs gives withNegatives\' rows in a seeded shuffle, redrawn each walk, from the interactions in place', () => {
    const before = memory().tensors;
    const matrix = twoGroups();
    const source = new SampledPairs(matrix.byUser, { itemCount: matrix.itemCount, negatives: 3, batchSize: 7, seed: 2 });
    expect(source.stepsPerEpoch).toBe(Math.ceil(matrix.size * 4 / 7));
    const walk = () => [...source].flatMap((batch) => Array.from(batch.inputs.items.data as Int32Array, (item, row) =>
      `${(batch.inputs.users.data as Int32Array)[row]}:${item}:${(batch.targets.data as Float32Array)[row]}`));
    const shuffler = new SeededRandom(2 + 7919);
    const expected = (epoch: number) => {
      const rows = withNegatives(matrix.toColumns(), { itemCount: matrix.itemCount, count: 3, seed: 2 * 1000 + epoch });
      return Array.from(shuffler.permutation(rows.users.length), (row) => `${rows.users[row]}:${rows.items[row]}:${rows.labels[row]}`);
    };
    const first = walk();
    const second = walk();
    expect(first).toEqual(expected(1));
    expect(second).toEqual(expected(2));
    expect(first.filter((row) => row.endsWith(':0')).sort()).not.toEqual(second.filter((row) => row.endsWith(':0')).sort());
    expect(memory().tensors).toBe(before);
    expect(() => new SampledPairs({ offsets: Int32Array.from([0, 2]), columns: Int32Array.from([0, 1]) }, { itemCount: 2, negatives: 1, batchSize: 2, seed: 1 })[Symbol.iterator]().next())
      .toThrow(/user 0 interacted with all 2 items/);
    expect(() => new SampledPairs({ offsets: Int32Array.from([0, 3]), columns: Int32Array.from([0, 1]) }, { itemCount: 2, negatives: 1, batchSize: 2, seed: 1 })).toThrow(/do not describe 2 interactions/);
  });

  it('lazy embedding updates: step 1 equals dense Adam; later, only looked-up rows move', async () => {
    const shape: NeuralCfShape = { architecture: 'neumf', userCount: 6, itemCount: 9, factors: 3, mlpLayers: [6, 4, 2] };
    const batch = (users: number[], items: number[], labels: number[]) => ({
      inputs: { users: { data: Int32Array.from(users), shape: [users.length] }, items: { data: Int32Array.from(items), shape: [items.length] } },
      targets: { data: Float32Array.from(labels), shape: [labels.length] },
    });
    const first = batch([0, 2, 2, 5], [1, 4, 8, 1], [1, 0, 1, 0]);
    const second = batch([3, 3], [6, 7], [1, 0]);
    const train = async (lazy: boolean, batches: Array<ReturnType<typeof batch>>) => {
      const network = new NeuralCfNetwork(shape, paperInitialValues(new SeededRandom(4)));
      const tables = new Set(['gmf.user', 'gmf.item', 'mlp.user', 'mlp.item']);
      const weights = lazy ? network.namedWeights().filter(([name]) => !tables.has(name)).map(([, w]) => w) : network.parameters();
      const optimizer = new Adam(weights, { learningRate: 0.05 });
      const trainer = new NeuralCfTrainer(network, optimizer, { regularization: 0.01, lazyEmbeddings: lazy && { learningRate: 0.05 } });
      await trainer.fit(batches, { epochs: 1 });
      const values = new Map<string, Float32Array>();
      for (const [name, w] of network.namedWeights()) values.set(name, (await w.data()) as Float32Array);
      trainer.dispose();
      optimizer.dispose();
      network.dispose();
      return values;
    };
    const before = memory().tensors;
    const [denseOne, lazyOne] = [await train(false, [first]), await train(true, [first])];
    for (const [name, values] of denseOne) values.forEach((value, index) => expect(lazyOne.get(name)![index]).toBeCloseTo(value, 6));
    const [denseTwo, lazyTwo] = [await train(false, [first, second]), await train(true, [first, second])];
    // User 0 is only in the first batch: dense Adam keeps moving its rows on step 2, lazy Adam leaves them.
    const row = (values: Float32Array, user: number, width: number) => Array.from(values.subarray(user * width, (user + 1) * width));
    expect(row(lazyTwo.get('gmf.user')!, 0, 3)).toEqual(row(lazyOne.get('gmf.user')!, 0, 3));
    expect(row(denseTwo.get('gmf.user')!, 0, 3)).not.toEqual(row(denseOne.get('gmf.user')!, 0, 3));
    // User 3 (second batch) moved in both; user 1 (never looked up) never moved in either.
    expect(row(lazyTwo.get('mlp.user')!, 3, 3)).not.toEqual(row(lazyOne.get('mlp.user')!, 3, 3));
    expect(row(lazyTwo.get('mlp.user')!, 1, 3)).toEqual(row(denseTwo.get('mlp.user')!, 1, 3));
    expect(memory().tensors).toBe(before);
  });

  it('NeuralCf with embeddingUpdates: \'lazy\' learns the two taste groups and saves the option', async () => {
    const matrix = twoGroups();
    const model = new NeuralCf({ architecture: 'gmf', factors: 4, learningRate: 0.02, embeddingUpdates: 'lazy' });
    await model.fit(matrix, { epochs: 40, seed: 2 });
    // Users 2 and 8 miss two items each of their own group (100–105, 106–111): those come first.
    const { items } = await model.recommend([2, 8], { count: 2 });
    expect(new Set(items.subarray(0, 2))).toEqual(new Set([102, 103]));
    expect(new Set(items.subarray(2))).toEqual(new Set([108, 109]));
    expect((await model.save()).config.embeddingUpdates).toBe('lazy');
    expect(() => new NeuralCf({ embeddingUpdates: 'sparse' as 'lazy' })).toThrow(/embeddingUpdates must be 'dense' or 'lazy'/);
    model.dispose();
  });

  it('distinctRows gives first-seen distinct ids and each id\'s slot', () => {
    const { rows, slots } = distinctRows(Int32Array.from([5, 2, 5, 9, 2]));
    expect(Array.from(rows)).toEqual([5, 2, 9]);
    expect(Array.from(slots)).toEqual([0, 1, 0, 2, 1]);
  });
});

