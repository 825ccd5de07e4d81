import { DendriteError } from '@dendrite/core';
import type { Recommendations, Recommender } from '@dendrite/recsys';
import type { Movie } from './catalog.js';
import type { StoredModel } from './model-store.js';
import { isExplicit } from './train.js';

/** A movie in an answer: its catalogue entry and the model's score. */
export interface ScoredMovie extends Movie {
  score: number;
}

/**
 * How a user's recommendations were made: `model` (a user the model was trained on, nothing added),
 * `fold-in` (the user's ratings folded in without retraining: training history plus posted ratings),
 * `popularity` (the documented cold start: a user with no usable history gets the most watched movies).
 */
export type RecommendationSource = 'model' | 'fold-in' | 'popularity';

/** One rating posted for a user. */
export interface PostedRating {
  item: number;
  rating: number;
}

/** Raised for an id the model does not know; the server answers 404. */
export class NotFoundError extends DendriteError {}

/**
 * Ratings at or above this count as "liked" for the implicit models (ALS, BPR, NeuMF), which learn
 * from what users watched: a liked movie joins the user's history, a lower-rated one is only kept out of
 * their recommendations. The explicit model (mf) folds every rating in as a rating.
 */
export const LIKED_RATING = 3;

/**
 * The app's answers on top of a trained model: recommendations (with ratings posted since training
 * folded in), similar movies and search. Work for one user is serialized, so concurrent rating posts
 * apply one after another and none is lost; different users proceed independently.
 */
export class RecommenderService {
  private readonly posted = new Map<number, Map<number, number>>();
  private readonly queues = new Map<number, Promise<unknown>>();
  private readonly model: Recommender;

  constructor(readonly stored: StoredModel) {
    this.model = stored.model;
  }

  /** Top `count` movies for a user id, best first, and how they were made. */
  async recommendations(user: number, count: number): Promise<{ user: number; source: RecommendationSource; items: ScoredMovie[] }> {
    return this.forUser(user, async () => {
      const ratings = this.posted.get(user);
      const known = this.model.interactions.userIndex(user) >= 0;
      if (!ratings || ratings.size === 0) {
        const top = await this.model.recommend(user, { count });
        return { user, source: known ? 'model' as const : 'popularity' as const, items: this.scored(top) };
      }
      const history = this.historyOf(user, ratings);
      const rated = Array.from(ratings.keys());
      if (history.items.length === 0) {
        // Nothing liked yet: the popularity ranking, less what the user rated.
        const top = await this.model.recommend(-1, { count, filterItems: rated });
        return { user, source: 'popularity' as const, items: this.scored(top) };
      }
      const foldIn = (this.model as unknown as { recommendForHistory?: FoldIn }).recommendForHistory;
      if (typeof foldIn !== 'function') throw new DendriteError(`model ${this.model.name} cannot fold new ratings in`);
      const top = await foldIn.call(this.model, history, { count, filterItems: rated, seed: 1 });
      return { user, source: 'fold-in' as const, items: this.scored(top) };
    });
  }

  /** Record ratings for a user (a later rating of the same movie replaces the earlier one); returns all the user's posted ratings. */
  async rate(user: number, ratings: readonly PostedRating[]): Promise<{ user: number; ratings: PostedRating[] }> {
    for (const { item, rating } of ratings) {
      if (!this.stored.catalog.get(item) || this.model.interactions.itemIds.index(item) < 0) throw new NotFoundError(`movie ${item} is not in the catalogue`);
      if (!(rating >= 0.5 && rating <= 5)) throw new DendriteError(`rating ${rating} for movie ${item} must be between 0.5 and 5`);
    }
    return this.forUser(user, async () => {
      let mine = this.posted.get(user);
      if (!mine) this.posted.set(user, (mine = new Map()));
      for (const { item, rating } of ratings) mine.set(item, rating);
      return { user, ratings: Array.from(mine, ([item, rating]) => ({ item, rating })) };
    });
  }

  /** The ratings posted for a user since the server started. */
  ratingsOf(user: number): PostedRating[] {
    return Array.from(this.posted.get(user) ?? [], ([item, rating]) => ({ item, rating }));
  }

  /** The `count` movies closest to a movie (cosine of the model's item vectors). */
  async similar(item: number, count: number): Promise<{ item: Movie; items: ScoredMovie[] }> {
    const movie = this.stored.catalog.get(item);
    if (!movie || this.model.interactions.itemIds.index(item) < 0) throw new NotFoundError(`movie ${item} is not in the catalogue`);
    const { items, scores } = await this.model.similarItems(item, count);
    return { item: movie, items: this.scored({ items, scores, count: items.length }) };
  }

  /** Movies whose title contains every word of `query`. */
  search(query: string, limit: number): Movie[] {
    return this.stored.catalog.search(query, limit);
  }

  /** Run `work` after the user's earlier work finished (a per-user queue); the queue never stalls on a failure. */
  private forUser<T>(user: number, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(user) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(() => undefined, () => undefined);
    this.queues.set(user, settled);
    void settled.then(() => {
      if (this.queues.get(user) === settled) this.queues.delete(user);
    });
    return next;
  }

  /** Training history plus posted ratings, in the form the model folds in. */
  private historyOf(user: number, ratings: Map<number, number>): { items: number[]; ratings: number[] } {
    const data = this.model.interactions;
    const explicit = isExplicit(this.model.name);
    const merged = new Map<number, number>();
    const index = data.userIndex(user);
    if (index >= 0) {
      const start = data.byUser.offsets[index], end = data.byUser.offsets[index + 1];
      for (let entry = start; entry < end; entry++) merged.set(data.itemIds.rawId(data.byUser.columns[entry]), data.byUser.values[entry]);
    }
    for (const [item, rating] of ratings) {
      if (explicit) merged.set(item, rating);
      else if (rating >= LIKED_RATING) merged.set(item, 1);
      else merged.delete(item);
    }
    return { items: Array.from(merged.keys()), ratings: Array.from(merged.values()) };
  }

  private scored(top: Recommendations): ScoredMovie[] {
    const movies: ScoredMovie[] = [];
    for (let position = 0; position < top.count; position++) {
      const item = top.items[position];
      if (item < 0) continue;
      const movie = this.stored.catalog.get(item) ?? { id: item, title: `movie ${item}`, year: null, genres: [] };
      movies.push({ ...movie, score: Math.round(top.scores[position] * 1e4) / 1e4 });
    }
    return movies;
  }
}

type FoldIn = (history: { items: number[]; ratings?: number[] }, options: { count: number; filterItems: number[]; seed: number }) => Promise<Recommendations>;
