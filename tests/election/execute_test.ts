/**
 * The election decides in one pure step: a command meets the state. What a
 * replicated log relies on: the same commands in the same order decide the
 * same way on every copy, and a command that is no longer true (a second
 * deadline, a drop after a resume) changes nothing.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import type { Command, Outcome } from "../../lib/election/commands.ts";
import type { HubEvent } from "../../lib/election/events.ts";
import { executeCommand } from "../../lib/election/execute.ts";
import { decodeState, encodeState } from "../../lib/election/snapshot.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import { createElectionState, type ElectionState } from "../../lib/election/state.ts";

function admit(at: number, seed: number, hub = "local"): Command {
  return {
    type: "admit",
    at,
    name: null,
    address: "127.0.0.1",
    port: 4000 + seed % 1000,
    tokenHash: `token-${at}-${seed}`,
    pinSeed: seed,
    hub,
  };
}

function run(
  commands: Command[],
): { state: ElectionState; outcomes: Outcome[]; events: HubEvent[] } {
  const state = createElectionState();
  const events: HubEvent[] = [];
  const outcomes = commands.map((command) =>
    executeCommand(state, command, (event) => events.push(event))
  );
  return { state, outcomes, events };
}

/** The parts of a state two copies must agree on. */
function summary(state: ElectionState) {
  return {
    nodes: [...state.nodes.values()],
    stored: [...state.stored],
    ballots: [...state.ballots.values()].map((ballot) => ({
      id: ballot.id,
      counts: ballot.counts,
      votes: [...ballot.votes],
      closed: ballot.closed,
    })),
    nextNode: state.nextNode,
    nextBallot: state.nextBallot,
  };
}

const OPTIONS = ["A", "B", "C"];

const commandArbitrary = (at: number): fc.Arbitrary<Command> =>
  fc.oneof(
    fc.nat().map((seed) => admit(at, seed)),
    fc.record({ node: fc.integer({ min: 1, max: 8 }), ballot: fc.integer({ min: 1, max: 3 }) })
      .chain(({ node, ballot }) =>
        fc.constantFrom(...OPTIONS).map((option): Command => ({
          type: "vote",
          at,
          node,
          ballot,
          vote: { option },
        }))
      ),
    fc.record({ node: fc.integer({ min: 1, max: 8 }), epoch: fc.integer({ min: 1, max: 3 }) })
      .map(({ node, epoch }): Command => ({ type: "drop", at, node, epoch })),
    fc.record({ node: fc.integer({ min: 1, max: 8 }), epoch: fc.integer({ min: 1, max: 3 }) })
      .map(({ node, epoch }): Command => ({ type: "grace-over", at, node, epoch })),
    fc.integer({ min: 1, max: 8 }).map((node): Command => ({ type: "exit", at, node })),
    fc.integer({ min: 1, max: 3 }).map((ballot): Command => ({ type: "deadline", at, ballot })),
    fc.record({
      node: fc.option(fc.integer({ min: 1, max: 8 })),
      ballot: fc.integer({ min: 1, max: 3 }),
    })
      .map(({ node, ballot }): Command => ({ type: "close", at, node, ballot })),
  );

const logArbitrary = fc.tuple(
  fc.constantFrom("majority", "plurality", "unanimous", "supermajority:2/3"),
  fc.array(fc.nat({ max: 1_000 }), { maxLength: 40 }),
).chain(([rule, times]) =>
  fc.tuple(
    fc.constant(rule),
    fc.tuple(...times.map((offset, index) => commandArbitrary(1_000 + index * 10 + offset))),
  )
).map(([rule, commands]): Command[] => [
  {
    type: "propose",
    at: 0,
    node: null,
    terms: buildTerms({ question: "Q?", options: OPTIONS, rule, deadline: "5s", repeat: true }, 0),
  },
  ...commands,
]);

Deno.test("the same commands in the same order decide the same on every copy, with sound tallies", () => {
  fc.assert(
    fc.property(logArbitrary, (commands) => {
      const first = run(commands);
      const second = run(structuredClone(commands));
      assertEquals(second.outcomes, first.outcomes);
      assertEquals(summary(second.state), summary(first.state));
      // At most one counted vote per node and ballot; the tally is the votes.
      for (const ballot of first.state.ballots.values()) {
        if (ballot.closed) continue;
        const tally: Record<string, number> = { A: 0, B: 0, C: 0 };
        for (const vote of ballot.votes.values()) tally[(vote as { option: string }).option]! += 1;
        assertEquals(ballot.counts, tally);
      }
      // Each ballot closes once; PINs of known nodes are unique.
      const closings = first.events.filter((event) => event.type === "ballot-closed")
        .map((event) => event.ballot);
      assertEquals(new Set(closings).size, closings.length);
      const pins = [...first.state.nodes.values()].map((node) => node.pin);
      assertEquals(new Set(pins).size, pins.length);
    }),
    { numRuns: 500 },
  );
});

