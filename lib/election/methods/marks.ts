/**
 * `approval` and `choice:N`: each voter marks some options; when the ballot
 * closes, the option marked by the most voters wins, and a tie at the top is
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
} from "./outcome.ts";

/**
 * Counts a ballot whose voters mark options.
 *
 * @param input The votes (`{ options }` each) and the terms.
 * @returns The most-marked option, or the tie.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const votes = [{ options: ["A", "C"] }, { options: ["C"] }, { options: ["A", "B"] }];
 * const outcome = decideMarks({
 *   spec: { kind: "approval" }, rule: parseRule("plurality"), options: ["A", "B", "C"],
 *   votes, counts: { A: 2, B: 1, C: 2 }, electorate: 3, final: true,
 * });
 * assertEquals(outcome.reason, "no decision: A and C tied with 2 approvals each (A 2, B 1, C 2)");
 * ```
 */
export function decideMarks(input: MethodInput): MethodOutcome {
  const gate = closingGate(input);
  if ("decided" in gate) return gate;
  const marks: Record<string, number> = {};
  for (const option of input.options) marks[option] = 0;
  for (const vote of input.votes) {
    if ("options" in vote) { for (const option of vote.options) marks[option]! += 1; }
  }
  const noun = input.spec.kind === "approval" ? "approval" : "vote";
  const tally = { method: formatMethod(input.spec), voters: input.votes.length };
  const all = listValues(input.options, marks);
  return highestWins(input.options, (a, b) => marks[a]! - marks[b]!, tally, gate.note, {
    tie: (tied) => `${joinNames(tied)} tied with ${plural(marks[tied[0]!]!, noun)} each (${all})`,
    win: (winner) =>
      `${winner} has the most ${noun}s: ${marks[winner]} of ${
        plural(input.votes.length, "voter")
      } (${all})`,
  });
}
