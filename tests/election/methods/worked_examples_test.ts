import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { bloc, count } from "./_count.ts";

// The Tennessee capital example: 100 voters, options A Memphis, B Nashville,
// C Chattanooga, D Knoxville. Source: Wikipedia, "Instant-runoff voting",
// "Borda count" and "Condorcet method" (same electorate in each):
// https://en.wikipedia.org/wiki/Condorcet_method#Example:_Voting_on_the_location_of_Tennessee's_capital
// Published results: plurality Memphis; instant runoff Knoxville (Chattanooga
// out first, then Nashville; Knoxville 58 to Memphis 42); Borda Nashville with
// Memphis 126, Nashville 194, Chattanooga 173, Knoxville 107 points; Nashville
// is the Condorcet winner (58-42 over Memphis, 68-32 over Chattanooga and Knoxville).
const TENNESSEE = [
  ...bloc(42, "ABCD"),
  ...bloc(26, "BCDA"),
  ...bloc(15, "CDBA"),
  ...bloc(17, "DCBA"),
];
const CITIES = ["A", "B", "C", "D"];

Deno.test("Tennessee: instant runoff elects Knoxville in round 3", () => {
  const outcome = count("ranked:irv", CITIES, TENNESSEE);
  assertEquals(outcome.decided && outcome.option, "D");
  assertEquals(outcome.tally?.rounds?.map((round) => [round.counts, round.eliminated]), [
    [{ A: 42, B: 26, C: 15, D: 17 }, ["C"]],
    [{ A: 42, B: 26, D: 32 }, ["B"]],
    [{ A: 42, D: 58 }, []],
  ]);
  assertEquals(
    outcome.reason,
    "D wins in round 3 with 58 of 100 ballots: round 1 A 42, B 26, C 15, D 17, C eliminated; " +
      "round 2 A 42, B 26, D 32, B eliminated; round 3 A 42, D 58",
  );
});

Deno.test("Tennessee: Borda elects Nashville with the published points", () => {
  const outcome = count("ranked:borda", CITIES, TENNESSEE);
  assertEquals(outcome.decided && outcome.option, "B");
  assertEquals(outcome.tally?.points, { A: 126, B: 194, C: 173, D: 107 });
});

Deno.test("Tennessee: Schulze elects Nashville, the Condorcet winner", () => {
  const outcome = count("ranked:schulze", CITIES, TENNESSEE);
  assertEquals(outcome.decided && outcome.option, "B");
  assertEquals(outcome.tally?.condorcetWinner, "B");
  assertEquals(outcome.tally?.pairwise?.B, { A: 58, C: 68, D: 68 });
  assertEquals(
    outcome.reason,
    "B is the Condorcet winner, beating A 58-42, C 68-32, D 68-32 (100 voters)",
  );
});

Deno.test("Tennessee: first preferences alone (choice, plurality) elect Memphis", () => {
  const firstPreferences = TENNESSEE.map((vote) => ({
    option: "ranking" in vote ? vote.ranking[0]! : "",
  }));
  const outcome = count("choice", CITIES, firstPreferences);
  assertEquals(outcome.decided && outcome.option, "A");
});

// The Schulze method's worked example: 45 voters, 5 options, no Condorcet
// winner. Source: Wikipedia, "Schulze method", section "Example"
// (https://en.wikipedia.org/wiki/Schulze_method#Example), taken from Schulze's
// paper. Published: the pairwise table d, the strongest paths p, and the
// winner E (full order E > A > C > B > D).
const SCHULZE_EXAMPLE = [
  ...bloc(5, "ACBED"),
  ...bloc(5, "ADECB"),
  ...bloc(8, "BEDAC"),
  ...bloc(3, "CABED"),
  ...bloc(7, "CAEBD"),
  ...bloc(2, "CBADE"),
  ...bloc(7, "DCEBA"),
  ...bloc(8, "EBADC"),
];

