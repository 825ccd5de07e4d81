import { DatasetError } from './errors.js';
import { FieldCursor } from './field-cursor.js';
import { GrowableArray } from './growable-array.js';
import type { IdMap } from './id-map.js';

/** Lines of a text file, without newlines (see `splitLines`). */
export type LineSource = AsyncIterable<string> | Iterable<string>;

/** Raw rating rows, before ids are made dense. */
export interface RawRatings {
  /** Raw user ids, or dense indices when a user map was given. */
  users: Int32Array;
  /** Raw item ids, or dense indices when an item map was given. */
  items: Int32Array;
  ratings: Float32Array;
  timestamps: Float64Array;
}

/** Options for {@link parseRatingLines}. */
export interface RatingLineOptions {
  /** Field separator: `'\t'` for ML-100K `u.data`, `'::'` for ML-1M `ratings.dat`. */
  separator: string;
  /** File name for error messages. */
  source: string;
  /** When given, user ids are mapped to dense indices while reading; an unknown id is an error. */
  userIds?: IdMap;
  /** When given, item ids are mapped to dense indices while reading; an unknown id is an error. */
  itemIds?: IdMap;
  /** Allowed rating range, inclusive (default 0.5..5). */
  ratingRange?: [number, number];
}

const RATING_FIELDS = ['user id', 'item id', 'rating', 'timestamp'];

/**
 * Parses `user<sep>item<sep>rating<sep>timestamp` lines (ML-100K `u.data`, ML-1M `ratings.dat`) into columns,
 * without allocating per field. Blank lines are skipped.
 *
 * @example
 * ```ts
 * const raw = await parseRatingLines(splitLinesSync('1\t5\t3\t881250949\n'), { separator: '\t', source: 'u.data' });
 * ```
 */
export async function parseRatingLines(lines: LineSource, options: RatingLineOptions): Promise<RawRatings> {
  const cursor = new FieldCursor(options.separator);
  const [minimumRating, maximumRating] = options.ratingRange ?? [0.5, 5];
  const users = new GrowableArray(Int32Array, 1 << 16);
  const items = new GrowableArray(Int32Array, 1 << 16);
  const ratings = new GrowableArray(Float32Array, 1 << 16);
  const timestamps = new GrowableArray(Float64Array, 1 << 16);
  let lineNumber = 0;
  // Defined once, outside the loop: they read the current line through `cursor` and `lineNumber`.
  const fail = (message: string, field?: string): never => {
    throw new DatasetError(message, { file: options.source, line: lineNumber, field });
  };
  const integerField = (position: number): number => {
    if (!cursor.next()) fail(`expected 4 fields separated by ${JSON.stringify(options.separator)}, found ${position}`);
    const value = cursor.integer();
    if (!Number.isInteger(value) || Math.abs(value) > 2147483647) {
      fail(`expected an integer, found ${JSON.stringify(cursor.text())}`, RATING_FIELDS[position]);
    }
    return value;
  };
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    cursor.reset(line);
    let user = integerField(0);
    let item = integerField(1);
    if (!cursor.next()) fail(`expected 4 fields separated by ${JSON.stringify(options.separator)}, found 2`);
    const rating = cursor.number();
    if (Number.isNaN(rating)) fail(`expected a number, found ${JSON.stringify(cursor.text())}`, 'rating');
    if (rating < minimumRating || rating > maximumRating) {
      fail(`rating ${rating} is out of range ${minimumRating}..${maximumRating}`, 'rating');
    }
    if (!cursor.next()) fail(`expected 4 fields separated by ${JSON.stringify(options.separator)}, found 3`);
    const timestamp = cursor.number();
    if (!Number.isFinite(timestamp)) fail(`expected a Unix timestamp, found ${JSON.stringify(cursor.text())}`, 'timestamp');
    if (!cursor.done) fail(`expected 4 fields separated by ${JSON.stringify(options.separator)}, found more`);
    if (options.userIds !== undefined) {
      const index = options.userIds.index(user);
      if (index === -1) fail(`user id ${user} is not in the users file`, 'user id');
      user = index;
    }
    if (options.itemIds !== undefined) {
      const index = options.itemIds.index(item);
      if (index === -1) fail(`item id ${item} is not in the movies file`, 'item id');
      item = index;
    }
    users.push(user);
    items.push(item);
    ratings.push(rating);
    timestamps.push(timestamp);
  }
  requireRows(users.length, options.source, 'ratings');
  return { users: users.toArray(), items: items.toArray(), ratings: ratings.toArray(), timestamps: timestamps.toArray() };
}

