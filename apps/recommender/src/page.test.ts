import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDirectory, saveModelDirectory, type StoredModel } from './model-store.js';
import { buildServer } from './server.js';
import { RecommenderService } from './service.js';
import { appDirectory, smallModel } from './test-support.js';

/** Debian's chromium; never a downloaded browser. */
const CHROMIUM = process.env.DENDRITE_CHROMIUM ?? '/usr/bin/chromium';
/** Git-ignored: the screenshot each run keeps. */
const ARTIFACTS = join(appDirectory, 'artifacts');

describe('web page in headless Chromium (served on 127.0.0.1, a saved ALS model of ML-100K)', () => {
  let stored: StoredModel;
  let app: FastifyInstance;
  let browser: Browser;
  let url = '';

  let folder = '';

  beforeAll(async () => {
    // The server loads a saved model, as `recommender serve --model DIR` does.
    const trained = await smallModel();
    folder = await mkdtemp(join(tmpdir(), 'dendrite-recommender-page-'));
    await saveModelDirectory(folder, trained);
    trained.model.dispose();
    stored = await loadModelDirectory(folder);
    app = await buildServer(new RecommenderService(stored));
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-background-networking'] });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    stored?.model.dispose();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('search, rate, and see recommendations and similar movies update', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    // A new visitor first sees the cold-start list: the most watched movies.
    await page.waitForSelector('#status[data-source="popularity"]');
    expect(await page.textContent('#recommendations li[data-movie] .title')).toBe('Star Wars (1977)');
    await expect.poll(() => page.textContent('#model')).toMatch(/als on MovieLens ml-100k: 943 users, 1682 movies/);

    // Search and rate three science-fiction films.
    for (const [query, id] of [['star wars', 50], ['empire strikes', 172], ['return of the jedi', 181]] as const) {
      await page.fill('#search', query);
      await page.click(`#results li[data-movie="${id}"] button[data-rate="5"]`);
      await page.waitForFunction((movie) => document.querySelector(`#rated`)!.textContent!.includes(movie), query === 'star wars' ? 'Star Wars' : query === 'empire strikes' ? 'Empire Strikes Back' : 'Return of the Jedi');
    }
    await page.waitForFunction(() => document.querySelector('#status')!.textContent!.includes('3 ratings'));
    expect(await page.getAttribute('#status', 'data-source')).toBe('fold-in');
    const recommended = await page.$$eval('#recommendations > li[data-movie]', (lines) => lines.map((line) => Number((line as HTMLElement).dataset.movie)));
    expect(recommended).toHaveLength(10);
    for (const rated of [50, 172, 181]) expect(recommended).not.toContain(rated);
    // Each recommendation lists its similar movies.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#recommendations .similar li')).filter((line) => /similar: .+\(\d{4}\)/.test(line.textContent!)).length === 10);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'recommender-page.png'), fullPage: true });
    if (process.env.RECOMMENDER_UPDATE_SCREENSHOT) await copyFile(join(ARTIFACTS, 'recommender-page.png'), join(appDirectory, 'docs', 'screenshot.png'));
    expect(errors).toEqual([]);
  });
});
