import { DendriteError, gather, mean, mul, softplus, sub, variableGrads, type Tensor } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import type { Optimizer } from '@dendrite/optimizers';
import { Trainer, type Batch, type TensorData } from '@dendrite/training';
import type { NeuralCfNetwork, NeuralCfPairs } from './neural-cf-network.js';
import { BatchRows, EMBEDDING_TABLES, LazyRowAdam, tableSide, withEmbeddingL2 } from './neural-cf-rows.js';

export { distinctRows } from './neural-cf-rows.js';

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
  private readonly lazy: LazyRowAdam | null;

  constructor(private readonly network: NeuralCfNetwork, optimizer: Optimizer, options: NeuralCfTrainerOptions = {}) {
    super(network, { optimizer, loss: logLoss });
    this.regularization = options.regularization ?? 0;
    if (!(this.regularization >= 0)) throw new DendriteError(`NeuralCfTrainer: regularization must be >= 0, got ${this.regularization}`);
    const lazy = options.lazyEmbeddings;
    this.lazy = lazy ? new LazyRowAdam(lazy) : null;
    if (this.lazy) {
      const held = new Set(optimizer.parameters);
      for (const [name] of EMBEDDING_TABLES) {
        const table = network.weightOrNull(name);
        if (table && held.has(table)) throw new DendriteError(`NeuralCfTrainer: with lazyEmbeddings the optimizer must not hold the embedding table '${name}' (the lazy Adam steps it)`);
      }
    }
  }

  override async trainStep(batch: Batch<NeuralCfPairs, Tensor>): Promise<Tensor> {
    if (this.lazy) return this.lazyStep(batch);
    const { value, grads } = variableGrads(() => {
      const logits = this.network.apply(batch.inputs);
      const rowsOf = (name: string) => {
        const table = this.network.weightOrNull(name);
        return table && gather(table, batch.inputs[tableSide(name)], 0);
      };
      return withEmbeddingL2(this.loss(logits, batch.targets), rowsOf, this.regularization, batch.inputs.users.shape[0]);
    }, this.trainableParameters());
    await this.applyGradients(grads, value);
    return value;
  }

  /**
   * The lazy step: the batch's distinct users and items are looked up once into small leaf variables
   * ({@link BatchRows}), the model runs on those rows, the tower and output step through the optimizer,
   * and each table's looked-up rows step by the lazy Adam.
   */
  private async lazyStep(batch: Batch<NeuralCfPairs, Tensor>): Promise<Tensor> {
    const lazy = this.lazy!;
    const { users, items } = batch.inputs;
    const [userIds, itemIds] = await Promise.all([users.data(), items.data()]);
    const rows = new BatchRows(this.network, userIds as Int32Array, itemIds as Int32Array);
    try {
      const { value, grads } = variableGrads(
        () => rows.loss(this.network, (logits) => this.loss(logits, batch.targets), this.regularization, users.shape[0]),
        [...rows.leaves.map((leaf) => leaf.rows), ...this.trainableParameters()],
      );
      const rowGradients = grads.slice(0, rows.leaves.length);
      await this.applyGradients(grads.slice(rows.leaves.length), value);
      lazy.nextStep();
      rows.leaves.forEach((leaf, index) => {
        lazy.stepRows(leaf.name, leaf.table, rowGradients[index], rows.idTensors[leaf.side]);
        rowGradients[index].dispose();
      });
      return value;
    } finally {
      rows.dispose();
    }
  }

  /** Sets the lazy Adam's learning rate for the embedding tables (no effect without `lazyEmbeddings`); a schedule's hook. */
  setEmbeddingLearningRate(learningRate: number): void {
    if (!(learningRate > 0)) throw new DendriteError(`NeuralCfTrainer: the embedding learning rate must be > 0, got ${learningRate}`);
    if (this.lazy) this.lazy.learningRate = learningRate;
  }

  /** Frees the lazy Adam's moments (the optimizer is the caller's). */
  dispose(): void {
    this.lazy?.dispose();
  }
}
