import { Gunzip, gunzipSync } from 'fflate';
import { iterateChunks, type ChunkSource } from './chunks.js';
import { DatasetError } from './errors.js';

/** The element types an IDX file can hold, keyed by the type code in its magic number. */
export type IdxTypedArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: the values in row-major order and the shape from its header. */
export interface IdxData {
  data: IdxTypedArray;
  shape: number[];
}

interface IdxElementType {
  name: string;
  bytes: number;
  create(length: number): IdxTypedArray;
  /** Reads one big-endian element; undefined for single bytes, which need no swapping. */
  readBigEndian?(view: DataView, offset: number): number;
}

const ELEMENT_TYPES: Record<number, IdxElementType> = {
  0x08: { name: 'unsigned byte', bytes: 1, create: (length) => new Uint8Array(length) },
  0x09: { name: 'signed byte', bytes: 1, create: (length) => new Int8Array(length) },
  0x0b: { name: 'short', bytes: 2, create: (length) => new Int16Array(length), readBigEndian: (view, offset) => view.getInt16(offset, false) },
  0x0c: { name: 'int', bytes: 4, create: (length) => new Int32Array(length), readBigEndian: (view, offset) => view.getInt32(offset, false) },
  0x0d: { name: 'float', bytes: 4, create: (length) => new Float32Array(length), readBigEndian: (view, offset) => view.getFloat32(offset, false) },
  0x0e: { name: 'double', bytes: 8, create: (length) => new Float64Array(length), readBigEndian: (view, offset) => view.getFloat64(offset, false) },
};

/** IDX files larger than this are refused up front, so a corrupt header cannot ask for terabytes. */
const MAXIMUM_DATA_BYTES = 2 ** 31 - 1;

/**
 * Parses an IDX stream incrementally: feed it byte chunks as they arrive (after gunzip), then call
 * {@link IdxStreamParser.finish}. The header is read first; the output array is allocated once, from the
 * shape in the header, and filled chunk by chunk.
 *
 * @example
 * ```ts
 * const parser = new IdxStreamParser('labels.idx');
 * for await (const chunk of stream) parser.push(chunk);
 * const { data, shape } = parser.finish();
 * ```
 */
export class IdxStreamParser {
  private header = new Uint8Array(4);
  private headerFilled = 0;
  private elementType?: IdxElementType;
  private shape?: number[];
  private output?: IdxTypedArray;
  private outputBytes?: Uint8Array;
  private dataFilled = 0;
  private trailingBytes = 0;

  /** @param source the file name or description used in error messages. */
  constructor(private readonly source = 'IDX data') {}

  /** Feeds the next chunk of (uncompressed) bytes. */
  push(chunk: Uint8Array): void {
    let offset = 0;
    if (this.outputBytes === undefined) {
      offset = this.readHeader(chunk);
      if (this.outputBytes === undefined) return;
    }
    const remaining = chunk.length - offset;
    if (remaining <= 0) return;
    const room = this.outputBytes!.length - this.dataFilled;
    const copied = Math.min(room, remaining);
    this.outputBytes!.set(chunk.subarray(offset, offset + copied), this.dataFilled);
    this.dataFilled += copied;
    this.trailingBytes += remaining - copied;
  }

  /** Checks that exactly the declared amount of data arrived and returns it in native byte order. */
  finish(): IdxData {
    if (this.outputBytes === undefined) {
      throw new DatasetError(
        `truncated IDX file: it ends inside the header after ${this.headerFilled} bytes`,
        { file: this.source },
      );
    }
    const expected = this.outputBytes.length;
    if (this.dataFilled < expected) {
      throw new DatasetError(
        `truncated IDX file: shape [${this.shape!.join(', ')}] needs ${expected} data bytes but only ${this.dataFilled} arrived`,
        { file: this.source },
      );
    }
    if (this.trailingBytes > 0) {
      throw new DatasetError(
        `IDX file has ${this.trailingBytes} unexpected bytes after the ${expected} data bytes that shape [${this.shape!.join(', ')}] declares`,
        { file: this.source },
      );
    }
    swapToNativeOrder(this.output!, this.outputBytes, this.elementType!);
    return { data: this.output!, shape: this.shape! };
  }

  /** Consumes header bytes from the chunk; returns where the data starts in it. */
  private readHeader(chunk: Uint8Array): number {
    let offset = 0;
    while (offset < chunk.length && this.outputBytes === undefined) {
      const wanted = this.header.length - this.headerFilled;
      const taken = Math.min(wanted, chunk.length - offset);
      this.header.set(chunk.subarray(offset, offset + taken), this.headerFilled);
      this.headerFilled += taken;
      offset += taken;
      if (this.headerFilled < this.header.length) break;
      if (this.header.length === 4) {
        const dimensionCount = this.checkMagic();
        const fullHeader = new Uint8Array(4 + 4 * dimensionCount);
        fullHeader.set(this.header);
        this.header = fullHeader;
        if (dimensionCount > 0) continue;
      }
      this.allocateOutput();
    }
    return offset;
  }