/** Movie metadata in file order (ascending id in every MovieLens release). */
export interface MovieTable {
  ids: Int32Array;
  titles: string[];
  /** Genre names per movie. */
  genres: string[][];
  /** ML-100K only: release date as written (`01-Jan-1995`), empty when unknown. */
  releaseDates?: string[];
}

/** User metadata in file order. */
export interface UserTable {
  ids: Int32Array;
  /** Age in years (ML-100K) or the age-bucket code 1/18/25/35/45/50/56 (ML-1M). */
  ages: Int32Array;
  genders: string[];
  occupations: string[];
  zipCodes: string[];
}

/** The 19 genres of ML-100K, in the order of `u.item`'s flags (from `u.genre`). */
export const MOVIELENS_100K_GENRES: readonly string[] = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

/** ML-1M occupation codes (index) → names, from its README. */
export const MOVIELENS_1M_OCCUPATIONS: readonly string[] = [
  'other', 'academic/educator', 'artist', 'clerical/admin', 'college/grad student', 'customer service',
  'doctor/health care', 'executive/managerial', 'farmer', 'homemaker', 'K-12 student', 'lawyer', 'programmer',
  'retired', 'sales/marketing', 'scientist', 'self-employed', 'technician/engineer', 'tradesman/craftsman',
  'unemployed', 'writer',
];

/** Splits a line on a separator and checks the field count, naming file and line on failure. */
function splitFields(line: string, separator: string, expected: number, source: string, lineNumber: number): string[] {
  const fields = line.split(separator);
  if (fields.length !== expected) {
    throw new DatasetError(`expected ${expected} fields separated by ${JSON.stringify(separator)}, found ${fields.length}`, {
      file: source,
      line: lineNumber,
    });
  }
  return fields;
}

/** An empty file (or one of blank lines) is an error naming it, never a table of zero rows. */
function requireRows(count: number, source: string, what: string): void {
  if (count === 0) throw new DatasetError(`the file is empty: no ${what} found`, { file: source });
}

function parseId(text: string, source: string, lineNumber: number, field: string): number {
  const value = Number(text);
  if (text.length === 0 || !Number.isInteger(value) || Math.abs(value) > 2147483647) {
    throw new DatasetError(`expected an integer id, found ${JSON.stringify(text)}`, { file: source, line: lineNumber, field });
  }
  return value;
}

/** Parses `u.genre` (`name|index` lines) into genre names by index. */
export async function parseMovieLens100kGenres(lines: LineSource, source = 'u.genre'): Promise<string[]> {
  const names: string[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim().length === 0) continue;
    const [name, indexText] = splitFields(line, '|', 2, source, lineNumber);
    const index = parseId(indexText, source, lineNumber, 'index');
    names[index] = name;
  }
  requireRows(names.length, source, 'genres');
  return names;
}

/**
 * Parses ML-100K `u.item`: `id|title|release date|video release date|IMDb URL|` + one 0/1 flag per genre.
 * Decode the file as Latin-1.
 */