Deno.test("Schulze example: published pairwise counts, strongest paths and winner E", () => {
  const outcome = count("ranked:schulze", ["A", "B", "C", "D", "E"], SCHULZE_EXAMPLE);
  assertEquals(outcome.decided && outcome.option, "E");
  assertEquals(outcome.tally?.condorcetWinner, null);
  assertEquals(outcome.tally?.pairwise, {
    A: { B: 20, C: 26, D: 30, E: 22 },
    B: { A: 25, C: 16, D: 33, E: 18 },
    C: { A: 19, B: 29, D: 17, E: 24 },
    D: { A: 15, B: 12, C: 28, E: 14 },
    E: { A: 23, B: 27, C: 21, D: 31 },
  });
  assertEquals(outcome.tally?.paths, {
    A: { B: 28, C: 28, D: 30, E: 24 },
    B: { A: 25, C: 28, D: 33, E: 24 },
    C: { A: 25, B: 29, D: 29, E: 24 },
    D: { A: 25, B: 28, C: 28, E: 24 },
    E: { A: 25, B: 28, C: 28, D: 31 },
  });
});

// Hand-checked examples for the methods without a standard public example.
Deno.test("approval: the most-approved option wins, a tie is announced", () => {
  const votes = [{ options: ["A", "B"] }, { options: ["B"] }, { options: ["B", "C"] }];
  const outcome = count("approval", ["A", "B", "C"], votes);
  assertEquals(outcome.reason, "B has the most approvals: 3 of 3 voters (A 1, B 3, C 1)");
  const tie = count("approval", ["A", "B", "C"], [{ options: ["A"] }, { options: ["C"] }]);
  assertEquals(tie, {
    decided: false,
    reason: "no decision: A and C tied with 1 approval each (A 1, B 0, C 1)",
    tally: { method: "approval", voters: 2 },
  });
});

Deno.test("score: total and mean can disagree, and both are exact", () => {
  // A: 5, 5, 0 (total 10, mean 3.33); B: 4 from one voter only (total 4, mean 4).
  const votes = [{ scores: { A: 5, B: 4 } }, { scores: { A: 5 } }, { scores: { A: 0 } }];
  assertEquals(
    count("score:0..5", ["A", "B"], votes).reason,
    "A has the highest total score: 10 from 3 voters (A 10, B 4)",
  );
  assertEquals(
    count("score:0..5:mean", ["A", "B"], votes).reason,
    "B has the highest mean score: 4 from 1 voter (A 3.33, B 4)",
  );
  // A 1/3 against B 2/6: equal as fractions, so a tie (floats could differ in the last bit).
  const even = [
    { scores: { A: 1, B: 1 } },
    { scores: { A: 0, B: 1 } },
    { scores: { A: 0, B: 0 } },
    { scores: { B: 0 } },
    { scores: { B: 0 } },
    { scores: { B: 0 } },
  ];
  assertEquals(
    count("score:0..1:mean", ["A", "B"], even).reason,
    "no decision: A and B tied for the highest mean score (A 0.33, B 0.33)",
  );
});

Deno.test("consent: passes without blocks, a block stops it with its reason", () => {
  const agree = { option: "A" };
  const abstain = { option: "B" };
  const disagree = { option: "C" };
  const passed = count("consent", ["A", "B", "C", "D"], [agree, agree, abstain, disagree]);
  assertEquals(passed.decided && passed.option, "A");
  assertEquals(
    passed.reason,
    "2 agree, 1 disagree, 1 abstain, no block; among those not abstaining: " +
      "2 of 3 in the electorate voted A: 66.7% > 50%",
  );
  const blocked = count("consent", ["A", "B", "C", "D"], [
    agree,
    agree,
    agree,
    { option: "D", reason: "we have no budget" },
  ]);
  assertEquals(blocked.reason, 'no decision: blocked by 1 of 4 voters: "we have no budget"');
  assertEquals(blocked.tally?.blocks, ["we have no budget"]);
  const rejected = count("consent", ["A", "B", "C", "D"], [agree, disagree, disagree]);
  assertEquals(rejected.decided, false);
});

Deno.test("instant runoff: a tie for the fewest is broken by the round before", () => {
  // Round 1: A 3, B 3, C 2, D 1 -> D out (its voter goes to C). Round 2: A 3, B 3, C 3:
  // all tied; in round 1 C had fewest of them, so C goes. Round 3: B 5 of 9 wins.
  const votes = [
    ...["A", "A", "A", "B", "B", "B"].map((first) => ({ ranking: [first] })),
    { ranking: ["C", "B"] },
    { ranking: ["C", "B"] },
    { ranking: ["D", "C"] },
  ];
  const outcome = count("ranked:irv", ["A", "B", "C", "D"], votes);
  assertEquals(outcome.tally?.rounds?.map((round) => round.eliminated), [["D"], ["C"], []]);
  assertEquals(outcome.decided && outcome.option, "B");
});