  private checkMagic(): number {
    const [zero1, zero2, typeCode, dimensionCount] = this.header;
    const magic = `0x${Array.from(this.header.subarray(0, 4), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
    if (zero1 === 0x1f && zero2 === 0x8b) {
      throw new DatasetError(`not an IDX file: magic number ${magic} is a gzip header; decompress it first`, { file: this.source });
    }
    if (zero1 !== 0 || zero2 !== 0) {
      throw new DatasetError(`not an IDX file: bad magic number ${magic} (the first two bytes must be zero)`, { file: this.source });
    }
    const elementType = ELEMENT_TYPES[typeCode];
    if (elementType === undefined) {
      throw new DatasetError(
        `not an IDX file: magic number ${magic} has unknown type code 0x${typeCode.toString(16).padStart(2, '0')} (expected 08, 09, 0b, 0c, 0d or 0e)`,
        { file: this.source },
      );
    }
    if (dimensionCount === 0) {
      throw new DatasetError(`not an IDX file: magic number ${magic} declares zero dimensions`, { file: this.source });
    }
    this.elementType = elementType;
    return dimensionCount;
  }

  private allocateOutput(): void {
    const view = new DataView(this.header.buffer, this.header.byteOffset, this.header.byteLength);
    const shape: number[] = [];
    let count = 1;
    for (let offset = 4; offset < this.header.length; offset += 4) {
      const size = view.getUint32(offset, false);
      shape.push(size);
      count *= size;
    }
    const elementType = this.elementType!;
    if (count * elementType.bytes > MAXIMUM_DATA_BYTES) {
      throw new DatasetError(
        `IDX header declares shape [${shape.join(', ')}] of ${elementType.name} (${count * elementType.bytes} bytes), more than this reader supports; the header is probably corrupt`,
        { file: this.source },
      );
    }
    this.shape = shape;
    this.output = elementType.create(count);
    this.outputBytes = new Uint8Array(this.output.buffer, this.output.byteOffset, this.output.byteLength);
  }
}

/** IDX stores big-endian values; convert them in place once all bytes are in. */
function swapToNativeOrder(output: IdxTypedArray, bytes: Uint8Array, elementType: IdxElementType): void {
  if (elementType.readBigEndian === undefined || isBigEndianPlatform()) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let index = 0; index < output.length; index++) {
    output[index] = elementType.readBigEndian(view, index * elementType.bytes);
  }
}

function isBigEndianPlatform(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses a whole IDX file already in memory (plain or gzip-compressed; works in the browser).
 *
 * @example
 * ```ts
 * const response = await fetch('/data/t10k-labels-idx1-ubyte.gz');
 * const { data, shape } = parseIdx(new Uint8Array(await response.arrayBuffer()), { source: 't10k-labels' });
 * ```
 */
export function parseIdx(input: Uint8Array | ArrayBuffer, options: { source?: string } = {}): IdxData {
  const source = options.source ?? 'IDX data';
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (cause) {
      throw new DatasetError(`corrupt gzip data: ${(cause as Error).message}`, { file: source, cause });
    }
  }
  const parser = new IdxStreamParser(source);
  parser.push(bytes);
  return parser.finish();
}

/**
 * Parses IDX from a stream of byte chunks (a `fetch` body, a file stream), decompressing gzip on the fly
 * when the first bytes say so. Only the output array is held in memory, never the whole compressed file.
 *
 * @example
 * ```ts
 * const response = await fetch(url);
 * const labels = await parseIdxChunks(response.body!, { source: url });
 * ```
 */
export async function parseIdxChunks(
  chunks: ChunkSource<Uint8Array>,
  options: { source?: string } = {},
): Promise<IdxData> {
  const source = options.source ?? 'IDX data';
  const parser = new IdxStreamParser(source);
  let gunzip: Gunzip | undefined;
  let decided = false;
  const pushInflated = (chunk: Uint8Array, final: boolean) => {
    try {
      gunzip!.push(chunk, final);
    } catch (cause) {
      // The parser's own errors (bad magic, …) pass through; anything else is fflate failing to inflate.
      if (cause instanceof DatasetError) throw cause;
      throw new DatasetError(`corrupt gzip data: ${(cause as Error).message}`, { file: source, cause });
    }
  };
  // The gzip test needs the first two bytes, which a stream may deliver in separate chunks.
  let head = new Uint8Array(0);
  const route = (chunk: Uint8Array) => {
    if (gunzip !== undefined) pushInflated(chunk, false);
    else parser.push(chunk);
  };
  for await (const chunk of iterateChunks(chunks)) {
    if (decided) {
      route(chunk);
      continue;
    }
    const joined = new Uint8Array(head.length + chunk.length);
    joined.set(head);
    joined.set(chunk, head.length);
    head = joined;
    if (head.length < 2) continue;
    decided = true;
    if (isGzip(head)) gunzip = new Gunzip((inflated) => parser.push(inflated));
    route(head);
  }
  if (!decided && head.length > 0) parser.push(head);
  if (gunzip !== undefined) pushInflated(new Uint8Array(0), true);
  return parser.finish();
}
