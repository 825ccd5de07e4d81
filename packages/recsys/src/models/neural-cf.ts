import {
  DendriteError, add, concat, gather, mean, mul, reshape, tensor, tidy, noGrad, variable, variableGrads,
  type DecodedHostTensor, type HostTensor, type Tensor,
} from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { Adam, SGD } from '@dendrite/optimizers';
import type { InteractionExtension, NewInteractions, UpdateOptions, UpdateSummary } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import { Recommender, type EpochLog, type FitOptions, type History, type RecommendOptions, type Recommendations } from '../recommender.js';
import { checkedNumber } from './initialize.js';
import { NeuralCfNetwork, paperInitialValues, type NeuralCfArchitecture, type NeuralCfShape } from './neural-cf-network.js';
import { NeuralCfTrainer, SampledPairs, logLoss } from './neural-cf-training.js';
import { growNetwork, trainUpdate, updateRecipe, type NeuralCfUpdateOptions } from './neural-cf-update.js';

export type { NeuralCfArchitecture } from './neural-cf-network.js';

/** Hyper-parameters of {@link NeuralCf}. */
export interface NeuralCfOptions {
  architecture?: NeuralCfArchitecture;
  /** GMF embedding size, the paper's predictive factors (default 16). */
  factors?: number;
  /** MLP layer widths; the first is the concatenated user+item embedding (default [64, 32, 16, 8]). */
  mlpLayers?: number[];
  /** Adam learning rate (default 0.001). */
  learningRate?: number;
  /** 'adam' (default) or plain 'sgd' — what the paper fine-tunes a pretrained NeuMF with. */
  optimizer?: 'adam' | 'sgd';
  /** L2 weight on the embeddings of each batch (default 0). */
  embeddingRegularization?: number;
  /** Sampled negatives per positive, redrawn every epoch (default 4). */
  negatives?: number;
  /** Instances per step (default 256). */
  batchSize?: number;
  /**
   * Factor on the learning rate after every epoch: epoch e (from 1) trains at learningRate·decay^(e−1)
   * (default 1, constant), so late epochs take smaller steps and stop oscillating. Must be > 0.
   */
  learningRateDecay?: number;
  /** Epochs when fit is not given `epochs` (default 20). */
  epochs?: number;
  /**
   * How Adam steps the embedding tables: `'dense'` (default; every row every step, as PyTorch's Adam and
   * the paper's Keras code) or `'lazy'` (only the rows a batch looks up, as PyTorch's SparseAdam: other
   * rows' moments do not decay and the rows do not move; much cheaper for big tables, see the README).
   */
  embeddingUpdates?: 'dense' | 'lazy';
}

/** Pretrained GMF and MLP to start NeuMF from (the paper's initialisation). */
export interface NeuMfPretraining {
  gmf: NeuralCf;
  mlp: NeuralCf;
  /** Weight of GMF's output layer in the joined one (default 0.5, as in the paper). */
  alpha?: number;
}

const PAIR_CHUNK = 131_072;

/**
 * Neural collaborative filtering (He et al., WWW 2017): GMF (an elementwise product of user and item
 * embeddings through a learned output weight), MLP (their concatenation through a ReLU tower) and
 * NeuMF (both, joined at the output), trained with Adam on the log loss of each observed interaction
 * and `negatives` unobserved ones sampled afresh each epoch. The model is a {@link NeuralCfNetwork} of
 * `@dendrite/layers` (`Embedding` tables, a `Dense` tower and output) trained by `@dendrite/training`'s
 * Trainer ({@link NeuralCfTrainer} over {@link SampledPairs}).
 *
 * @example
 * ```ts
 * const neumf = new NeuralCf({ architecture: 'neumf', factors: 16, mlpLayers: [64, 32, 16, 8] });
 * await neumf.fit(matrix, { epochs: 20, seed: 1 });
 * await neumf.recommend(196, { count: 10 });
 * ```
 */
export class NeuralCf extends Recommender {
  readonly name: NeuralCfArchitecture;
  readonly factors: number;
  readonly mlpLayers: number[];
  readonly learningRate: number;
  readonly optimizer: 'adam' | 'sgd';
  readonly embeddingRegularization: number;
  readonly negatives: number;
  readonly batchSize: number;
  readonly learningRateDecay: number;
  readonly epochs: number;
  readonly embeddingUpdates: 'dense' | 'lazy';
  private network: NeuralCfNetwork | null = null;
  private pretraining: NeuMfPretraining | null = null;

