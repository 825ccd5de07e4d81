/**
 * Ratings (or implicit interactions) as parallel columns. `users` and `items` are dense 0-based indices
 * (see `IdMap`), so they can feed embedding tables directly.
 */
export interface Ratings {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  /** Seconds since the Unix epoch. */
  timestamps: Float64Array;
}

/** Number of rows in a {@link Ratings} table. */
export function ratingCount(ratings: Ratings): number {
  return ratings.users.length;
}

/** The rows at the given positions, copied into a new table. */
export function selectRatings(ratings: Ratings, rows: ArrayLike<number>): Ratings {
  const count = rows.length;
  const selected: Ratings = {
    users: new Int32Array(count),
    items: new Int32Array(count),
    ratings: new Float32Array(count),
    timestamps: new Float64Array(count),
  };
  for (let position = 0; position < count; position++) {
    const row = rows[position];
    selected.users[position] = ratings.users[row];
    selected.items[position] = ratings.items[row];
    selected.ratings[position] = ratings.ratings[row];
    selected.timestamps[position] = ratings.timestamps[row];
  }
  return selected;
}
