import { ready } from '@dendrite/core';
import { selectRatings } from '@dendrite/datasets';
import { loadMovieLens100kDirectory } from '@dendrite/datasets/node';
import { InteractionMatrix, createRecommender } from '@dendrite/recsys';
import { describe, expect, it } from 'vitest';
import { MovieCatalog } from './catalog.js';
import { RecommenderService } from './service.js';
import { movieLens100kDirectory } from './test-support.js';
import { isExplicit } from './train.js';

describe('RecommenderService fold-in for every app model (tiny fits on 5,000 ML-100K ratings)', () => {
  for (const [name, options] of [
    ['mf', { factors: 4 }], ['bpr', { factors: 4 }], ['neumf', { factors: 4, mlpLayers: [8, 4] }],
  ] as const) {
    it(`${name}: posted ratings are folded in, rated movies left out`, async () => {
      await ready();
      const data = await loadMovieLens100kDirectory(movieLens100kDirectory());
      const part = selectRatings(data.ratings, Int32Array.from({ length: 5000 }, (_, row) => row));
      const matrix = InteractionMatrix.fromRatings(
        { users: part.users, items: part.items, ratings: isExplicit(name) ? part.ratings : undefined },
        { userIds: data.userIds, itemIds: data.itemIds },
      );
      const model = createRecommender(name, options);
      await model.fit(matrix, { epochs: 1, seed: 1 });
      const service = new RecommenderService({
        model, catalog: MovieCatalog.fromMovieTable(data.movies),
        summary: { dataset: 'ml-100k', model: name, epochs: 1, users: matrix.userCount, items: matrix.itemCount, ratings: matrix.size, seconds: 0, trainedAt: '' },
      });
      try {
        expect((await service.recommendations(9000001, 5)).source).toBe('popularity');
        await service.rate(9000001, [{ item: 50, rating: 5 }, { item: 181, rating: 4 }, { item: 1, rating: 2 }]);
        const answer = await service.recommendations(9000001, 5);
        expect(answer.source).toBe('fold-in');
        expect(answer.items).toHaveLength(5);
        for (const movie of answer.items) {
          expect([50, 181, 1]).not.toContain(movie.id);
          expect(Number.isFinite(movie.score)).toBe(true);
        }
        await expect(service.rate(9000001, [{ item: 50, rating: Number.NaN }])).rejects.toThrow(/rating NaN for movie 50/);
      } finally {
        model.dispose();
      }
    });
  }
});