export async function parseMovieLens100kItems(
  lines: LineSource,
  options: { source?: string; genreNames?: readonly string[] } = {},
): Promise<MovieTable> {
  const source = options.source ?? 'u.item';
  const genreNames = options.genreNames ?? MOVIELENS_100K_GENRES;
  const ids = new GrowableArray(Int32Array, 2048);
  const titles: string[] = [];
  const genres: string[][] = [];
  const releaseDates: string[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    const fields = splitFields(line, '|', 5 + genreNames.length, source, lineNumber);
    ids.push(parseId(fields[0], source, lineNumber, 'movie id'));
    titles.push(fields[1]);
    releaseDates.push(fields[2]);
    const movieGenres: string[] = [];
    for (let genre = 0; genre < genreNames.length; genre++) {
      const flag = fields[5 + genre];
      if (flag === '1') movieGenres.push(genreNames[genre]);
      else if (flag !== '0') {
        throw new DatasetError(`genre flag must be 0 or 1, found ${JSON.stringify(flag)}`, { file: source, line: lineNumber, field: genreNames[genre] });
      }
    }
    genres.push(movieGenres);
  }
  requireRows(titles.length, source, 'movies');
  return { ids: ids.toArray(), titles, genres, releaseDates };
}

/** Parses ML-100K `u.user`: `id|age|gender|occupation|zip code`. */
export async function parseMovieLens100kUsers(lines: LineSource, source = 'u.user'): Promise<UserTable> {
  const ids = new GrowableArray(Int32Array, 1024);
  const ages = new GrowableArray(Int32Array, 1024);
  const genders: string[] = [];
  const occupations: string[] = [];
  const zipCodes: string[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    const fields = splitFields(line, '|', 5, source, lineNumber);
    ids.push(parseId(fields[0], source, lineNumber, 'user id'));
    ages.push(parseId(fields[1], source, lineNumber, 'age'));
    genders.push(fields[2]);
    occupations.push(fields[3]);
    zipCodes.push(fields[4]);
  }
  requireRows(genders.length, source, 'users');
  return { ids: ids.toArray(), ages: ages.toArray(), genders, occupations, zipCodes };
}

/** Parses ML-1M `movies.dat`: `id::title::Genre1|Genre2`. Decode the file as Latin-1. */
export async function parseMovieLens1mMovies(lines: LineSource, source = 'movies.dat'): Promise<MovieTable> {
  const ids = new GrowableArray(Int32Array, 4096);
  const titles: string[] = [];
  const genres: string[][] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    const fields = splitFields(line, '::', 3, source, lineNumber);
    ids.push(parseId(fields[0], source, lineNumber, 'movie id'));
    titles.push(fields[1]);
    genres.push(splitGenres(fields[2]));
  }
  requireRows(titles.length, source, 'movies');
  return { ids: ids.toArray(), titles, genres };
}

/** Parses ML-1M `users.dat`: `id::gender::age code::occupation code::zip code`. */
export async function parseMovieLens1mUsers(lines: LineSource, source = 'users.dat'): Promise<UserTable> {
  const ids = new GrowableArray(Int32Array, 8192);
  const ages = new GrowableArray(Int32Array, 8192);
  const genders: string[] = [];
  const occupations: string[] = [];
  const zipCodes: string[] = [];
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0) continue;
    const fields = splitFields(line, '::', 5, source, lineNumber);
    ids.push(parseId(fields[0], source, lineNumber, 'user id'));
    genders.push(fields[1]);
    ages.push(parseId(fields[2], source, lineNumber, 'age'));
    const occupation = parseId(fields[3], source, lineNumber, 'occupation');
    if (occupation < 0 || occupation >= MOVIELENS_1M_OCCUPATIONS.length) {
      throw new DatasetError(`occupation code ${occupation} is out of range 0..${MOVIELENS_1M_OCCUPATIONS.length - 1}`, {
        file: source,
        line: lineNumber,
        field: 'occupation',
      });
    }
    occupations.push(MOVIELENS_1M_OCCUPATIONS[occupation]);
    zipCodes.push(fields[4]);
  }
  requireRows(genders.length, source, 'users');
  return { ids: ids.toArray(), ages: ages.toArray(), genders, occupations, zipCodes };
}

/** Splits a `|`-separated genre list; the CSV releases write "(no genres listed)" for none. */
export function splitGenres(text: string): string[] {
  if (text.length === 0 || text === '(no genres listed)') return [];
  return text.split('|');
}
