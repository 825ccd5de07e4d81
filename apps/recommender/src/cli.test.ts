import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appDirectory, movieLens100kDirectory } from './test-support.js';

interface Run { code: number | null; stdout: string; stderr: string }

/** Spawn the command line as a user runs it (tsx on src/main.ts) and collect its output; killed after 90 s. */
function recommender(...argv: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(appDirectory, 'src/main.ts'), ...argv], {
      cwd: appDirectory, env: { ...process.env, INIT_CWD: appDirectory }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', fail);
    child.on('close', (code) => { clearTimeout(timer); done({ code, stdout, stderr }); });
  });
}

/** One line on stderr, no stack trace. */
function expectOneLineError(run: Run, pattern: RegExp, code = 1): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('recommender command line (spawned; ML-100K subset)', () => {
  let work = '', subset = '', model = '';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'dendrite-recommender-'));
    // An ML-100K subset: every movie and user, the first 20,000 ratings.
    subset = join(work, 'ml-100k');
    const source = movieLens100kDirectory();
    await mkdir(subset);
    for (const file of ['u.item', 'u.user', 'u.genre']) await copyFile(join(source, file), join(subset, file));
    const lines = (await readFile(join(source, 'u.data'), 'utf8')).split('\n').slice(0, 20_000);
    await writeFile(join(subset, 'u.data'), `${lines.join('\n')}\n`);
    model = join(work, 'model');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('train, recommend and similar: titles, years and scores', async () => {
    const trained = await recommender('train', '--data', subset, '--dataset', 'ml-100k', '--model', 'als', '--epochs', '3', '--factors', '8', '--out', model);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/Trained als on ml-100k \(\d+ users, 1682 movies, 20000 ratings\)/);
    expect(trained.stderr).toMatch(/epoch 3\/3/);
    const [top, asJson, similar] = await Promise.all([
      recommender('recommend', '--model', model, '--user', '196', '-k', '5'),
      recommender('recommend', '--model', model, '--user', '196', '-k', '3', '--json'),
      recommender('similar', '--model', model, '--item', '50', '-k', '4'),
    ]);
    expect(top.code, top.stderr).toBe(0);
    const lines = top.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/Top 5 for user 196/);
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(1)) expect(line).toMatch(/^\s+\d\. .+ \(\d{4}\)\s+-?\d+\.\d{4}/);
    const json = JSON.parse(asJson.stdout);
    expect(json.items).toHaveLength(3);
    expect(similar.code, similar.stderr).toBe(0);
    expect(similar.stdout).toMatch(/Closest to Star Wars \(1977\)/);
    expect(similar.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('errors are one line naming the file or value, with a non-zero exit', async () => {
    // A malformed ratings line, and a model folder with corrupt weights.
    const broken = join(work, 'broken');
    await mkdir(broken, { recursive: true });
    for (const file of ['u.item', 'u.user', 'u.genre']) await copyFile(join(subset, file), join(broken, file));
    await writeFile(join(broken, 'u.data'), '196\t242\t3\t881250949\n186\tabc\t3\t891717742\n');
    const corrupt = join(work, 'corrupt');
    await cp(model, corrupt, { recursive: true });
    await writeFile(join(corrupt, 'weights.safetensors'), 'not safetensors');
    const cases: Array<[string[], RegExp, number?]> = [
      [['train', '--data', join(work, 'missing'), '--out', join(work, 'x')], /--data .*missing: no such directory/],
      [['train', '--data', work, '--out', join(work, 'x')], /no u\.data in it/],
      [['train', '--data', broken, '--out', join(work, 'x')], /u\.data.*line 2/],
      [['recommend', '--model', model, '--user', '99999'], /user 99999 is not in the model's training data/],
      [['recommend', '--model', join(work, 'nothing'), '--user', '1'], /recommender\.json not found/],
      [['similar', '--model', model, '--item', '123456'], /movie 123456 is not in the catalogue/],
      [['recommend', '--model', corrupt, '--user', '196'], /weights\.safetensors/],
      [['recommend', '--model', model, '--user', 'abc'], /--user must be a whole number.*"abc"/, 2],
      [['train', '--model', 'svd'], /--model.*svd/, 2],
      [['train', '--bogus'], /unknown option '--bogus'/, 2],
      [['fly'], /unknown command 'fly'/, 2],
    ];
    // Spawned together: each is a separate process, and the machine's cores are shared anyway.
    const runs = await Promise.all(cases.map(([argv]) => recommender(...argv)));
    runs.forEach((run, index) => expectOneLineError(run, cases[index][1], cases[index][2]));
    // --verbose adds the stack trace.
    const verbose = await recommender('recommend', '--model', corrupt, '--user', '196', '--verbose');
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('serve answers over HTTP, stops on SIGTERM, and names a port in use', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(appDirectory, 'src/main.ts'), 'serve', '--model', model, '--port', '0'], {
      cwd: appDirectory, env: { ...process.env, INIT_CWD: appDirectory }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    try {
      const address = await new Promise<string>((found, fail) => {
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
          const match = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
          if (match) found(match[1]);
        });
        child.on('close', (code) => fail(new Error(`serve exited with ${code}`)));
      });
      const health = await (await fetch(`${address}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', model: 'als', dataset: 'ml-100k' });
      const exited = new Promise<number | null>((done) => child.on('close', done));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
    // A port already taken is one clear line, not a stack or a hang.
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    try {
      const port = String((blocker.address() as AddressInfo).port);
      expectOneLineError(await recommender('serve', '--model', model, '--port', port), new RegExp(`--port ${port}: .*already in use`));
    } finally {
      blocker.close();
    }
  });

  it('trains on an ML-1M-format release (movies.dat and ratings.dat, "::"-separated; generated)', async () => {
    // ML-1M's ratings are not on this machine: 60 users and 40 movies in its format, two taste groups.
    const release = join(work, 'ml-1m');
    await mkdir(release, { recursive: true });
    const movies = Array.from({ length: 40 }, (_, index) => 10 + 3 * index);
    await writeFile(join(release, 'movies.dat'), movies.map((id, index) => `${id}::Film ${index} (${1980 + index})::${index % 2 ? 'Drama' : 'Comedy'}`).join('\n') + '\n');
    const lines: string[] = [];
    for (let user = 1; user <= 60; user++) {
      movies.forEach((movie, index) => {
        if (index % 2 === user % 2 && (index + user) % 3 !== 0) lines.push(`${user}::${movie}::${1 + ((index + user) % 5)}::${978300000 + index}`);
      });
    }
    await writeFile(join(release, 'ratings.dat'), lines.join('\n') + '\n');
    const out = join(work, 'model-1m');
    const trained = await recommender('train', '--data', release, '--dataset', 'ml-1m', '--epochs', '3', '--factors', '4', '--out', out);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/Trained als on ml-1m \(60 users, 40 movies, \d+ ratings\)/);
    const similar = JSON.parse((await recommender('similar', '--model', out, '--item', '10', '-k', '3', '--json')).stdout);
    expect(similar.items).toHaveLength(3);
    expect(similar.items[0]).toMatchObject({ title: expect.stringMatching(/^Film \d+$/), year: expect.any(Number) });
  });

  it('runs the recsys commands (build-ncf) through the same entry', async () => {
    const run = await recommender('build-ncf', '--data', subset, '--dataset', 'ml-100k', '--out', join(work, 'ncf'));
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ items: 1682 });
    expect((await readFile(join(work, 'ncf.test.negative'), 'utf8')).split('\n')[0].split('\t')).toHaveLength(100);
  });
});