  constructor(options: NeuralCfOptions = {}) {
    super();
    const architecture = options.architecture ?? 'neumf';
    if (!['gmf', 'mlp', 'neumf'].includes(architecture)) throw new DendriteError(`NeuralCf: architecture must be 'gmf', 'mlp' or 'neumf', got ${JSON.stringify(architecture)}`);
    this.name = architecture;
    this.factors = checkedNumber('NeuralCf', 'factors', options.factors ?? 16, { integer: true, minimum: 1 });
    this.mlpLayers = options.mlpLayers ?? [64, 32, 16, 8];
    if (this.mlpLayers.length < 1 || this.mlpLayers[0] % 2 !== 0 || this.mlpLayers.some((width) => !Number.isInteger(width) || width < 1)) {
      throw new DendriteError(`NeuralCf: mlpLayers must be positive integers with an even first width (user and item halves), got [${this.mlpLayers.join(', ')}]`);
    }
    this.learningRate = checkedNumber('NeuralCf', 'learningRate', options.learningRate ?? 0.001, { exclusiveMinimum: 0 });
    this.optimizer = options.optimizer ?? 'adam';
    if (this.optimizer !== 'adam' && this.optimizer !== 'sgd') throw new DendriteError(`NeuralCf: optimizer must be 'adam' or 'sgd', got ${JSON.stringify(options.optimizer)}`);
    this.embeddingRegularization = checkedNumber('NeuralCf', 'embeddingRegularization', options.embeddingRegularization ?? 0, { minimum: 0 });
    this.negatives = checkedNumber('NeuralCf', 'negatives', options.negatives ?? 4, { integer: true, minimum: 1 });
    this.batchSize = checkedNumber('NeuralCf', 'batchSize', options.batchSize ?? 256, { integer: true, minimum: 1 });
    this.learningRateDecay = checkedNumber('NeuralCf', 'learningRateDecay', options.learningRateDecay ?? 1, { exclusiveMinimum: 0 });
    this.epochs = checkedNumber('NeuralCf', 'epochs', options.epochs ?? 20, { integer: true, minimum: 0 });
    this.embeddingUpdates = options.embeddingUpdates ?? 'dense';
    if (this.embeddingUpdates !== 'dense' && this.embeddingUpdates !== 'lazy') throw new DendriteError(`NeuralCf: embeddingUpdates must be 'dense' or 'lazy', got ${JSON.stringify(this.embeddingUpdates)}`);
    if (this.embeddingUpdates === 'lazy' && this.optimizer === 'sgd') throw new DendriteError("NeuralCf: embeddingUpdates 'lazy' steps the looked-up rows with Adam; it cannot be combined with optimizer 'sgd'");
  }

  /** Start the next {@link NeuralCf.fit} of a NeuMF from pretrained GMF and MLP models (same data, sizes). */
  initializeFrom(pretraining: NeuMfPretraining): this {
    if (this.name !== 'neumf') throw new DendriteError(`NeuralCf.initializeFrom: only NeuMF starts from pretrained models, this is ${this.name}`);
    if (pretraining.gmf.name !== 'gmf' || pretraining.mlp.name !== 'mlp') throw new DendriteError('NeuralCf.initializeFrom: needs a fitted GMF and a fitted MLP');
    if (pretraining.gmf.factors !== this.factors || pretraining.mlp.mlpLayers.join() !== this.mlpLayers.join()) {
      throw new DendriteError('NeuralCf.initializeFrom: the pretrained models must have this model\'s factors and mlpLayers');
    }
    this.pretraining = pretraining;
    return this;
  }

