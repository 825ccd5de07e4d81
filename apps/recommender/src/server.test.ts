import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredModel } from './model-store.js';
import { buildServer } from './server.js';
import { RecommenderService, type ScoredMovie } from './service.js';
import { smallModel } from './test-support.js';

interface Answer { user: number; source: string; items: ScoredMovie[] }

describe('HTTP API (fastify.inject, ALS on ML-100K)', () => {
  let stored: StoredModel;
  let app: FastifyInstance;
  const get = async (url: string) => app.inject({ method: 'GET', url });
  const post = async (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

  beforeAll(async () => {
    stored = await smallModel();
    app = await buildServer(new RecommenderService(stored));
  });
  afterAll(async () => {
    await app?.close();
    stored?.model.dispose();
  });

  it('GET /health describes the model', async () => {
    const response = await get('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', model: 'als', dataset: 'ml-100k', users: 943, items: 1682, ratings: 100000 });
  });

  it('GET /users/:id/recommendations ranks unseen movies with titles and years', async () => {
    const response = await get('/users/196/recommendations?k=5');
    expect(response.statusCode).toBe(200);
    const answer = response.json<Answer>();
    expect(answer.source).toBe('model');
    expect(answer.items).toHaveLength(5);
    const seen = new Set(Array.from(stored.model.interactions.itemsOf(stored.model.interactions.userIndex(196)), (index) => stored.model.interactions.itemIds.rawId(index)));
    for (const movie of answer.items) {
      expect(seen.has(movie.id)).toBe(false);
      expect(movie.title.length).toBeGreaterThan(0);
      expect(movie.year).toBeGreaterThan(1900);
    }
    const scores = answer.items.map((movie) => movie.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect((await get('/users/196/recommendations')).json<Answer>().items).toHaveLength(10);
  });

  it('an unknown user gets the documented cold start: the most watched movies', async () => {
    const answer = (await get('/users/7777777/recommendations?k=3')).json<Answer>();
    expect(answer.source).toBe('popularity');
    // Star Wars (583 ratings), Contact (509), Fargo (508): ML-100K's most rated movies.
    expect(answer.items.map((movie) => movie.id)).toEqual([50, 258, 100]);
  });

  it('bad input is a 400 with a message; unknown movies and routes are 404', async () => {
    for (const url of ['/users/abc/recommendations', '/users/-3/recommendations', '/users/1.5/recommendations', '/users/1/recommendations?k=0',
      '/users/1/recommendations?k=abc', '/users/1/recommendations?k=101', '/items/x/similar', '/items?search=', '/items']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error, url).toMatch(/\w+/);
    }
    expect((await get('/items/999999/similar')).statusCode).toBe(404);
    expect((await get('/items/999999/similar')).json().error).toMatch(/movie 999999 is not in the catalogue/);
    expect((await get('/nowhere')).statusCode).toBe(404);
    for (const payload of [{}, { ratings: [] }, { ratings: [{ item: 50 }] }, { ratings: [{ item: 50, rating: 7 }] }, { ratings: [{ item: 'x', rating: 4 }] }, { ratings: 'lots' }]) {
      const response = await post('/users/5/ratings', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error).toMatch(/\w+/);
    }
    const malformed = await app.inject({ method: 'POST', url: '/users/5/ratings', payload: '{"ratings": [', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    const unknownMovie = await post('/users/5/ratings', { ratings: [{ item: 99999, rating: 4 }] });
    expect(unknownMovie.statusCode).toBe(404);
    expect(unknownMovie.json().error).toMatch(/movie 99999/);
    // Nothing of the refused posts was kept, and the server still answers.
    expect((await get('/users/5/ratings')).json().ratings).toEqual([]);
    expect((await get('/health')).statusCode).toBe(200);
  });

  it('POST /users/:id/ratings folds the ratings in: later recommendations follow them', async () => {
    const countGenre = (items: ScoredMovie[], genre: string) => items.filter((movie) => movie.genres.includes(genre)).length;
    const before = (await get('/users/8000001/recommendations?k=10')).json<Answer>();
    // A new user who loves the Star Wars trilogy, and another who loves animated children's films.
    const starWars = [50, 172, 181];
    const response = await post('/users/8000001/ratings', { ratings: starWars.map((item) => ({ item, rating: 5 })) });
    expect(response.statusCode).toBe(200);
    expect(response.json().ratings).toHaveLength(3);
    const fan = (await get('/users/8000001/recommendations?k=10')).json<Answer>();
    expect(fan.source).toBe('fold-in');
    expect(fan.items.map((movie) => movie.id)).not.toEqual(before.items.map((movie) => movie.id));
    for (const item of starWars) expect(fan.items.some((movie) => movie.id === item)).toBe(false);
    await post('/users/8000002/ratings', { ratings: [1, 95, 71, 422, 588].map((item) => ({ item, rating: 5 })) });
    const family = (await get('/users/8000002/recommendations?k=10')).json<Answer>();
    expect(countGenre(family.items, "Children's")).toBeGreaterThan(countGenre(fan.items, "Children's"));
    // A low rating keeps the movie out of the list without counting as liked.
    await post('/users/8000001/ratings', { ratings: [{ item: before.items[0].id, rating: 1 }] });
    const after = (await get('/users/8000001/recommendations?k=10')).json<Answer>();
    expect(after.items.some((movie) => movie.id === before.items[0].id)).toBe(false);
  });

  it('50 concurrent rating posts for one user are all kept', async () => {
    const movies = Array.from({ length: 50 }, (_, index) => index + 1);
    const responses = await Promise.all([
      ...movies.map((item) => post('/users/8000003/ratings', { ratings: [{ item, rating: 1 + (item % 5) }] })),
      // Reads interleaved with the writes see a consistent state and never fail.
      ...movies.slice(0, 10).map(() => get('/users/8000003/recommendations?k=5')),
    ]);
    for (const response of responses) expect(response.statusCode).toBe(200);
    const kept = (await get('/users/8000003/ratings')).json().ratings as Array<{ item: number; rating: number }>;
    expect(kept.map((entry) => entry.item).sort((a, b) => a - b)).toEqual(movies);
    for (const entry of kept) expect(entry.rating).toBe(1 + (entry.item % 5));
  });

  it('GET /items/:id/similar and GET /items?search=', async () => {
    const similar = (await get('/items/50/similar?k=5')).json<{ item: { title: string }; items: ScoredMovie[] }>();
    expect(similar.item.title).toBe('Star Wars');
    expect(similar.items).toHaveLength(5);
    expect(similar.items.some((movie) => movie.id === 50)).toBe(false);
    // The rest of the trilogy sits next to Star Wars in any sensible item space.
    expect(similar.items.some((movie) => movie.id === 172 || movie.id === 181)).toBe(true);
    const found = (await get('/items?search=star%20wars')).json<{ items: Array<{ id: number; year: number }> }>();
    expect(found.items).toEqual([expect.objectContaining({ id: 50, year: 1977 })]);
    expect((await get('/items?search=the&limit=3')).json().items).toHaveLength(3);
  });

  it('serves the web page and its bundled script', async () => {
    const page = await get('/');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<script src="/app.js">');
    const script = await get('/app.js');
    expect(script.statusCode).toBe(200);
    expect(script.body).toContain('/recommendations');
  });
});
