import { DendriteError, concat, gather, mul, reshape, tensor, type Tensor } from '@dendrite/core';
import type { SeededRandom } from '@dendrite/datasets';
import { Dense, Embedding, type Initializer } from '@dendrite/layers';
import { normalFactors, uniformFactors } from './initialize.js';

/** Which of the NCF paper's three models (He et al., WWW 2017). */
export type NeuralCfArchitecture = 'gmf' | 'mlp' | 'neumf';

/** A batch of (user, item) pairs as rank-1 int32 tensors of dense indices. */
export interface NeuralCfPairs {
  users: Tensor;
  items: Tensor;
}

/** The sizes a {@link NeuralCfNetwork} is built for. */
export interface NeuralCfShape {
  architecture: NeuralCfArchitecture;
  userCount: number;
  itemCount: number;
  /** GMF embedding size. */
  factors: number;
  /** MLP widths; the first is the concatenated user+item embedding. */
  mlpLayers: readonly number[];
}

/** Initial values by saved-weight name (`gmf.user`, `mlp.weight1`, `output.bias`, …). */
export type NeuralCfInitialValues = (name: string, shape: readonly number[]) => Tensor;

/**
 * The NCF models (He et al., WWW 2017) from `@dendrite/layers`: `Embedding` tables for users and items
 * (GMF and/or MLP), a ReLU tower of `Dense` layers, and a `Dense(1)` output over the joined last layers.
 * A structural model for `@dendrite/training`'s Trainer: `apply({ users, items })` gives one logit per
 * pair, `parameters()` every weight. Weights are named as NeuralCf saves them ({@link namedWeights}).
 *
 * @example
 * ```ts
 * const network = new NeuralCfNetwork({ architecture: 'neumf', userCount: 943, itemCount: 1682, factors: 16, mlpLayers: [64, 32, 16, 8] }, paperInitialValues(random));
 * const logits = network.apply({ users: tensor([0, 1], [2], 'int32'), items: tensor([5, 9], [2], 'int32') }); // [2]
 * ```
 */
export class NeuralCfNetwork {
  readonly shape: NeuralCfShape;
  readonly gmfUser: Embedding | null = null;
  readonly gmfItem: Embedding | null = null;
  readonly mlpUser: Embedding | null = null;
  readonly mlpItem: Embedding | null = null;
  readonly tower: Dense[] = [];
  readonly output: Dense;
  private readonly named: Array<[string, Tensor]> = [];

  /** Builds every layer now, in the saved-weight order, each weight from `initialValues(name, shape)`. */
  constructor(shape: NeuralCfShape, initialValues: NeuralCfInitialValues) {
    this.shape = shape;
    const { architecture, userCount, itemCount, factors, mlpLayers } = shape;
    const from = (name: string): Initializer => (wanted) => initialValues(name, wanted);
    const embedding = (name: string, rows: number, columns: number) => {
      const layer = new Embedding({ inputDim: rows, outputDim: columns, embeddingsInitializer: from(name), name: name.replace('.', '_') });
      layer.build([1]);
      this.named.push([name, layer.embeddings]);
      return layer;
    };
    const dense = (prefix: string, suffix: string, inputs: number, units: number, activation: 'relu' | 'linear') => {
      const layer = new Dense({ units, activation, kernelInitializer: from(`${prefix}.weight${suffix}`), biasInitializer: from(`${prefix}.bias${suffix}`), name: `${prefix}${suffix}`.replace('.', '_') });
      layer.build([1, inputs]);
      this.named.push([`${prefix}.weight${suffix}`, layer.kernel], [`${prefix}.bias${suffix}`, layer.bias!]);
      return layer;
    };
    if (architecture !== 'mlp') {
      this.gmfUser = embedding('gmf.user', userCount, factors);
      this.gmfItem = embedding('gmf.item', itemCount, factors);
    }
    if (architecture !== 'gmf') {
      this.mlpUser = embedding('mlp.user', userCount, mlpLayers[0] / 2);
      this.mlpItem = embedding('mlp.item', itemCount, mlpLayers[0] / 2);
      for (let layer = 1; layer < mlpLayers.length; layer++) this.tower.push(dense('mlp', String(layer), mlpLayers[layer - 1], mlpLayers[layer], 'relu'));
    }
    this.output = dense('output', '', NeuralCfNetwork.joinedWidth(shape), 1, 'linear');
  }

  /** Width of the output layer's input: GMF factors and/or the MLP's last width. */
  static joinedWidth(shape: Pick<NeuralCfShape, 'architecture' | 'factors' | 'mlpLayers'>): number {
    return (shape.architecture !== 'mlp' ? shape.factors : 0) + (shape.architecture !== 'gmf' ? shape.mlpLayers[shape.mlpLayers.length - 1] : 0);
  }

