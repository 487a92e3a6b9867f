import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { HubEvent } from "../../lib/election/events.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import { applyEvent, createElectionState, evaluateBallot } from "../../lib/election/state.ts";
import { auditEntries } from "../../lib/store/audit.ts";
import { entryHash, GENESIS_HASH } from "../../lib/store/hash_chain.ts";
import type { JournalEntry } from "../../lib/store/journal.ts";
import { joinedEvent } from "../_helpers/events.ts";

/** A hub's record of an instant-runoff ballot, closed by its proposer. */
function rankedRecord(): HubEvent[] {
  const terms = buildTerms({
    question: "Capital?",
    options: ["Memphis", "Nashville", "Knoxville"],
    method: "ranked:irv",
  }, 0);
  const events: HubEvent[] = [1, 2, 3, 4, 5].map(joinedEvent);
  events.push({ type: "ballot-opened", ballot: 1, terms, proposer: 1, at: 0 });
  for (const [index, ranking] of [["A"], ["A"], ["B", "C"], ["C"], ["C", "B"]].entries()) {
    events.push({ type: "voted", ballot: 1, node: index + 1, ranking });
  }
  const state = createElectionState();
  for (const event of events) applyEvent(state, event);
  events.push(evaluateBallot(state, 1, "proposer")!);
  return events;
}

function chain(events: readonly HubEvent[]): JournalEntry[] {
  const entries: JournalEntry[] = [];
  let prev = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const text = JSON.stringify(event);
    const hash = entryHash(prev, index + 1, 0, text);
    entries.push({ seq: index + 1, at: 0, event: text, prev, hash });
    prev = hash;
  }
  return entries;
}

Deno.test("audit re-counts a ranked ballot, rounds included", () => {
  const events = rankedRecord();
  const closed = events.at(-1)!;
  assert(closed.type === "ballot-closed");
  assertEquals(closed.option, "C");
  assertEquals(auditEntries(chain(events)).problems, []);
});

Deno.test("audit names a rewritten IRV round even when every hash was recomputed", () => {
  const events = rankedRecord();
  const closed = structuredClone(events.at(-1)!);
  assert(closed.type === "ballot-closed" && closed.tally?.rounds);
  closed.tally.rounds[0]!.counts.B = 0;
  const report = auditEntries(chain([...events.slice(0, -1), closed]));
  assertEquals(report.problems.length, 1);
  assert(
    report.problems[0]!.problem.includes("ranked:irv numbers are recorded as"),
    report.problems[0]!.problem,
  );
});

Deno.test("audit catches a ranking changed behind the hub's back", () => {
  const events = rankedRecord();
  const forged = events.map((event) =>
    event.type === "voted" && event.node === 1 ? { ...event, ranking: ["B"] } : event
  );
  const report = auditEntries(chain(forged));
  assertEquals(report.problems.length, 1);
  assert(report.problems[0]!.problem.includes("is recorded as C"), report.problems[0]!.problem);
});
