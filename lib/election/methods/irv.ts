/**
 * `ranked:irv`, instant runoff: each round counts every ballot for its
 * highest-ranked option still in the count; an option with more than half of
 * the ballots still counting wins, otherwise the option with the fewest is
 * eliminated and the next round begins (pure).
 *
 * Ties for the fewest: the tied option with fewer votes in the round before
 * goes (then the round before that, and so on). When every earlier round
 * ties them too, they all go together if even their sum is below the next
 * option's votes (so no order among them could change the result);
 * otherwise nothing is decided and the tie is announced.
 *
 * @module
 */

import type { VoteCounts } from "../events.ts";
import { formatMethod } from "./method_spec.ts";
import {
  closingGate,
  decided,
  joinNames,
  listValues,
  type MethodInput,
  type MethodOutcome,
  undecided,
} from "./outcome.ts";

/** One round of an instant runoff. */
export interface IrvRound {
  /** Ballots per option still in the count. */
  counts: VoteCounts;
  /** Ballots that rank no option still in the count. */
  exhausted: number;
  /** Options eliminated after this round. */
  eliminated: string[];
}

/**
 * Counts a ranked ballot by instant runoff.
 *
 * @param input The votes (`{ ranking }` each) and the terms.
 * @returns The winner with every round, or why there is none.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const votes = [
 *   { ranking: ["A"] }, { ranking: ["A"] }, { ranking: ["B"] }, { ranking: ["B"] }, { ranking: ["C", "B"] },
 * ];
 * const outcome = decideIrv({
 *   spec: { kind: "ranked", count: "irv" }, rule: parseRule("plurality"), options: ["A", "B", "C"],
 *   votes, counts: { A: 2, B: 2, C: 1 }, electorate: 5, final: true,
 * });
 * assertEquals(outcome.reason, "B wins in round 2 with 3 of 5 ballots: round 1 A 2, B 2, C 1, C eliminated; round 2 A 2, B 3");
 * ```
 */
export function decideIrv(input: MethodInput): MethodOutcome {
  const gate = closingGate(input);
  if ("decided" in gate) return gate;
  const rankings = input.votes.flatMap((vote) => "ranking" in vote ? [vote.ranking] : []);
  const rounds: IrvRound[] = [];
  const tally = { method: formatMethod(input.spec), voters: input.votes.length, rounds };
  let continuing = [...input.options];
  const story = () =>
    rounds.map((round, index) => {
      const shown = input.options.filter((option) => option in round.counts);
      const exhausted = round.exhausted > 0 ? `, ${round.exhausted} exhausted` : "";
      const out = round.eliminated.length > 0 ? `, ${joinNames(round.eliminated)} eliminated` : "";
      return `round ${index + 1} ${listValues(shown, round.counts)}${exhausted}${out}`;
    }).join("; ");
  for (;;) {
    const counts: VoteCounts = {};
    for (const option of continuing) counts[option] = 0;
    let exhausted = 0;
    for (const ranking of rankings) {
      const choice = ranking.find((option) => option in counts);
      if (choice === undefined) exhausted++;
      else counts[choice]! += 1;
    }
    const round: IrvRound = { counts, exhausted, eliminated: [] };
    rounds.push(round);
    const active = rankings.length - exhausted;
    const top = continuing.reduce((best, option) =>
      counts[option]! > counts[best]! ? option : best
    );
    if (2 * counts[top]! > active) {
      return decided(
        top,
        `${top} wins in round ${rounds.length} with ${
          counts[top]
        } of ${active} ballots: ${story()}${gate.note}`,
        tally,
      );
    }
    const out = toEliminate(continuing, rounds);
    if (out === undefined) {
      const fewest = Math.min(...continuing.map((option) => counts[option]!));
      const tied = continuing.filter((option) => counts[option] === fewest);
      return undecided(
        `${
          joinNames(tied)
        } tie for the fewest votes in round ${rounds.length} and no earlier round separates them: ${story()}`,
        tally,
      );
    }
    round.eliminated = out;
    continuing = continuing.filter((option) => !out.includes(option));
  }
}

/** Who goes after the last round, by the tie-break of the module doc; `undefined` on a tie it cannot break. */
function toEliminate(
  continuing: readonly string[],
  rounds: readonly IrvRound[],
): string[] | undefined {
  const counts = rounds.at(-1)!.counts;
  const fewest = Math.min(...continuing.map((option) => counts[option]!));
  let tied = continuing.filter((option) => counts[option] === fewest);
  for (let index = rounds.length - 2; index >= 0 && tied.length > 1; index--) {
    const earlier = rounds[index]!.counts;
    const least = Math.min(...tied.map((option) => earlier[option]!));
    tied = tied.filter((option) => earlier[option] === least);
  }
  if (tied.length === 1) return tied;
  const others = continuing.filter((option) => !tied.includes(option));
  if (others.length === 0) return undefined;
  const together = tied.reduce((sum, option) => sum + counts[option]!, 0);
  const next = Math.min(...others.map((option) => counts[option]!));
  return together < next ? tied : undefined;
}
