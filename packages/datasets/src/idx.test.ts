import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { IdxStreamParser, parseIdx, parseIdxChunks } from './idx.js';

/** Builds an IDX file: magic, big-endian dimensions, then the values written big-endian. */
function idxBytes(typeCode: number, shape: number[], values: number[]): Uint8Array {
  const sizes: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
  const elementBytes = sizes[typeCode];
  const bytes = new Uint8Array(4 + 4 * shape.length + values.length * elementBytes);
  const view = new DataView(bytes.buffer);
  bytes[2] = typeCode;
  bytes[3] = shape.length;
  shape.forEach((size, index) => view.setUint32(4 + 4 * index, size, false));
  let offset = 4 + 4 * shape.length;
  for (const value of values) {
    if (typeCode === 0x08) view.setUint8(offset, value);
    else if (typeCode === 0x09) view.setInt8(offset, value);
    else if (typeCode === 0x0b) view.setInt16(offset, value, false);
    else if (typeCode === 0x0c) view.setInt32(offset, value, false);
    else if (typeCode === 0x0d) view.setFloat32(offset, value, false);
    else view.setFloat64(offset, value, false);
    offset += elementBytes;
  }
  return bytes;
}

async function* oneByteAtATime(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let index = 0; index < bytes.length; index++) yield bytes.subarray(index, index + 1);
}

describe('IDX', () => {
  it('parses unsigned bytes with their shape', () => {
    const { data, shape } = parseIdx(idxBytes(0x08, [2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]));
    expect(data).toBeInstanceOf(Uint8Array);
    expect(shape).toEqual([2, 2, 3]);
    expect(Array.from(data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  });

  it('gives the typed array of each IDX type code, converted from big-endian', () => {
    expect(Array.from(parseIdx(idxBytes(0x09, [3], [-1, 0, 127])).data)).toEqual([-1, 0, 127]);
    expect(parseIdx(idxBytes(0x0b, [2], [-300, 1000])).data).toEqual(Int16Array.of(-300, 1000));
    expect(parseIdx(idxBytes(0x0c, [2], [-70000, 123456789])).data).toEqual(Int32Array.of(-70000, 123456789));
    expect(parseIdx(idxBytes(0x0d, [2], [1.5, -0.25])).data).toEqual(Float32Array.of(1.5, -0.25));
    expect(parseIdx(idxBytes(0x0e, [1, 2], [Math.PI, -1e300])).data).toEqual(Float64Array.of(Math.PI, -1e300));
  });

  it('streams: one byte at a time, plain and gzip, gives the same result', async () => {
    const plain = idxBytes(0x0c, [2, 3], [1, -2, 3, -4, 5, -6]);
    const fromPlain = await parseIdxChunks(oneByteAtATime(plain));
    const fromGzip = await parseIdxChunks(oneByteAtATime(gzipSync(plain)));
    expect(fromPlain.data).toEqual(Int32Array.of(1, -2, 3, -4, 5, -6));
    expect(fromGzip).toEqual(fromPlain);
    expect(parseIdx(gzipSync(plain))).toEqual(fromPlain);
  });

  it('reads a WHATWG ReadableStream (a fetch body) too', async () => {
    const gzipped = gzipSync(idxBytes(0x08, [3], [7, 8, 9]));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(gzipped.subarray(0, 5));
        controller.enqueue(gzipped.subarray(5));
        controller.close();
      },
    });
    expect(Array.from((await parseIdxChunks(body)).data)).toEqual([7, 8, 9]);
  });

  it('rejects a wrong magic number, naming the file', () => {
    const bytes = idxBytes(0x08, [1], [1]);
    bytes[0] = 7;
    expect(() => parseIdx(bytes, { source: 'labels.idx' })).toThrow(/labels\.idx: not an IDX file: bad magic number 0x07000801/);
    const unknownType = idxBytes(0x08, [1], [1]);
    unknownType[2] = 0x0a;
    expect(() => parseIdx(unknownType)).toThrow(/unknown type code 0x0a/);
    const parser = new IdxStreamParser('x.gz');
    expect(() => parser.push(gzipSync(idxBytes(0x08, [1], [1])))).toThrow(/gzip header; decompress it first/);
  });

  it('rejects truncated headers, truncated data and trailing bytes', () => {
    const bytes = idxBytes(0x08, [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(() => parseIdx(bytes.subarray(0, 6))).toThrow(/ends inside the header/);
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated IDX file: shape \[4, 2\] needs 8 data bytes but only 5 arrived/);
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(() => parseIdx(longer)).toThrow(/2 unexpected bytes after/);
  });

  it('rejects corrupt and truncated gzip with a DatasetError', async () => {
    const gzipped = gzipSync(idxBytes(0x08, [100], new Array(100).fill(3)));
    const corrupt = gzipped.slice();
    corrupt[12] ^= 0xff;
    corrupt[13] ^= 0xff;
    expect(() => parseIdx(corrupt, { source: 'bad.gz' })).toThrow(DatasetError);
    await expect(parseIdxChunks([gzipped.subarray(0, gzipped.length - 12)], { source: 'cut.gz' })).rejects.toThrow(/cut\.gz/);
  });

  it('refuses a header that declares an absurd size', () => {
    expect(() => parseIdx(idxBytes(0x0e, [65536, 65536], []))).toThrow(/header is probably corrupt/);
  });
});