  async fit(data: InteractionMatrix, options: FitOptions = {}): Promise<History> {
    if (data.size === 0) throw new DendriteError(`${this.name}.fit: the interaction matrix is empty`);
    this.setData(data);
    const epochs = checkedNumber(`${this.name}.fit`, 'epochs', options.epochs ?? this.epochs, { integer: true, minimum: 0 });
    const seed = options.seed ?? 1;
    this.initialize(data, new SeededRandom(seed));
    const history: History = { epochs: [] };
    // epochs 0 builds the (initialised or pretrained) model only: nothing to train.
    if (epochs === 0) return history;
    const network = this.requireNetwork();
    const lazy = this.embeddingUpdates === 'lazy';
    const tables = new Set(['gmf.user', 'gmf.item', 'mlp.user', 'mlp.item']);
    const optimized = lazy ? network.namedWeights().filter(([name]) => !tables.has(name)).map(([, weight]) => weight) : network.parameters();
    const optimizer = this.optimizer === 'sgd'
      ? new SGD(optimized, { learningRate: this.learningRate })
      : new Adam(optimized, { learningRate: this.learningRate });
    const trainer = new NeuralCfTrainer(network, optimizer, { regularization: this.embeddingRegularization, lazyEmbeddings: lazy && { learningRate: this.learningRate } });
    const source = new SampledPairs(data.byUser, { itemCount: data.itemCount, negatives: this.negatives, batchSize: this.batchSize, seed });
    const onEpoch = options.onEpoch;
    try {
      await trainer.fit(source, {
        epochs,
        // The running loss is read once an epoch (a read per logging interval is a sync point).
        logEvery: Math.max(1, source.stepsPerEpoch),
        callbacks: [{
          onEpochEnd: async (event) => {
            if (this.learningRateDecay !== 1) {
              // The next epoch's rate: learningRate·decay^epochsDone, for the optimizer and the lazy tables alike.
              const next = this.learningRate * this.learningRateDecay ** (event.progress.epoch + 1);
              optimizer.learningRate = next;
              trainer.setEmbeddingLearningRate(next);
            }
            const log: EpochLog = { epoch: event.progress.epoch + 1, loss: event.logs.loss, seconds: event.epochSeconds };
            history.epochs.push(log);
            if ((await onEpoch?.(log)) === false) event.trainer.stopTraining = true;
          },
        }],
      });
    } finally {
      optimizer.dispose();
      trainer.dispose();
    }
    return history;
  }

  /**
   * The model: a logit per (user, item) pair of dense indices. GMF: (pᵤ ⊙ qᵢ)·h; MLP: the ReLU tower
   * over [pᵤ, qᵢ], then ·h; NeuMF: both last layers concatenated, then ·h.
   */
  logits(users: Tensor, items: Tensor): Tensor {
    return this.requireNetwork().apply({ users, items });
  }

  /**
   * Cold start for NCF: a new user's embedding rows learned by `steps` Adam steps on the log loss of
   * their history (positives) and `negatives` sampled unseen items each, every other weight frozen;
   * then every item is scored with them and ranked by topK. An empty history gets the popularity ranking.
   *
   * @example
   * ```ts
   * const top = await neumf.recommendForHistory({ items: [50, 172, 181] }, { count: 10 });
   * ```
   */
  async recommendForHistory(history: { items: ArrayLike<number> }, options: RecommendOptions & { steps?: number; seed?: number } = {}): Promise<Recommendations> {
    const data = this.requireData('recommendForHistory');
    const seen = Int32Array.from(Array.from(history.items), (rawItem) => data.itemIndex(rawItem, 'recommendForHistory'));
    if (seen.length === 0) return this.recommendForNewUser(options);
    const steps = checkedNumber('recommendForHistory', 'steps', options.steps ?? 50, { integer: true, minimum: 1 });
    const random = new SeededRandom(options.seed ?? 1);
    const seenSet = new Set(seen);
    if (seenSet.size >= data.itemCount) throw new DendriteError('recommendForHistory: the history covers the whole catalogue; nothing is left to recommend');
    // Start from the mean user embedding: the "average user", which training then moves.
    const network = this.requireNetwork();
    const start = (name: string) => tidy(() => variable(mean(network.weight(name), 0, true), `${name}.new`));
    const gmfUser = this.name !== 'mlp' ? start('gmf.user') : null;
    const mlpUser = this.name !== 'gmf' ? start('mlp.user') : null;
    const userParameters = [gmfUser, mlpUser].filter((value): value is Tensor => value !== null);
    const optimizer = new Adam(userParameters, { learningRate: 0.05 });
    try {
      for (let step = 0; step < steps; step++) {
        const items: number[] = [], labels: number[] = [];
        for (const item of seen) {
          items.push(item);
          labels.push(1);
          for (let draw = 0; draw < this.negatives; draw++) {
            let negative = random.nextInt(data.itemCount);
            while (seenSet.has(negative)) negative = random.nextInt(data.itemCount);
            items.push(negative);
            labels.push(0);
          }
        }
        const rows = Int32Array.from(items, () => 0);
        const { value, grads } = variableGrads(() => {
          const rowTensor = tensor(rows, [rows.length], 'int32');
          const z = network.logitsFromUserRows(gmfUser && gather(gmfUser, rowTensor, 0), mlpUser && gather(mlpUser, rowTensor, 0), tensor(Int32Array.from(items), [items.length], 'int32'));
          return logLoss(z, tensor(Float32Array.from(labels), [labels.length]));
        }, userParameters);
        optimizer.step(grads);
        value.dispose();
        grads.forEach((gradient) => gradient.dispose());
      }
      return await this.rankScoreRow('recommendForHistory', () => {
        const all = tensor(Int32Array.from({ length: data.itemCount }, (_, item) => item), [data.itemCount], 'int32');
        const rows = tensor(new Int32Array(data.itemCount), [data.itemCount], 'int32');
        return network.logitsFromUserRows(gmfUser && gather(gmfUser, rows, 0), mlpUser && gather(mlpUser, rows, 0), all);
      }, seen, options);
    } finally {
      optimizer.dispose();
      userParameters.forEach((parameter) => parameter.dispose());
    }
  }

