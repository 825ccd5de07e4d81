// `pnpm --filter @dendrite/recsys exec tsx bench/svdpp-update.ts [--cut 0.8] [--epochs 20] [--update-epochs 20]`:
// SvdPlusPlus.update on ML-100K split by time (the split of bench/ncf-update.ts: fit before the cut, update
// with the later ratings, each later user's latest rating held out). RMSE of the held-out ratings of the new
// users, of the touched old users and of every old user's held-out earlier rating: without the update (a new
// user gets μ + bᵢ), after it, and after a refit from scratch on the merged ratings; CPU seconds of each.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { loadMovieLens100kDirectory } from '@dendrite/datasets/node';
import { InteractionMatrix, RECIPES, SvdPlusPlus, evaluateRatings } from '../src/index.js';
import { timeSplitForUpdate, type HeldOut } from '../src/test-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataRoot = process.env.DENDRITE_DATA ?? resolve(here, '../../../../shared/data');
const argument = (flag: string, fallback: string) => {
  const position = process.argv.indexOf(`--${flag}`);
  return position >= 0 ? process.argv[position + 1] : fallback;
};
const cut = Number(argument('cut', '0.8'));
const epochs = Number(argument('epochs', String(RECIPES.svdpp.epochs)));
const updateEpochs = Number(argument('update-epochs', '20'));

await ready();
const ml = await loadMovieLens100kDirectory(join(dataRoot, 'movielens', 'ml-100k'));
const split = timeSplitForUpdate(ml.ratings, { cut, seed: 1 });
const ratingOf = new Map<number, number>();
for (let row = 0; row < ml.ratings.users.length; row++) ratingOf.set(ml.ratings.users[row] * 1_000_000 + ml.ratings.items[row], ml.ratings.ratings[row]);
const values = (users: Int32Array, items: Int32Array) => Float32Array.from(users, (user, row) => ratingOf.get(user * 1_000_000 + items[row])!);
const cpu = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};
const rmse = async (model: SvdPlusPlus, group: HeldOut) => Number((await evaluateRatings(model, group.users, group.items, values(group.users, group.items))).rmse.toFixed(4));
const report = async (label: string, model: SvdPlusPlus, seconds: number) => process.stdout.write(`${JSON.stringify({
  model: label, cpuSeconds: Number(seconds.toFixed(2)), newUsers: await rmse(model, split.newUsers), touchedUsers: await rmse(model, split.touchedUsers), oldUsers: await rmse(model, split.oldUsers),
})}\n`);

const train = InteractionMatrix.fromRawIds(split.train.users, split.train.items, values(split.train.users, split.train.items));
let mark = cpu();
const model = new SvdPlusPlus(RECIPES.svdpp.options);
await model.fit(train, { epochs, seed: 1 });
await report(`fit before the cut, ${epochs} epochs (no update)`, model, cpu() - mark);
mark = cpu();
await model.update({ ...split.update, values: values(split.update.users, split.update.items) }, { epochs: updateEpochs, seed: 1 });
await report(`after update, ${updateEpochs} epochs`, model, cpu() - mark);
mark = cpu();
const refit = new SvdPlusPlus(RECIPES.svdpp.options);
await refit.fit(model.interactions, { epochs, seed: 1 });
await report(`refit on the merged ratings, ${epochs} epochs`, refit, cpu() - mark);
model.dispose();
refit.dispose();
