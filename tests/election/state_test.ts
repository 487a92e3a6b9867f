import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { BallotTerms, HubEvent } from "../../lib/election/events.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import {
  applyEvent,
  checkVote,
  createElectionState,
  type ElectionState,
  evaluateBallot,
  replayEvents,
} from "../../lib/election/state.ts";
import { joinedEvent } from "../_helpers/events.ts";

const join = joinedEvent;
const vote = (node: number, option: string, ballot = 1): HubEvent => ({
  type: "voted",
  ballot,
  node,
  option,
});
const terms = (extra: Partial<Parameters<typeof buildTerms>[0]> = {}): BallotTerms =>
  buildTerms({ question: "Tea or coffee?", options: ["tea", "coffee"], ...extra }, 0);
const open = (ballotTerms: BallotTerms, ballot = 1): HubEvent => ({
  type: "ballot-opened",
  ballot,
  terms: ballotTerms,
  proposer: null,
  at: 0,
});

function stateWith(nodes: number[], ballotTerms: BallotTerms = terms()): ElectionState {
  const state = createElectionState();
  for (const node of nodes) applyEvent(state, join(node));
  applyEvent(state, open(ballotTerms));
  return state;
}

Deno.test("a vote stays counted after its node leaves", () => {
  const state = stateWith([1, 2, 3]);
  applyEvent(state, vote(1, "A"));
  applyEvent(state, { type: "left", node: 1, reason: "exit" });
  assertEquals(state.ballots.get(1)!.counts, { A: 1, B: 0 });
});

Deno.test("a departure can complete a consensus (seed rule, live electorate)", () => {
  const state = stateWith([1, 2, 3, 4]);
  applyEvent(state, vote(1, "A"));
  applyEvent(state, vote(2, "A"));
  assertEquals(evaluateBallot(state, 1), undefined);
  applyEvent(state, { type: "dropped", node: 4 });
  const closed = evaluateBallot(state, 1);
  assertEquals([closed?.option, closed?.cause], ["A", "rule"]);
  assertEquals(closed?.reason, "2 of 3 connected voted A: 66.7% > 50%");
});

Deno.test("a frozen electorate does not shrink with departures and excludes later joiners", () => {
  const state = stateWith([1, 2, 3, 4], terms({ rule: "majority", electorate: "frozen" }));
  applyEvent(state, vote(1, "A"));
  applyEvent(state, vote(2, "A"));
  applyEvent(state, { type: "left", node: 4, reason: "exit" });
  assertEquals(evaluateBallot(state, 1), undefined, "2 of 4 members is not more than half");
  applyEvent(state, join(5));
  assertEquals(checkVote(state, 1, 5, "A")?.code, "not-in-electorate");
  applyEvent(state, vote(3, "A"));
  assertEquals(evaluateBallot(state, 1)?.reason, "3 of 4 in the electorate voted A: 75% > 50%");
});

Deno.test("a frozen ballot closes once every member has voted, decided or not", () => {
  const state = stateWith([1, 2], terms({ rule: "majority", electorate: "frozen" }));
  applyEvent(state, vote(1, "A"));
  applyEvent(state, vote(2, "B"));
  const closed = evaluateBallot(state, 1);
  assertEquals([closed?.option, closed?.cause], [null, "all-voted"]);
});

Deno.test("a live ballot does not close just because everyone connected voted", () => {
  const state = stateWith([1, 2], terms({ rule: "plurality" }));
  applyEvent(state, vote(1, "A"));
  applyEvent(state, vote(2, "B"));
  assertEquals(evaluateBallot(state, 1), undefined);
  assertEquals(evaluateBallot(state, 1, "deadline")?.reason.startsWith("no decision"), true);
});

Deno.test("with changes allowed the latest vote counts, once", () => {
  const state = stateWith([1, 2, 3], terms({ allowChange: true, rule: "unanimous" }));
  applyEvent(state, vote(1, "A"));
  assertEquals(checkVote(state, 1, 1, "B"), undefined);
  applyEvent(state, vote(1, "B"));
  assertEquals(state.ballots.get(1)!.counts, { A: 0, B: 1 });
});

Deno.test("a second vote is refused without changes, and any vote on a closed ballot", () => {
  const state = stateWith([1, 2]);
  applyEvent(state, vote(1, "A"));
  assertEquals(checkVote(state, 1, 1, "B")?.code, "already-voted");
  assertEquals(checkVote(state, 1, 2, undefined)?.code, "unknown-option");
  assertEquals(checkVote(state, 9, 2, "A")?.code, "unknown-ballot");
  applyEvent(state, evaluateBallot(state, 1, "operator")!);
  assertEquals(checkVote(state, 1, 2, "A")?.code, "ballot-closed");
});

Deno.test("an anonymous ballot keeps no link from voter to choice", () => {
  const state = stateWith([1, 2], terms({ anonymous: true }));
  applyEvent(state, { type: "participated", ballot: 1, node: 1 });
  applyEvent(state, { type: "voted", ballot: 1, node: null, option: "B" });
  const ballot = state.ballots.get(1)!;
  assertEquals(ballot.votes.size, 0);
  assertEquals(ballot.counts, { A: 0, B: 1 });
  assertEquals(checkVote(state, 1, 1, "A")?.code, "already-voted");
});

Deno.test("the state is a function of the event stream", () => {
  const events: HubEvent[] = [
    join(1),
    join(2),
    open(terms()),
    {
      type: "info-stored",
      node: 1,
      info: { services: ["print"], capabilities: [], constraints: [] },
    },
    vote(1, "A"),
    { type: "renamed", node: 2, name: "bob" },
    { type: "left", node: 1, reason: "exit" },
  ];
  const first = replayEvents(events);
  assertEquals(first, replayEvents(events));
  assertEquals(first.stored.size, 0, "stored info goes with its node");
  assertEquals(first.nodes.get(2)?.name, "bob");
  assertEquals(first.retiredTokens.has("hash-1"), true);
});
