import {
  DendriteError, add, assignAdamRows, gather, keep, mean, mul, noGrad, softplus, sub, sum, tensor, tidy, variable, variableGrads, zerosLike, type Tensor,
} from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import type { Optimizer } from '@dendrite/optimizers';
import { Trainer, type Batch, type TensorData } from '@dendrite/training';
import type { NeuralCfNetwork, NeuralCfPairs } from './neural-cf-network.js';

/** Mean log loss of logits `z` against 0/1 labels `y`: softplus(z) − y·z (stable for any z). */
export function logLoss(z: Tensor, y: Tensor): Tensor {
  return mean(sub(softplus(z), mul(y, z)));
}

/** One batch of the sampled training rows, as the Trainer takes it (arrays it turns into tensors and frees). */
export interface SampledPairsBatch {
  inputs: { users: TensorData; items: TensorData };
  targets: TensorData;
}

/** Interactions by user: user u's items are `columns[offsets[u] … offsets[u + 1])`, sorted and distinct (an `InteractionMatrix`'s `byUser`). */
export interface InteractionRows {
  offsets: Int32Array;
  columns: Int32Array;
}

/**
 * The NCF training rows as a Trainer data source: every walk (one per epoch) draws `negatives` items
 * the user never interacted with per observed interaction (seed·1000 + epoch), shuffles all rows by one
 * generator kept across epochs, and yields batches of `batchSize` — the same draws and order as
 * `@dendrite/datasets`' `withNegatives` on the interactions in user order, then a permutation. It reads
 * the interactions where they are (no copy): an epoch holds only its negatives (4·negatives bytes per
 * interaction) and its order (4·(1 + negatives) bytes per interaction).
 *
 * @example
 * ```ts
 * const source = new SampledPairs(matrix.byUser, { itemCount: matrix.itemCount, negatives: 4, batchSize: 256, seed: 1 });
 * await trainer.fit(source, { epochs: 20 });
 * ```
 */
export class SampledPairs implements Iterable<SampledPairsBatch> {
  /** Batches in one epoch. */
  readonly stepsPerEpoch: number;
  /** Training rows in one epoch: each interaction and its negatives. */
  readonly rowsPerEpoch: number;
  private epoch = 0;
  private readonly shuffler: SeededRandom;

  constructor(
    private readonly interactions: InteractionRows,
    private readonly options: { itemCount: number; negatives: number; batchSize: number; seed: number },
  ) {
    const { offsets, columns } = interactions;
    if (offsets.length < 2 || offsets[0] !== 0 || offsets[offsets.length - 1] !== columns.length) {
      throw new DendriteError(`SampledPairs: ${offsets.length} offsets do not describe ${columns.length} interactions`);
    }
    for (const field of ['itemCount', 'negatives', 'batchSize'] as const) {
      if (!Number.isInteger(options[field]) || options[field] < (field === 'negatives' ? 0 : 1)) throw new DendriteError(`SampledPairs: ${field} must be a ${field === 'negatives' ? 'non-negative' : 'positive'} integer, got ${options[field]}`);
    }
    this.rowsPerEpoch = columns.length * (1 + options.negatives);
    this.stepsPerEpoch = Math.ceil(this.rowsPerEpoch / options.batchSize);
    this.shuffler = new SeededRandom(options.seed + 7919);
  }

  /** One walk over the interactions: negatives drawn afresh, rows shuffled, batches of `batchSize`. */
  *[Symbol.iterator](): Iterator<SampledPairsBatch> {
    const { negatives: count, batchSize, seed } = this.options;
    const { offsets, columns } = this.interactions;
    this.epoch++;
    const negatives = this.sampleNegatives(seed * 1000 + this.epoch);
    const order = this.shuffler.permutation(this.rowsPerEpoch);
    const perPositive = count + 1;
    for (let start = 0; start < order.length; start += batchSize) {
      const size = Math.min(batchSize, order.length - start);
      const users = new Int32Array(size);
      const items = new Int32Array(size);
      const labels = new Float32Array(size);
      for (let index = 0; index < size; index++) {
        const row = order[start + index];
        const positive = Math.floor(row / perPositive);
        const draw = row - positive * perPositive;
        users[index] = userOf(offsets, positive);
        items[index] = draw === 0 ? columns[positive] : negatives[positive * count + draw - 1];
        labels[index] = draw === 0 ? 1 : 0;
      }
      const shape = [size];
      yield { inputs: { users: { data: users, shape }, items: { data: items, shape } }, targets: { data: labels, shape } };
    }
  }

