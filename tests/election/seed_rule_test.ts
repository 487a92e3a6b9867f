import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { decideSeed } from "../../lib/election/seed_rule.ts";

Deno.test("the report's rule on a table of cases", () => {
  const cases: {
    counts: Record<string, number>;
    connected: number;
    expected: string | undefined;
    why: string;
  }[] = [
    { counts: { A: 0, B: 0 }, connected: 5, expected: undefined, why: "no votes" },
    { counts: { A: 1, B: 0 }, connected: 1, expected: undefined, why: "one vote is not enough" },
    { counts: { A: 2, B: 0 }, connected: 2, expected: "A", why: "two of two" },
    { counts: { A: 2, B: 2 }, connected: 4, expected: undefined, why: "tie at the top" },
    {
      counts: { A: 2, B: 1 },
      connected: 4,
      expected: undefined,
      why: "exactly half is not more than half",
    },
    { counts: { A: 3, B: 0 }, connected: 5, expected: "A", why: "three of five" },
    { counts: { A: 1, B: 3 }, connected: 5, expected: "B", why: "B on top" },
    {
      counts: { A: 2, B: 1 },
      connected: 3,
      expected: "A",
      why: "departures shrink the electorate",
    },
    {
      counts: { A: 2, B: 0, C: 2 },
      connected: 3,
      expected: undefined,
      why: "tie among three options",
    },
  ];
  for (const { counts, connected, expected, why } of cases) {
    assertEquals(decideSeed({ counts, connected })?.option, expected, why);
  }
});

Deno.test("the decision gives its numbers", () => {
  assertEquals(
    decideSeed({ counts: { A: 3, B: 1 }, connected: 5 })?.reason,
    "3 of 5 connected voted A: 60% > 50%",
  );
});
