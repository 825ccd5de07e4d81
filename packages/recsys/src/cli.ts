import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DendriteError, ready } from '@dendrite/core';
import { IdMap, parseRatingLines, splitLinesSync, type Ratings } from '@dendrite/datasets';
import { loadMovieLens100kDirectory, loadMovieLens1mDirectory, writeFileAtomically } from '@dendrite/datasets/node';
import { evaluateFullRanking, evaluateSampledRanking } from './evaluation/ranking.js';
import { evaluateRatings, kFoldSplits } from './evaluation/ratings.js';
import { carveValidation, fitChoosingEpoch, type EpochChoice } from './evaluation/validation.js';
import { InteractionMatrix } from './interactions.js';
import type { RatingPredictor } from './models/biased-mf.js';
import { buildNcfSplit, formatNcfFiles, parseNcfNegatives, parseNcfRatings } from './ncf-files.js';
import { RECIPES } from './recipes.js';
import { MODEL_NAMES, createRecommender, type ModelName } from './registry.js';
import type { Recommender } from './recommender.js';
import type { NeuralCf } from './models/neural-cf.js';

const USAGE = `Usage:
  recommender ncf --train F --test F --negatives F [--model neumf] [--epochs N] [--factors K]
                  [--negatives-per-positive 4] [--seed S] [--pretrain | --no-pretrain]
  recommender evaluate --data DIR --dataset ml-100k|ml-1m --model M --protocol kfold|u1-u5|loo
                  [--folds 5] [--epochs N] [--seed S] [--json]
  recommender build-ncf --data DIR --dataset ml-100k|ml-1m --out PREFIX [--seed S]
Models: ${MODEL_NAMES.join(', ')}`;

/** Paths are relative to where the user ran the command (pnpm runs scripts in the package folder). */
const pathOf = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const round = (value: number) => Math.round(value * 1e4) / 1e4;

/**
 * The command line (`pnpm recommender …` from the repository root, or the `dendrite-recommender` bin).
 * Returns the exit code; errors print one line to stderr.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    await ready();
    if (command === 'ncf') await ncf(rest);
    else if (command === 'evaluate') await evaluate(rest);
    else if (command === 'build-ncf') await buildNcf(rest);
    else {
      process.stderr.write(`${command === undefined || command === '--help' ? '' : `unknown command ${JSON.stringify(command)}\n`}${USAGE}\n`);
      return command === '--help' ? 0 : 2;
    }
    return 0;
  } catch (error) {
    process.stderr.write(`recommender ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function modelName(value: string | undefined, fallback: ModelName): ModelName {
  const name = value ?? fallback;
  if (!(MODEL_NAMES as readonly string[]).includes(name)) throw new DendriteError(`--model must be one of ${MODEL_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  return name as ModelName;
}

function integer(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new DendriteError(`--${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return parsed;
}

/** The model with its recipe, overridden by --factors / --negatives-per-positive where it has them. */
function recipeModel(name: ModelName, overrides: { factors?: number; negatives?: number }, extra: Record<string, unknown> = {}): Recommender {
  const options: Record<string, unknown> = { ...RECIPES[name].options, ...extra };
  const factors = overrides.factors;
  if (factors !== undefined) {
    // The paper's "predictive factors" for the MLP tower: the last layer's width, doubling back up to the recipe's depth.
    const depth = (RECIPES[name].options.mlpLayers as number[] | undefined)?.length ?? 4;
    if (name === 'mlp' || name === 'neumf') options.mlpLayers = Array.from({ length: depth }, (_, layer) => factors * 2 ** (depth - 1 - layer));
    if (name !== 'mlp' && name !== 'pop' && name !== 'itemknn') options.factors = factors;
  }
  if (overrides.negatives !== undefined) options.negatives = overrides.negatives;
  return createRecommender(name, options);
}

/**
 * Train on an NCF-format split: choose the epoch count on a validation hold-out carved from the
 * training file (each user's latest training interaction with 99 sampled negatives), refit on the whole
 * training file for that many epochs, and report the test HR/NDCG@10 once.
 */
