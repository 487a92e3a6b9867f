/**
 * `score:MIN..MAX`: each voter gives options a whole score; when the ballot
 * closes, the highest total wins, or with `:mean` the highest mean among
 * the voters who scored the option. An option a voter leaves out is not
 * scored by that voter. Means are compared as exact fractions (pure).
 *
 * @module
 */

import type { VoteCounts } from "../events.ts";
import { formatMethod } from "./method_spec.ts";
import {
  closingGate,
  highestWins,
  joinNames,
  listValues,
  type MethodInput,
  type MethodOutcome,
  plural,
  zeroCounts,
} from "./outcome.ts";

/**
 * Counts a score ballot.
 *
 * @param input The votes (`{ scores }` each) and the terms.
 * @returns The best-scored option, or the tie.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const votes = [{ scores: { A: 5, B: 2 } }, { scores: { A: 1, B: 3 } }];
 * const outcome = decideScore({
 *   spec: { kind: "score", min: 0, max: 5, mean: false }, rule: parseRule("plurality"),
 *   options: ["A", "B"], votes, counts: { A: 6, B: 5 }, electorate: 2, final: true,
 * });
 * assertEquals(outcome.reason, "A has the highest total score: 6 from 2 voters (A 6, B 5)");
 * ```
 */
export function decideScore(input: MethodInput): MethodOutcome {
  const gate = closingGate(input);
  if ("decided" in gate) return gate;
  const totals = zeroCounts(input.options);
  const scored: VoteCounts = zeroCounts(input.options);
  for (const vote of input.votes) {
    if (!("scores" in vote)) continue;
    for (const [option, score] of Object.entries(vote.scores)) {
      totals[option] = (totals[option] ?? 0) + score;
      scored[option] = (scored[option] ?? 0) + 1;
    }
  }
  const mean = input.spec.kind === "score" && input.spec.mean;
  const tally = { method: formatMethod(input.spec), voters: input.votes.length, scored };
  // total(a)/n(a) vs total(b)/n(b), cross-multiplied in integers; an option nobody scored comes last.
  const compare = mean
    ? (a: string, b: string) => {
      if (scored[a] === 0 || scored[b] === 0) return scored[a]! - scored[b]!;
      return totals[a]! * scored[b]! - totals[b]! * scored[a]!;
    }
    : (a: string, b: string) => totals[a]! - totals[b]!;
  const show = (option: string) =>
    mean
      ? `${option} ${scored[option] === 0 ? "-" : formatMean(totals[option]!, scored[option]!)}`
      : `${option} ${totals[option]}`;
  const all = mean ? input.options.map(show).join(", ") : listValues(input.options, totals);
  const what = mean ? "mean" : "total";
  return highestWins(input.options, compare, tally, gate.note, {
    tie: (tied) => `${joinNames(tied)} tied for the highest ${what} score (${all})`,
    win: (winner) =>
      `${winner} has the highest ${what} score: ${
        mean ? formatMean(totals[winner]!, scored[winner]!) : totals[winner]
      } from ${plural(mean ? scored[winner]! : input.votes.length, "voter")} (${all})`,
  });
}

/** A mean for people: a whole number, else two decimals (the decision used the exact fraction). */
function formatMean(total: number, count: number): string {
  return total % count === 0 ? String(total / count) : (total / count).toFixed(2);
}
