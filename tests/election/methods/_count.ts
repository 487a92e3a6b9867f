/**
 * Builds a method's input from a list of votes, the way the hub's state
 * does, so that tests can count ballots by hand-written rankings.
 *
 * @module
 */

import type { CastVote } from "../../../lib/election/events.ts";
import { addToCounts, decideMethod } from "../../../lib/election/methods/decide.ts";
import { type MethodSpec, parseMethod } from "../../../lib/election/methods/method_spec.ts";
import type { MethodOutcome } from "../../../lib/election/methods/outcome.ts";
import { parseRule } from "../../../lib/election/rules.ts";

/** Options of a test ballot. */
export const KEYS = ["A", "B", "C", "D", "E", "F"];

/**
 * Counts votes by a method, as a closing ballot would.
 *
 * @param method Method text, e.g. `ranked:irv`.
 * @param options Option keys.
 * @param votes The votes.
 * @param rule Rule text.
 * @returns The outcome.
 */
export function count(
  method: string | MethodSpec,
  options: readonly string[],
  votes: readonly CastVote[],
  rule = method === "consent" ? "majority" : "plurality",
): MethodOutcome {
  const spec = typeof method === "string" ? parseMethod(method) : method;
  const counts: Record<string, number> = {};
  for (const option of options) counts[option] = 0;
  for (const vote of votes) addToCounts(spec, counts, vote, 1);
  return decideMethod({
    spec,
    rule: parseRule(rule),
    options,
    votes,
    counts,
    electorate: votes.length,
    final: true,
  });
}

/**
 * Repeats a ranking for a bloc of voters.
 *
 * @param voters How many voters.
 * @param ranking Their ranking, e.g. `ACBED`.
 * @returns One vote per voter.
 */
export function bloc(voters: number, ranking: string): CastVote[] {
  return Array.from({ length: voters }, () => ({ ranking: [...ranking] }));
}
