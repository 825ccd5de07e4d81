import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeededRandom } from '@dendrite/datasets';
import { main } from './cli.js';
import { parseNcfNegatives, parseNcfRatings } from './ncf-files.js';
import { movieLens100kDirectory } from './test-support.js';

/**
 * An ML-1M-format release (ratings.dat and movies.dat, `::`-separated), generated: 120 users, 200
 * movies with sparse raw ids, four taste groups (each user rates half of their group's movies), ratings
 * 1–5 with timestamps. ML-1M's own ratings are
 * not on this machine; the loader and the command line must still work on its format.
 */
async function writeGeneratedMl1m(directory: string): Promise<void> {
  const random = new SeededRandom(5);
  const movies = Array.from({ length: 200 }, (_, index) => 3 * index + 2);
  await writeFile(join(directory, 'movies.dat'), movies.map((id) => `${id}::Movie ${id} (1999)::Drama|Comedy`).join('\n') + '\n');
  const lines: string[] = [];
  for (let user = 1; user <= 120; user++) {
    const group = user % 4;
    for (const [index, movie] of movies.entries()) {
      if (index % 4 !== group || random.nextFloat() < 0.5) continue;
      lines.push(`${user}::${movie}::${1 + random.nextInt(5)}::${978300000 + random.nextInt(100000)}`);
    }
  }
  await writeFile(join(directory, 'ratings.dat'), lines.join('\n') + '\n');
}

