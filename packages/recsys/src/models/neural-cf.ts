import {
  DendriteError, add, concat, gather, linear, matmul, mean, mul, reshape, softplus, sub, sum, tensor, tidy, noGrad, variable, variableGrads,
  type DecodedHostTensor, type HostTensor, type Tensor,
} from '@dendrite/core';
import { SeededRandom, withNegatives } from '@dendrite/datasets';
import { Adam, SGD } from '@dendrite/optimizers';
import type { InteractionMatrix } from '../interactions.js';
import { Recommender, type EpochLog, type FitOptions, type History, type RecommendOptions, type Recommendations } from '../recommender.js';
import { checkedNumber, normalFactors, uniformFactors } from './initialize.js';

/** Which of the NCF paper's three models (He et al., WWW 2017). */
export type NeuralCfArchitecture = 'gmf' | 'mlp' | 'neumf';

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
  /** Epochs when fit is not given `epochs` (default 20). */
  epochs?: number;
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
 * and `negatives` unobserved ones sampled afresh each epoch. Built on core ops (`gather` embeddings,
 * `linear` layers) with the model's math in {@link NeuralCf.logits}.
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
  readonly epochs: number;
  private parameters = new Map<string, Tensor>();
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
    this.epochs = checkedNumber('NeuralCf', 'epochs', options.epochs ?? 20, { integer: true, minimum: 0 });
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
    const parameters = [...this.parameters.values()];
    const optimizer = this.optimizer === 'sgd' ? new SGD(parameters, { learningRate: this.learningRate }) : new Adam(parameters, { learningRate: this.learningRate });
    const positives = data.toColumns();
    const history: History = { epochs: [] };
    const shuffler = new SeededRandom(seed + 7919);
    try {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const started = performance.now();
        const rows = withNegatives(positives, { itemCount: data.itemCount, count: this.negatives, seed: seed * 1000 + epoch });
        const order = shuffler.permutation(rows.users.length);
        let lossSum = 0;
        for (let start = 0; start < order.length; start += this.batchSize) {
          const picks = order.subarray(start, start + this.batchSize);
          const users = Int32Array.from(picks, (row) => rows.users[row]);
          const items = Int32Array.from(picks, (row) => rows.items[row]);
          const labels = Float32Array.from(picks, (row) => rows.labels[row]);
          const { value, grads } = variableGrads(() => this.loss(users, items, labels), parameters);
          optimizer.step(grads);
          grads.forEach((gradient) => gradient.dispose());
          lossSum += (await value.data())[0] * picks.length;
          value.dispose();
        }
        const log: EpochLog = { epoch, loss: lossSum / order.length, seconds: (performance.now() - started) / 1000 };
        history.epochs.push(log);
        if ((await options.onEpoch?.(log)) === false) break;
      }
    } finally {
      optimizer.dispose();
    }
    return history;
  }

  /**
   * The model: a logit per (user, item) pair of dense indices. GMF: (pᵤ ⊙ qᵢ)·h; MLP: the ReLU tower
   * over [pᵤ, qᵢ], then ·h; NeuMF: both last layers concatenated, then ·h.
   */
  logits(users: Tensor, items: Tensor): Tensor {
    const gmfUser = this.name !== 'mlp' ? gather(this.parameter('gmf.user'), users, 0) : null;
    const mlpUser = this.name !== 'gmf' ? gather(this.parameter('mlp.user'), users, 0) : null;
    return this.logitsFromUserEmbeddings(gmfUser, mlpUser, items);
  }

  /** The model's math from the users' embedding rows (what fold-in optimises) and item indices. */
  private logitsFromUserEmbeddings(gmfUser: Tensor | null, mlpUser: Tensor | null, items: Tensor): Tensor {
    const p = (name: string) => this.parameter(name);
    const parts: Tensor[] = [];
    if (gmfUser) parts.push(mul(gmfUser, gather(p('gmf.item'), items, 0)));
    if (mlpUser) {
      let x = concat([mlpUser, gather(p('mlp.item'), items, 0)], 1);
      for (let layer = 1; layer < this.mlpLayers.length; layer++) {
        x = linear(x, p(`mlp.weight${layer}`), { bias: p(`mlp.bias${layer}`), activation: 'relu' });
      }
      parts.push(x);
    }
    const joined = parts.length === 1 ? parts[0] : concat(parts, 1);
    return reshape(add(matmul(joined, p('output.weight')), p('output.bias')), [items.shape[0]]);
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
    const start = (name: string) => tidy(() => variable(mean(this.parameter(name), 0, true), `${name}.new`));
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
          const z = this.logitsFromUserEmbeddings(gmfUser && gather(gmfUser, rowTensor, 0), mlpUser && gather(mlpUser, rowTensor, 0), tensor(Int32Array.from(items), [items.length], 'int32'));
          return mean(sub(softplus(z), mul(tensor(Float32Array.from(labels), [labels.length]), z)));
        }, userParameters);
        optimizer.step(grads);
        value.dispose();
        grads.forEach((gradient) => gradient.dispose());
      }
      return await this.rankScoreRow('recommendForHistory', () => {
        const all = tensor(Int32Array.from({ length: data.itemCount }, (_, item) => item), [data.itemCount], 'int32');
        const rows = tensor(new Int32Array(data.itemCount), [data.itemCount], 'int32');
        return this.logitsFromUserEmbeddings(gmfUser && gather(gmfUser, rows, 0), mlpUser && gather(mlpUser, rows, 0), all);
      }, seen, options);
    } finally {
      optimizer.dispose();
      userParameters.forEach((parameter) => parameter.dispose());
    }
  }

  /** Mean log loss of the batch (labels 1/0): softplus(z) − y·z, plus the embedding L2 term. */
  private loss(users: Int32Array, items: Int32Array, labels: Float32Array): Tensor {
    const userTensor = tensor(users, [users.length], 'int32');
    const itemTensor = tensor(items, [items.length], 'int32');
    const z = this.logits(userTensor, itemTensor);
    let loss = mean(sub(softplus(z), mul(tensor(labels, [labels.length]), z)));
    if (this.embeddingRegularization > 0) {
      for (const name of ['gmf', 'mlp']) {
        if (!this.parameters.has(`${name}.user`)) continue;
        const picked = add(sum(mul(gather(this.parameter(`${name}.user`), userTensor, 0), gather(this.parameter(`${name}.user`), userTensor, 0))),
          sum(mul(gather(this.parameter(`${name}.item`), itemTensor, 0), gather(this.parameter(`${name}.item`), itemTensor, 0))));
        loss = add(loss, mul(picked, this.embeddingRegularization / users.length));
      }
    }
    return loss;
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
    return this.parameters.get(this.name === 'mlp' ? 'mlp.item' : 'gmf.item') ?? null;
  }

  protected override userVectors(): Tensor | null {
    return this.parameters.get(this.name === 'mlp' ? 'mlp.user' : 'gmf.user') ?? null;
  }

  protected hyperparameters(): Record<string, unknown> {
    return {
      architecture: this.name, factors: this.factors, mlpLayers: this.mlpLayers, learningRate: this.learningRate, optimizer: this.optimizer,
      embeddingRegularization: this.embeddingRegularization, negatives: this.negatives, batchSize: this.batchSize, epochs: this.epochs,
    };
  }

  protected async weightTensors(): Promise<Record<string, HostTensor>> {
    const weights: Record<string, HostTensor> = {};
    for (const [name, value] of this.parameters) weights[name] = { dtype: 'float32', shape: [...value.shape], data: (await value.data()) as Float32Array };
    return weights;
  }

  protected restoreWeights(weights: Record<string, DecodedHostTensor>): void {
    const data = this.requireData('load');
    const expected = this.shapes(data);
    this.disposeParameters();
    for (const [name, shape] of expected) {
      const found = weights[name];
      if (!found || found.shape.join() !== shape.join()) {
        throw new DendriteError(`loadRecommender: ${this.name} needs tensor '${name}' of shape [${shape.join(', ')}], got ${found ? `[${found.shape.join(', ')}]` : 'none'}`);
      }
      this.parameters.set(name, tidy(() => variable(tensor(Float32Array.from(found.data), shape), name)));
    }
  }

  dispose(): void {
    this.disposeParameters();
  }

  private parameter(name: string): Tensor {
    const found = this.parameters.get(name);
    if (!found) throw new DendriteError(`${this.name} is not fitted (call fit or loadRecommender first)`);
    return found;
  }

  /** Every parameter's name and shape for this architecture and data. */
  private shapes(data: InteractionMatrix): Array<[string, number[]]> {
    const shapes: Array<[string, number[]]> = [];
    const half = this.mlpLayers[0] / 2;
    if (this.name !== 'mlp') shapes.push(['gmf.user', [data.userCount, this.factors]], ['gmf.item', [data.itemCount, this.factors]]);
    if (this.name !== 'gmf') {
      shapes.push(['mlp.user', [data.userCount, half]], ['mlp.item', [data.itemCount, half]]);
      for (let layer = 1; layer < this.mlpLayers.length; layer++) {
        shapes.push([`mlp.weight${layer}`, [this.mlpLayers[layer - 1], this.mlpLayers[layer]]], [`mlp.bias${layer}`, [this.mlpLayers[layer]]]);
      }
    }
    const joined = (this.name !== 'mlp' ? this.factors : 0) + (this.name !== 'gmf' ? this.mlpLayers[this.mlpLayers.length - 1] : 0);
    shapes.push(['output.weight', [joined, 1]], ['output.bias', [1]]);
    return shapes;
  }

  /** Embeddings ~ N(0, 0.01²) as in the paper, layers Glorot-uniform, biases 0; or the pretrained models' values. */
  private initialize(data: InteractionMatrix, random: SeededRandom): void {
    this.disposeParameters();
    const pretrained = this.pretraining;
    for (const [name, shape] of this.shapes(data)) {
      const [rows, columns] = shape.length === 2 ? shape : [shape[0], 1];
      if (pretrained) {
        const source = name.startsWith('gmf') ? pretrained.gmf : pretrained.mlp;
        if (!name.startsWith('output') && source.parameters.get(name)?.shape.join() !== shape.join()) {
          throw new DendriteError(`NeuralCf.fit: pretrained ${source.name} tensor '${name}' must have shape [${shape.join(', ')}] (fit it on the same data)`);
        }
        // Copied on the device (no readback): any backend.
        const alpha = pretrained.alpha ?? 0.5;
        const gmf = (part: string) => pretrained.gmf.parameter(part);
        const mlp = (part: string) => pretrained.mlp.parameter(part);
        this.parameters.set(name, tidy(() => variable(
          name === 'output.weight' ? concat([mul(gmf(name), alpha), mul(mlp(name), 1 - alpha)], 0)
            : name === 'output.bias' ? add(mul(gmf(name), alpha), mul(mlp(name), 1 - alpha))
              : mul((name.startsWith('gmf') ? gmf : mlp)(name), 1),
          name)));
        continue;
      }
      let values: Float32Array;
      if (name.endsWith('.user') || name.endsWith('.item')) {
        values = normalFactors(rows, columns, 0.01, random);
      } else if (name.includes('bias')) {
        values = new Float32Array(rows * columns);
      } else {
        values = uniformFactors(rows, columns, Math.sqrt(6 / (rows + columns)), random);
      }
      // variable() views the tensor; tidy frees the original handle.
      this.parameters.set(name, tidy(() => variable(tensor(values, shape), name)));
    }
  }

  private disposeParameters(): void {
    for (const value of this.parameters.values()) value.dispose();
    this.parameters.clear();
  }
}
