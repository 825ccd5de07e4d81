import { DendriteError, add, gather, scalar, tensor, tidy, variableGrads, type Tensor } from '@dendrite/core';
import { SeededRandom } from '@dendrite/datasets';
import { Adam } from '@dendrite/optimizers';
import { growRows, type InteractionExtension, type UpdateOptions } from '../incremental.js';
import type { InteractionMatrix } from '../interactions.js';
import { checkedNumber, normalFactors } from './initialize.js';
import { NeuralCfNetwork, type NeuralCfShape } from './neural-cf-network.js';
import { BatchRows, EMBEDDING_TABLES, LazyRowAdam, type RowSide } from './neural-cf-rows.js';
import { logLoss } from './neural-cf-training.js';

/** Options of `NeuralCf.update` (all optional; the defaults are the recipe measured in the README). */
export interface NeuralCfUpdateOptions extends UpdateOptions {
  /** Passes over the new interactions (and their replay sample), default 10. */
  epochs?: number;
  /** Adam step of the update's row-sparse Adam (default 0.003). */
  learningRate?: number;
  /**
   * Which item embedding rows move: `'new'` (default; only items the model had not seen, so every old
   * item keeps its rows and a user without a new interaction keeps every old item's score) or `'touched'`
   * (also the old items with a new interaction).
   */
  items?: 'new' | 'touched';
  /**
   * Old interactions (uniformly from all of them) replayed per new interaction, drawn afresh each epoch
   * (default 0). They anchor the moving item rows to what the old users did; the rows of users without a
   * new interaction still never move.
   */
  replay?: number;
  /**
   * Where a new user's or item's embedding rows start: `'mean'` (default; the table's mean row, as
   * `recommendForHistory`'s fold-in) or `'random'` (N(0, 0.01²), as `fit`).
   */
  newRows?: 'mean' | 'random';
  /**
   * Also train the MLP tower and the output layer (default false). Frozen, the only weights that move
   * are the chosen embedding rows; trained, every score shifts a little.
   */
  layers?: boolean;
}

/** The update recipe with its defaults filled in and checked. */
export interface NeuralCfUpdateRecipe {
  epochs: number;
  learningRate: number;
  items: 'new' | 'touched';
  replay: number;
  newRows: 'mean' | 'random';
  layers: boolean;
  seed: number;
}

/** Checks {@link NeuralCfUpdateOptions} (names the bad option) and fills the defaults. */
export function updateRecipe(model: string, options: NeuralCfUpdateOptions): NeuralCfUpdateRecipe {
  const op = `${model}.update`;
  const newRows = options.newRows ?? 'mean';
  if (newRows !== 'mean' && newRows !== 'random') throw new DendriteError(`${op}: newRows must be 'mean' or 'random', got ${JSON.stringify(options.newRows)}`);
  const items = options.items ?? 'new';
  if (items !== 'new' && items !== 'touched') throw new DendriteError(`${op}: items must be 'new' or 'touched', got ${JSON.stringify(options.items)}`);
  if (options.layers !== undefined && typeof options.layers !== 'boolean') throw new DendriteError(`${op}: layers must be true or false, got ${JSON.stringify(options.layers)}`);
  return {
    epochs: checkedNumber(op, 'epochs', options.epochs ?? 10, { integer: true, minimum: 0 }),
    learningRate: checkedNumber(op, 'learningRate', options.learningRate ?? 0.003, { exclusiveMinimum: 0 }),
    items,
    replay: checkedNumber(op, 'replay', options.replay ?? 0, { minimum: 0 }),
    newRows,
    layers: options.layers ?? false,
    seed: checkedNumber(op, 'seed', options.seed ?? 1, { integer: true }),
  };
}

/**
 * The network grown to the merged id maps: every old weight copied (rows moved to their new dense
 * index), new users' and items' embedding rows started at the table's mean row or drawn N(0, 0.01²).
 */
