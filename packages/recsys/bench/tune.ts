/**
 * Hyper-parameter sweep on the validation hold-out only (never the test set):
 *
 *   pnpm --filter @dendrite/recsys tune -- --train /tmp/ml-100k.train.rating --model neumf \
 *     --grid '{"factors":[16,32],"negatives":[4,8]}' [--epochs 20] [--pretrain] [--seed 1]
 *
 * `--train` is an NCF-format training file (`pnpm recommender build-ncf` writes it); its test files are
 * not read. The validation split is the `ncf` command's own (each user's latest training interaction with
 * 99 distinct negatives, seed + 1), and each configuration's epoch is chosen by the same rule
 * (`fitChoosingEpoch`: best HR@10, then NDCG@10, then the earlier epoch). `--grid` is a JSON object of
 * option lists, crossed (or a JSON array of configurations), each merged over the model's recipe. With `--pretrain` (NeuMF) the
 * GMF and MLP are fitted first with their recipes (`pretrainEpochs` in the grid overrides their epochs,
 * `pretrainGmf` / `pretrainMlp` objects their options and epochs; `alpha` weighs the two heads, default 0.5), each reused across the configurations that share its sizes, options and epochs.
 * Prints one JSON line per configuration and a Markdown table at the end.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ready } from '@dendrite/core';
import { IdMap } from '@dendrite/datasets';
import { carveValidation, fitChoosingEpoch } from '../src/evaluation/validation.js';
import type { NeuralCf } from '../src/models/neural-cf.js';
import { parseNcfRatings } from '../src/ncf-files.js';
import { RECIPES } from '../src/recipes.js';
import { MODEL_NAMES, createRecommender, type ModelName } from '../src/registry.js';

// `pnpm … tune -- --flag` passes the `--` through.
const args = process.argv.slice(2);
const { values } = parseArgs({
  args: args[0] === '--' ? args.slice(1) : args,
  options: {
    train: { type: 'string' }, model: { type: 'string', default: 'neumf' }, grid: { type: 'string', default: '{}' },
    epochs: { type: 'string' }, pretrain: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' },
  },
});
if (!values.train) throw new Error('--train FILE is required (an NCF-format .train.rating file)');
const name = values.model as ModelName;
if (!(MODEL_NAMES as readonly string[]).includes(name)) throw new Error(`--model must be one of ${MODEL_NAMES.join(', ')}`);
const seed = Number(values.seed);
const maxEpochs = values.epochs === undefined ? RECIPES[name].epochs : Number(values.epochs);
// An object of option lists is crossed; an array is taken as the configurations themselves.
const grid = JSON.parse(values.grid!) as Record<string, unknown[]> | Array<Record<string, unknown>>;

await ready();
const path = resolve(process.env.INIT_CWD ?? process.cwd(), values.train);
const train = parseNcfRatings(await readFile(path, 'utf8'), values.train);
let userCount = 0, itemCount = 0;
for (const user of train.users) userCount = Math.max(userCount, user + 1);
for (const item of train.items) itemCount = Math.max(itemCount, item + 1);
const ids = { userIds: IdMap.fromIds(Int32Array.from({ length: userCount }, (_, user) => user)), itemIds: IdMap.fromIds(Int32Array.from({ length: itemCount }, (_, item) => item)) };
const validation = carveValidation(train, ids, { itemCount, seed: seed + 1 });

/** Every combination of the grid's lists. */
function cross(lists: Record<string, unknown[]>): Array<Record<string, unknown>> {
  let combos: Array<Record<string, unknown>> = [{}];
  for (const [key, options] of Object.entries(lists)) combos = combos.flatMap((combo) => options.map((option) => ({ ...combo, [key]: option })));
  return combos;
}

const pretrainedCache = new Map<string, NeuralCf>();
/**
 * GMF and MLP with the config's sizes, fitted on the validation split's training part, each cached by its
 * own sizes, options and epochs (so configurations that vary only the GMF reuse the MLP, and vice versa).
 * `pretrainGmf` / `pretrainMlp` in the config (objects of options, `epochs` among them) are merged over
 * those recipes; `pretrainEpochs` sets both epoch counts.
 */
