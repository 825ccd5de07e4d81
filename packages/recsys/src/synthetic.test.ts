import { describe, expect, it } from 'vitest';
import { generatePowerLawInteractions } from './synthetic.js';

describe('generatePowerLawInteractions', () => {
  it('is seeded, hits the wanted size with distinct sorted entries, and has long tails', () => {
    const options = { users: 500, items: 400, interactions: 20_000, seed: 4 };
    const matrix = generatePowerLawInteractions(options);
    expect(matrix.userCount).toBe(500);
    expect(matrix.itemCount).toBe(400);
    expect(matrix.size).toBe(20_000);
    for (let user = 0; user < matrix.userCount; user++) {
      const items = matrix.itemsOf(user);
      expect(items.length).toBeGreaterThanOrEqual(1);
      expect(items.length).toBeLessThanOrEqual(100);
      for (let position = 1; position < items.length; position++) expect(items[position]).toBeGreaterThan(items[position - 1]);
    }
    // Long tails: the most active user and the most popular item are far above the mean.
    const degrees = Array.from({ length: 500 }, (_, user) => matrix.itemsOf(user).length);
    const popularity = Array.from({ length: 400 }, (_, item) => matrix.usersOf(item).length);
    expect(Math.max(...degrees)).toBeGreaterThan(2 * (20_000 / 500));
    expect(Math.max(...popularity)).toBeGreaterThan(3 * (20_000 / 400));
    const again = generatePowerLawInteractions(options);
    expect(Array.from(again.byUser.columns)).toEqual(Array.from(matrix.byUser.columns));
    expect(Array.from(generatePowerLawInteractions({ ...options, seed: 5 }).byUser.columns)).not.toEqual(Array.from(matrix.byUser.columns));
  });

  it('refuses sizes it cannot build', () => {
    expect(() => generatePowerLawInteractions({ users: 10, items: 8, interactions: 100 })).toThrow('interactions must lie in [users, users × items/4] = [10, 20], got 100');
    expect(() => generatePowerLawInteractions({ users: 0, items: 8, interactions: 1 })).toThrow('users must be a positive integer, got 0');
  });
});