export async function growNetwork(network: NeuralCfNetwork, shape: NeuralCfShape, extension: InteractionExtension, newRows: 'mean' | 'random', random: SeededRandom): Promise<NeuralCfNetwork> {
  const values = new Map<string, Float32Array<ArrayBuffer>>();
  for (const [name, weight] of network.namedWeights()) {
    const host = Float32Array.from((await weight.data()) as Float32Array);
    const side = EMBEDDING_TABLES.find(([table]) => table === name)?.[1];
    if (!side) {
      values.set(name, host);
      continue;
    }
    const width = weight.shape[1];
    const source = side === 'users' ? extension.userSource : extension.itemSource;
    const mean = new Float32Array(width);
    const rows = host.length / width;
    for (let row = 0; row < rows; row++) for (let column = 0; column < width; column++) mean[column] += host[row * width + column] / rows;
    values.set(name, growRows(host, width, source, () => (newRows === 'mean' ? mean : normalFactors(1, width, 0.01, random))));
  }
  return new NeuralCfNetwork(shape, (name, wanted) => tensor(values.get(name)!, wanted));
}

/**
 * The positives of one update epoch: every new interaction, then `replay` × as many old interactions
 * (drawn with replacement from `pool`).
 */
function epochPositives(added: { users: Int32Array; items: Int32Array }, pool: { users: Int32Array; items: Int32Array }, replay: number, random: SeededRandom): { users: Int32Array; items: Int32Array } {
  const extra = pool.users.length === 0 ? 0 : Math.round(replay * added.users.length);
  const users = new Int32Array(added.users.length + extra);
  const items = new Int32Array(added.users.length + extra);
  users.set(added.users);
  items.set(added.items);
  for (let row = added.users.length; row < users.length; row++) {
    const pick = random.nextInt(pool.users.length);
    users[row] = pool.users[pick];
    items[row] = pool.items[pick];
  }
  return { users, items };
}

/** The old interactions (in the merged matrix's indices; a pair the update repeats counts as new): what replay draws from. */
function replayPool(extension: InteractionExtension, replay: number): { users: Int32Array; items: Int32Array } {
  if (replay === 0) return { users: new Int32Array(0), items: new Int32Array(0) };
  const data = extension.matrix;
  const fresh = new Set<number>();
  for (let row = 0; row < extension.added.users.length; row++) fresh.add(extension.added.users[row] * data.itemCount + extension.added.items[row]);
  const users: number[] = [], items: number[] = [];
  for (let user = 0; user < data.userCount; user++) {
    if (extension.userSource[user] < 0) continue;
    for (const item of data.itemsOf(user)) {
      if (fresh.has(user * data.itemCount + item)) continue;
      users.push(user);
      items.push(item);
    }
  }
  return { users: Int32Array.from(users), items: Int32Array.from(items) };
}

/**
 * The update's training: `epochs` passes over the new interactions plus a replay sample, each positive
 * with `negatives` items the user never interacted with in the merged data (so a new positive is never a
 * negative), shuffled, in batches. Only the embedding rows of the touched users and of the new (or, with
 * `items: 'touched'`, touched) items move, by a row-sparse Adam (core's `assignAdamRows`); the tower and
 * output move too when `recipe.layers`, by Adam. Returns the mean log loss of each epoch.
 */
export async function trainUpdate(
  network: NeuralCfNetwork, extension: InteractionExtension, recipe: NeuralCfUpdateRecipe,
  settings: { negatives: number; batchSize: number; regularization: number },
): Promise<number[]> {
  const data: InteractionMatrix = extension.matrix;
  const random = new SeededRandom(recipe.seed * 1000 + 17);
  const movable = { users: new Uint8Array(data.userCount), items: new Uint8Array(data.itemCount) };
  for (const user of extension.touchedUsers) movable.users[user] = 1;
  for (const item of extension.touchedItems) if (recipe.items === 'touched' || extension.itemSource[item] < 0) movable.items[item] = 1;
  const pool = replayPool(extension, recipe.replay);
  const layerWeights = recipe.layers ? network.namedWeights().filter(([name]) => !EMBEDDING_TABLES.some(([table]) => table === name)).map(([, weight]) => weight) : [];
  const optimizer = layerWeights.length > 0 ? new Adam(layerWeights, { learningRate: recipe.learningRate }) : null;
  const rowAdam = new LazyRowAdam({ learningRate: recipe.learningRate });
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < recipe.epochs; epoch++) {
      const positives = epochPositives(extension.added, pool, recipe.replay, random);
      const loss = await updateEpoch(network, data, positives, random, settings, { movable, optimizer, layerWeights, rowAdam, regularization: settings.regularization });
      if (!Number.isFinite(loss)) throw new DendriteError(`update: the loss became ${loss} in epoch ${epoch + 1} (learningRate too high?)`);
      losses.push(loss);
    }
  } finally {
    optimizer?.dispose();
    rowAdam.dispose();
  }
  return losses;
}