async function pretrained(config: Record<string, unknown>): Promise<{ gmf: NeuralCf; mlp: NeuralCf }> {
  // NeuMF's sizes as the configuration sets them over its recipe (as the `ncf` command's --pretrain does).
  const sized = { ...RECIPES[name].options, ...config };
  const epochs = (config.pretrainEpochs as number | undefined);
  const fitted = async (architecture: 'gmf' | 'mlp', modelSeed: number): Promise<NeuralCf> => {
    const shared = { ...(architecture === 'gmf' ? { factors: sized.factors } : { mlpLayers: sized.mlpLayers }), negatives: sized.negatives, embeddingRegularization: config.pretrainRegularization };
    const overrides = (architecture === 'gmf' ? config.pretrainGmf : config.pretrainMlp) as Record<string, unknown> | undefined;
    const { epochs: ownEpochs, ...ownOptions } = overrides ?? {};
    const key = JSON.stringify({ architecture, shared, epochs, overrides });
    let found = pretrainedCache.get(key);
    if (!found) {
      const clean = Object.fromEntries(Object.entries(shared).filter(([, value]) => value !== undefined));
      found = createRecommender(architecture, { ...RECIPES[architecture].options, ...clean, ...ownOptions }) as NeuralCf;
      const started = process.cpuUsage();
      const curve: string[] = [];
      const choice = await fitChoosingEpoch(found, validation, { epochs: (ownEpochs as number | undefined) ?? epochs ?? RECIPES[architecture].epochs, seed: modelSeed, onEpoch: (log) => curve.push(`${log.hr.toFixed(3)}/${log.ndcg.toFixed(3)}`) });
      const cpu = process.cpuUsage(started);
      process.stderr.write(`pretrained ${key}: last-epoch model used (best validation ${choice.hr.toFixed(4)} / ${choice.ndcg.toFixed(4)} at ${choice.epoch}; HR/NDCG per epoch ${curve.join(' ')}), ${((cpu.user + cpu.system) / 1e6).toFixed(0)} CPU-s\n`);
      pretrainedCache.set(key, found);
    }
    return found;
  };
  // The GMF's seed is the run's, the MLP's the next one (as the `ncf` command's pretraining).
  return { gmf: await fitted('gmf', seed), mlp: await fitted('mlp', seed + 1) };
}

const rows: Array<{ config: Record<string, unknown>; epoch: number; hr: number; ndcg: number; cpuSeconds: number; wallSeconds: number }> = [];
for (const config of Array.isArray(grid) ? grid : cross(grid)) {
  const { pretrainEpochs: _epochs, alpha, pretrainRegularization: _regularization, pretrainGmf: _gmf, pretrainMlp: _mlp, ...options } = config;
  const model = createRecommender(name, { ...RECIPES[name].options, ...options });
  if (values.pretrain) (model as NeuralCf).initializeFrom({ ...(await pretrained(config)), alpha: alpha as number | undefined });
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const curve: string[] = [];
  const choice = await fitChoosingEpoch(model, validation, { epochs: maxEpochs, seed, onEpoch: (log) => {
    curve.push(`${log.hr.toFixed(3)}/${log.ndcg.toFixed(3)}`);
    process.stderr.write(`${JSON.stringify(config)} epoch ${log.epoch}: loss ${log.loss.toFixed(4)} HR ${log.hr.toFixed(4)} NDCG ${log.ndcg.toFixed(4)} (${log.seconds.toFixed(1)} s)\n`);
  } });
  const cpu = process.cpuUsage(cpuStart);
  model.dispose();
  const row = { config, epoch: choice.epoch, hr: choice.hr, ndcg: choice.ndcg, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - wallStart) / 1000 };
  rows.push(row);
  process.stdout.write(`${JSON.stringify({ ...row, curve: curve.join(' ') })}\n`);
}
for (const model of pretrainedCache.values()) model.dispose();

process.stdout.write(`\n| ${name}${values.pretrain ? ' (pretrained)' : ''} configuration | epoch chosen | validation HR@10 | validation NDCG@10 | CPU s |\n| :--- | ---: | ---: | ---: | ---: |\n`);
for (const row of [...rows].sort((a, b) => b.hr - a.hr || b.ndcg - a.ndcg)) {
  process.stdout.write(`| ${JSON.stringify(row.config)} | ${row.epoch} | ${row.hr.toFixed(4)} | ${row.ndcg.toFixed(4)} | ${row.cpuSeconds.toFixed(0)} |\n`);
}
