/**
 * The checker's readers of hub lines, on the forms PROTOCOL.md shows.
 */

import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  CheckFailure,
  decidesWithTwoVotes,
  expectPin,
  readTextAdmission,
  readTextBallot,
  readTextStats,
  rowCount,
} from "../../lib/conformance/expect.ts";

Deno.test("a ballot description with every detail is read, anonymous included", () => {
  assertEquals(
    readTextBallot(
      "3 open: Lunch? (a, b) A) pizza  B) soup (rule majority+quorum:50%, frozen, closes 2026-11-30T16:50:34.155Z, anonymous, proposed by 218)",
    ),
    { id: 3, rule: "majority+quorum:50%", electorate: "frozen", anonymous: true },
  );
  assertThrows(() => readTextBallot("3 open: Lunch?"), CheckFailure);
});

Deno.test("stats rows: hidden results have no counts; closed outcomes are not open ballots", () => {
  const stats = readTextStats([
    "  ballot 2: Fly? (rule seed, 0 votes, 2 in the electorate)",
    "  A 0 0% be able to fly",
    "  B 0 0% be invisible",
    "  ballot 4: Tea? (rule plurality, results hidden until it closes, 2 in the electorate)",
    "  ballot 1 decided A (be able to fly): 2 of 2 connected voted A: 100% > 50%",
    "  A 2 100% be able to fly",
  ]);
  assertEquals(stats.get(2), { voted: 0, electorate: 2, counts: { A: 0, B: 0 } });
  assertEquals(stats.get(4), { voted: null, electorate: 2, counts: {} });
  assertEquals(stats.has(1), false);
});

Deno.test("PINs: 3 digits or more, no leading zero, numbers or text", () => {
  assertEquals(expectPin(100), 100);
  assertEquals(expectPin("123456"), 123456);
  for (const bad of ["99", "0218", "12a", "", -5, null]) {
    assertThrows(() => expectPin(bad), CheckFailure, String(bad));
  }
});

Deno.test("admission and row counts", () => {
  assertEquals(readTextAdmission("ok resumed: your PIN is 597, your name is node-597"), {
    pin: "597",
    name: "node-597",
    resumed: true,
  });
  assertEquals(rowCount("ok menu: 14 services"), 14);
  assertEquals(rowCount("ok stats: 1 open ballot, 0 closed shown; 1 row"), 1);
  assertEquals(rowCount("ok receive: 0 nodes"), 0);
});

Deno.test("a consensus is required only of seed, majority or unanimous, live, with two connected", () => {
  assertEquals(decidesWithTwoVotes("unanimous", "live", 2), true);
  assertEquals(decidesWithTwoVotes("majority+quorum:50%", "live", 2), false);
  assertEquals(decidesWithTwoVotes("seed", "frozen", 2), false);
});
