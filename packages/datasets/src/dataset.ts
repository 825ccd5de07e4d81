import { collate, type Collated, type Int32Number } from './collate.js';
import { DatasetError } from './errors.js';
import { SeededRandom } from './random.js';
import { splitIndices, type SplitFractions } from './split.js';
import { isTensorData, shapeSize, type TensorData } from './tensor-data.js';

/** A value, or a promise of one (what element accessors and predicates may return). */
export type MaybePromise<T> = T | Promise<T>;

/** Random access to a dataset of known length: what makes full shuffles and splits possible. */
interface IndexedSource<T> {
  length: number;
  at(index: number): MaybePromise<T>;
}

/**
 * Whole batches straight from the columns of `fromTensorSlices` (optionally shuffled): `batch()` copies
 * each batch's rows at once instead of stacking one example at a time — the same batches, several times
 * faster. Dropped by every step that changes which items come (map, filter, take, skip, repeat, split).
 */
interface RowPlan {
  length: number;
  /** The order rows are read in for one iteration (undefined: 0..length-1). Called once per iteration. */
  order(): Int32Array | undefined;
  /** The collated batch of these rows, exactly what `collate` would make of their examples. */
  gather(rows: Int32Array): unknown;
}

/** Options of {@link Dataset.shuffle}. */
export interface ShuffleOptions {
  /** Seed of the shuffle: the same seed gives the same order(s). */
  seed: number;
  /**
   * Size of the shuffle buffer for streams. Datasets with random access (from arrays, tensor slices,
   * `map`/`take`/`skip` of those) are shuffled fully and ignore it.
   */
  bufferSize?: number;
  /** Draw a new order each time the dataset is iterated (default true), still reproducible from the seed. */
  reshuffleEachIteration?: boolean;
}

/** Options of {@link Dataset.batch}. */
export interface BatchOptions<T, B> {
  /** Drop a last batch smaller than `size` (default false). */
  dropRemainder?: boolean;
  /** Turns a list of examples into a batch (default {@link collate}: stacked typed arrays plus shape). */
  collate?: (items: T[]) => B;
}

/**
 * A slice of a `fromTensorSlices` column: a number for 1-D columns (an {@link Int32Number} for an
 * Int32Array column, so that `batch()` stacks it back into an Int32Array), else a `TensorData` view.
 */
export type SliceOf<C> = C extends TensorData<infer A> ? TensorData<A> : C extends Int32Array ? Int32Number : number;

/**
 * A lazy, re-iterable, chainable data pipeline, iterated with `for await`. Nothing runs until it is
 * iterated; each iteration starts from the source again.
 *
 * @example
 * ```ts
 * const batches = Dataset.fromTensorSlices({ image: { data: images, shape: [60000, 28, 28] }, label: labels })
 *   .shuffle({ seed: 1 })
 *   .batch(128)
 *   .prefetch(2);
 * for await (const { image, label } of batches) { image.shape; // [128, 28, 28]
 * }
 * ```
 */
export class Dataset<T> implements AsyncIterable<T> {
  private constructor(
    private readonly iterate: () => AsyncIterator<T>,
    private readonly indexed?: IndexedSource<T>,
    /**
     * Fields whose numbers came from a 1-D Int32Array column of `fromTensorSlices`: `batch()` stacks
     * them into an Int32Array (a number alone cannot say it was an int32). Kept by every step that
     * passes items through unchanged (shuffle, take, skip, filter, repeat, prefetch); `map` drops it.
     */
    private readonly int32Fields?: ReadonlySet<string>,
    private readonly rows?: RowPlan,
  ) {}

  /** This dataset's int32 field names carried over to `next`, a dataset of the same items. */
  private keepFields(next: Dataset<T>): Dataset<T> {
    return this.int32Fields === undefined ? next : new Dataset(next.iterate, next.indexed, this.int32Fields);
  }

  /** A dataset over the items of an array (random access: full shuffle and split work). */
  static fromArray<T>(items: readonly T[]): Dataset<T> {
    return Dataset.fromIndexed(items.length, (index) => items[index]);
  }

