// `pnpm --filter @dendrite/recsys exec tsx bench/neumf-updates.ts [--epochs 10] [--updates dense,lazy]`:
// NeuMF's recipe (16 + 64-32-16-8, 4 negatives, batch 256, Adam 1e-3) on ML-100K with dense and with lazy
// embedding updates, validation HR@10 / NDCG@10 after each epoch (the training part less each user's
// latest interaction, as the `ncf` command chooses epochs), with wall and CPU seconds per epoch. One JSON
// line per epoch; the quality and speed effect of `embeddingUpdates: 'lazy'` recorded in the README.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ready } from '@dendrite/core';
import { loadMovieLens100kDirectory } from '@dendrite/datasets/node';
import { InteractionMatrix, NeuralCf, buildNcfSplit, evaluateSampledRanking } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const dataRoot = process.env.DENDRITE_DATA ?? resolve(here, '../../../../shared/data');
const argument = (flag: string, fallback: string) => {
  const position = process.argv.indexOf(`--${flag}`);
  return position >= 0 ? process.argv[position + 1] : fallback;
};
const epochs = Number(argument('epochs', '10'));
const updates = argument('updates', 'dense,lazy').split(',') as Array<'dense' | 'lazy'>;

await ready();
const ml = await loadMovieLens100kDirectory(join(dataRoot, 'movielens', 'ml-100k'));
const outer = buildNcfSplit(ml.ratings, { itemCount: ml.itemIds.size, seed: 1 });
const inner = buildNcfSplit(outer.train, { itemCount: ml.itemIds.size, seed: 2 });
const matrix = InteractionMatrix.fromRatings({ users: inner.train.users, items: inner.train.items }, { userIds: ml.userIds, itemIds: ml.itemIds });
for (const embeddingUpdates of updates) {
  const model = new NeuralCf({ architecture: 'neumf', factors: 16, mlpLayers: [64, 32, 16, 8], batchSize: 256, negatives: 4, learningRate: 0.001, embeddingUpdates });
  let cpuMark = process.cpuUsage();
  await model.fit(matrix, {
    epochs, seed: 1,
    onEpoch: async (log) => {
      const used = process.cpuUsage(cpuMark);
      const validation = await evaluateSampledRanking(model, inner.test.users, inner.test.items, inner.negatives, { k: 10 });
      process.stdout.write(`${JSON.stringify({ embeddingUpdates, epoch: log.epoch, loss: log.loss, hr: validation.hr, ndcg: validation.ndcg, seconds: log.seconds, cpuSeconds: (used.user + used.system) / 1e6 })}\n`);
      cpuMark = process.cpuUsage();
    },
  });
  model.dispose();
}
