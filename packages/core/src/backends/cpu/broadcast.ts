import { stridesOf } from './strides.js';

/**
 * Strides of an input of `inputShape` read as if broadcast to `outShape` (NumPy rules, shapes
 * aligned at the right): dims the input lacks or holds at size 1 get stride 0.
 */
export function broadcastStrides(inputShape: readonly number[], outShape: readonly number[]): number[] {
  const inputStrides = stridesOf(inputShape);
  const rankOffset = outShape.length - inputShape.length;
  const strides = new Array<number>(outShape.length).fill(0);
  for (let axis = 0; axis < inputShape.length; axis++) {
    if (inputShape[axis] !== 1) strides[axis + rankOffset] = inputStrides[axis];
  }
  return strides;
}

/**
 * An output shape with its inputs' broadcast strides, reduced to as few dims as possible: size-1
 * dims dropped and neighbours merged wherever every input walks them as one run. A same-shape op
 * collapses to one dim; a bias add [N, C] + [C] to two.
 */
export interface CollapsedLayout {
  /** At least one dim; the last one is the inner loop. */
  readonly shape: number[];
  /** strides[input][dim], in elements; 0 where that input is broadcast. */
  readonly strides: number[][];
}

/** Collapse `outShape` and the broadcast strides of `inputShapes` (see {@link CollapsedLayout}). */
export function collapseBroadcast(
  outShape: readonly number[], inputShapes: ReadonlyArray<readonly number[]>,
): CollapsedLayout {
  const fullStrides = inputShapes.map((shape) => broadcastStrides(shape, outShape));
  const shape: number[] = [];
  const strides: number[][] = inputShapes.map(() => []);
  for (let axis = 0; axis < outShape.length; axis++) {
    const size = outShape[axis];
    if (size === 1) continue;
    const last = shape.length - 1;
    // Merge into the previous dim when, for every input, stepping the previous dim once equals
    // stepping this one `size` times (contiguous for a real input, 0 = 0 for a broadcast one).
    let mergeable = last >= 0;
    for (let input = 0; mergeable && input < fullStrides.length; input++) {
      if (strides[input][last] !== fullStrides[input][axis] * size) mergeable = false;
    }
    if (mergeable) {
      shape[last] *= size;
      for (let input = 0; input < fullStrides.length; input++) strides[input][last] = fullStrides[input][axis];
    } else {
      shape.push(size);
      for (let input = 0; input < fullStrides.length; input++) strides[input].push(fullStrides[input][axis]);
    }
  }
  if (shape.length === 0) {
    shape.push(1);
    for (const inputStrides of strides) inputStrides.push(0);
  }
  return { shape, strides };
}

/**
 * Walk every row (all dims but the last) of a collapsed layout, calling `visitRow` with the
 * row's index and each input's starting offset. `offsets` is reused between calls.
 */
export function forEachRow(
  layout: CollapsedLayout, visitRow: (rowIndex: number, offsets: Int32Array) => void,
): void {
  const rank = layout.shape.length;
  const inputCount = layout.strides.length;
  const offsets = new Int32Array(inputCount);
  const counter = new Int32Array(rank);
  let rows = 1;
  for (let axis = 0; axis < rank - 1; axis++) rows *= layout.shape[axis];
  for (let row = 0; row < rows; row++) {
    visitRow(row, offsets);
    // Advance the odometer over the outer dims, innermost outer dim first.
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      if (counter[axis] < layout.shape[axis]) {
        for (let input = 0; input < inputCount; input++) offsets[input] += layout.strides[input][axis];
        break;
      }
      counter[axis] = 0;
      for (let input = 0; input < inputCount; input++) {
        offsets[input] -= layout.strides[input][axis] * (layout.shape[axis] - 1);
      }
    }
  }
}
