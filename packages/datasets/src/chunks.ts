/** Anything chunks can come from: an (async) iterable, or a WHATWG `ReadableStream` such as a `fetch` body. */
export type ChunkSource<T> = AsyncIterable<T> | Iterable<T> | ReadableStream<T>;

/**
 * Iterates a chunk source. ReadableStreams are read through their reader, which every browser supports
 * (not all of them make the stream itself async-iterable).
 */
export async function* iterateChunks<T>(source: ChunkSource<T>): AsyncGenerator<T> {
  if (typeof (source as ReadableStream<T>).getReader === 'function') {
    const reader = (source as ReadableStream<T>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<T> | Iterable<T>;
}
