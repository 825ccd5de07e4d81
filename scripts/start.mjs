#!/usr/bin/env node
// `pnpm start`: the README's main job. Trains the three sample models on real data with short recipes
// (a few minutes on 2 cores), uses each once, and says how to open the web pages. The full recipes are
// the apps' own defaults (see each app's README).
//
// Data: DENDRITE_DATA, then ../shared/data beside the checkout, then the per-user cache, else a download
// (MovieLens with its terms shown first). Models go to runs/ at the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = join(root, 'runs');
mkdirSync(runs, { recursive: true });

const apps = {
  classifier: join(root, 'apps/image-classifier/dist/cli.js'),
  sentiment: join(root, 'apps/sentiment/dist/main.js'),
  recommender: join(root, 'apps/recommender/dist/main.js'),
};

/** Run one app command with the terminal attached; stop the whole job on the first failure. */
function run(app, args) {
  process.stdout.write(`\n$ ${app} ${args.join(' ')}\n`);
  const result = spawnSync(process.execPath, [apps[app], ...args], { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stderr.write(`start: '${app} ${args[0]}' failed (exit ${result.status ?? result.signal}); see its message above\n`);
    process.exit(result.status || 1);
  }
}

/** Where `recommender train` found MovieLens 100K, looked up as it does (@dendrite/datasets' locateDataset). */
async function movieLensFolder() {
  const { MOVIELENS_100K_DESCRIPTOR } = await import('../packages/datasets/dist/index.js');
  const { locateDataset } = await import('../packages/datasets/dist/node.js');
  const shared = join(root, '..', 'shared', 'data');
  const directory = !process.env.DENDRITE_DATA && existsSync(join(shared, 'movielens', 'ml-100k')) ? shared : undefined;
  const found = await locateDataset(MOVIELENS_100K_DESCRIPTOR, { directory });
  if (!found) throw new Error('start: MovieLens 100K was not found after training (DENDRITE_DATA, ../shared/data, the cache)');
  return found;
}

const started = performance.now();
process.stdout.write('Dendrite: training the three sample models (short recipes; the full ones are in each app\'s README)\n');

process.stdout.write('\n== 1. Image classifier: a CNN on Fashion-MNIST (2 epochs; the full recipe is 10 and reaches 92.5%)\n');
run('classifier', ['train', '--model', 'cnn', '--epochs', '2', '--out', join(runs, 'classifier')]);
run('classifier', ['eval', '--model', join(runs, 'classifier')]);

process.stdout.write('\n== 2. Sentiment: an LSTM over word embeddings on the UCI sentiment sentences (the default recipe)\n');
run('sentiment', ['train', '--out', join(runs, 'sentiment')]);
run('sentiment', ['predict', '--model', join(runs, 'sentiment'), 'The food was wonderful and the staff were friendly.', 'A dull film, I walked out.']);

process.stdout.write('\n== 3. Movie recommender: implicit ALS on MovieLens 100K\n');
run('recommender', ['train', '--dataset', 'ml-100k', '--model', 'als', '--out', join(runs, 'recommender')]);
run('recommender', ['recommend', '--model', join(runs, 'recommender'), '--user', '1', '-k', '5']);
// Test quality: each user's latest rating held out, ranked against 99 movies they never rated (the NCF protocol).
process.stdout.write('\nALS on held-out ratings (leave-one-out + 99 sampled negatives; hr = hit ratio at 10):\n');
run('recommender', ['evaluate', '--data', await movieLensFolder(), '--dataset', 'ml-100k', '--model', 'als', '--protocol', 'loo']);

const minutes = ((performance.now() - started) / 60_000).toFixed(1);
process.stdout.write(`\nDone in ${minutes} min. The models are in runs/. Open the web pages with:
  pnpm classifier serve --model runs/classifier     # draw or drop an image; trains in the browser too
  pnpm recommender serve --model runs/recommender   # search and rate movies, see recommendations
Then browse to the address each prints (http://127.0.0.1:...).
`);