  /** `negatives` unseen items per interaction, in user order: `sampleNegatives`' draws, read from the rows in place. */
  private sampleNegatives(seed: number): Int32Array {
    const { itemCount, negatives: count } = this.options;
    const { offsets, columns } = this.interactions;
    const random = new SeededRandom(seed);
    const negatives = new Int32Array(columns.length * count);
    for (let user = 0; user + 1 < offsets.length; user++) {
      const first = offsets[user];
      const end = offsets[user + 1];
      if (end > first && end - first >= itemCount) throw new DendriteError(`SampledPairs: user ${user} interacted with all ${itemCount} items, so no negative exists`);
      for (let positive = first; positive < end; positive++) {
        for (let draw = 0; draw < count; draw++) {
          let item = random.nextInt(itemCount);
          while (sortedHas(columns, first, end, item)) item = random.nextInt(itemCount);
          negatives[positive * count + draw] = item;
        }
      }
    }
    return negatives;
  }
}

/** The user whose row holds interaction `position`: the last u with offsets[u] ≤ position. */
function userOf(offsets: Int32Array, position: number): number {
  let low = 0;
  let high = offsets.length - 1;
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (offsets[middle] <= position) low = middle;
    else high = middle;
  }
  return low;
}

/** Whether sorted `values[first … end)` holds `value`. */
function sortedHas(values: Int32Array, first: number, end: number, value: number): boolean {
  let low = first;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (values[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low < end && values[low] === value;
}

/** Options of {@link NeuralCfTrainer}. */
export interface NeuralCfTrainerOptions {
  /** λ of the embedding L2 term (default 0). */
  regularization?: number;
  /**
   * Step the embedding tables with a lazy (row-sparse) Adam: only the rows a batch looks up move, by
   * core's `assignAdamRows` (PyTorch's SparseAdam, TensorFlow's LazyAdam), with this learning rate and
   * Adam's default betas and ε; the optimizer then holds only the tower and output weights. Dense Adam
   * (the default, `false`) also decays every other row's moments and keeps moving those rows each step.
   */
  lazyEmbeddings?: false | { learningRate: number; beta1?: number; beta2?: number; epsilon?: number };
}

const TABLES = [['gmf.user', 'users'], ['mlp.user', 'users'], ['gmf.item', 'items'], ['mlp.item', 'items']] as const;

/**
 * `@dendrite/training`'s Trainer for NCF: the step's loss is the log loss plus, when `regularization`
 * > 0, λ/N times the squared norms of the batch's user and item embedding rows (each pair's rows once
 * per pair, as in the paper's per-batch L2). With `lazyEmbeddings` the tables are stepped by a lazy
 * Adam on the looked-up rows (the optimizer must then hold only the other weights).
 *
 * @example
 * ```ts
 * const trainer = new NeuralCfTrainer(network, new Adam(network.parameters(), { learningRate: 1e-3 }));
 * await trainer.fit(new SampledPairs(matrix.byUser, { itemCount: matrix.itemCount, negatives: 4, batchSize: 256, seed: 1 }), { epochs: 5 });
 * ```
 */
export class NeuralCfTrainer extends Trainer<NeuralCfPairs, Tensor, Tensor> {
  private readonly regularization: number;
  private readonly lazy: { hyper: { learningRate: number; beta1: number; beta2: number; epsilon: number }; step: number; moments: Map<string, [Tensor, Tensor]> } | null;

  constructor(private readonly network: NeuralCfNetwork, optimizer: Optimizer, options: NeuralCfTrainerOptions = {}) {
    super(network, { optimizer, loss: logLoss });
    this.regularization = options.regularization ?? 0;
    if (!(this.regularization >= 0)) throw new DendriteError(`NeuralCfTrainer: regularization must be >= 0, got ${this.regularization}`);
    const lazy = options.lazyEmbeddings;
    this.lazy = lazy ? { hyper: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...lazy }, step: 0, moments: new Map() } : null;
    if (this.lazy) {
      const held = new Set(optimizer.parameters);
      for (const [name] of TABLES) {
        const table = network.weightOrNull(name);
        if (table && held.has(table)) throw new DendriteError(`NeuralCfTrainer: with lazyEmbeddings the optimizer must not hold the embedding table '${name}' (the lazy Adam steps it)`);
      }
    }
  }

  override async trainStep(batch: Batch<NeuralCfPairs, Tensor>): Promise<Tensor> {
    if (this.lazy) return this.lazyStep(batch);
    const { value, grads } = variableGrads(() => this.stepLoss(batch, this.network.apply(batch.inputs), (name, side) => gather(this.network.weight(name), batch.inputs[side], 0)), this.trainableParameters());
    await this.applyGradients(grads, value);
    return value;
  }

  /** The log loss plus the embedding L2 term over the batch's rows (`rowsOf` looks them up). */
  private stepLoss(batch: Batch<NeuralCfPairs, Tensor>, logits: Tensor, rowsOf: (name: string, side: 'users' | 'items') => Tensor): Tensor {
    let loss = this.loss(logits, batch.targets);
    if (this.regularization > 0) {
      for (const name of ['gmf', 'mlp']) {
        if (!this.network.weightOrNull(`${name}.user`)) continue;
        const userRows = rowsOf(`${name}.user`, 'users');
        const itemRows = rowsOf(`${name}.item`, 'items');
        const squares = add(sum(mul(userRows, userRows)), sum(mul(itemRows, itemRows)));
        loss = add(loss, mul(squares, this.regularization / batch.inputs.users.shape[0]));
      }
    }
    return loss;
  }

  /**
   * The lazy step: the batch's distinct users and items are looked up once into small leaf variables,
   * the model runs on those rows, the tower and output step through the optimizer, and each table's
   * looked-up rows step by `assignAdamRows` (bias correction by this trainer's step count).
   */
  private async lazyStep(batch: Batch<NeuralCfPairs, Tensor>): Promise<Tensor> {
    const lazy = this.lazy!;
    const { users, items } = batch.inputs;
    const [userIds, itemIds] = await Promise.all([users.data(), items.data()]);
    const distinct = { users: distinctRows(userIds as Int32Array), items: distinctRows(itemIds as Int32Array) };
    const made: Tensor[] = [];
    const ids = (values: Int32Array) => {
      const t = tensor(values, [values.length], 'int32');
      made.push(t);
      return t;
    };
    const rowIds = { users: ids(distinct.users.rows), items: ids(distinct.items.rows) };
    const slots = { users: ids(distinct.users.slots), items: ids(distinct.items.slots) };
    const leaves = new Map<string, { table: Tensor; side: 'users' | 'items'; rows: Tensor }>();
    for (const [name, side] of TABLES) {
      const table = this.network.weightOrNull(name);
      if (!table) continue;
      const rows = tidy(() => variable(noGrad(() => gather(table, rowIds[side], 0)), `${name}.rows`));
      made.push(rows);
      leaves.set(name, { table, side, rows });
    }
    const names = [...leaves.keys()];
    const dense = this.trainableParameters();
    try {
      const { value, grads } = variableGrads(() => {
        const rowsOf = (name: string, side: 'users' | 'items') => gather(leaves.get(name)!.rows, slots[side], 0);
        const pick = (name: string, side: 'users' | 'items') => (leaves.has(name) ? rowsOf(name, side) : null);
        const logits = this.network.logitsFromRows({ gmfUser: pick('gmf.user', 'users'), mlpUser: pick('mlp.user', 'users'), gmfItem: pick('gmf.item', 'items'), mlpItem: pick('mlp.item', 'items') });
        return this.stepLoss(batch, logits, rowsOf);
      }, [...names.map((name) => leaves.get(name)!.rows), ...dense]);
      const rowGradients = grads.slice(0, names.length);
      await this.applyGradients(grads.slice(names.length), value);
      lazy.step++;
      const { learningRate, beta1, beta2, epsilon } = lazy.hyper;
      const correction2 = Math.sqrt(1 - beta2 ** lazy.step);
      const hyper = { stepSize: (learningRate * correction2) / (1 - beta1 ** lazy.step), beta1, beta2, epsilon: epsilon * correction2 };
      names.forEach((name, index) => {
        const { table, side } = leaves.get(name)!;
        let moments = lazy.moments.get(name);
        if (!moments) {
          moments = [keep(zerosLike(table)), keep(zerosLike(table))];
          lazy.moments.set(name, moments);
        }
        // In place when the table and moments hold their buffers alone: a step costs the rows, not the table.
        assignAdamRows(table, rowGradients[index], rowIds[side], moments[0], moments[1], hyper);
        rowGradients[index].dispose();
      });
      return value;
    } finally {
      for (const t of made) t.dispose();
    }
  }

  /** Sets the lazy Adam's learning rate for the embedding tables (no effect without `lazyEmbeddings`); a schedule's hook. */
  setEmbeddingLearningRate(learningRate: number): void {
    if (!(learningRate > 0)) throw new DendriteError(`NeuralCfTrainer: the embedding learning rate must be > 0, got ${learningRate}`);
    if (this.lazy) this.lazy.hyper.learningRate = learningRate;
  }

  /** Frees the lazy Adam's moments (the optimizer is the caller's). */
  dispose(): void {
    for (const [m, v] of this.lazy?.moments.values() ?? []) {
      m.dispose();
      v.dispose();
    }
    this.lazy?.moments.clear();
  }
}

/** The distinct values of `ids` in first-seen order (`rows`) and each id's position among them (`slots`). */
export function distinctRows(ids: Int32Array): { rows: Int32Array; slots: Int32Array } {
  const positions = new Map<number, number>();
  const slots = new Int32Array(ids.length);
  for (let index = 0; index < ids.length; index++) {
    let slot = positions.get(ids[index]);
    if (slot === undefined) {
      slot = positions.size;
      positions.set(ids[index], slot);
    }
    slots[index] = slot;
  }
  return { rows: Int32Array.from(positions.keys()), slots };
}