  /** Every weight's saved name and shape, in the order NeuralCf has always saved and initialised them. */
  static weightShapes(shape: NeuralCfShape): Array<[string, number[]]> {
    const shapes: Array<[string, number[]]> = [];
    const { architecture, userCount, itemCount, factors, mlpLayers } = shape;
    if (architecture !== 'mlp') shapes.push(['gmf.user', [userCount, factors]], ['gmf.item', [itemCount, factors]]);
    if (architecture !== 'gmf') {
      shapes.push(['mlp.user', [userCount, mlpLayers[0] / 2]], ['mlp.item', [itemCount, mlpLayers[0] / 2]]);
      for (let layer = 1; layer < mlpLayers.length; layer++) shapes.push([`mlp.weight${layer}`, [mlpLayers[layer - 1], mlpLayers[layer]]], [`mlp.bias${layer}`, [mlpLayers[layer]]]);
    }
    shapes.push(['output.weight', [NeuralCfNetwork.joinedWidth(shape), 1]], ['output.bias', [1]]);
    return shapes;
  }

  /** One logit per pair: GMF (pᵤ ⊙ qᵢ), MLP (the ReLU tower over [pᵤ, qᵢ]) or both, joined, through the output layer. */
  apply(pairs: NeuralCfPairs): Tensor {
    if (pairs.users.rank !== 1 || pairs.items.rank !== 1 || pairs.users.shape[0] !== pairs.items.shape[0]) {
      throw new DendriteError(`NeuralCfNetwork: users and items must be rank-1 of one length, got [${pairs.users.shape.join(', ')}] and [${pairs.items.shape.join(', ')}]`);
    }
    return this.logitsFromUserRows(this.gmfUser?.apply(pairs.users) ?? null, this.mlpUser?.apply(pairs.users) ?? null, pairs.items);
  }

  /**
   * The model's math from the users' embedding rows ([N, factors] and/or [N, mlpLayers[0]/2]) and item
   * indices [N]: what cold-start fold-in optimises, with the item side and the tower frozen.
   */
  logitsFromUserRows(gmfUser: Tensor | null, mlpUser: Tensor | null, items: Tensor): Tensor {
    return this.logitsFromRows({ gmfUser, mlpUser, gmfItem: gmfUser && this.gmfItem!.apply(items), mlpItem: mlpUser && this.mlpItem!.apply(items) });
  }

  /** The model's math from looked-up embedding rows (null for the half an architecture lacks), [N] logits. */
  logitsFromRows(rows: { gmfUser: Tensor | null; mlpUser: Tensor | null; gmfItem: Tensor | null; mlpItem: Tensor | null }): Tensor {
    const parts: Tensor[] = [];
    if (rows.gmfUser && rows.gmfItem) parts.push(mul(rows.gmfUser, rows.gmfItem));
    if (rows.mlpUser && rows.mlpItem) {
      let x = concat([rows.mlpUser, rows.mlpItem], 1);
      for (const layer of this.tower) x = layer.apply(x);
      parts.push(x);
    }
    if (parts.length === 0) throw new DendriteError(`NeuralCfNetwork: a ${this.shape.architecture} needs its ${this.shape.architecture === 'mlp' ? 'MLP' : 'GMF'} user and item rows`);
    const joined = parts.length === 1 ? parts[0] : concat(parts, 1);
    return reshape(this.output.apply(joined), [joined.shape[0]]);
  }

  /** Rows of a user table (`gmf.user` or `mlp.user`) for rank-1 int32 user indices. */
  userRows(table: 'gmf.user' | 'mlp.user', users: Tensor): Tensor {
    return gather(this.weight(table), users, 0);
  }

  /** Every weight, in saved order. */
  parameters(): Tensor[] {
    return this.named.map(([, value]) => value);
  }

  /** Every weight with its saved name (`gmf.user`, `mlp.weight1`, `output.weight`, …). */
  namedWeights(): ReadonlyArray<[string, Tensor]> {
    return this.named;
  }

  /** The weight of that saved name, or null when this architecture has none. */
  weightOrNull(name: string): Tensor | null {
    return this.named.find(([key]) => key === name)?.[1] ?? null;
  }

  /** The weight of that saved name. */
  weight(name: string): Tensor {
    const found = this.weightOrNull(name);
    if (!found) throw new DendriteError(`NeuralCfNetwork: a ${this.shape.architecture} has no weight '${name}'`);
    return found;
  }

  /** The Trainer's mode switch: NCF has no dropout or normalisation, so both modes compute the same. */
  train(): void {}

  /** Frees every weight. */
  dispose(): void {
    for (const layer of [this.gmfUser, this.gmfItem, this.mlpUser, this.mlpItem, ...this.tower, this.output]) layer?.dispose();
  }
}

/**
 * The paper's initialisation, drawn in saved-weight order from one seeded generator: embeddings
 * ~ N(0, 0.01²), layer kernels Glorot-uniform, biases 0 (call it for each weight in that order).
 */
export function paperInitialValues(random: SeededRandom): NeuralCfInitialValues {
  return (name, shape) => {
    const [rows, columns] = shape.length === 2 ? shape : [shape[0], 1];
    let values: Float32Array;
    if (name.endsWith('.user') || name.endsWith('.item')) values = normalFactors(rows, columns, 0.01, random);
    else if (name.includes('bias')) values = new Float32Array(rows * columns);
    else values = uniformFactors(rows, columns, Math.sqrt(6 / (rows + columns)), random);
    return tensor(values, shape);
  };
}
