/**
 * Random vote sequences through the whole state machine (checks, events,
 * rules), as the hub runs it: whatever happens, no rule decides for an option
 * that does not hold the most votes, a ballot is decided at most once, and
 * the tally always equals the counted votes.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import type { HubEvent } from "../../lib/election/events.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import {
  applyEvent,
  checkVote,
  createElectionState,
  evaluateBallot,
} from "../../lib/election/state.ts";

const RULES = [
  "seed",
  "majority",
  "supermajority:2/3",
  "supermajority:75%",
  "unanimous",
  "plurality",
  "majority+quorum:60%",
  "plurality+quorum:1/2",
];
const OPTIONS = ["A", "B", "C"];

type Step =
  | { kind: "join" }
  | { kind: "vote"; voter: number; option: number }
  | { kind: "leave"; voter: number; exit: boolean }
  | { kind: "close" };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "join" as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("vote" as const),
      voter: fc.nat({ max: 9 }),
      option: fc.nat({ max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("leave" as const),
      voter: fc.nat({ max: 9 }),
      exit: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "close" as const }) },
);

const scenarioArbitrary = fc.record({
  rule: fc.constantFrom(...RULES),
  electorate: fc.constantFrom("live", "frozen"),
  allowChange: fc.boolean(),
  initial: fc.integer({ min: 1, max: 6 }),
  steps: fc.array(stepArbitrary, { maxLength: 40 }),
});

Deno.test("random vote sequences: decisions follow the most votes, once per ballot, and tallies match the votes", () => {
  fc.assert(
    fc.property(scenarioArbitrary, (scenario) => {
      const state = createElectionState();
      let nextNode = 1;
      const join = () => {
        const node = nextNode++;
        applyEvent(state, {
          type: "joined",
          node,
          pin: 99 + node,
          name: `n${node}`,
          address: "127.0.0.1",
          port: node,
          tokenHash: `t${node}`,
        });
      };
      for (let index = 0; index < scenario.initial; index++) join();
      const terms = buildTerms({
        question: "Which?",
        options: OPTIONS,
        rule: scenario.rule,
        electorate: scenario.electorate,
        allowChange: scenario.allowChange,
      }, 0);
      applyEvent(state, { type: "ballot-opened", ballot: 1, terms, proposer: null, at: 0 });
      // The oracle: every accepted vote, the latest per voter.
      const latest = new Map<number, string>();
      const closings: HubEvent[] = [];
      const record = (event: HubEvent) => {
        applyEvent(state, event);
        if (event.type === "ballot-closed") closings.push(event);
      };
      const settle = (cause?: "operator") => {
        const closed = evaluateBallot(state, 1, cause);
        if (!closed) return;
        const counts = closed.counts;
        const top = Math.max(...Object.values(counts));
        if (closed.option !== null) {
          assertEquals(
            counts[closed.option],
            top,
            `decided for ${closed.option} without the most votes`,
          );
          const tied = Object.values(counts).filter((votes) => votes === top).length;
          assertEquals(tied, 1, "decided on a tie");
        }
        record(closed);
      };
      for (const step of scenario.steps) {
        if (step.kind === "join") join();
        else if (step.kind === "close") settle("operator");
        else if (step.kind === "leave") {
          const node = state.nodes.get(step.voter + 1);
          if (!node) continue;
          record(
            step.exit
              ? { type: "left", node: node.node, reason: "exit" }
              : { type: "dropped", node: node.node },
          );
          settle();
        } else {
          const node = step.voter + 1;
          if (!state.nodes.get(node)?.present) continue;
          const option = OPTIONS[step.option]!;
          const refusal = checkVote(state, 1, node, option);
          if (refusal) continue;
          if (!state.ballots.get(1)!.closed) latest.set(node, option);
          record({ type: "voted", ballot: 1, node, option });
          settle();
        }
      }
      assert(closings.length <= 1, "a ballot closed more than once");
      const ballot = state.ballots.get(1)!;
      const expected: Record<string, number> = { A: 0, B: 0, C: 0 };
      for (const option of latest.values()) expected[option]! += 1;
      const tally = ballot.closed ? ballot.closed.counts : ballot.counts;
      assertEquals(tally, expected);
      // Events after closing change nothing: replaying them must not add a second decision.
      assertEquals(evaluateBallot(state, 1), undefined);
    }),
    { numRuns: 3_000 },
  );
});