  /** A dataset of `length` items produced on demand by `at(index)`. */
  static fromIndexed<T>(length: number, at: (index: number) => MaybePromise<T>): Dataset<T> {
    const indexed: IndexedSource<T> = { length, at };
    return new Dataset(() => iterateIndexed(indexed, undefined), indexed);
  }

  /**
   * A dataset over any (async) iterable. Pass a function that creates the iterable to make the dataset
   * re-iterable (a generator object can only be walked once).
   */
  static from<T>(source: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>)): Dataset<T> {
    if (Array.isArray(source)) return Dataset.fromArray(source as T[]);
    const create = typeof source === 'function' ? source : () => source;
    return new Dataset(() => toAsyncIterator(create()));
  }

  /** Integers `start, start+1, …, end-1`. */
  static range(start: number, end?: number): Dataset<number> {
    for (const [name, value] of [['start', start], ['end', end]] as const) {
      if (value !== undefined && !Number.isSafeInteger(value)) throw new DatasetError(`range: ${end === undefined ? 'end' : name} must be an integer, got ${String(value)}`);
    }
    const first = end === undefined ? 0 : start;
    const last = end === undefined ? start : end;
    return Dataset.fromIndexed(Math.max(0, last - first), (index) => first + index);
  }

  /**
   * Slices columns along their first axis: example i gets row i of every column. Numeric 1-D columns
   * (typed arrays) give numbers, `{ data, shape }` columns give `{ data, shape }` views (no copy).
   *
   * @example
   * ```ts
   * const examples = Dataset.fromTensorSlices({ image: { data: images, shape: [10000, 28, 28] }, label: labels });
   * ```
   */
  static fromTensorSlices<C extends Record<string, TensorData<Float32Array | Int32Array | Uint8Array | Float64Array> | Float32Array | Int32Array | Uint8Array | Float64Array>>(
    columns: C,
  ): Dataset<{ [K in keyof C]: SliceOf<C[K]> }> {
    const names = Object.keys(columns);
    if (names.length === 0) throw new DatasetError('fromTensorSlices: give at least one column');
    const rowCounts = names.map((name) => {
      const column = columns[name];
      return isTensorData(column) ? column.shape[0] : column.length;
    });
    const length = rowCounts[0];
    names.forEach((name, position) => {
      const column = columns[name];
      if (rowCounts[position] !== length) {
        throw new DatasetError(`fromTensorSlices: column "${name}" has ${rowCounts[position]} rows, column "${names[0]}" has ${length}`);
      }
      if (isTensorData(column) && shapeSize(column.shape) !== column.data.length) {
        throw new DatasetError(`fromTensorSlices: column "${name}" has ${column.data.length} values, its shape [${column.shape.join(', ')}] needs ${shapeSize(column.shape)}`);
      }
    });
    const slicers = names.map((name) => {
      const column = columns[name];
      if (!isTensorData(column)) return (index: number) => column[index];
      const rowShape = column.shape.slice(1);
      const rowSize = shapeSize(rowShape);
      const data = column.data as Float32Array;
      return (index: number) => ({ data: data.subarray(index * rowSize, (index + 1) * rowSize), shape: rowShape });
    });
    const examples = Dataset.fromIndexed(length, (index) => {
      const example: Record<string, unknown> = {};
      for (let position = 0; position < names.length; position++) example[names[position]] = slicers[position](index);
      return example as { [K in keyof C]: SliceOf<C[K]> };
    });
    const int32Fields = new Set(names.filter((name) => columns[name] instanceof Int32Array));
    const rows: RowPlan = {
      length,
      order: () => undefined,
      gather(indices) {
        const batch: Record<string, unknown> = {};
        for (const name of names) batch[name] = gatherColumn(columns[name], indices);
        return batch;
      },
    };
    return new Dataset(examples.iterate, examples.indexed, int32Fields.size === 0 ? undefined : int32Fields, rows);
  }

  /** Iterate the elements in order: `for await (const example of dataset)`. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterate();
  }

  /** Number of items when known without iterating (datasets with random access), else undefined. */
  get length(): number | undefined {
    return this.indexed?.length;
  }

  /** Applies `transform` to every item (it may be async). */
  map<U>(transform: (item: T, index: number) => MaybePromise<U>): Dataset<U> {
    const indexed = this.indexed;
    if (indexed !== undefined) {
      return Dataset.fromIndexed(indexed.length, async (index) => transform(await indexed.at(index), index));
    }
    return new Dataset(() => mapIterator(this.iterate(), transform));
  }

  /** Keeps the items for which `predicate` is true. */
  filter(predicate: (item: T, index: number) => MaybePromise<boolean>): Dataset<T> {
    return this.keepFields(new Dataset(() => filterIterator(this.iterate(), predicate)));
  }

  /** The first `count` items. */
  take(count: number): Dataset<T> {
    checkCount(count, 'take');
    const indexed = this.indexed;
    if (indexed !== undefined) return this.keepFields(Dataset.fromIndexed(Math.min(count, indexed.length), (index) => indexed.at(index)));
    return this.keepFields(new Dataset(() => takeIterator(this.iterate(), count)));
  }

  /** All but the first `count` items. */
  skip(count: number): Dataset<T> {
    checkCount(count, 'skip');
    const indexed = this.indexed;
    if (indexed !== undefined) {
      return this.keepFields(Dataset.fromIndexed(Math.max(0, indexed.length - count), (index) => indexed.at(index + count)));
    }
    return this.keepFields(new Dataset(() => skipIterator(this.iterate(), count)));
  }

  /** Iterates the dataset `count` times in a row (forever when omitted); each pass restarts the source. */
  repeat(count = Number.POSITIVE_INFINITY): Dataset<T> {
    if (count !== Number.POSITIVE_INFINITY) checkCount(count, 'repeat');
    return this.keepFields(new Dataset(() => repeatIterator(() => this.iterate(), count)));
  }

  /**
   * Shuffles with a seeded generator: a full permutation when the dataset has random access, otherwise a
   * buffer of `bufferSize` items (as tf.data does; larger buffers mix better).
   */
  shuffle(options: ShuffleOptions): Dataset<T> {
    if (typeof options !== 'object' || options === null) throw new DatasetError(`shuffle: options { seed, bufferSize? } are required, got ${String(options)}`);
    const unknownKeys = Object.keys(options).filter((key) => !['seed', 'bufferSize', 'reshuffleEachIteration'].includes(key));
    if (unknownKeys.length > 0) throw new DatasetError(`shuffle: unknown option(s) ${unknownKeys.join(', ')}; valid options are seed, bufferSize, reshuffleEachIteration`);
    if (!Number.isInteger(options.seed)) throw new DatasetError(`shuffle: seed must be an integer, got ${String(options.seed)}`);
    const master = new SeededRandom(options.seed);
    const reshuffle = options.reshuffleEachIteration ?? true;
    const firstSeed = master.deriveSeed();
    const nextRandom = () => new SeededRandom(reshuffle ? master.deriveSeed() : firstSeed);
    const indexed = this.indexed;
    if (indexed !== undefined) {
      const source = this.rows;
      const rows: RowPlan | undefined = source && {
        length: source.length,
        order() {
          const before = source.order();
          const permutation = nextRandom().permutation(source.length);
          if (before !== undefined) for (let position = 0; position < permutation.length; position++) permutation[position] = before[permutation[position]];
          return permutation;
        },
        gather: source.gather,
      };
      return new Dataset(() => iterateIndexed(indexed, nextRandom().permutation(indexed.length)), undefined, this.int32Fields, rows);
    }
    const bufferSize = options.bufferSize;
    if (bufferSize === undefined || !Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new DatasetError('shuffle: this dataset is a stream (no random access), so give a positive integer bufferSize');
    }
    return this.keepFields(new Dataset(() => bufferShuffleIterator(this.iterate(), bufferSize, nextRandom())));
  }

  /**
   * Groups consecutive items into batches of `size`, stacked by {@link collate} unless another collate is
   * given. Each column keeps its type: an Int32Array column of `fromTensorSlices` (labels, ids) batches
   * into an Int32Array, floats into a Float32Array.
   */
  batch(size: number, options?: { dropRemainder?: boolean }): Dataset<Collated<T>>;
  batch<B>(size: number, options: BatchOptions<T, B> & { collate: (items: T[]) => B }): Dataset<B>;
  batch<B>(size: number, options: BatchOptions<T, B> = {}): Dataset<B | Collated<T>> {
    if (!Number.isInteger(size) || size < 1) throw new DatasetError(`batch: size must be a positive integer, got ${size}`);
    const rows = this.rows;
    if (rows !== undefined && options.collate === undefined) {
      return new Dataset(() => gatherBatchIterator(rows, size, options.dropRemainder ?? false) as AsyncIterator<Collated<T>>);
    }
    const int32Fields = this.int32Fields;
    const combine: (items: T[]) => B | Collated<T> = options.collate ?? ((items: T[]) => collate(items, 'batch', { int32Fields }));
    return new Dataset(() => batchIterator(this.iterate(), size, options.dropRemainder ?? false, combine));
  }

  /** Keeps up to `count` items ready ahead of the consumer, so producing the next overlaps using this one. */
  prefetch(count: number): Dataset<T> {
    if (!Number.isInteger(count) || count < 1) throw new DatasetError(`prefetch: count must be a positive integer, got ${count}`);
    return new Dataset(() => prefetchIterator(this.iterate(), count), this.indexed, this.int32Fields, this.rows);
  }

  /**
   * Splits into train / validation / test datasets by a seeded permutation (needs random access).
   *
   * @example
   * ```ts
   * const { train, validation, test } = Dataset.range(100).split({ validation: 0.1, test: 0.2, seed: 7 });
   * ```
   */
  split(fractions: SplitFractions): { train: Dataset<T>; validation: Dataset<T>; test: Dataset<T> } {
    const indexed = this.indexed;
    if (indexed === undefined) {
      throw new DatasetError('split: this dataset is a stream (no random access); use Dataset.fromArray(await dataset.toArray()) first');
    }
    const parts = splitIndices(indexed.length, fractions);
    const over = (indices: Int32Array) => this.keepFields(Dataset.fromIndexed(indices.length, (index) => indexed.at(indices[index])));
    return { train: over(parts.train), validation: over(parts.validation), test: over(parts.test) };
  }

  /** Collects every item into an array. */
  async toArray(): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) items.push(item);
    return items;
  }

  /** Calls `visit` on every item in order. */
  async forEach(visit: (item: T, index: number) => MaybePromise<void>): Promise<void> {
    let index = 0;
    for await (const item of this) await visit(item, index++);
  }
}