async function ncf(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv], options: {
      train: { type: 'string' }, test: { type: 'string' }, negatives: { type: 'string' }, model: { type: 'string' },
      epochs: { type: 'string' }, factors: { type: 'string' }, 'negatives-per-positive': { type: 'string' }, seed: { type: 'string' },
      pretrain: { type: 'boolean' }, 'no-pretrain': { type: 'boolean' },
    },
  });
  for (const flag of ['train', 'test', 'negatives'] as const) if (!values[flag]) throw new DendriteError(`--${flag} is required\n${USAGE}`);
  const name = modelName(values.model, 'neumf');
  if (values.pretrain && values['no-pretrain']) throw new DendriteError('--pretrain and --no-pretrain exclude each other');
  if (values.pretrain && name !== 'neumf') throw new DendriteError('--pretrain applies to --model neumf only');
  // NeuMF's recipe pretrains by default when it has a `pretrain` part; --no-pretrain trains it from scratch.
  const recipePretrain = name === 'neumf' && !values['no-pretrain'] ? RECIPES.neumf.pretrain : undefined;
  const pretrain = Boolean(values.pretrain) || recipePretrain !== undefined;
  const epochs = integer('epochs', values.epochs, recipePretrain?.fineTune.epochs ?? RECIPES[name].epochs);
  const seed = integer('seed', values.seed, 1);
  const train = parseNcfRatings(await readFile(pathOf(values.train!), 'utf8'), values.train!);
  const test = parseNcfRatings(await readFile(pathOf(values.test!), 'utf8'), values.test!);
  const negatives = parseNcfNegatives(await readFile(pathOf(values.negatives!), 'utf8'), values.negatives!);
  // The negatives file repeats each test pair; a mismatch means files from different splits.
  const testPairs = new Set(Array.from(test.users, (user, row) => `${user},${test.items[row]}`));
  negatives.users.forEach((user, row) => {
    if (!testPairs.has(`${user},${negatives.items[row]}`)) throw new DendriteError(`${values.negatives}:${row + 1}: pair (${user},${negatives.items[row]}) is not in ${values.test}; the files come from different splits`);
  });
  let userCount = 0, itemCount = 0;
  for (const table of [train, test, negatives]) {
    for (const user of table.users) userCount = Math.max(userCount, user + 1);
    for (const item of table.items) itemCount = Math.max(itemCount, item + 1);
  }
  for (const item of negatives.negatives) itemCount = Math.max(itemCount, item + 1);
  // The files' ids are already dense and 0-based: the id maps are the identity over 0..n-1.
  const ids = { userIds: IdMap.fromIds(Int32Array.from({ length: userCount }, (_, user) => user)), itemIds: IdMap.fromIds(Int32Array.from({ length: itemCount }, (_, item) => item)) };
  const validation = carveValidation(train, ids, { itemCount, seed: seed + 1 });
  const overrides = { factors: values.factors === undefined ? undefined : integer('factors', values.factors, 0), negatives: values['negatives-per-positive'] === undefined ? undefined : integer('negatives-per-positive', values['negatives-per-positive'], 4) };
  /**
   * The model to fit on `data`: a pretrained NeuMF starts from a GMF and an MLP fitted on it first, at NeuMF's sizes: the
   * recipe's `pretrain` settings over the GMF and MLP recipes when it has them, else those recipes (epochs and learning rates).
   */
  const prepared = async (data: InteractionMatrix): Promise<Recommender> => {
    const model = recipeModel(name, overrides, recipePretrain?.fineTune.options);
    if (!pretrain) return model;
    // GMF and MLP from their recipes, at this NeuMF's sizes (initializeFrom copies their weights).
    const neumf = model as NeuralCf;
    const gmf = createRecommender('gmf', { ...RECIPES.gmf.options, ...recipePretrain?.gmf.options, factors: neumf.factors, negatives: neumf.negatives }) as NeuralCf;
    const mlp = createRecommender('mlp', { ...RECIPES.mlp.options, ...recipePretrain?.mlp.options, mlpLayers: neumf.mlpLayers, negatives: neumf.negatives }) as NeuralCf;
    await gmf.fit(data, { epochs: recipePretrain?.gmf.epochs ?? RECIPES.gmf.epochs, seed });
    await mlp.fit(data, { epochs: recipePretrain?.mlp.epochs ?? RECIPES.mlp.epochs, seed: seed + 1 });
    (model as NeuralCf).initializeFrom({ gmf, mlp, alpha: recipePretrain?.alpha });
    pretrained.push(gmf, mlp);
    return model;
  };
  const pretrained: Recommender[] = [];
  // 1. Choose the epoch on validation (the training file less each user's latest interaction).
  const model = await prepared(validation.matrix);
  let best: EpochChoice;
  try {
    best = await fitChoosingEpoch(model, validation, {
      epochs, seed,
      onEpoch: (log) => print({ epoch: log.epoch, loss: round(log.loss), hr: round(log.hr), ndcg: round(log.ndcg), seconds: round(log.seconds) }),
    });
  } finally {
    model.dispose();
    for (const used of pretrained.splice(0)) used.dispose();
  }
  // 2. Refit on the whole training file for that many epochs (same seed), then test once.
  const started = performance.now();
  const fullMatrix = InteractionMatrix.fromRatings({ users: train.users, items: train.items }, ids);
  const final = await prepared(fullMatrix);
  try {
    await final.fit(fullMatrix, { epochs: Math.max(best.epoch, 1), seed });
    const result = await evaluateSampledRanking(final, negatives.users, negatives.items, negatives.negatives, { k: 10 });
    print({ test: true, model: name, epochs: best.epoch, hr: round(result.hr), ndcg: round(result.ndcg), validationHr: round(best.hr), validationNdcg: round(best.ndcg), refitSeconds: round((performance.now() - started) / 1000) });
  } finally {
    final.dispose();
    for (const model of pretrained) model.dispose();
  }
}

