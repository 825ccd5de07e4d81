import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { movieLens100kFromLines, movieLens1mFromLines, movieLensCsvFromChunks } from './movielens.js';
import { splitLinesSync } from './text.js';

const flags = (...set: number[]) => Array.from({ length: 19 }, (_, genre) => (set.includes(genre) ? '1' : '0')).join('|');
const U_ITEM = [`1|Toy Story (1995)|01-Jan-1995||http://x|${flags(3, 4, 5)}`, `5|Mis\u00e9rables, Les (1995)|01-Jan-1995||http://y|${flags(8)}`].join('\n');
const U_USER = '1|24|M|technician|85711\n9|53|F|other|94043\n';
const U_DATA = '9\t5\t3\t881250949\n1\t1\t4\t881250950\n9\t1\t5\t881250000\n';

describe('MovieLens parsers', () => {
  it('reads the ML-100K layout into dense ids, titles and genres', async () => {
    const data = await movieLens100kFromLines({ ratings: splitLinesSync(U_DATA), movies: splitLinesSync(U_ITEM), users: splitLinesSync(U_USER) });
    expect(data.userIds.size).toBe(2);
    expect(data.itemIds.size).toBe(2);
    expect(data.ratings.users).toEqual(Int32Array.of(1, 0, 1));
    expect(data.ratings.items).toEqual(Int32Array.of(1, 0, 0));
    expect(data.ratings.ratings).toEqual(Float32Array.of(3, 4, 5));
    expect(data.ratings.timestamps).toEqual(Float64Array.of(881250949, 881250950, 881250000));
    expect(data.userIds.rawId(1)).toBe(9);
    expect(data.itemIds.index(5)).toBe(1);
    expect(data.movies.titles[1]).toBe('Misérables, Les (1995)');
    expect(data.movies.genres[0]).toEqual(['Animation', "Children's", 'Comedy']);
    expect(data.users!.occupations).toEqual(['technician', 'other']);
  });

  it('reads the ML-1M layout (:: separated, occupation codes)', async () => {
    const data = await movieLens1mFromLines({
      ratings: splitLinesSync('1::1193::5::978300760\n2::1::3::978300761\n'),
      movies: splitLinesSync("1::Toy Story (1995)::Animation|Children's|Comedy\n1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n"),
      users: splitLinesSync('1::F::1::10::48067\n2::M::56::16::70072\n'),
    });
    expect(data.ratings.items).toEqual(Int32Array.of(1, 0));
    expect(data.users!.occupations).toEqual(['K-12 student', 'self-employed']);
    expect(data.users!.ages).toEqual(Int32Array.of(1, 56));
    expect(data.genreNames).toEqual(['Animation', "Children's", 'Comedy', 'Drama']);
  });

  it('reads the CSV layout with quoted titles and half-star ratings', async () => {
    const data = await movieLensCsvFromChunks({
      ratings: ['userId,movieId,rating,timestamp\n7,11,3.5,964982703\n3,1,0.5,964981247\n'],
      movies: ['movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n11,"American President, The (1995)",(no genres listed)\n'],
    });
    expect(data.ratings.users).toEqual(Int32Array.of(1, 0));
    expect(data.ratings.ratings).toEqual(Float32Array.of(3.5, 0.5));
    expect(data.movies.titles[1]).toBe('American President, The (1995)');
    expect(data.movies.genres[1]).toEqual([]);
  });

  it('says which file, line and field is malformed', async () => {
    const load = (ratings: string) => movieLens100kFromLines({ ratings: splitLinesSync(ratings), movies: splitLinesSync(U_ITEM), users: splitLinesSync(U_USER) });
    await expect(load('1\t1\t4\t881250950\n1\tx\t4\t881250950\n')).rejects.toThrow('u.data, line 2, field "item id": expected an integer, found "x"');
    await expect(load('1\t1\t4\n')).rejects.toThrow('u.data, line 1: expected 4 fields separated by "\\t", found 3');
    await expect(load('1\t1\t9\t881250950\n')).rejects.toThrow('u.data, line 1, field "rating": rating 9 is out of range 1..5');
    await expect(load('1\t1\t4\t881250950\n1\t77\t4\t881250950\n')).rejects.toThrow('u.data, line 2, field "item id": item id 77 is not in the movies file');
    await expect(load('1\t1\t4\t881250950\t9\n')).rejects.toThrow(DatasetError);
    await expect(
      movieLens100kFromLines({ ratings: [], movies: splitLinesSync('1|Toy Story|x||y|0|1\n') }),
    ).rejects.toThrow('u.item, line 1: expected 24 fields separated by "|", found 7');
    await expect(
      movieLens1mFromLines({ ratings: [], movies: splitLinesSync('1::A::Drama\n1::B::Drama\n') }),
    ).rejects.toThrow('movies.dat, line 2, field "movie id": duplicate id 1');
  });
});
