/**
 * An independent transcription of the report's rule, used as an oracle: the
 * `seed` rule of lib/election/rules.ts must decide exactly as this does.
 *
 * @module
 */

import type { VoteCounts } from "../../lib/election/events.ts";
import { formatPercent } from "../../lib/election/percent.ts";

/** What a rule looks at. */
export interface RuleInput {
  /** Votes per option key in the open round, including votes of nodes that left. */
  counts: VoteCounts;
  /** Admitted nodes connected now. */
  connected: number;
}

/** A rule's verdict when it decides. */
export interface Decision {
  /** Key of the winning option. */
  option: string;
  /** The numbers behind it, for people: `3 of 5 connected voted A: 60% > 50%`. */
  reason: string;
}

/**
 * Applies the report's rule to the open round.
 *
 * @param input Counts of the open round and the number of connected nodes.
 * @returns The decision, or `undefined` while there is none.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const decision = decideSeed({ counts: { A: 3, B: 1 }, connected: 5 });
 * assertEquals(decision?.option, "A");
 * assertEquals(decideSeed({ counts: { A: 2, B: 2 }, connected: 4 }), undefined);
 * ```
 */
export function decideSeed(input: RuleInput): Decision | undefined {
  let total = 0;
  let top: string | undefined;
  let topVotes = 0;
  let tied = false;
  for (const [option, votes] of Object.entries(input.counts)) {
    total += votes;
    if (votes > topVotes) {
      top = option;
      topVotes = votes;
      tied = false;
    } else if (votes === topVotes && votes > 0) {
      tied = true;
    }
  }
  if (total <= 1 || top === undefined || tied) return undefined;
  // Integer comparison (2 * votes > connected) avoids rounding at exactly half.
  if (2 * topVotes <= input.connected) return undefined;
  const share = input.connected === 0 ? 100 : (100 * topVotes) / input.connected;
  return {
    option: top,
    reason: `${topVotes} of ${input.connected} connected voted ${top}: ${
      formatPercent(share)
    } > 50%`,
  };
}