Deno.test("two hubs' votes for one node: the log's first counts, the second is a repeat or refused", () => {
  const propose: Command = {
    type: "propose",
    at: 0,
    node: null,
    terms: buildTerms({ question: "Q?", options: ["A", "B"], rule: "unanimous" }, 0),
  };
  const { outcomes, state } = run([
    propose,
    admit(1, 1, "hub-1"),
    admit(2, 2, "hub-2"),
    { type: "vote", at: 3, node: 1, ballot: 1, vote: { option: "A" } },
    { type: "vote", at: 3, node: 1, ballot: 1, vote: { option: "A" } },
    { type: "vote", at: 3, node: 1, ballot: 1, vote: { option: "B" } },
  ]);
  assert(outcomes[3]!.ok && outcomes[3]!.kind === "voted" && !outcomes[3]!.repeated);
  assert(outcomes[4]!.ok && outcomes[4]!.kind === "voted" && outcomes[4]!.repeated);
  assertEquals(outcomes[5]!.ok ? "accepted" : outcomes[5]!.code, "already-voted");
  assertEquals(state.ballots.get(1)!.counts, { A: 1, B: 0 });
});

Deno.test("a deadline closes once and on time: early or repeated deadlines change nothing", () => {
  const { outcomes, events } = run([
    {
      type: "propose",
      at: 0,
      node: null,
      terms: buildTerms(
        { question: "Q?", options: ["A", "B"], rule: "plurality", deadline: "10s" },
        0,
      ),
    },
    { type: "deadline", at: 9_999, ballot: 1 },
    { type: "deadline", at: 10_000, ballot: 1 },
    { type: "deadline", at: 10_001, ballot: 1 },
  ]);
  assertEquals(outcomes.map((outcome) => outcome.ok && outcome.kind), [
    "opened",
    "ignored",
    "closed",
    "ignored",
  ]);
  assertEquals(events.filter((event) => event.type === "ballot-closed").length, 1);
});

Deno.test("a drop or grace period of an earlier attachment is ignored once the node resumed", () => {
  const { outcomes, state } = run([
    admit(1, 7, "hub-1"),
    { type: "drop", at: 2, node: 1, epoch: 1 },
    {
      type: "resume",
      at: 3,
      tokenHash: "token-1-7",
      address: "127.0.0.1",
      port: 5000,
      hub: "hub-2",
    },
    { type: "drop", at: 4, node: 1, epoch: 1 },
    { type: "grace-over", at: 5, node: 1, epoch: 1 },
  ]);
  assertEquals(outcomes.map((outcome) => outcome.ok && outcome.kind), [
    "admitted",
    "done",
    "admitted",
    "ignored",
    "ignored",
  ]);
  const node = state.nodes.get(1)!;
  assertEquals([node.present, node.hub, node.epoch], [true, "hub-2", 2]);
});

Deno.test("the end of a meeting closes every open ballot undecided and opens no next round", () => {
  const { state, outcomes } = run([
    {
      type: "propose",
      at: 0,
      node: null,
      terms: buildTerms({ question: "Q?", options: ["A", "B"], repeat: true }, 0),
    },
    { type: "end", at: 1 },
  ]);
  assertEquals(outcomes[1], { ok: true, kind: "done" });
  assertEquals(state.openBallots.size, 0);
  assertEquals(state.ballots.get(1)!.closed!.cause, "hub-stopped");
});

Deno.test("a snapshot taken anywhere, then the rest of the log, gives the state of the whole log", () => {
  fc.assert(
    fc.property(logArbitrary, fc.nat(), (commands, cut) => {
      const whole = run(commands);
      const at = cut % (commands.length + 1);
      const before = run(commands.slice(0, at));
      const restored = decodeState(encodeState(before.state));
      const outcomes = commands.slice(at).map((command) => executeCommand(restored, command));
      assertEquals(outcomes, whole.outcomes.slice(at));
      assertEquals(summary(restored), summary(whole.state));
      assertEquals([...restored.openBallots.keys()], [...whole.state.openBallots.keys()]);
    }),
    { numRuns: 300 },
  );
});
