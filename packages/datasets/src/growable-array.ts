/** The typed arrays that the columnar loaders fill. */
export type NumericTypedArray = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

interface TypedArrayConstructor<T extends NumericTypedArray> {
  new (length: number): T;
}

/**
 * An append-only typed array that doubles its storage as it fills, so that columnar loaders can read
 * a stream of unknown length without boxing every value into a JavaScript array.
 */
export class GrowableArray<T extends NumericTypedArray> {
  private storage: T;
  private count = 0;

  constructor(
    private readonly constructorOfArray: TypedArrayConstructor<T>,
    initialCapacity = 1024,
  ) {
    this.storage = new constructorOfArray(Math.max(1, initialCapacity));
  }

  push(value: number): void {
    if (this.count === this.storage.length) {
      const larger = new this.constructorOfArray(this.storage.length * 2);
      larger.set(this.storage);
      this.storage = larger;
    }
    this.storage[this.count++] = value;
  }

  /** Number of values pushed so far. */
  get length(): number {
    return this.count;
  }

  /** A trimmed copy holding exactly the pushed values. */
  toArray(): T {
    return this.storage.slice(0, this.count) as T;
  }
}
