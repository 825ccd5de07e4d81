import type { ChunkSource } from './chunks.js';
import { parseCsvChunks } from './csv.js';
import { DatasetError } from './errors.js';
import { IdMap } from './id-map.js';
import {
  MOVIELENS_100K_GENRES,
  parseMovieLens100kGenres,
  parseMovieLens100kItems,
  parseMovieLens100kUsers,
  parseMovieLens1mMovies,
  parseMovieLens1mUsers,
  parseRatingLines,
  splitGenres,
  type LineSource,
  type MovieTable,
  type UserTable,
} from './movielens-parsers.js';
import type { Ratings } from './ratings.js';

/**
 * A MovieLens release, ready for a recommender: ratings as dense-index columns, the id maps to go back to
 * MovieLens ids, and movie (and, where the release has them, user) metadata indexed by dense index.
 */
export interface MovieLensData {
  ratings: Ratings;
  /** MovieLens user id ↔ dense user index. */
  userIds: IdMap;
  /** MovieLens movie id ↔ dense item index. Covers every movie in the movies file, rated or not. */
  itemIds: IdMap;
  /** Row i describes item index i. */
  movies: MovieTable;
  /** Row i describes user index i (absent for the CSV releases, which have no users file). */
  users?: UserTable;
  genreNames: string[];
}

/** Text sources of one MovieLens release in the `.dat`/`u.*` layout (ML-100K or ML-1M). */
export interface MovieLensLineSources {
  ratings: LineSource;
  movies: LineSource;
  users?: LineSource;
  /** ML-100K's `u.genre`; the standard 19 genres are used when absent. */
  genres?: LineSource;
  /** File names for error messages. */
  names?: { ratings?: string; movies?: string; users?: string; genres?: string };
}

/**
 * Reads ML-100K from its lines (`u.data`, `u.item` decoded as Latin-1, `u.user`, optionally `u.genre`).
 *
 * @example
 * ```ts
 * const data = await movieLens100kFromLines({ ratings: splitLinesSync(uData), movies: splitLinesSync(uItem) });
 * data.ratings.users.length; // 100000
 * ```
 */
export async function movieLens100kFromLines(sources: MovieLensLineSources): Promise<MovieLensData> {
  const names = { ratings: 'u.data', movies: 'u.item', users: 'u.user', genres: 'u.genre', ...sources.names };
  const genreNames = sources.genres === undefined ? [...MOVIELENS_100K_GENRES] : await parseMovieLens100kGenres(sources.genres, names.genres);
  const movies = await parseMovieLens100kItems(sources.movies, { source: names.movies, genreNames });
  const users = sources.users === undefined ? undefined : await parseMovieLens100kUsers(sources.users, names.users);
  return assemble(sources.ratings, '\t', [1, 5], movies, users, genreNames, names);
}

/**
 * Reads ML-1M from its lines (`ratings.dat`, `movies.dat` decoded as Latin-1, `users.dat`), all `::`-separated.
 *
 * @example
 * ```ts
 * const data = await movieLens1mFromLines({ ratings: ratingLines, movies: movieLines, users: userLines });
 * ```
 */
export async function movieLens1mFromLines(sources: MovieLensLineSources): Promise<MovieLensData> {
  const names = { ratings: 'ratings.dat', movies: 'movies.dat', users: 'users.dat', ...sources.names };
  const movies = await parseMovieLens1mMovies(sources.movies, names.movies);
  const users = sources.users === undefined ? undefined : await parseMovieLens1mUsers(sources.users, names.users);
  const genreNames = collectGenres(movies);
  return assemble(sources.ratings, '::', [1, 5], movies, users, genreNames, names);
}

/**
 * Reads a CSV release (ml-latest-small, ml-25m, …): `ratings.csv` (userId,movieId,rating,timestamp) and
 * `movies.csv` (movieId,title,genres with quoted titles and `|`-separated genres), both UTF-8, streamed.
 * Users get dense indices in ascending id order from the ratings themselves.
 *
 * @example
 * ```ts
 * const data = await movieLensCsvFromChunks({ ratings: decodeTextChunks(ratingBytes), movies: decodeTextChunks(movieBytes) });
 * ```
 */