/** What every step of an update moves, and how. */
interface UpdateState {
  movable: Record<RowSide, Uint8Array>;
  optimizer: Adam | null;
  layerWeights: Tensor[];
  rowAdam: LazyRowAdam;
  regularization: number;
}

/**
 * One epoch: each positive with `negatives` items its user never interacted with in the merged data (so a
 * new positive is never a negative), shuffled, in batches. Returns the mean log loss of the batches, summed
 * on the device and read once (no sync per batch).
 */
async function updateEpoch(
  network: NeuralCfNetwork, data: InteractionMatrix, positives: { users: Int32Array; items: Int32Array }, random: SeededRandom,
  settings: { negatives: number; batchSize: number }, state: UpdateState,
): Promise<number> {
  const perPositive = 1 + settings.negatives;
  const order = random.permutation(positives.users.length * perPositive);
  let lossSum = scalar(0);
  let batches = 0;
  try {
    for (let start = 0; start < order.length; start += settings.batchSize) {
      const size = Math.min(settings.batchSize, order.length - start);
      const users = new Int32Array(size), items = new Int32Array(size), labels = new Float32Array(size);
      let filled = 0;
      for (let index = 0; index < size; index++) {
        const row = order[start + index];
        const positive = Math.floor(row / perPositive);
        const user = positives.users[positive];
        if (row % perPositive === 0) {
          users[filled] = user;
          items[filled] = positives.items[positive];
          labels[filled++] = 1;
          continue;
        }
        // A user who interacted with every item has no negative.
        if (data.byUser.offsets[user + 1] - data.byUser.offsets[user] >= data.itemCount) continue;
        let negative = random.nextInt(data.itemCount);
        while (data.has(user, negative)) negative = random.nextInt(data.itemCount);
        users[filled] = user;
        items[filled++] = negative;
      }
      if (filled === 0) continue;
      const loss = updateStep(network, { users: users.subarray(0, filled), items: items.subarray(0, filled), labels: labels.subarray(0, filled) }, state);
      const total = add(lossSum, loss);
      lossSum.dispose();
      loss.dispose();
      lossSum = total;
      batches++;
    }
    return batches > 0 ? (await lossSum.data())[0] / batches : 0;
  } finally {
    lossSum.dispose();
  }
}

/**
 * One step: the batch's distinct users and items are looked up once ({@link BatchRows}), the log loss (+ the
 * embedding L2 of fit) differentiated, the movable rows stepped by the row-sparse Adam, the layers by Adam.
 * Returns the step's loss (a scalar tensor, the caller's).
 */
function updateStep(network: NeuralCfNetwork, batch: { users: Int32Array; items: Int32Array; labels: Float32Array }, state: UpdateState): Tensor {
  const rows = new BatchRows(network, batch.users, batch.items);
  const made: Tensor[] = [];
  const own = (t: Tensor) => {
    made.push(t);
    return t;
  };
  const labels = own(tensor(batch.labels, [batch.labels.length]));
  try {
    const { value, grads } = variableGrads(
      () => rows.loss(network, (logits) => logLoss(logits, labels), state.regularization, batch.users.length),
      [...rows.leaves.map((leaf) => leaf.rows), ...state.layerWeights],
    );
    if (state.optimizer) state.optimizer.step(grads.slice(rows.leaves.length));
    state.rowAdam.nextStep();
    rows.leaves.forEach((leaf, index) => {
      const ids = rows.ids[leaf.side];
      const positions: number[] = [];
      for (let position = 0; position < ids.length; position++) if (state.movable[leaf.side][ids[position]]) positions.push(position);
      if (positions.length === 0) return;
      const picked = own(tensor(Int32Array.from(positions), [positions.length], 'int32'));
      const rowGradients = own(tidy(() => gather(grads[index], picked, 0)));
      const rowIds = own(tensor(Int32Array.from(positions, (position) => ids[position]), [positions.length], 'int32'));
      state.rowAdam.stepRows(leaf.name, leaf.table, rowGradients, rowIds);
    });
    grads.forEach((gradient) => gradient.dispose());
    return value;
  } finally {
    rows.dispose();
    for (const t of made) t.dispose();
  }
}
