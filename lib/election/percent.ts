/**
 * Percentages as people read them in announcements.
 *
 * @module
 */

/**
 * Formats a percentage for people: whole numbers as they are, others to one decimal.
 *
 * @param percent A percentage, e.g. `66.666`.
 * @returns For example `66.7%` or `60%`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(formatPercent(60), "60%");
 * assertEquals(formatPercent(200 / 3), "66.7%");
 * ```
 */
export function formatPercent(percent: number): string {
  const rounded = Math.round(percent * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)}%`;
}
