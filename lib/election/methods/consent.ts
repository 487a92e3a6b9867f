/**
 * `consent`: voters agree (`A`), abstain (`B`), disagree (`C`) or block
 * (`D`, with a reason). When the ballot closes, the proposal passes when
 * nobody blocks and the ballot's rule is met among those who did not
 * abstain (pure).
 *
 * @module
 */

import { applyRule } from "../rules.ts";
import { formatMethod } from "./method_spec.ts";
import {
  closingGate,
  decided,
  type MethodInput,
  type MethodOutcome,
  plural,
  undecided,
} from "./outcome.ts";

/**
 * Counts a consent proposal.
 *
 * @param input The votes (`{ option }`, with `reason` for a block) and the terms.
 * @returns `A` (agree) when it passes; otherwise why not, with every block's reason.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const votes = [{ option: "A" }, { option: "A" }, { option: "D", reason: "no budget" }];
 * const outcome = decideConsent({
 *   spec: { kind: "consent" }, rule: parseRule("majority"), options: ["A", "B", "C", "D"],
 *   votes, counts: { A: 2, B: 0, C: 0, D: 1 }, electorate: 3, final: true,
 * });
 * assertEquals(outcome.reason, 'no decision: blocked by 1 of 3 voters: "no budget"');
 * ```
 */
export function decideConsent(input: MethodInput): MethodOutcome {
  const gate = closingGate(input);
  if ("decided" in gate) return gate;
  const positions: Record<string, number> = { A: 0, B: 0, C: 0, D: 0 };
  const blocks: string[] = [];
  for (const vote of input.votes) {
    if (!("option" in vote)) continue;
    positions[vote.option] = (positions[vote.option] ?? 0) + 1;
    if (vote.option === "D") blocks.push(vote.reason ?? "");
  }
  // Sorted, so that the announcement does not depend on the order votes arrived.
  blocks.sort();
  const voters = input.votes.length;
  const tally = { method: formatMethod(input.spec), voters, blocks };
  if (blocks.length > 0) {
    const reasons = blocks.map((reason) => JSON.stringify(reason)).join(", ");
    return undecided(
      `blocked by ${blocks.length} of ${plural(voters, "voter")}: ${reasons}`,
      tally,
    );
  }
  const agree = positions.A!;
  const disagree = positions.C!;
  const summary = `${agree} agree, ${disagree} disagree, ${positions.B} abstain, no block`;
  if (agree + disagree === 0) return undecided(`everyone abstained (${summary})`, tally);
  // The rule's quorum was checked on every voter; among those not abstaining only the share counts.
  const { quorum: _quorum, ...rule } = input.rule;
  const among = applyRule(rule, {
    counts: { A: agree, C: disagree },
    electorate: agree + disagree,
    final: true,
  });
  if (among.decided && among.option === "A") {
    return decided(
      "A",
      `${summary}; among those not abstaining: ${among.reason}${gate.note}`,
      tally,
    );
  }
  const why = among.reason.replace(/^no decision: /u, "");
  return undecided(`not passed (${summary}); among those not abstaining: ${why}`, tally);
}
