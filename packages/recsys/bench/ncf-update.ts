// `pnpm --filter @dendrite/recsys exec tsx bench/ncf-update.ts [--model neumf] [--cut 0.8] [--fit-epochs 4] [--seed 1] [--configs JSON] [--refit no]`:
// NeuralCf.update on ML-100K split by time. The model is fitted on the ratings before the cut (less each
// user's latest, held out), then updated with the later ones (less the latest of each user with two or more,
// held out). One JSON line per update configuration: HR@10 / NDCG@10 (99 negatives) of the new users on their
// held-out later item, of the touched old users likewise, and of every old user on their held-out earlier
// item before and after the update (drift), with the update's CPU seconds; ItemPop on the merged data and a
// refit from scratch on it are the references. The measurements behind the README's `update` recipe.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { loadMovieLens100kDirectory } from '@dendrite/datasets/node';
import { InteractionMatrix, ItemPop, NeuralCf, evaluateSampledRanking, loadRecommender, type NeuralCfUpdateOptions, type Recommender } from '../src/index.js';
import { timeSplitForUpdate, type HeldOut } from '../src/test-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataRoot = process.env.DENDRITE_DATA ?? resolve(here, '../../../../shared/data');
const argument = (flag: string, fallback: string) => {
  const position = process.argv.indexOf(`--${flag}`);
  return position >= 0 ? process.argv[position + 1] : fallback;
};
const architecture = argument('model', 'neumf') as 'gmf' | 'mlp' | 'neumf';
const cut = Number(argument('cut', '0.8'));
const fitEpochs = Number(argument('fit-epochs', '4'));
const seed = Number(argument('seed', '1'));
const configs: NeuralCfUpdateOptions[] = JSON.parse(argument('configs', JSON.stringify([
  {}, { newRows: 'random' }, { replay: 1 }, { items: 'touched' }, { items: 'touched', replay: 1 }, { layers: true }, { learningRate: 0.01 }, { epochs: 5 },
])));

await ready();
const ml = await loadMovieLens100kDirectory(join(dataRoot, 'movielens', 'ml-100k'));
const split = timeSplitForUpdate(ml.ratings, { cut, seed: 1 });
const cpu = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
/** HR@10 / NDCG@10 of a held-out group, ids mapped through the model's current id maps. */
async function hitRatio(model: Recommender, group: HeldOut): Promise<{ hr: number; ndcg: number; users: number }> {
  const { userIds, itemIds } = model.interactions;
  const metrics = await evaluateSampledRanking(model, userIds.indicesOf(group.users), itemIds.indicesOf(group.items), itemIds.indicesOf(group.negatives), { k: 10 });
  return { hr: Number(metrics.hr.toFixed(4)), ndcg: Number(metrics.ndcg.toFixed(4)), users: group.users.length };
}
const options = { architecture, factors: 16, mlpLayers: [64, 32, 16, 8], learningRate: 0.001 };
const train = InteractionMatrix.fromRawIds(split.train.users, split.train.items);
process.stdout.write(`${JSON.stringify({ split: { cut, train: split.train.users.length, update: split.update.users.length, oldUsers: split.oldUsers.users.length, newUsers: split.newUsers.users.length, touchedUsers: split.touchedUsers.users.length } })}\n`);
let mark = cpu();
const base = new NeuralCf(options);
await base.fit(train, { epochs: fitEpochs, seed });
const saved = await base.save();
const oldBefore = await hitRatio(base, split.oldUsers);
process.stdout.write(`${JSON.stringify({ fit: { epochs: fitEpochs, cpuSeconds: cpu() - mark }, oldUsersBefore: oldBefore })}\n`);
base.dispose();

const merged = InteractionMatrix.fromRawIds([...split.train.users, ...split.update.users], [...split.train.items, ...split.update.items]);
const pop = new ItemPop();
await pop.fit(merged);
process.stdout.write(`${JSON.stringify({ reference: 'itempop on the merged data', newUsers: await hitRatio(pop, split.newUsers), touchedUsers: await hitRatio(pop, split.touchedUsers), oldUsers: await hitRatio(pop, split.oldUsers) })}\n`);
pop.dispose();

for (const config of configs) {
  const model = loadRecommender(saved) as NeuralCf;
  mark = cpu();
  const summary = await model.update(split.update, { seed, ...config });
  const updateCpu = cpu() - mark;
  process.stdout.write(`${JSON.stringify({
    update: config, cpuSeconds: Number(updateCpu.toFixed(2)), newUsersCount: summary.newUsers, newItemsCount: summary.newItems,
    newUsers: await hitRatio(model, split.newUsers), touchedUsers: await hitRatio(model, split.touchedUsers), oldUsersAfter: await hitRatio(model, split.oldUsers),
  })}\n`);
  model.dispose();
}

if (argument('refit', 'yes') === 'yes') {
  mark = cpu();
  const refit = new NeuralCf(options);
  await refit.fit(merged, { epochs: fitEpochs, seed });
  process.stdout.write(`${JSON.stringify({ reference: `refit from scratch on the merged data, ${fitEpochs} epochs`, cpuSeconds: Number((cpu() - mark).toFixed(2)), newUsers: await hitRatio(refit, split.newUsers), touchedUsers: await hitRatio(refit, split.touchedUsers), oldUsers: await hitRatio(refit, split.oldUsers) })}\n`);
  refit.dispose();
}
