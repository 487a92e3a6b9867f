/**
 * `ranked:borda`: with N options on the ballot, a voter's first choice gets
 * N-1 points, the next N-2, and so on; options a voter leaves unranked get
 * none. When the ballot closes, the most points win; a tie at the top is
 * announced as a tie (pure).
 *
 * @module
 */

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
 * Counts a ranked ballot by Borda points.
 *
 * @param input The votes (`{ ranking }` each) and the terms.
 * @returns The option with the most points, with every option's points.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const outcome = decideBorda({
 *   spec: { kind: "ranked", count: "borda" }, rule: parseRule("plurality"), options: ["A", "B", "C"],
 *   votes: [{ ranking: ["A", "B", "C"] }, { ranking: ["B", "A"] }, { ranking: ["B"] }],
 *   counts: { A: 1, B: 2, C: 0 }, electorate: 3, final: true,
 * });
 * assertEquals(outcome.reason, "B has the most Borda points: 5 from 3 voters (A 3, B 5, C 0)");
 * ```
 */
export function decideBorda(input: MethodInput): MethodOutcome {
  const gate = closingGate(input);
  if ("decided" in gate) return gate;
  const points = zeroCounts(input.options);
  const top = input.options.length - 1;
  for (const vote of input.votes) {
    if (!("ranking" in vote)) continue;
    vote.ranking.forEach((option, rank) => points[option] = (points[option] ?? 0) + top - rank);
  }
  const tally = { method: formatMethod(input.spec), voters: input.votes.length, points };
  const all = listValues(input.options, points);
  return highestWins(input.options, (a, b) => points[a]! - points[b]!, tally, gate.note, {
    tie: (tied) => `${joinNames(tied)} tied with ${points[tied[0]!]} Borda points each (${all})`,
    win: (winner) =>
      `${winner} has the most Borda points: ${points[winner]} from ${
        plural(input.votes.length, "voter")
      } (${all})`,
  });
}
