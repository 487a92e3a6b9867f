/**
 * Small statistics over repetitions.
 *
 * @module
 */

/**
 * Median of the finite values.
 *
 * @param values Samples; NaN and infinities are left out.
 * @returns The median, or NaN when none is finite.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(median([3, 1, 2]), 2);
 * strictEqual(median([4, 1, 2, 3]), 2.5);
 * ```
 */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Smallest and largest finite value.
 *
 * @param values Samples.
 * @returns `[min, max]`, or `[NaN, NaN]`.
 */
export function range(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [NaN, NaN];
  return [Math.min(...finite), Math.max(...finite)];
}
