/**
 * Which function counts which method, and how one vote adds to the
 * per-option counts shown while a ballot is open (pure).
 *
 * @module
 */

import type { CastVote, VoteCounts } from "../events.ts";
import { applyRule } from "../rules.ts";
import { decideBorda } from "./borda.ts";
import { decideConsent } from "./consent.ts";
import { decideIrv } from "./irv.ts";
import { decideMarks } from "./marks.ts";
import type { MethodSpec } from "./method_spec.ts";
import type { MethodInput, MethodOutcome } from "./outcome.ts";
import { decideScore } from "./score.ts";
import { decideSchulze } from "./schulze.ts";

/**
 * Counts a ballot by its method. `choice` applies the rule to the counts, as
 * ballots always did; the other methods decide when the ballot closes.
 *
 * @param input The votes and the terms.
 * @returns The outcome, with the method's numbers.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const outcome = decideMethod({
 *   spec: { kind: "choice", max: 1 }, rule: parseRule("majority"), options: ["A", "B"],
 *   votes: [{ option: "A" }, { option: "A" }], counts: { A: 2, B: 0 }, electorate: 3, final: false,
 * });
 * assertEquals(outcome, { decided: true, option: "A", reason: "2 of 3 in the electorate voted A: 66.7% > 50%" });
 * ```
 */
export function decideMethod(input: MethodInput): MethodOutcome {
  const { spec } = input;
  switch (spec.kind) {
    case "choice":
      if (spec.max === 1) {
        return applyRule(input.rule, {
          counts: input.counts,
          electorate: input.electorate,
          final: input.final,
        });
      }
      return decideMarks(input);
    case "approval":
      return decideMarks(input);
    case "consent":
      return decideConsent(input);
    case "score":
      return decideScore(input);
    case "ranked":
      switch (spec.count) {
        case "irv":
          return decideIrv(input);
        case "borda":
          return decideBorda(input);
        case "schulze":
          return decideSchulze(input);
      }
  }
}

/**
 * Adds a vote to (or, with `sign` -1, takes it from) the counts shown while
 * a ballot is open: votes per option for `choice` and `consent`, marks for
 * `choice:N` and `approval`, total scores for `score`, first preferences for
 * `ranked`.
 *
 * @param spec The ballot's method.
 * @param counts The counts to update in place.
 * @param vote The vote.
 * @param sign 1 to add, -1 to take away.
 */
export function addToCounts(
  spec: MethodSpec,
  counts: VoteCounts,
  vote: CastVote,
  sign: 1 | -1,
): void {
  // A single choice is nearly every vote: counted without a closure or a loop.
  if ("option" in vote) addTo(counts, vote.option, sign);
  else if ("options" in vote) { for (const option of vote.options) addTo(counts, option, sign); }
  else if ("ranking" in vote) {
    if (vote.ranking[0] !== undefined) addTo(counts, vote.ranking[0], sign);
  } else if (spec.kind === "score") {
    for (const [option, score] of Object.entries(vote.scores)) {
      addTo(counts, option, sign * score);
    }
  }
}

function addTo(counts: VoteCounts, option: string, amount: number): void {
  if (option in counts) counts[option]! += amount;
}