  /**
   * Incremental update with new interactions (raw ids), no refit: new users and items get embedding rows
   * (started at the table's mean row, or drawn like fit's with `newRows: 'random'`), then `epochs` (default
   * 10) passes of a row-sparse Adam (learning rate 0.01) over the new interactions plus `replay` (default 1)
   * old interactions of the touched users per new one, each positive with `negatives` items the user never
   * interacted with in the merged data. **What moves:** the embedding rows (GMF and MLP) of the users and
   * items with a new interaction, nothing else; the MLP tower and output layer too only with `layers: true`.
   * So by default a user without a new interaction keeps exactly their scores of every untouched item.
   *
   * @example
   * ```ts
   * const summary = await neumf.update({ users: [5000, 5000, 5000, 196], items: [50, 172, 181, 1683] }, { epochs: 10 });
   * await neumf.recommend(5000, { count: 10 }); // the new user, ranked by the rows learned from Star Wars, Empire, Jedi
   * ```
   */
  override update(added: NewInteractions, options: NeuralCfUpdateOptions = {}): Promise<UpdateSummary> {
    return super.update(added, options);
  }

  /** {@link NeuralCf.update}: grow the tables, train the touched rows; the merged data is attached last. */
  protected override async applyUpdate(extension: InteractionExtension, options: UpdateOptions): Promise<void> {
    const recipe = updateRecipe(this.name, options);
    if (!this.network) throw new DendriteError(`${this.name}.update: the model has no weights (it was disposed, or never fitted or loaded)`);
    const grown = await growNetwork(this.network, this.networkShape(extension.matrix), extension, recipe.newRows, new SeededRandom(recipe.seed));
    try {
      await trainUpdate(grown, extension, recipe, { negatives: this.negatives, batchSize: this.batchSize, regularization: this.embeddingRegularization });
    } catch (error) {
      grown.dispose();
      throw error;
    }
    this.disposeNetwork();
    this.network = grown;
    this.setData(extension.matrix);
  }

  protected scoreUsers(users: Int32Array): Tensor {
    const data = this.requireData('recommend');
    const usersPerChunk = Math.max(1, Math.floor(PAIR_CHUNK / data.itemCount));
    const allItems = Int32Array.from({ length: data.itemCount }, (_, item) => item);
    const blocks: Tensor[] = [];
    for (let start = 0; start < users.length; start += usersPerChunk) {
      const chunk = users.subarray(start, start + usersPerChunk);
      const pairUsers = new Int32Array(chunk.length * data.itemCount);
      const pairItems = new Int32Array(chunk.length * data.itemCount);
      chunk.forEach((user, row) => {
        pairUsers.fill(user, row * data.itemCount, (row + 1) * data.itemCount);
        pairItems.set(allItems, row * data.itemCount);
      });
      blocks.push(tidy(() => noGrad(() => reshape(this.logits(tensor(pairUsers, [pairUsers.length], 'int32'), tensor(pairItems, [pairItems.length], 'int32')), [chunk.length, data.itemCount]))));
    }
    if (blocks.length === 1) return blocks[0];
    const joined = concat(blocks, 0);
    blocks.forEach((block) => block.dispose());
    return joined;
  }

  override async scorePairs(users: Int32Array, items: Int32Array): Promise<Float32Array> {
    const data = this.requireData('scorePairs');
    if (users.length !== items.length) throw new DendriteError(`scorePairs: ${users.length} users but ${items.length} items`);
    for (let pair = 0; pair < users.length; pair++) {
      if (!(users[pair] >= 0 && users[pair] < data.userCount) || !(items[pair] >= 0 && items[pair] < data.itemCount)) {
        throw new DendriteError(`scorePairs: pair ${pair} (${users[pair]}, ${items[pair]}) is outside ${data.userCount} users × ${data.itemCount} items`);
      }
    }
    const result = new Float32Array(users.length);
    for (let start = 0; start < users.length; start += PAIR_CHUNK) {
      const end = Math.min(users.length, start + PAIR_CHUNK);
      const scores = tidy(() => noGrad(() => this.logits(tensor(users.slice(start, end), [end - start], 'int32'), tensor(items.slice(start, end), [end - start], 'int32'))));
      result.set(await scores.data(), start);
      scores.dispose();
    }
    return result;
  }

