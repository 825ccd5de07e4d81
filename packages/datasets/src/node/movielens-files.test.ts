import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMovieLens1mMovies, parseMovieLens1mUsers } from '../movielens-parsers.js';
import { ratingCount } from '../ratings.js';
import { readFileLines } from './file-chunks.js';
import { loadMovieLens100kDirectory, loadMovieLens1mDirectory, loadMovieLensCsvDirectory, loadSentimentDirectory } from './loaders.js';
import { sharedDataDirectory, temporaryDirectory } from './test-data.js';

const data = sharedDataDirectory();
const ml100k = join(data, 'movielens', 'ml-100k');
const ml1m = join(data, 'movielens', 'ml-1m');
let scratch: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  scratch = await temporaryDirectory();
});
afterAll(() => scratch.remove());

describe('MovieLens 100K (real files)', () => {
  it('has 100,000 ratings from 943 users on 1,682 items, with dense ids and Latin-1 titles', async () => {
    const movieLens = await loadMovieLens100kDirectory(ml100k);
    expect(ratingCount(movieLens.ratings)).toBe(100000);
    expect(movieLens.userIds.size).toBe(943);
    expect(movieLens.itemIds.size).toBe(1682);
    expect(new Set(movieLens.ratings.users).size).toBe(943);
    expect(new Set(movieLens.ratings.items).size).toBe(1682);
    expect(Math.max(...movieLens.ratings.users)).toBe(942);
    expect(Math.max(...movieLens.ratings.items)).toBe(1681);
    // First line of u.data: 196 242 3 881250949
    expect(movieLens.userIds.rawId(movieLens.ratings.users[0])).toBe(196);
    expect(movieLens.itemIds.rawId(movieLens.ratings.items[0])).toBe(242);
    expect(movieLens.ratings.ratings[0]).toBe(3);
    expect(movieLens.ratings.timestamps[0]).toBe(881250949);
    const histogram = [0, 0, 0, 0, 0];
    for (const rating of movieLens.ratings.ratings) histogram[rating - 1]++;
    expect(histogram).toEqual([6110, 11370, 27145, 34174, 21201]);
    expect(movieLens.movies.titles[0]).toBe('Toy Story (1995)');
    expect(movieLens.movies.genres[0]).toEqual(['Animation', "Children's", 'Comedy']);
    expect(movieLens.movies.titles[movieLens.itemIds.index(543)]).toBe('Misérables, Les (1995)');
    expect(movieLens.genreNames).toHaveLength(19);
    expect(movieLens.users!.occupations[0]).toBe('technician');
    expect(movieLens.users!.ages[0]).toBe(24);
  });

  it('names the file, line and field of a malformed line in a corrupted copy', async () => {
    const folder = join(scratch.path, 'ml-100k-bad');
    await mkdir(folder);
    for (const name of ['u.item', 'u.user', 'u.genre']) await copyFile(join(ml100k, name), join(folder, name));
    const lines = (await readFile(join(ml100k, 'u.data'), 'latin1')).split('\n');
    lines[41] = '13\t225\tfive\t882399156';
    await writeFile(join(folder, 'u.data'), lines.join('\n'));
    await expect(loadMovieLens100kDirectory(folder)).rejects.toThrow(`${join(folder, 'u.data')}, line 42, field "rating": expected a number, found "five"`);
    lines[41] = '13\t9999\t5\t882399156';
    await writeFile(join(folder, 'u.data'), lines.join('\n'));
    await expect(loadMovieLens100kDirectory(folder)).rejects.toThrow(/line 42, field "item id": item id 9999 is not in the movies file/);
  });

  it('an empty (0-byte) u.data, u.item, u.user or u.genre is an error naming the file', async () => {
    for (const emptied of ['u.data', 'u.item', 'u.user', 'u.genre']) {
      const folder = join(scratch.path, `ml-100k-empty-${emptied}`);
      await mkdir(folder);
      for (const name of ['u.data', 'u.item', 'u.user', 'u.genre']) {
        if (name === emptied) await writeFile(join(folder, name), '');
        else await copyFile(join(ml100k, name), join(folder, name));
      }
      await expect(loadMovieLens100kDirectory(folder)).rejects.toThrow(`${join(folder, emptied)}: the file is empty`);
    }
  });
});

