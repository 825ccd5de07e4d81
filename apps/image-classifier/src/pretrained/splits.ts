// The rule behind the `paired` transfer split (scripts/confusable-split.py applies it in PyTorch to a
// from-scratch model's validation confusions; this is the same rule, so a test can replay it on the committed
// matrix, src/pretrained/splits.json).
import { DendriteError } from '@dendrite/core';

/** Two classes paired by {@link pairClassesByConfusion}, and how often either was mistaken for the other. */
export interface ClassPair {
  /** The lower label: pre-trained on. */
  source: number;
  /** The higher label: learned from few labels, with `source` as its look-alike in the pre-training data. */
  target: number;
  mutualConfusions: number;
}

/**
 * Pairs all classes greedily by mutual confusion: `confusion[i][j]` counts class-i examples predicted as j, the
 * mutual confusion of i and j is `confusion[i][j] + confusion[j][i]`; repeatedly the two unpaired classes with
 * the most mutual confusions become a pair (ties: the lexicographically smaller pair of labels), until every class
 * is paired. In each pair the lower label is the source (pre-trained on), the other the target (learned).
 *
 * @example
 * ```ts
 * const pairs = pairClassesByConfusion([[50, 9, 0, 1], [7, 40, 2, 0], [0, 1, 45, 4], [2, 0, 6, 48]]);
 * // [{ source: 0, target: 1, mutualConfusions: 16 }, { source: 2, target: 3, mutualConfusions: 10 }]
 * ```
 */
export function pairClassesByConfusion(confusion: readonly (readonly number[])[]): ClassPair[] {
  const classes = confusion.length;
  if (classes < 2 || classes % 2 !== 0) throw new DendriteError(`pairClassesByConfusion: needs an even number (≥ 2) of classes, got ${classes}`);
  confusion.forEach((row, index) => {
    if (row.length !== classes || row.some((count) => !Number.isFinite(count) || count < 0)) {
      throw new DendriteError(`pairClassesByConfusion: row ${index} must hold ${classes} counts ≥ 0, got [${row.join(', ')}]`);
    }
  });
  const candidates: ClassPair[] = [];
  for (let source = 0; source < classes; source++) {
    for (let target = source + 1; target < classes; target++) {
      candidates.push({ source, target, mutualConfusions: confusion[source][target] + confusion[target][source] });
    }
  }
  // Most confused first; a stable sort keeps the (source, target) order among ties.
  candidates.sort((a, b) => b.mutualConfusions - a.mutualConfusions);
  const paired = new Set<number>();
  const pairs: ClassPair[] = [];
  for (const pair of candidates) {
    if (paired.has(pair.source) || paired.has(pair.target)) continue;
    pairs.push(pair);
    paired.add(pair.source).add(pair.target);
  }
  return pairs;
}

/**
 * The `paired` split of a confusion matrix: pre-train on each pair's lower label, learn the other (both sorted).
 *
 * @example
 * ```ts
 * const { pretrainClasses, newClasses } = pairedSplit(confusion);
 * ```
 */
export function pairedSplit(confusion: readonly (readonly number[])[]): { pretrainClasses: number[]; newClasses: number[] } {
  const pairs = pairClassesByConfusion(confusion);
  return {
    pretrainClasses: pairs.map((pair) => pair.source).sort((a, b) => a - b),
    newClasses: pairs.map((pair) => pair.target).sort((a, b) => a - b),
  };
}