function checkCount(count: number, operation: string): void {
  if (!Number.isInteger(count) || count < 0) throw new DatasetError(`${operation}: count must be a non-negative integer, got ${count}`);
}

function toAsyncIterator<T>(source: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  return (async function* () {
    yield* source as Iterable<T>;
  })();
}

async function* iterateIndexed<T>(indexed: IndexedSource<T>, order: Int32Array | undefined): AsyncGenerator<T> {
  for (let position = 0; position < indexed.length; position++) {
    yield await indexed.at(order === undefined ? position : order[position]);
  }
}

function asIterable<T>(iterator: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => iterator };
}

async function* mapIterator<T, U>(source: AsyncIterator<T>, transform: (item: T, index: number) => MaybePromise<U>): AsyncGenerator<U> {
  let index = 0;
  for await (const item of asIterable(source)) yield await transform(item, index++);
}

async function* filterIterator<T>(source: AsyncIterator<T>, predicate: (item: T, index: number) => MaybePromise<boolean>): AsyncGenerator<T> {
  let index = 0;
  for await (const item of asIterable(source)) if (await predicate(item, index++)) yield item;
}

async function* takeIterator<T>(source: AsyncIterator<T>, count: number): AsyncGenerator<T> {
  if (count === 0) return;
  let taken = 0;
  for await (const item of asIterable(source)) {
    yield item;
    if (++taken >= count) return;
  }
}

