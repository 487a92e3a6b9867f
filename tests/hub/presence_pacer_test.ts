/**
 * Presence lines at scale: whatever the number of changes, a node is sent a
 * bounded number of presence lines per second, and the summaries count
 * every change that was not sent on its own line.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { type PresenceChange, PresencePacer } from "../../lib/hub/presence_pacer.ts";

const LIMIT = 10;
const WINDOW_MS = 1000;

/** What a node would be sent: lines and summaries, with the time of each. */
interface Sent {
  at: number;
  kind: "line" | "summary";
  counts: number;
}

/** Runs changes at the given times through a pacer with its timer, as the hub does. */
function replay(changes: readonly { at: number; change: PresenceChange }[]): Sent[] {
  const pacer = new PresencePacer({ linesPerWindow: LIMIT, windowMs: WINDOW_MS });
  const sent: Sent[] = [];
  let tickAt: number | undefined;
  const runTicksUntil = (now: number) => {
    while (tickAt !== undefined && tickAt <= now) {
      const at = tickAt;
      const counts = pacer.tick();
      if (counts) {
        sent.push({ at, kind: "summary", counts: counts.joined + counts.left + counts.resumed });
      }
      tickAt = pacer.summarising ? at + WINDOW_MS : undefined;
    }
  };
  for (const { at, change } of changes) {
    runTicksUntil(at);
    if (pacer.offer(change, at)) sent.push({ at, kind: "line", counts: 1 });
    else tickAt ??= at + WINDOW_MS;
  }
  runTicksUntil(Infinity);
  return sent;
}

const changesArbitrary = fc.array(
  fc.record({
    gap: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 0, max: 3000 }),
    ),
    change: fc.constantFrom<PresenceChange>("joined", "left", "resumed"),
  }),
  { maxLength: 400 },
).map((steps) => {
  let at = 0;
  return steps.map(({ gap, change }) => ({ at: at += gap, change }));
});

Deno.test("every change is told: on its own line or counted in exactly one summary", () => {
  fc.assert(fc.property(changesArbitrary, (changes) => {
    const sent = replay(changes);
    assertEquals(sent.reduce((sum, item) => sum + item.counts, 0), changes.length);
  }));
});

Deno.test("within any second a node gets at most 10 lines and 2 summaries, however many change", () => {
  fc.assert(fc.property(changesArbitrary, (changes) => {
    const sent = replay(changes);
    for (const first of sent) {
      const inWindow = sent.filter((item) => item.at >= first.at && item.at < first.at + WINDOW_MS);
      assert(inWindow.filter((item) => item.kind === "line").length <= LIMIT);
      assert(inWindow.filter((item) => item.kind === "summary").length <= 2);
    }
  }));
});

Deno.test("a small meeting gets every change on its own line", () => {
  // Ten changes a second, however long it goes on, never trigger a summary.
  const changes = Array.from({ length: 100 }, (_, index) => ({
    at: index * 100,
    change: "joined" as const,
  }));
  const sent = replay(changes);
  assertEquals(sent.every((item) => item.kind === "line"), true);
});

Deno.test("a storm becomes one summary a second, then lines again once it is over", () => {
  const storm = Array.from({ length: 5000 }, (_, index) => ({
    at: Math.floor(index / 2),
    change: "joined" as const,
  }));
  const after = [{ at: 10_000, change: "left" as const }];
  const sent = replay([...storm, ...after]);
  assertEquals(sent.slice(0, LIMIT).every((item) => item.kind === "line"), true);
  const summaries = sent.filter((item) => item.kind === "summary");
  // 2,500 ms of storm: summaries at 1, 2 and 3 s after the 11th change.
  assertEquals(summaries.length, 3);
  assertEquals(sent.at(-1), { at: 10_000, kind: "line", counts: 1 });
});