async function loadData(directory: string, dataset: string) {
  if (dataset === 'ml-100k') return loadMovieLens100kDirectory(pathOf(directory));
  if (dataset === 'ml-1m') return loadMovieLens1mDirectory(pathOf(directory));
  throw new DendriteError(`--dataset must be ml-100k or ml-1m, got ${JSON.stringify(dataset)}`);
}

/** Explicit protocols (kfold, u1-u5) give RMSE/MAE; loo gives the ranking metrics. */
async function evaluate(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv], options: {
      data: { type: 'string' }, dataset: { type: 'string' }, model: { type: 'string' }, protocol: { type: 'string' },
      folds: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (!values.data || !values.dataset) throw new DendriteError(`--data and --dataset are required\n${USAGE}`);
  const protocol = values.protocol ?? 'kfold';
  const name = modelName(values.model, protocol === 'loo' ? 'neumf' : 'mf');
  const epochs = integer('epochs', values.epochs, RECIPES[name].epochs);
  const seed = integer('seed', values.seed, 1);
  const data = await loadData(values.data, values.dataset);
  const ids = { userIds: data.userIds, itemIds: data.itemIds };
  const report = (result: Record<string, number | string>) => {
    if (values.json) print(result);
    else process.stdout.write(`${Object.entries(result).map(([key, value]) => `${key}: ${typeof value === 'number' ? round(value) : value}`).join('  ')}\n`);
  };
  if (protocol === 'kfold' || protocol === 'u1-u5') {
    if (name !== 'mf' && name !== 'svdpp') throw new DendriteError(`--protocol ${protocol} measures rating error: use --model mf or svdpp`);
    const folds = protocol === 'kfold'
      ? kFoldSplits(data.ratings, { folds: integer('folds', values.folds, 5), seed })
      : await canonicalFolds(values.data, data.userIds, data.itemIds, values.dataset);
    let rmse = 0, mae = 0;
    for (const [index, fold] of folds.entries()) {
      const model = createRecommender(name, RECIPES[name].options);
      await model.fit(InteractionMatrix.fromRatings(fold.train, ids), { epochs, seed });
      const metrics = await evaluateRatings(model as unknown as RatingPredictor, rawIds(data.userIds, fold.test.users), rawIds(data.itemIds, fold.test.items), fold.test.ratings);
      if (!values.json) process.stderr.write(`fold ${index + 1}: rmse ${round(metrics.rmse)} mae ${round(metrics.mae)}\n`);
      rmse += metrics.rmse;
      mae += metrics.mae;
      model.dispose();
    }
    report({ model: name, protocol, rmse: rmse / folds.length, mae: mae / folds.length, folds: folds.length });
    return;
  }
  if (protocol !== 'loo') throw new DendriteError(`--protocol must be kfold, u1-u5 or loo, got ${JSON.stringify(protocol)}`);
  const split = buildNcfSplit(data.ratings, { itemCount: data.itemIds.size, seed });
  const model = createRecommender(name, RECIPES[name].options);
  try {
    await model.fit(InteractionMatrix.fromRatings({ users: split.train.users, items: split.train.items }, ids), { epochs, seed });
    const sampled = await evaluateSampledRanking(model, split.test.users, split.test.items, split.negatives, { k: 10 });
    const full = await evaluateFullRanking(model, split.test, { k: 10 });
    report({
      model: name, protocol, hr: sampled.hr, ndcg: sampled.ndcg, auc: sampled.auc,
      fullHr: full.hr, fullNdcg: full.ndcg, fullPrecision: full.precision, fullRecall: full.recall, fullMap: full.map, fullAuc: full.auc, users: sampled.users,
    });
  } finally {
    model.dispose();
  }
}