async function* skipIterator<T>(source: AsyncIterator<T>, count: number): AsyncGenerator<T> {
  let seen = 0;
  for await (const item of asIterable(source)) if (seen++ >= count) yield item;
}

async function* repeatIterator<T>(create: () => AsyncIterator<T>, count: number): AsyncGenerator<T> {
  for (let pass = 0; pass < count; pass++) {
    let produced = false;
    for await (const item of asIterable(create())) {
      produced = true;
      yield item;
    }
    if (!produced) return; // repeating nothing forever would hang
  }
}

async function* bufferShuffleIterator<T>(source: AsyncIterator<T>, bufferSize: number, random: SeededRandom): AsyncGenerator<T> {
  const buffer: T[] = [];
  for await (const item of asIterable(source)) {
    if (buffer.length < bufferSize) {
      buffer.push(item);
      continue;
    }
    const pick = random.nextInt(bufferSize);
    const chosen = buffer[pick];
    buffer[pick] = item;
    yield chosen;
  }
  random.shuffleInPlace(buffer);
  yield* buffer;
}

async function* batchIterator<T, B>(source: AsyncIterator<T>, size: number, dropRemainder: boolean, combine: (items: T[]) => B): AsyncGenerator<B> {
  let items: T[] = [];
  for await (const item of asIterable(source)) {
    items.push(item);
    if (items.length === size) {
      yield combine(items);
      items = [];
    }
  }
  if (items.length > 0 && !dropRemainder) yield combine(items);
}

