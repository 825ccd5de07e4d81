import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from './cli-bundle.js';

let cli: { script: string; remove: () => Promise<void> };
let scratch: string;

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli.script, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, INIT_CWD: scratch } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Fails unless the command exited non-zero with exactly one `error: …` line containing `text` on stderr. */
function expectOneLineError(result: ReturnType<typeof run>, text: string): void {
  expect(result.status).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toContain(text);
}

// A small, easy data set in the real files' format: the CLI's plumbing is under test here, not accuracy.
async function writeSyntheticData(directory: string): Promise<void> {
  const good = ['great', 'excellent', 'love', 'wonderful', 'perfect'];
  const bad = ['awful', 'terrible', 'hate', 'horrible', 'broken'];
  const things = ['phone', 'movie', 'food', 'service', 'screen', 'plot'];
  await mkdir(directory, { recursive: true });
  for (const [index, file] of ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'].entries()) {
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) {
      const positive = (i + index) % 2 === 0;
      const word = (positive ? good : bad)[(i * 7 + index) % 5];
      lines.push(`The ${things[Math.floor(i / 2) % things.length]} was ${word}.\t${positive ? 1 : 0}`);
    }
    await writeFile(join(directory, file), `${lines.join('\n')}\n`);
  }
}

beforeAll(async () => {
  cli = await bundleCli();
  scratch = await mkdtemp(join(tmpdir(), 'dendrite-sentiment-cli-test-'));
  await writeSyntheticData(join(scratch, 'data'));
}, 120_000);

afterAll(async () => {
  await cli?.remove();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('sentiment CLI errors: one line on stderr, non-zero exit', () => {
  it('a missing data directory', () => {
    expectOneLineError(run('train', '--data', join(scratch, 'nowhere')), `data directory ${join(scratch, 'nowhere')} does not exist`);
  });

  it('a data directory without one of the files', async () => {
    const folder = join(scratch, 'two-files');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'amazon_cells_labelled.txt'), 'Good.\t1\n');
    await writeFile(join(folder, 'imdb_labelled.txt'), 'Good.\t1\n');
    expectOneLineError(run('train', '--data', folder), `${join(folder, 'yelp_labelled.txt')} is missing`);
  });

  it('an empty file', async () => {
    const folder = join(scratch, 'empty-file');
    await writeSyntheticData(folder);
    await writeFile(join(folder, 'imdb_labelled.txt'), '');
    expectOneLineError(run('train', '--data', folder), `${join(folder, 'imdb_labelled.txt')}: the file is empty`);
  });

  it('a malformed line names the file and line', async () => {
    const folder = join(scratch, 'bad-line');
    await writeSyntheticData(folder);
    await writeFile(join(folder, 'yelp_labelled.txt'), 'Fine.\t1\nNo label here\n');
    expectOneLineError(run('train', '--data', folder), 'yelp_labelled.txt');
  });

  it('bad flags and values', () => {
    expectOneLineError(run('train', '--bogus'), "unknown option '--bogus'");
    expectOneLineError(run('train', '--model', 'transformer'), 'Allowed choices are lstm, gru, bilstm');
    expectOneLineError(run('train', '--epochs', 'many'), '--epochs must be a positive integer');
    expectOneLineError(run('train', '--sources', 'twitter', '--data', join(scratch, 'data')), '--sources must list some of amazon, imdb, yelp');
    expectOneLineError(run('eval'), "required option '--model <dir>' not specified");
    expectOneLineError(run('train', '--init-from', join(scratch, 'no-model')), `no model at ${join(scratch, 'no-model')}`);
    expectOneLineError(run('train', '--init-from', 'x', '--model', 'gru', '--units', '8'), '--model, --units cannot be combined with --init-from');
  });

  it('a missing or damaged model', async () => {
    expectOneLineError(run('eval', '--model', join(scratch, 'no-model')), `no model at ${join(scratch, 'no-model')}`);
    expectOneLineError(run('predict', '--model', join(scratch, 'no-model'), 'Great!'), 'the folder does not exist');
    const damaged = join(scratch, 'damaged');
    await mkdir(damaged, { recursive: true });
    for (const file of ['model.json', 'weights.safetensors']) await writeFile(join(damaged, file), '{}');
    expectOneLineError(run('predict', '--model', damaged, 'Great!'), 'tokenizer.json is missing');
    await writeFile(join(damaged, 'tokenizer.json'), '{"format":');
    expectOneLineError(run('predict', '--model', damaged, 'Great!'), `${join(damaged, 'tokenizer.json')} is not valid JSON`);
  });

  it('--verbose adds the stack trace', () => {
    const result = run('train', '--verbose', '--data', join(scratch, 'nowhere'));
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toContain('does not exist');
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});

describe('sentiment CLI train → eval → predict', () => {
  it('trains, saves, evaluates on the same held-out split and predicts', async () => {
    const trained = run('train', '--data', 'data', '--out', 'model', '--epochs', '8', '--units', '8', '--embedding-dim', '8', '--max-length', '8', '--min-count', '1', '--learning-rate', '0.02');
    expect(trained.stderr).toBe('');
    expect(trained.status).toBe(0);
    expect(trained.stdout).toMatch(/Held-out accuracy: [\d.]+% on 36 sentences/);
    const record = JSON.parse(await readFile(join(scratch, 'model', 'training.json'), 'utf8'));
    expect(record.recipe).toMatchObject({ encoder: 'lstm', units: 8, embeddingDim: 8, maxLength: 8, learningRate: 0.02 });

    const evaluated = run('eval', '--model', 'model', '--data', 'data', '--json');
    expect(evaluated.status).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.count).toBe(36);
    expect(report.accuracy).toBe(record.heldOutAccuracy);
    expect(report.accuracy).toBeGreaterThan(0.9); // the synthetic words are easy
    expect(Object.keys(report.perSource)).toEqual(['amazon', 'imdb', 'yelp']);

    const predicted = run('predict', '--model', 'model', '--json', 'The plot was wonderful.', 'The service was horrible.');
    expect(predicted.status).toBe(0);
    const rows = JSON.parse(predicted.stdout);
    expect(rows.map((row: { label: string }) => row.label)).toEqual(['positive', 'negative']);
    expect(rows[0].probability).toBeGreaterThan(0.5);
    expect(rows[1].probability).toBeLessThan(0.5);
    const plain = run('predict', '--model', 'model', 'The plot was wonderful.');
    expect(plain.stdout).toMatch(/^positive 0\.\d{3} {2}The plot was wonderful\.\n$/);

    // Fine-tuning from it on one source reuses its tokenizer and records where it started.
    const tuned = run('train', '--data', 'data', '--init-from', 'model', '--sources', 'imdb', '--out', 'tuned', '--epochs', '1', '--learning-rate', '0.02');
    expect(tuned.stderr).toBe('');
    expect(tuned.stdout).toMatch(/Held-out accuracy: [\d.]+% on \d+ sentences/);
    const tunedRecord = JSON.parse(await readFile(join(scratch, 'tuned', 'training.json'), 'utf8'));
    expect(tunedRecord).toMatchObject({ initFrom: 'model', sources: ['imdb'], recipe: { units: 8, embeddingDim: 8, maxLength: 8 } });
    expect(await readFile(join(scratch, 'tuned', 'tokenizer.json'), 'utf8')).toBe(await readFile(join(scratch, 'model', 'tokenizer.json'), 'utf8'));
  }, 240_000);
});
