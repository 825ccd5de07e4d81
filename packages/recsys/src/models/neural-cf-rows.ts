// The row-sparse training step NCF shares between `fit` (lazy embeddings) and `update`: a batch's
// distinct embedding rows looked up once into small leaf variables, and a lazy Adam that steps only them.
import { add, assignAdamRows, gather, keep, mul, noGrad, sum, tensor, tidy, variable, zerosLike, type Tensor } from '@dendrite/core';
import type { NeuralCfNetwork } from './neural-cf-network.js';

/** The embedding tables and the side of the batch that indexes each. */
export const EMBEDDING_TABLES = [['gmf.user', 'users'], ['mlp.user', 'users'], ['gmf.item', 'items'], ['mlp.item', 'items']] as const;

/** Which ids index a table. */
export type RowSide = 'users' | 'items';

/** The side of the batch that indexes embedding table `name`. */
export function tableSide(name: string): RowSide {
  return name.endsWith('.user') ? 'users' : 'items';
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

/**
 * `loss` plus λ/N times the squared norms of the batch's user and item embedding rows (each pair's rows
 * once per pair, the paper's per-batch L2); `loss` itself when λ is 0. `rowsOf(name)` gives table
 * `name`'s rows for the batch's pairs, or null when the network has no such table.
 */
export function withEmbeddingL2(loss: Tensor, rowsOf: (name: string) => Tensor | null, regularization: number, batchSize: number): Tensor {
  if (regularization === 0) return loss;
  for (const name of ['gmf', 'mlp']) {
    const userRows = rowsOf(`${name}.user`);
    const itemRows = rowsOf(`${name}.item`);
    if (!userRows || !itemRows) continue;
    loss = add(loss, mul(add(sum(mul(userRows, userRows)), sum(mul(itemRows, itemRows))), regularization / batchSize));
  }
  return loss;
}

/** One embedding table's looked-up rows: the leaf variable a step differentiates, and which table rows it holds. */
export interface LeafRows {
  name: string;
  table: Tensor;
  side: RowSide;
  /** [distinct ids, width]: a variable, so its gradient is rows-sized, not table-sized. */
  rows: Tensor;
}

/**
 * A batch's distinct users and items, each existing table's rows gathered into a leaf variable. The
 * network then runs on the leaves (`loss`), so a step's gradient covers only the looked-up rows.
 * `dispose()` frees everything it made.
 *
 * @example
 * ```ts
 * const rows = new BatchRows(network, userIds, itemIds);
 * const { value, grads } = variableGrads(() => rows.loss(network, (logits) => logLoss(logits, labels), 0, batchSize), rows.leaves.map((leaf) => leaf.rows));
 * rows.dispose();
 * ```
 */
export class BatchRows {
  /** The distinct ids of each side (host), in the order of the leaves' rows. */
  readonly ids: Record<RowSide, Int32Array>;
  /** The same ids on the device (int32). */
  readonly idTensors: Record<RowSide, Tensor>;
  /** One leaf per table the network has, in {@link EMBEDDING_TABLES} order. */
  readonly leaves: LeafRows[] = [];
  private readonly slots: Record<RowSide, Tensor>;
  private readonly made: Tensor[] = [];

  constructor(network: NeuralCfNetwork, users: Int32Array, items: Int32Array) {
    const distinct = { users: distinctRows(users), items: distinctRows(items) };
    const own = (values: Int32Array) => this.own(tensor(values, [values.length], 'int32'));
    this.ids = { users: distinct.users.rows, items: distinct.items.rows };
    this.idTensors = { users: own(distinct.users.rows), items: own(distinct.items.rows) };
    this.slots = { users: own(distinct.users.slots), items: own(distinct.items.slots) };
    for (const [name, side] of EMBEDDING_TABLES) {
      const table = network.weightOrNull(name);
      if (!table) continue;
      const rows = this.own(tidy(() => variable(noGrad(() => gather(table, this.idTensors[side], 0)), `${name}.rows`)));
      this.leaves.push({ name, table, side, rows });
    }
  }

  /** The batch's rows of table `name`, one per pair ([batch, width]; differentiable through the leaf), or null when the network has no such table. */
  private rowsOf(name: string): Tensor | null {
    const leaf = this.leaves.find((candidate) => candidate.name === name);
    return leaf ? gather(leaf.rows, this.slots[leaf.side], 0) : null;
  }

  /**
   * `lossOf(logits)` for the batch's pairs, computed from the leaves, plus the embedding L2 term
   * ({@link withEmbeddingL2}); each table's rows are gathered once for both. Call inside the tape.
   */
  loss(network: NeuralCfNetwork, lossOf: (logits: Tensor) => Tensor, regularization: number, batchSize: number): Tensor {
    const picked = new Map<string, Tensor | null>(EMBEDDING_TABLES.map(([name]) => [name, this.rowsOf(name)]));
    const rows = (name: string) => picked.get(name) ?? null;
    const logits = network.logitsFromRows({ gmfUser: rows('gmf.user'), mlpUser: rows('mlp.user'), gmfItem: rows('gmf.item'), mlpItem: rows('mlp.item') });
    return withEmbeddingL2(lossOf(logits), rows, regularization, batchSize);
  }

  dispose(): void {
    for (const made of this.made.splice(0)) made.dispose();
  }

  private own(made: Tensor): Tensor {
    this.made.push(made);
    return made;
  }
}

/** Adam's hyper-parameters for {@link LazyRowAdam}. */
export interface LazyRowAdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam on chosen rows of embedding tables (PyTorch's SparseAdam, TensorFlow's LazyAdam): each table's
 * moments are table-sized, but a step reads and writes only the given rows (core's `assignAdamRows`, in
 * place). The bias correction uses this optimizer's step count, advanced once per batch by `nextStep()`.
 *
 * @example
 * ```ts
 * const adam = new LazyRowAdam({ learningRate: 1e-3 });
 * adam.nextStep();
 * adam.stepRows('gmf.user', table, rowGradients, rowIds);
 * ```
 */
export class LazyRowAdam {
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private step = 0;
  private readonly moments = new Map<string, [Tensor, Tensor]>();

  constructor(options: LazyRowAdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** Counts one more step (call once per batch, before its `stepRows`). */
  nextStep(): void {
    this.step++;
  }

  /** Moves rows `rowIds` (int32 [n]) of `table` (known to this optimizer as `name`) by their gradients [n, width]. */
  stepRows(name: string, table: Tensor, gradients: Tensor, rowIds: Tensor): void {
    let moments = this.moments.get(name);
    if (!moments) {
      moments = [keep(zerosLike(table)), keep(zerosLike(table))];
      this.moments.set(name, moments);
    }
    const correction2 = Math.sqrt(1 - this.beta2 ** this.step);
    const hyper = { stepSize: (this.learningRate * correction2) / (1 - this.beta1 ** this.step), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon * correction2 };
    // In place when the table and moments hold their buffers alone: a step costs the rows, not the table.
    assignAdamRows(table, gradients, rowIds, moments[0], moments[1], hyper);
  }

  /** Frees the moments. */
  dispose(): void {
    for (const [m, v] of this.moments.values()) {
      m.dispose();
      v.dispose();
    }
    this.moments.clear();
  }
}