export async function movieLensCsvFromChunks(sources: {
  ratings: ChunkSource<string>;
  movies: ChunkSource<string>;
  names?: { ratings?: string; movies?: string };
}): Promise<MovieLensData> {
  const names = { ratings: 'ratings.csv', movies: 'movies.csv', ...sources.names };
  const movieTable = await parseCsvChunks(sources.movies, {
    columns: { movieId: 'int', title: 'string', genres: 'string' },
    source: names.movies,
  });
  const movies: MovieTable = {
    ids: movieTable.columns.movieId,
    titles: movieTable.columns.title,
    genres: movieTable.columns.genres.map(splitGenres),
  };
  const itemIds = idMapWithoutDuplicates(movies.ids, names.movies, 'movieId', 2);
  const ratingTable = await parseCsvChunks(sources.ratings, {
    columns: { userId: 'int', movieId: 'int', rating: 'number', timestamp: 'number' },
    source: names.ratings,
  });
  const { userId, movieId, rating, timestamp } = ratingTable.columns;
  const items = new Int32Array(movieId.length);
  for (let row = 0; row < movieId.length; row++) {
    const index = itemIds.index(movieId[row]);
    // Line numbers: the header is line 1 and these files hold no multi-line records.
    if (index === -1) throw new DatasetError(`movie id ${movieId[row]} is not in ${names.movies}`, { file: names.ratings, line: row + 2, field: 'movieId' });
    if (rating[row] < 0.5 || rating[row] > 5) throw new DatasetError(`rating ${rating[row]} is out of range 0.5..5`, { file: names.ratings, line: row + 2, field: 'rating' });
    items[row] = index;
  }
  const userIds = IdMap.fromIds(userId);
  return {
    ratings: { users: userIds.indicesOf(userId, names.ratings), items, ratings: Float32Array.from(rating), timestamps: timestamp },
    userIds,
    itemIds,
    movies: reorderMovies(movies, itemIds),
    genreNames: collectGenres(movies),
  };
}

async function assemble(
  ratingLines: LineSource,
  separator: string,
  ratingRange: [number, number],
  movies: MovieTable,
  users: UserTable | undefined,
  genreNames: string[],
  names: { ratings: string; movies: string; users: string },
): Promise<MovieLensData> {
  const itemIds = idMapWithoutDuplicates(movies.ids, names.movies, 'movie id', 1);
  const userIdsFromFile = users === undefined ? undefined : idMapWithoutDuplicates(users.ids, names.users, 'user id', 1);
  const raw = await parseRatingLines(ratingLines, {
    separator,
    source: names.ratings,
    itemIds,
    userIds: userIdsFromFile,
    ratingRange,
  });
  let userIds = userIdsFromFile;
  let userIndices = raw.users;
  if (userIds === undefined) {
    userIds = IdMap.fromIds(raw.users);
    userIndices = userIds.indicesOf(raw.users, names.ratings);
  }
  return {
    ratings: { users: userIndices, items: raw.items, ratings: raw.ratings, timestamps: raw.timestamps },
    userIds,
    itemIds,
    movies: reorderMovies(movies, itemIds),
    users: users === undefined ? undefined : reorderUsers(users, userIds),
    genreNames,
  };
}

function idMapWithoutDuplicates(ids: Int32Array, source: string, field: string, firstLine: number): IdMap {
  const map = IdMap.fromIds(ids);
  if (map.size !== ids.length) {
    const seen = new Set<number>();
    for (let row = 0; row < ids.length; row++) {
      if (seen.has(ids[row])) throw new DatasetError(`duplicate id ${ids[row]}`, { file: source, line: row + firstLine, field });
      seen.add(ids[row]);
    }
  }
  return map;
}

/** Row order of a metadata table so that row i describes dense index i (MovieLens files are already sorted). */
function orderByIndex(ids: Int32Array, map: IdMap): number[] | undefined {
  let sorted = true;
  for (let row = 0; row < ids.length && sorted; row++) sorted = map.index(ids[row]) === row;
  if (sorted) return undefined;
  const order = new Array<number>(ids.length);
  for (let row = 0; row < ids.length; row++) order[map.index(ids[row])] = row;
  return order;
}

function reorderMovies(movies: MovieTable, map: IdMap): MovieTable {
  const order = orderByIndex(movies.ids, map);
  if (order === undefined) return movies;
  return {
    ids: Int32Array.from(order, (row) => movies.ids[row]),
    titles: order.map((row) => movies.titles[row]),
    genres: order.map((row) => movies.genres[row]),
    releaseDates: movies.releaseDates === undefined ? undefined : order.map((row) => movies.releaseDates![row]),
  };
}

function reorderUsers(users: UserTable, map: IdMap): UserTable {
  const order = orderByIndex(users.ids, map);
  if (order === undefined) return users;
  return {
    ids: Int32Array.from(order, (row) => users.ids[row]),
    ages: Int32Array.from(order, (row) => users.ages[row]),
    genders: order.map((row) => users.genders[row]),
    occupations: order.map((row) => users.occupations[row]),
    zipCodes: order.map((row) => users.zipCodes[row]),
  };
}

/** Distinct genre names in order of first appearance. */
function collectGenres(movies: MovieTable): string[] {
  const names = new Set<string>();
  for (const list of movies.genres) for (const genre of list) names.add(genre);
  return [...names];
}