  protected override itemVectors(): Tensor | null {
    return this.network?.weightOrNull(this.name === 'mlp' ? 'mlp.item' : 'gmf.item') ?? null;
  }

  protected override userVectors(): Tensor | null {
    return this.network?.weightOrNull(this.name === 'mlp' ? 'mlp.user' : 'gmf.user') ?? null;
  }

  protected hyperparameters(): Record<string, unknown> {
    return {
      architecture: this.name, factors: this.factors, mlpLayers: this.mlpLayers, learningRate: this.learningRate, optimizer: this.optimizer,
      embeddingRegularization: this.embeddingRegularization, negatives: this.negatives, batchSize: this.batchSize, epochs: this.epochs,
      embeddingUpdates: this.embeddingUpdates, learningRateDecay: this.learningRateDecay,
    };
  }

  protected async weightTensors(): Promise<Record<string, HostTensor>> {
    const weights: Record<string, HostTensor> = {};
    for (const [name, value] of this.requireNetwork().namedWeights()) weights[name] = { dtype: 'float32', shape: [...value.shape], data: (await value.data()) as Float32Array };
    return weights;
  }

  protected restoreWeights(weights: Record<string, DecodedHostTensor>): void {
    const data = this.requireData('load');
    const expected = new Map(NeuralCfNetwork.weightShapes(this.networkShape(data)));
    for (const [name, shape] of expected) {
      const found = weights[name];
      if (!found || found.shape.join() !== shape.join()) {
        throw new DendriteError(`loadRecommender: ${this.name} needs tensor '${name}' of shape [${shape.join(', ')}], got ${found ? `[${found.shape.join(', ')}]` : 'none'}`);
      }
    }
    this.disposeNetwork();
    this.network = new NeuralCfNetwork(this.networkShape(data), (name, shape) => tensor(Float32Array.from(weights[name].data), shape));
  }

  dispose(): void {
    this.disposeNetwork();
  }

  private requireNetwork(): NeuralCfNetwork {
    if (!this.network) throw new DendriteError(`${this.name} is not fitted (call fit or loadRecommender first)`);
    return this.network;
  }

  private networkShape(data: InteractionMatrix): NeuralCfShape {
    return { architecture: this.name, userCount: data.userCount, itemCount: data.itemCount, factors: this.factors, mlpLayers: this.mlpLayers };
  }

  /**
   * Builds the network: embeddings ~ N(0, 0.01²) as in the paper, layers Glorot-uniform, biases 0, drawn
   * in saved-weight order from `random`; or the pretrained models' values (NeuMF's output layer joins
   * theirs, weighted α and 1 − α).
   */
  private initialize(data: InteractionMatrix, random: SeededRandom): void {
    this.disposeNetwork();
    const pretrained = this.pretraining;
    const shape = this.networkShape(data);
    if (!pretrained) {
      this.network = new NeuralCfNetwork(shape, paperInitialValues(random));
      return;
    }
    const gmf = pretrained.gmf.requireNetwork();
    const mlp = pretrained.mlp.requireNetwork();
    for (const [name, wanted] of NeuralCfNetwork.weightShapes(shape)) {
      if (name.startsWith('output')) continue;
      const source = name.startsWith('gmf') ? gmf : mlp;
      if (source.weightOrNull(name)?.shape.join() !== wanted.join()) {
        throw new DendriteError(`NeuralCf.fit: pretrained ${source.shape.architecture} tensor '${name}' must have shape [${wanted.join(', ')}] (fit it on the same data)`);
      }
    }
    const alpha = pretrained.alpha ?? 0.5;
    // Copied on the device (no readback): any backend.
    this.network = new NeuralCfNetwork(shape, (name) => tidy(() =>
      name === 'output.weight' ? concat([mul(gmf.weight(name), alpha), mul(mlp.weight(name), 1 - alpha)], 0)
        : name === 'output.bias' ? add(mul(gmf.weight(name), alpha), mul(mlp.weight(name), 1 - alpha))
          : mul((name.startsWith('gmf') ? gmf : mlp).weight(name), 1)));
  }

  private disposeNetwork(): void {
    this.network?.dispose();
    this.network = null;
  }
}