function rawIds(map: IdMap, indices: Int32Array): Int32Array {
  return Int32Array.from(indices, (index) => map.rawId(index));
}

/** ML-100K's canonical u1…u5 base/test folds, mapped onto the loaded id maps. */
async function canonicalFolds(directory: string, userIds: IdMap, itemIds: IdMap, dataset: string): Promise<Array<{ train: Ratings; test: Ratings }>> {
  if (dataset !== 'ml-100k') throw new DendriteError('--protocol u1-u5 exists only for ml-100k (its u1.base … u5.test files)');
  const folds: Array<{ train: Ratings; test: Ratings }> = [];
  for (let fold = 1; fold <= 5; fold++) {
    // The u*.base/test files are u.data's format with raw MovieLens ids: mapped onto the full load's id maps while parsing.
    const read = async (name: string): Promise<Ratings> => parseRatingLines(
      splitLinesSync(await readFile(resolve(pathOf(directory), name), 'utf8')), { separator: '\t', source: name, userIds, itemIds },
    );
    folds.push({ train: await read(`u${fold}.base`), test: await read(`u${fold}.test`) });
  }
  return folds;
}

/** Write `PREFIX.train.rating`, `PREFIX.test.rating` and `PREFIX.test.negative` from a MovieLens release. */
async function buildNcf(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { data: { type: 'string' }, dataset: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
  if (!values.data || !values.dataset || !values.out) throw new DendriteError(`--data, --dataset and --out are required\n${USAGE}`);
  const data = await loadData(values.data, values.dataset);
  const split = buildNcfSplit(data.ratings, { itemCount: data.itemIds.size, seed: integer('seed', values.seed, 1) });
  // The test file keeps each held-out row's rating and time (the split carries them).
  const files = formatNcfFiles(split);
  const encoder = new TextEncoder();
  const prefix = pathOf(values.out);
  await writeFileAtomically(`${prefix}.train.rating`, encoder.encode(files.train));
  await writeFileAtomically(`${prefix}.test.rating`, encoder.encode(files.test));
  await writeFileAtomically(`${prefix}.test.negative`, encoder.encode(files.negatives));
  print({ train: `${prefix}.train.rating`, test: `${prefix}.test.rating`, negatives: `${prefix}.test.negative`, users: split.test.users.length, items: data.itemIds.size, trainRows: split.train.users.length });
}