describe('recommender command line (on a generated ML-1M-format release)', () => {
  let directory = '';
  const output: string[] = [];
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dendrite-recsys-'));
    await writeGeneratedMl1m(directory);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  const run = async (...argv: string[]) => {
    output.length = 0;
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { output.push(String(chunk)); return true; });
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { output.push(`stderr: ${String(chunk)}`); return true; });
    try {
      return await main(argv);
    } finally {
      spy.mockRestore();
      errors.mockRestore();
    }
  };
  const jsonLines = () => output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));

  it('build-ncf writes the NCF paper\'s three files: one held-out item per user, 99 never-rated negatives', async () => {
    expect(await run('build-ncf', '--data', directory, '--dataset', 'ml-1m', '--out', join(directory, 'ml-1m'))).toBe(0);
    const train = parseNcfRatings(await readFile(join(directory, 'ml-1m.train.rating'), 'utf8'), 'train');
    const test = parseNcfRatings(await readFile(join(directory, 'ml-1m.test.rating'), 'utf8'), 'test');
    const negatives = parseNcfNegatives(await readFile(join(directory, 'ml-1m.test.negative'), 'utf8'), 'negatives');
    expect(new Set(test.users).size).toBe(120);
    expect(negatives.perUser).toBe(99);
    // Ids are dense and 0-based; a row's 99 negatives are distinct (drawn without replacement) and none was ever rated by its user.
    negatives.users.forEach((_, row) => expect(new Set(negatives.negatives.subarray(row * 99, (row + 1) * 99)).size).toBe(99));
    const rated = new Set(Array.from(train.users, (user, row) => `${user},${train.items[row]}`));
    test.users.forEach((user, row) => rated.add(`${user},${test.items[row]}`));
    negatives.users.forEach((user, row) => {
      for (const item of negatives.negatives.subarray(row * 99, (row + 1) * 99)) expect(rated.has(`${user},${item}`)).toBe(false);
    });
    expect(Math.max(...train.items)).toBeLessThan(200);
    // Each test row is the user's latest rating, written with its own rating and time.
    const source = new Map((await readFile(join(directory, 'ratings.dat'), 'utf8')).trim().split('\n').map((line) => {
      const [user, movie, rating, time] = line.split('::').map(Number);
      return [`${user - 1},${(movie - 2) / 3}`, { rating, time }] as const;
    }));
    test.users.forEach((user, row) => {
      expect(source.get(`${user},${test.items[row]}`)).toEqual({ rating: test.ratings[row], time: test.timestamps[row] });
      train.users.forEach((trainUser, trainRow) => {
        if (trainUser === user) expect(train.timestamps[trainRow]).toBeLessThanOrEqual(test.timestamps[row]);
      });
    });
  });

  it('ncf prints one JSON line per epoch on validation, then the test hr and ndcg, beating popularity', async () => {
    const prefix = join(directory, 'ml-1m');
    const files = ['--train', `${prefix}.train.rating`, '--test', `${prefix}.test.rating`, '--negatives', `${prefix}.test.negative`];
    expect(await run('ncf', ...files, '--model', 'pop')).toBe(0);
    const popularity = jsonLines().at(-1);
    expect(await run('ncf', ...files, '--model', 'als', '--epochs', '3', '--factors', '4')).toBe(0);
    const lines = jsonLines();
    expect(lines.slice(0, 3).map((line) => Object.keys(line))).toEqual([['epoch', 'loss', 'hr', 'ndcg', 'seconds'], ['epoch', 'loss', 'hr', 'ndcg', 'seconds'], ['epoch', 'loss', 'hr', 'ndcg', 'seconds']]);
    const final = lines[3];
    expect(final).toMatchObject({ test: true, model: 'als' });
    // About 14 of the 99 negatives share the user's taste group: a model that sees the groups ranks the
    // test item among ~15 candidates (HR@10 ≈ 0.65); popularity among all 100 (≈ 0.1–0.2).
    expect(final.hr).toBeGreaterThan(0.45);
    expect(final.hr).toBeGreaterThan(popularity.hr + 0.2);
    expect(await run('ncf', ...files, '--model', 'gmf', '--epochs', '1', '--factors', '4')).toBe(0);
    expect(jsonLines().at(-1)).toMatchObject({ test: true, model: 'gmf' });
    // NeuMF from a GMF and an MLP pretrained at its own sizes (whatever --factors makes them).
    expect(await run('ncf', ...files, '--pretrain', '--epochs', '1', '--factors', '4')).toBe(0);
    const pretrained = jsonLines();
    expect(pretrained.at(-1)).toMatchObject({ test: true, model: 'neumf', epochs: 1 });
    // NeuMF's recipe pretrains by default; --no-pretrain starts from the paper's random initialisation, whose first epoch's loss is higher.
    expect(await run('ncf', ...files, '--epochs', '1', '--factors', '4')).toBe(0);
    expect(jsonLines()[0].loss).toBe(pretrained[0].loss);
    expect(await run('ncf', ...files, '--no-pretrain', '--epochs', '1', '--factors', '4')).toBe(0);
    const scratch = jsonLines();
    expect(scratch.at(-1)).toMatchObject({ test: true, model: 'neumf', epochs: 1 });
    expect(scratch[0].loss).toBeGreaterThan(pretrained[0].loss + 0.05);
  });

  it('evaluate --protocol kfold prints one JSON object with the mean RMSE/MAE over folds', async () => {
    expect(await run('evaluate', '--data', directory, '--dataset', 'ml-1m', '--model', 'mf', '--protocol', 'kfold', '--folds', '2', '--epochs', '3', '--json')).toBe(0);
    const [result] = jsonLines();
    expect(result).toMatchObject({ model: 'mf', protocol: 'kfold', folds: 2 });
    // Ratings are uniform on 1..5 (RMSE of the mean ≈ 1.41): an honest model is near that, not below 1.
    expect(result.rmse).toBeGreaterThan(1);
    expect(result.rmse).toBeLessThan(1.8);
  });

  it('evaluate --protocol u1-u5 reads ML-100K\'s canonical base/test folds (shared data)', async () => {
    expect(await run('evaluate', '--data', movieLens100kDirectory(), '--dataset', 'ml-100k', '--model', 'mf', '--protocol', 'u1-u5', '--epochs', '1', '--json')).toBe(0);
    const [result] = jsonLines();
    expect(result).toMatchObject({ model: 'mf', protocol: 'u1-u5', folds: 5 });
    // One epoch of the MF recipe sits near the bias-only baseline (≈ 1.0), well below the RMSE of guessing the mean (≈ 1.13).
    expect(result.rmse).toBeGreaterThan(0.95);
    expect(result.rmse).toBeLessThan(1.05);
    expect(result.mae).toBeLessThan(result.rmse);
    expect(await run('evaluate', '--data', directory, '--dataset', 'ml-1m', '--model', 'mf', '--protocol', 'u1-u5')).toBe(1);
    expect(output.join('')).toContain('--protocol u1-u5 exists only for ml-100k');
  });

  it('bad flags give one clear line and a non-zero exit code', async () => {
    expect(await run('ncf', '--train', 'x')).toBe(1);
    expect(output.join('')).toContain('--test is required');
    expect(await run('evaluate', '--data', directory, '--dataset', 'ml-1m', '--model', 'als', '--protocol', 'kfold')).toBe(1);
    expect(output.join('')).toContain('--protocol kfold measures rating error: use --model mf or svdpp');
    expect(await run('ncf', '--train', 'x', '--test', 'y', '--negatives', 'z', '--pretrain', '--no-pretrain')).toBe(1);
    expect(output.join('')).toContain('--pretrain and --no-pretrain exclude each other');
    expect(await run('frobnicate')).toBe(2);
  });
});
