import { describe, expect, it } from 'vitest';
import { csvRows, parseCsv, parseCsvChunks } from './csv.js';
import { DatasetError } from './errors.js';

const MOVIES = 'movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation\r\n11,"American President, The (1995)",Comedy|Drama|Romance\r\n' +
  '12,"Dracula: Dead and Loving It (1995)",Comedy|Horror\r\n99,"Say ""Hello""",Drama\r\n';

describe('CSV', () => {
  it('reads quoted fields with commas and escaped quotes into typed columns', () => {
    const table = parseCsv(MOVIES, { columns: { movieId: 'int', title: 'string' } });
    expect(table.header).toEqual(['movieId', 'title', 'genres']);
    expect(table.rowCount).toBe(4);
    expect(table.columns.movieId).toEqual(Int32Array.of(1, 11, 12, 99));
    expect(table.columns.title).toEqual(['Toy Story (1995)', 'American President, The (1995)', 'Dracula: Dead and Loving It (1995)', 'Say "Hello"']);
    expect(Object.keys(table.columns)).toEqual(['movieId', 'title']);
  });

  it('keeps newlines inside quoted fields and reads every column as string by default', () => {
    const table = parseCsv('a,b\n"line one\nline two",2\nx,"y"\n');
    expect(table.columns.a).toEqual(['line one\nline two', 'x']);
    expect(table.columns.b).toEqual(['2', 'y']);
  });

  it('streams from chunks cut at arbitrary places and gives the same table', async () => {
    const pieces: string[] = [];
    for (let start = 0; start < MOVIES.length; start += 7) pieces.push(MOVIES.slice(start, start + 7));
    const streamed = await parseCsvChunks(pieces, { columns: { movieId: 'int', title: 'string', genres: 'string' } });
    expect(streamed).toEqual(parseCsv(MOVIES, { columns: { movieId: 'int', title: 'string', genres: 'string' } }));
  });

  it('streams typed rows one by one', async () => {
    const rows = [];
    for await (const row of csvRows(['x,score\n', 'a,1.5\nb,-2\n'], { columns: { x: 'string', score: 'number' } })) rows.push(row);
    expect(rows).toEqual([{ x: 'a', score: 1.5 }, { x: 'b', score: -2 }]);
  });

  it('supports another delimiter, files without a header and NaN for missing numbers', () => {
    expect(parseCsv('\uFEFFid\n1\n', { columns: { id: 'int' } }).columns.id).toEqual(Int32Array.of(1));
    // A BOM before a quoted first header: the quotes are CSV syntax, not part of the name.
    expect(parseCsv('\uFEFF"id","name"\n1,a\n', { columns: { id: 'int', name: 'string' } }).columns.id).toEqual(Int32Array.of(1));
    const table = parseCsv('1;2.5\n2;\n', { delimiter: ';', header: ['id', 'value'], columns: { id: 'int', value: 'number' }, missingNumbers: 'nan' });
    expect(table.columns.id).toEqual(Int32Array.of(1, 2));
    expect(table.columns.value[0]).toBe(2.5);
    expect(Number.isNaN(table.columns.value[1])).toBe(true);
  });

  it('names file, line and field for bad values', () => {
    const attempt = () => parseCsv('id,score\n1,2\n2,abc\n', { columns: { id: 'int', score: 'number' }, source: 'scores.csv' });
    expect(attempt).toThrow(DatasetError);
    expect(attempt).toThrow('scores.csv, line 3, field "score": expected a number, found "abc"');
    try {
      attempt();
    } catch (error) {
      expect((error as DatasetError).line).toBe(3);
      expect((error as DatasetError).field).toBe('score');
    }
    expect(() => parseCsv('id\n1.5\n', { columns: { id: 'int' } })).toThrow(/line 2, field "id": expected a 32-bit integer/);
    expect(() => parseCsv('id\n\n', { columns: { id: 'int' } })).not.toThrow();
    expect(() => parseCsv('id,x\n,1\n', { columns: { id: 'int' } })).toThrow(/empty value in int column/);
  });

  it('rejects wrong field counts, unknown columns, stray quotes and unterminated quotes', () => {
    expect(() => parseCsv('a,b\n1,2,3\n', { source: 'f.csv' })).toThrow('f.csv, line 2: expected 2 fields, found 3');
    expect(() => parseCsv('a,b\n1,2\n', { columns: { c: 'int' } })).toThrow(/column "c" is not in the header \(a, b\)/);
    expect(() => parseCsv('a,b,a\n1,2,3\n', { columns: { a: 'int' } })).toThrow(/line 1: column "a" appears twice in the header \(fields 1 and 3\)/);
    expect(() => parseCsv('a,a\n1,2\n')).toThrow(/column "a" appears twice in the header/);
    expect(parseCsv('a,a,b\n1,2,3\n', { columns: { b: 'int' } }).columns.b).toEqual(Int32Array.from([3]));
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(/line 2, field "#1": unexpected character "y" after a closing quote/);
    expect(() => parseCsv('a,b\n1,"open\nstill open\n')).toThrow(/line 2, field "#2": unterminated quoted field/);
  });
});