describe('MovieLens 1M', () => {
  it('parses the real movies.dat (3,883 movies, Latin-1) and users.dat (6,040 users)', async () => {
    const movies = await parseMovieLens1mMovies(readFileLines(join(ml1m, 'movies.dat'), 'latin1'));
    expect(movies.ids.length).toBe(3883);
    expect(movies.titles[0]).toBe('Toy Story (1995)');
    expect(movies.titles[72]).toBe('Misérables, Les (1995)');
    expect(movies.ids[3882]).toBe(3952);
    expect(movies.genres[3882]).toEqual(['Drama', 'Thriller']);
    const users = await parseMovieLens1mUsers(readFileLines(join(ml1m, 'users.dat')));
    expect(users.ids.length).toBe(6040);
    expect(users.genders[0]).toBe('F');
    expect(users.occupations[0]).toBe('K-12 student');
  });

  it('loads a folder with the real movies/users and a ratings.dat the test writes in the release format', async () => {
    const folder = join(scratch.path, 'ml-1m');
    await mkdir(folder);
    await copyFile(join(ml1m, 'movies.dat'), join(folder, 'movies.dat'));
    await copyFile(join(ml1m, 'users.dat'), join(folder, 'users.dat'));
    const rows: string[] = [];
    for (let user = 1; user <= 6040; user += 3) rows.push(`${user}::${user % 2 === 0 ? 1 : 1193}::${(user % 5) + 1}::${978300760 + user}`);
    rows.push('6040::3952::4::956715569');
    await writeFile(join(folder, 'ratings.dat'), `${rows.join('\n')}\n`);
    const movieLens = await loadMovieLens1mDirectory(folder);
    expect(ratingCount(movieLens.ratings)).toBe(rows.length);
    expect(movieLens.userIds.size).toBe(6040);
    expect(movieLens.itemIds.size).toBe(3883);
    const last = rows.length - 1;
    expect(movieLens.userIds.rawId(movieLens.ratings.users[last])).toBe(6040);
    expect(movieLens.movies.titles[movieLens.ratings.items[last]]).toBe('Contender, The (2000)');
    expect(movieLens.ratings.timestamps[last]).toBe(956715569);

    await writeFile(join(folder, 'ratings.dat'), '1::1193::5::978300760\n1::1193::5\n');
    await expect(loadMovieLens1mDirectory(folder)).rejects.toThrow(/ratings\.dat, line 2: expected 4 fields separated by "::", found 3/);
    await writeFile(join(folder, 'ratings.dat'), '1::1193::5::978300760\n7000::1193::5::978300760\n');
    await expect(loadMovieLens1mDirectory(folder)).rejects.toThrow(/ratings\.dat, line 2, field "user id": user id 7000 is not in the users file/);
    for (const emptied of ['ratings.dat', 'movies.dat', 'users.dat']) {
      const original = emptied === 'ratings.dat' ? '1::1193::5::978300760\n' : await readFile(join(ml1m, emptied));
      await writeFile(join(folder, emptied), '\n');
      await expect(loadMovieLens1mDirectory(folder)).rejects.toThrow(`${join(folder, emptied)}: the file is empty`);
      await writeFile(join(folder, emptied), original);
    }
  });
});

describe('MovieLens CSV releases', () => {
  it('loads ratings.csv and movies.csv with quoted titles', async () => {
    const folder = join(scratch.path, 'ml-latest-small');
    await mkdir(folder);
    await writeFile(join(folder, 'movies.csv'), 'movieId,title,genres\n1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n11,"American President, The (1995)",Comedy|Drama|Romance\n');
    await writeFile(join(folder, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,11,3.5,964981247\n5,1,0.5,847434962\n');
    const movieLens = await loadMovieLensCsvDirectory(folder);
    expect(Array.from(movieLens.ratings.users)).toEqual([0, 0, 1]);
    expect(Array.from(movieLens.ratings.ratings)).toEqual([4, 3.5, 0.5]);
    expect(movieLens.movies.titles[1]).toBe('American President, The (1995)');
    await writeFile(join(folder, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,11,7,964981247\n');
    await expect(loadMovieLensCsvDirectory(folder)).rejects.toThrow(/ratings\.csv, line 3, field "rating": rating 7 is out of range 0\.5\.\.5/);
  });
});

describe('Sentiment Labelled Sentences (real files)', () => {
  it('has 3 x 1,000 sentences, half positive in each source', async () => {
    const sentiment = await loadSentimentDirectory(join(data, 'sentiment-labelled-sentences'));
    expect(sentiment.texts).toHaveLength(3000);
    expect(sentiment.labels.reduce((sum, label) => sum + label, 0)).toBe(1500);
    for (const source of ['amazon', 'imdb', 'yelp']) expect(sentiment.sources.filter((name) => name === source)).toHaveLength(1000);
    expect(sentiment.texts[1]).toBe('Good case, Excellent value.');
    expect(sentiment.labels[1]).toBe(1);
    expect(sentiment.texts.every((text) => text.length > 0 && !text.endsWith(' '))).toBe(true);
  });

  it('an empty (0-byte) yelp_labelled.txt (or any of the three) is an error naming the file', async () => {
    for (const emptied of ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt']) {
      const folder = join(scratch.path, `sentiment-empty-${emptied}`);
      await mkdir(folder);
      for (const name of ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt']) {
        if (name === emptied) await writeFile(join(folder, name), '');
        else await copyFile(join(data, 'sentiment-labelled-sentences', name), join(folder, name));
      }
      await expect(loadSentimentDirectory(folder)).rejects.toThrow(`${join(folder, emptied)}: the file is empty`);
    }
  });
});
