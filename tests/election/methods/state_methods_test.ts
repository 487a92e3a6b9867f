import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import type { CastVote, HubEvent } from "../../../lib/election/events.ts";
import { buildTerms } from "../../../lib/election/proposal.ts";
import { evaluateBallot, replayEvents } from "../../../lib/election/state.ts";
import { joinedEvent } from "../../_helpers/events.ts";

const OPTIONS = ["Memphis", "Nashville", "Knoxville", "Chattanooga"];
const KEYS = ["A", "B", "C", "D"];

/** A closing recorded from a hub's events: every node votes once, then the proposer closes. */
function closing(method: string, votes: readonly CastVote[], anonymous: boolean) {
  const terms = buildTerms({ question: "Capital?", options: OPTIONS, method, anonymous }, 0);
  const events: HubEvent[] = votes.map((_, index) => joinedEvent(index + 1));
  events.push({ type: "ballot-opened", ballot: 1, terms, proposer: null, at: 0 });
  votes.forEach((vote, index) => {
    if (anonymous) events.push({ type: "participated", ballot: 1, node: index + 1 });
    events.push({ type: "voted", ballot: 1, node: anonymous ? null : index + 1, ...vote });
  });
  return evaluateBallot(replayEvents(events), 1, "proposer");
}

const rankings = fc.array(
  fc.shuffledSubarray(KEYS, { minLength: 1 }).map((ranking): CastVote => ({ ranking })),
  { minLength: 1, maxLength: 15 },
);

Deno.test("a hub's record gives the same closing whatever order the votes arrived in, anonymous or not", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("ranked:irv", "ranked:borda", "ranked:schulze"),
      rankings,
      fc.boolean(),
      (method, votes, anonymous) => {
        const reversed = closing(method, [...votes].reverse(), anonymous);
        const forward = closing(method, votes, anonymous);
        assertEquals(reversed?.option, forward?.option);
        assertEquals(reversed?.reason, forward?.reason);
        assertEquals(reversed?.tally, forward?.tally);
        assertEquals(reversed?.counts, forward?.counts);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("a changed ranking replaces the first: counts show first preferences of the last votes", () => {
  const terms = buildTerms({
    question: "Capital?",
    options: OPTIONS,
    method: "ranked:irv",
    allowChange: true,
  }, 0);
  const state = replayEvents([
    joinedEvent(1),
    joinedEvent(2),
    { type: "ballot-opened", ballot: 1, terms, proposer: null, at: 0 },
    { type: "voted", ballot: 1, node: 1, ranking: ["A", "B"] },
    { type: "voted", ballot: 1, node: 2, ranking: ["A"] },
    { type: "voted", ballot: 1, node: 1, ranking: ["C", "A"] },
    // A vote of the wrong shape for the method, or naming no option of the ballot, changes nothing.
    { type: "voted", ballot: 1, node: 2, option: "B" },
    { type: "voted", ballot: 1, node: 2, ranking: ["Z"] },
  ]);
  assertEquals(state.ballots.get(1)!.counts, { A: 1, B: 0, C: 1, D: 0 });
  assertEquals(evaluateBallot(state, 1), undefined, "ranked ballots decide when they close");
  const closed = evaluateBallot(state, 1, "deadline")!;
  assertEquals(closed.option, null);
  assertEquals(
    closed.reason,
    "no decision: A and C tie for the fewest votes in round 2 and no earlier round separates them: " +
      "round 1 A 1, B 0, C 1, D 0, B and D eliminated; round 2 A 1, C 1",
  );
});

Deno.test("a record from before methods (no method, single options) replays and re-counts as choice", () => {
  // Events exactly as a hub wrote them before ballots had methods.
  const record = [
    '{"type":"joined","node":1,"pin":101,"name":"a","address":"127.0.0.1","port":1,"tokenHash":"x"}',
    '{"type":"joined","node":2,"pin":102,"name":"b","address":"127.0.0.1","port":2,"tokenHash":"y"}',
    '{"type":"ballot-opened","ballot":1,"terms":{"question":"Tea?","options":[{"key":"A","label":"tea"},{"key":"B","label":"coffee"}],"rule":"majority","electorate":"live","allowChange":false,"hideResults":false,"anonymous":false,"repeat":false},"proposer":null,"at":0}',
    '{"type":"voted","ballot":1,"node":1,"option":"A"}',
    '{"type":"voted","ballot":1,"node":2,"option":"A"}',
  ].map((line) => JSON.parse(line) as HubEvent);
  const state = replayEvents(record);
  assertEquals(state.ballots.get(1)!.method, { kind: "choice", max: 1 });
  const closed = evaluateBallot(state, 1)!;
  // The closing reads as it always did: the rule's reason, and no method numbers.
  assertEquals(
    [closed.cause, closed.option, closed.reason, "tally" in closed],
    ["rule", "A", "2 of 2 in the electorate voted A: 100% > 50%", false],
  );
});
