// Times loading and batching Fashion-MNIST and MovieLens 100K. Run: pnpm --filter @dendrite/datasets bench
// Reads DENDRITE_DATA (default: shared/data beside the repository) and writes bench/results/datasets.json
// at the repository root as records { name, impl: 'dendrite', value, unit }.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Dataset,
  leaveOneOutSplit,
  loadMnistDirectory,
  loadMovieLens100kDirectory,
  withNegatives,
} from '../src/node/index.js';

interface BenchRecord {
  name: string;
  impl: 'dendrite';
  value: number;
  unit: string;
}

const packageDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = resolve(packageDirectory, '../..');
const dataDirectory = process.env.DENDRITE_DATA ?? resolve(repositoryRoot, '../shared/data');
const repetitions = Number(process.env.BENCH_REPETITIONS ?? 5);

/** Median wall time in milliseconds of `repetitions` runs, after one warm-up run. */
async function time(run: () => Promise<unknown>): Promise<number> {
  await run();
  const samples: number[] = [];
  for (let repetition = 0; repetition < repetitions; repetition++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  samples.sort((left, right) => left - right);
  return samples[Math.floor(samples.length / 2)];
}

async function main(): Promise<void> {
  const records: BenchRecord[] = [];
  const add = (name: string, value: number, unit: string) => records.push({ name, impl: 'dendrite', value: Number(value.toFixed(3)), unit });

  const fashionDirectory = join(dataDirectory, 'fashion-mnist');
  add('fashion-mnist load 60k+10k from gz (ms)', await time(() => loadMnistDirectory(fashionDirectory)), 'ms');

  const fashion = await loadMnistDirectory(fashionDirectory);
  const examples = Dataset.fromTensorSlices({ image: { data: fashion.train.images, shape: fashion.train.shape }, label: fashion.train.labels });
  let batchCount = 0;
  const batchAll = async (dataset: Dataset<unknown>) => {
    batchCount = 0;
    for await (const _batch of dataset) batchCount++;
  };
  add('fashion-mnist batch 128, 60k train, in order (ms)', await time(() => batchAll(examples.batch(128))), 'ms');
  add('fashion-mnist shuffle + batch 128, 60k train (ms)', await time(() => batchAll(examples.shuffle({ seed: 1 }).batch(128))), 'ms');
  add('fashion-mnist shuffle + batch 128 + prefetch 2, 60k train (ms)', await time(() => batchAll(examples.shuffle({ seed: 1 }).batch(128).prefetch(2))), 'ms');
  if (batchCount !== Math.ceil(60000 / 128)) throw new Error(`expected ${Math.ceil(60000 / 128)} batches, got ${batchCount}`);

  const movieLensDirectory = join(dataDirectory, 'movielens', 'ml-100k');
  add('movielens-100k load u.data+u.item+u.user (ms)', await time(() => loadMovieLens100kDirectory(movieLensDirectory)), 'ms');
  const movieLens = await loadMovieLens100kDirectory(movieLensDirectory);
  const ratings = Dataset.fromTensorSlices({ user: movieLens.ratings.users, item: movieLens.ratings.items, rating: movieLens.ratings.ratings });
  add('movielens-100k shuffle + batch 128, 100k ratings (ms)', await time(() => batchAll(ratings.shuffle({ seed: 1 }).batch(128))), 'ms');
  add('movielens-100k leave-one-out split (ms)', await time(async () => leaveOneOutSplit(movieLens.ratings)), 'ms');
  const { train } = leaveOneOutSplit(movieLens.ratings);
  add(
    'movielens-100k 4 negatives per positive, 99k positives (ms)',
    await time(async () => withNegatives(train, { itemCount: movieLens.itemIds.size, count: 4, seed: 1 })),
    'ms',
  );

  const nameWidth = Math.max(...records.map((record) => record.name.length));
  console.log(`${'benchmark'.padEnd(nameWidth)}  ${'median'.padStart(10)}  unit`);
  for (const record of records) console.log(`${record.name.padEnd(nameWidth)}  ${record.value.toFixed(1).padStart(10)}  ${record.unit}`);
  console.log(`(median of ${repetitions} runs after one warm-up; Node ${process.version})`);

  const output = join(repositoryRoot, 'bench', 'results', 'datasets.json');
  await mkdir(dirname(output), { recursive: true });
  await writeFile(output, `${JSON.stringify(records, null, 2)}\n`);
  console.log(`wrote ${output}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
