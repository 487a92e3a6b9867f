import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { buildBallot } from "../../lib/election/ballot.ts";
import type { HubEvent } from "../../lib/election/events.ts";
import {
  applyEvent,
  checkVote,
  createElectionState,
  evaluateRound,
  replayEvents,
} from "../../lib/election/state.ts";

const ballot = buildBallot("Tea or coffee?", ["tea", "coffee"]);
const join = (pin: number): HubEvent => ({
  type: "joined",
  pin,
  name: `n${pin}`,
  address: "127.0.0.1",
  port: pin,
});

Deno.test("a vote stays counted after its node leaves, and the PIN can vote again once reused", () => {
  const state = createElectionState(ballot);
  for (const event of [join(100), join(200), join(300)]) applyEvent(state, event);
  applyEvent(state, { type: "voted", pin: 100, round: 1, option: "A" });
  applyEvent(state, { type: "left", pin: 100, reason: "dropped" });
  assertEquals(state.counts, { A: 1, B: 0 });
  applyEvent(state, join(100));
  assertEquals(checkVote(state, 100, "B"), undefined);
});

Deno.test("a departure can complete a consensus", () => {
  const state = createElectionState(ballot);
  for (const pin of [100, 200, 300, 400]) applyEvent(state, join(pin));
  applyEvent(state, { type: "voted", pin: 100, round: 1, option: "A" });
  applyEvent(state, { type: "voted", pin: 200, round: 1, option: "A" });
  assertEquals(evaluateRound(state), undefined);
  applyEvent(state, { type: "left", pin: 400, reason: "exit" });
  const decided = evaluateRound(state);
  assertEquals(decided?.option, "A");
  assertEquals(decided?.reason, "2 of 3 connected voted A: 66.7% > 50%");
});

Deno.test("a decision closes the round and opens the next of the same question", () => {
  const state = createElectionState(ballot);
  for (const pin of [100, 200]) applyEvent(state, join(pin));
  applyEvent(state, { type: "voted", pin: 100, round: 1, option: "B" });
  applyEvent(state, { type: "voted", pin: 200, round: 1, option: "B" });
  applyEvent(state, evaluateRound(state)!);
  assertEquals(state.round, 2);
  assertEquals(state.counts, { A: 0, B: 0 });
  assertEquals(state.decided.map((round) => round.option), ["B"]);
  assertEquals(checkVote(state, 100, "A"), undefined);
});

Deno.test("the state is a function of the event stream", () => {
  const events: HubEvent[] = [
    join(100),
    join(200),
    {
      type: "info-stored",
      pin: 100,
      info: { services: ["print"], capabilities: [], constraints: [] },
    },
    { type: "voted", pin: 100, round: 1, option: "A" },
    { type: "renamed", pin: 200, name: "bob" },
    { type: "left", pin: 100, reason: "exit" },
  ];
  const first = replayEvents(ballot, events);
  const second = replayEvents(ballot, events);
  assertEquals(first, second);
  assertEquals(first.stored.size, 0, "stored info goes with its node");
  assertEquals(first.nodes.get(200)?.name, "bob");
});

Deno.test("a second vote in a round is refused", () => {
  const state = createElectionState(ballot);
  applyEvent(state, join(100));
  applyEvent(state, { type: "voted", pin: 100, round: 1, option: "A" });
  assertEquals(checkVote(state, 100, "B")?.code, "already-voted");
  assertEquals(checkVote(state, 100, undefined)?.code, "unknown-option");
});