async function* gatherBatchIterator(rows: RowPlan, size: number, dropRemainder: boolean): AsyncGenerator<unknown> {
  const order = rows.order();
  const end = dropRemainder ? rows.length - (rows.length % size) : rows.length;
  for (let start = 0; start < end; start += size) {
    const count = Math.min(size, end - start);
    const indices = order !== undefined ? order.subarray(start, start + count) : Int32Array.from({ length: count }, (_, offset) => start + offset);
    yield rows.gather(indices);
  }
}

/**
 * Rows of one `fromTensorSlices` column, stacked as `collate` stacks their slices: Int32Array data stays
 * Int32Array, any other type becomes Float32Array; 1-D columns give shape [rows].
 */
function gatherColumn(column: TensorData<ArrayLike<number>> | ArrayLike<number>, indices: Int32Array): TensorData {
  const data = (isTensorData(column) ? column.data : column) as Float32Array | Int32Array | Uint8Array | Float64Array;
  const rowShape = isTensorData(column) ? column.shape.slice(1) : [];
  const rowSize = shapeSize(rowShape);
  const output = data instanceof Int32Array ? new Int32Array(indices.length * rowSize) : new Float32Array(indices.length * rowSize);
  if (rowSize === 1) {
    for (let position = 0; position < indices.length; position++) output[position] = data[indices[position]];
  } else {
    for (let position = 0; position < indices.length; position++) {
      const row = indices[position];
      output.set(data.subarray(row * rowSize, (row + 1) * rowSize), position * rowSize);
    }
  }
  return { data: output, shape: [indices.length, ...rowShape] };
}

async function* prefetchIterator<T>(source: AsyncIterator<T>, count: number): AsyncGenerator<T> {
  const queue: Array<Promise<IteratorResult<T>>> = [];
  let exhausted = false;
  const refill = () => {
    while (!exhausted && queue.length < count) {
      const next = source.next();
      queue.push(next);
      // The rejection handler also marks a failure as handled now; the consumer awaits it (and sees the
      // error) when its turn comes.
      next.then((result) => {
        if (result.done) exhausted = true;
      }, () => {
        exhausted = true;
      });
    }
  };
  try {
    refill();
    while (queue.length > 0) {
      const result = await queue.shift()!;
      if (result.done) return;
      refill();
      yield result.value;
    }
  } finally {
    if (!exhausted) await source.return?.();
  }
}
