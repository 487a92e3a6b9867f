import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { buildBallot, resolveOption } from "../../lib/election/ballot.ts";

Deno.test("options are keyed A, B, C and matched by key or label", () => {
  const ballot = buildBallot("Lunch?", ["pizza", "Pasta", "soup"]);
  assertEquals(ballot.options.map((option) => option.key), ["A", "B", "C"]);
  assertEquals(resolveOption(ballot, "c"), "C");
  assertEquals(resolveOption(ballot, "PASTA"), "B");
  assertEquals(resolveOption(ballot, "D"), undefined);
});

Deno.test("a label whose lower case is longer than itself is still matched as typed", () => {
  // "İ" lower-cases to "i" and a combining dot: two code units for one.
  const ballot = buildBallot("Where?", ["İstanbul", "Ankara"]);
  assertEquals(resolveOption(ballot, "İstanbul"), "A");
  assertEquals(resolveOption(ballot, "ANKARA"), "B");
});

Deno.test("a ballot needs 2 distinct, non-empty options", () => {
  assertThrows(() => buildBallot("?", ["only"]), RangeError);
  assertThrows(() => buildBallot("?", ["tea", "Tea"]), RangeError);
  assertThrows(() => buildBallot("?", ["tea", " "]), RangeError);
  assertThrows(() => buildBallot(" ", ["tea", "coffee"]), RangeError);
});
