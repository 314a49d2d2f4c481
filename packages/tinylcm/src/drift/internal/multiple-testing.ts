/*
 * Family-wise error corrections for the per-component tests of FeatureDistribution: Bonferroni, and
 * S. Holm, "A simple sequentially rejective multiple test procedure", Scand. J. Statistics
 * 6(2):65–70, 1979. For "does any component reject" both give the same answer (Holm's first step is
 * Bonferroni); they differ in how many components reject.
 */
import { insertionSort } from './insertion-sort.js';

/** Rejections of Holm's step-down procedure. Sorts the first `count` p-values in place (count ≤ 64). */
export function holm(p: Float64Array, count: number, alpha: number): number {
  insertionSort(p, count);
  let rejected = 0;
  while (rejected < count && p[rejected]! <= alpha / (count - rejected)) rejected++;
  return rejected;
}

/** Rejections of the Bonferroni correction: p-values ≤ alpha / count. */
export function bonferroni(p: Float64Array, count: number, alpha: number): number {
  let rejected = 0;
  for (let c = 0; c < count; c++) if (p[c]! <= alpha / count) rejected++;
  return rejected;
}
