import type { CpuTensor, KernelContext } from '../kernel-context.js';

/**
 * The `k` largest values of each row of x (read as [rows, n], the last axis being n) and their int32
 * indices. A bounded min-heap per row keeps the k best seen so far; most elements of a long row lose
 * to its root in one comparison, so a row costs about n comparisons plus O(k log k) to order the
 * result. Ties keep the lower index first; a NaN ranks as +Infinity (as in PyTorch). With `sorted`
 * the k are in descending order, otherwise in ascending index order.
 */
export function topK(context: KernelContext, x: CpuTensor, k: number, sorted: boolean): [Float32Array | Int32Array, Int32Array] {
  const n = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const rows = n === 0 ? 0 : x.values.length / n;
  const outValues = context.allocate(rows * k, x.dtype) as Float32Array | Int32Array;
  const outIndices = context.allocate(rows * k, 'int32') as Int32Array;
  if (k === 0) return [outValues, outIndices];
  const values = x.values;
  // Heap of the row's current k best, worst at the root: keys (NaN → +Infinity) and indices.
  const heapKeys = new Float64Array(k);
  const heapIndices = new Int32Array(k);
  const order = new Int32Array(k);
  for (let row = 0; row < rows; row++) {
    const base = row * n;
    for (let i = 0; i < k; i++) {
      heapKeys[i] = keyOf(values[base + i]);
      heapIndices[i] = i;
    }
    for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(heapKeys, heapIndices, k, i);
    // The hot loop: one comparison against the root's key for almost every element. A later index
    // loses ties, so only a strictly larger key (or a NaN, ranked +Infinity, over a finite root) enters.
    let threshold = heapKeys[0];
    for (let i = k; i < n; i++) {
      const value = values[base + i];
      if (value > threshold || (value !== value && threshold < Infinity)) {
        heapKeys[0] = value === value ? value : Infinity;
        heapIndices[0] = i;
        siftDown(heapKeys, heapIndices, k, 0);
        threshold = heapKeys[0];
      }
    }
    if (sorted) {
      // Pop the worst first, filling from the back: descending, ties by ascending index.
      for (let size = k; size > 0; size--) {
        order[size - 1] = heapIndices[0];
        heapKeys[0] = heapKeys[size - 1];
        heapIndices[0] = heapIndices[size - 1];
        siftDown(heapKeys, heapIndices, size - 1, 0);
      }
    } else {
      order.set(heapIndices);
      order.sort();
    }
    const out = row * k;
    for (let j = 0; j < k; j++) {
      outIndices[out + j] = order[j];
      outValues[out + j] = values[base + order[j]];
    }
  }
  return [outValues, outIndices];
}

function keyOf(value: number): number {
  return value === value ? value : Infinity;
}

/** Whether (keyA, indexA) ranks below (keyB, indexB): a smaller key, or the same key at a later index. */
function worse(keyA: number, indexA: number, keyB: number, indexB: number): boolean {
  return keyA < keyB || (keyA === keyB && indexA > indexB);
}

function siftDown(keys: Float64Array, indices: Int32Array, size: number, start: number): void {
  let parent = start;
  const key = keys[parent];
  const index = indices[parent];
  for (;;) {
    let child = 2 * parent + 1;
    if (child >= size) break;
    const right = child + 1;
    if (right < size && worse(keys[right], indices[right], keys[child], indices[child])) child = right;
    if (!worse(keys[child], indices[child], key, index)) break;
    keys[parent] = keys[child];
    indices[parent] = indices[child];
    parent = child;
  }
  keys[parent] = key;
  indices[parent] = index;
}
