import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import {
  applyRule,
  describeRule,
  formatRule,
  parseRule,
  type RuleOutcome,
  type RuleSpec,
} from "../../lib/election/rules.ts";
import { decideSeed } from "./_seed_oracle.ts";

interface Case {
  counts: Record<string, number>;
  electorate: number;
  final?: boolean;
  expected: RuleOutcome;
  why: string;
}

function decided(option: string, reason: string): RuleOutcome {
  return { decided: true, option, reason };
}

function undecided(reason: string): RuleOutcome {
  return { decided: false, reason: `no decision: ${reason}` };
}

function checkTable(rule: string, cases: Case[]): void {
  const spec = parseRule(rule);
  for (const { counts, electorate, final = false, expected, why } of cases) {
    assertEquals(applyRule(spec, { counts, electorate, final }), expected, `${rule}: ${why}`);
  }
}

Deno.test("seed decides on more than half of the connected nodes", () => {
  checkTable("seed", [
    { counts: { A: 0, B: 0 }, electorate: 5, expected: undecided("no votes"), why: "no votes" },
    {
      counts: { A: 1, B: 0 },
      electorate: 1,
      expected: undecided("1 vote cast, more than 1 needed"),
      why: "one vote is not enough, even of one",
    },
    {
      counts: { A: 2, B: 0 },
      electorate: 2,
      expected: decided("A", "2 of 2 connected voted A: 100% > 50%"),
      why: "two of two",
    },
    {
      counts: { A: 2, B: 2 },
      electorate: 4,
      expected: undecided("A and B tied with 2 votes each"),
      why: "tie at the top",
    },
    {
      counts: { A: 2, B: 1 },
      electorate: 4,
      expected: undecided("2 of 4 connected voted A: 50%, more than 50% needed"),
      why: "exactly half is not more than half",
    },
    {
      counts: { A: 3, B: 1 },
      electorate: 5,
      expected: decided("A", "3 of 5 connected voted A: 60% > 50%"),
      why: "three of five",
    },
    {
      counts: { A: 2, B: 1 },
      electorate: 2,
      expected: decided("A", "2 of 2 connected voted A: 100% > 50%"),
      why: "votes of nodes that left still count",
    },
    {
      counts: { A: 2, B: 0 },
      electorate: 0,
      expected: decided("A", "2 of 0 connected voted A: 100% > 50%"),
      why: "an empty electorate counts as 100%, as decideSeed does",
    },
  ]);
});

Deno.test("seed gives exactly the decisions and reasons of decideSeed", () => {
  const table: { counts: Record<string, number>; connected: number }[] = [
    { counts: { A: 0, B: 0 }, connected: 5 },
    { counts: { A: 1, B: 0 }, connected: 1 },
    { counts: { A: 1, B: 1 }, connected: 2 },
    { counts: { A: 2, B: 0 }, connected: 2 },
    { counts: { A: 2, B: 2 }, connected: 4 },
    { counts: { A: 2, B: 1 }, connected: 4 },
    { counts: { A: 3, B: 0 }, connected: 5 },
    { counts: { A: 1, B: 3 }, connected: 5 },
    { counts: { A: 2, B: 1 }, connected: 3 },
    { counts: { A: 2, B: 0, C: 2 }, connected: 3 },
    { counts: { A: 2, B: 3, C: 3 }, connected: 8 },
    { counts: { A: 5, B: 0, C: 1 }, connected: 9 },
    { counts: { A: 2, B: 0 }, connected: 3 },
    { counts: { A: 2, B: 0 }, connected: 0 },
    { counts: { A: 7, B: 0 }, connected: 9 },
    { counts: {}, connected: 3 },
  ];
  const seed = parseRule("seed");
  for (
    const [final, { counts, connected }] of table.flatMap((row) => [
      [false, row] as const,
      [true, row] as const,
    ])
  ) {
    const outcome = applyRule(seed, { counts, electorate: connected, final });
    const expected = decideSeed({ counts, connected });
    const label = `${JSON.stringify(counts)} of ${connected}`;
    if (expected === undefined) {
      assert(!outcome.decided, label);
    } else {
      assertEquals(outcome, { decided: true, ...expected }, label);
    }
  }
});

Deno.test("majority needs more than half of the electorate", () => {
  checkTable("majority", [
    {
      counts: { A: 3, B: 1 },
      electorate: 5,
      expected: decided("A", "3 of 5 in the electorate voted A: 60% > 50%"),
      why: "three of five",
    },
    {
      counts: { A: 3, B: 2, C: 1 },
      electorate: 6,
      expected: undecided("3 of 6 in the electorate voted A: 50%, more than 50% needed"),
      why: "3 of 6 is not more than half",
    },
    {
      counts: { A: 2, B: 0 },
      electorate: 5,
      expected: undecided("2 of 5 in the electorate voted A: 40%, more than 50% needed"),
      why: "missing voters count against",
    },
    {
      counts: { A: 1, B: 0 },
      electorate: 1,
      expected: decided("A", "1 of 1 in the electorate voted A: 100% > 50%"),
      why: "unlike seed, one vote of one decides",
    },
    {
      counts: { A: 2, B: 2, C: 0 },
      electorate: 4,
      expected: undecided("A and B tied with 2 votes each"),
      why: "tie at the top",
    },
    {
      counts: { A: 1, B: 1, C: 1 },
      electorate: 3,
      expected: undecided("A, B and C tied with 1 vote each"),
      why: "three-way tie",
    },
    {
      counts: { A: 1, B: 4 },
      electorate: 7,
      expected: decided("B", "4 of 7 in the electorate voted B: 57.1% > 50%"),
      why: "B on top, one-decimal percent",
    },
    {
      counts: { A: 0, B: 0 },
      electorate: 0,
      expected: undecided("no votes"),
      why: "empty electorate, no votes",
    },
  ]);
});

Deno.test("supermajority needs at least its threshold, exactly", () => {
  checkTable("supermajority:2/3", [
    {
      counts: { A: 2, B: 1 },
      electorate: 3,
      expected: decided("A", "2 of 3 in the electorate voted A: 66.7% ≥ 66.7%"),
      why: "2 of 3 is exactly 2/3",
    },
    {
      counts: { A: 4, B: 1 },
      electorate: 5,
      expected: decided("A", "4 of 5 in the electorate voted A: 80% ≥ 66.7%"),
      why: "four of five",
    },
    {
      counts: { A: 3, B: 2 },
      electorate: 5,
      expected: undecided("3 of 5 in the electorate voted A: 60%, at least 66.7% needed"),
      why: "a majority is not enough",
    },
    {
      counts: { A: 199, B: 101 },
      electorate: 300,
      expected: undecided("199 of 300 in the electorate voted A: 66.3%, at least 66.7% needed"),
      why: "just below 2/3",
    },
    {
      counts: { A: 200, B: 100 },
      electorate: 300,
      expected: decided("A", "200 of 300 in the electorate voted A: 66.7% ≥ 66.7%"),
      why: "exactly 2/3 of a large electorate, no float rounding",
    },
  ]);
  checkTable("supermajority:75%", [
    {
      counts: { A: 3, B: 1 },
      electorate: 4,
      expected: decided("A", "3 of 4 in the electorate voted A: 75% ≥ 75%"),
      why: "exactly 75%",
    },
    {
      counts: { A: 2, B: 0 },
      electorate: 3,
      expected: undecided("2 of 3 in the electorate voted A: 66.7%, at least 75% needed"),
      why: "below 75%",
    },
  ]);
  checkTable("supermajority:100%", [
    {
      counts: { A: 4 },
      electorate: 4,
      expected: decided("A", "4 of 4 in the electorate voted A: 100% ≥ 100%"),
      why: "everyone",
    },
    {
      counts: { A: 3, B: 0 },
      electorate: 4,
      expected: undecided("3 of 4 in the electorate voted A: 75%, at least 100% needed"),
      why: "one missing",
    },
  ]);
});

Deno.test("unanimous needs every member voting for the same option", () => {
  checkTable("unanimous", [
    {
      counts: { A: 4, B: 0 },
      electorate: 4,
      expected: decided("A", "all 4 in the electorate voted A"),
      why: "everyone for A",
    },
    {
      counts: { A: 3, B: 0 },
      electorate: 4,
      expected: undecided("3 of 4 in the electorate voted A, all 4 needed"),
      why: "one has not voted",
    },
    {
      counts: { A: 3, B: 1 },
      electorate: 4,
      expected: undecided("votes are split (A 3, B 1), all 4 must vote alike"),
      why: "one dissent",
    },
    {
      counts: { A: 2, B: 2 },
      electorate: 4,
      expected: undecided("A and B tied with 2 votes each"),
      why: "tie",
    },
    {
      counts: { A: 0 },
      electorate: 0,
      expected: undecided("no votes"),
      why: "empty electorate without votes",
    },
    {
      counts: { A: 1 },
      electorate: 0,
      expected: undecided("the electorate is empty"),
      why: "empty electorate never decides unanimously",
    },
  ]);
});

Deno.test("plurality decides only when the ballot closes", () => {
  checkTable("plurality", [
    {
      counts: { A: 3, B: 2, C: 1 },
      electorate: 6,
      final: false,
      expected: undecided("plurality decides only when the ballot closes"),
      why: "open ballot",
    },
    {
      counts: { A: 3, B: 2, C: 1 },
      electorate: 6,
      final: true,
      expected: decided("A", "A has the most votes: 3 of 6 cast (50%)"),
      why: "closing ballot",
    },
    {
      counts: { A: 1, B: 2, C: 0 },
      electorate: 10,
      final: true,
      expected: decided("B", "B has the most votes: 2 of 3 cast (66.7%)"),
      why: "share of votes cast, not of the electorate",
    },
    {
      counts: { A: 2, B: 2 },
      electorate: 4,
      final: true,
      expected: undecided("A and B tied with 2 votes each"),
      why: "tie at the close",
    },
    {
      counts: { A: 0, B: 0 },
      electorate: 4,
      final: true,
      expected: undecided("no votes"),
      why: "nobody voted",
    },
    {
      counts: { A: 1, B: 0 },
      electorate: 0,
      final: true,
      expected: decided("A", "A has the most votes: 1 of 1 cast (100%)"),
      why: "the electorate does not matter without a quorum",
    },
  ]);
});

Deno.test("a quorum blocks every rule until enough of the electorate voted", () => {
  checkTable("majority+quorum:60%", [
    {
      counts: { A: 2, B: 0 },
      electorate: 5,
      expected: undecided("quorum not met, 2 of 5 voted, 60% needed"),
      why: "quorum not met",
    },
    {
      counts: { A: 3, B: 0 },
      electorate: 5,
      expected: decided(
        "A",
        "3 of 5 in the electorate voted A: 60% > 50%; quorum met, 3 of 5 voted, 60% needed",
      ),
      why: "quorum met exactly",
    },
    {
      counts: { A: 2, B: 2 },
      electorate: 5,
      expected: undecided("A and B tied with 2 votes each"),
      why: "quorum met, tied",
    },
  ]);
  checkTable("plurality+quorum:1/2", [
    {
      counts: { A: 2, B: 0, C: 0 },
      electorate: 5,
      final: true,
      expected: undecided("quorum not met, 2 of 5 voted, 50% needed"),
      why: "plurality under quorum",
    },
    {
      counts: { A: 2, B: 1, C: 0 },
      electorate: 6,
      final: true,
      expected: decided(
        "A",
        "A has the most votes: 2 of 3 cast (66.7%); quorum met, 3 of 6 voted, 50% needed",
      ),
      why: "exactly half voted",
    },
    {
      counts: { A: 2, B: 1, C: 0 },
      electorate: 6,
      final: false,
      expected: undecided("plurality decides only when the ballot closes"),
      why: "quorum met but the ballot is open",
    },
  ]);
  checkTable("seed+quorum:2/3", [
    {
      counts: { A: 2, B: 0 },
      electorate: 3,
      expected: decided(
        "A",
        "2 of 3 connected voted A: 66.7% > 50%; quorum met, 2 of 3 voted, 66.7% needed",
      ),
      why: "seed with a quorum met exactly at 2/3",
    },
    {
      counts: { A: 3, B: 0 },
      electorate: 5,
      expected: undecided("quorum not met, 3 of 5 voted, 66.7% needed"),
      why: "seed decides, quorum does not",
    },
  ]);
  checkTable("unanimous+quorum:100%", [
    {
      counts: { A: 0, B: 0 },
      electorate: 0,
      expected: undecided("no votes"),
      why: "empty electorate",
    },
  ]);
});

Deno.test("a rule never decides for an option without strictly the most votes", () => {
  const specs = ["seed", "majority", "supermajority:51%", "unanimous", "plurality"];
  for (const rule of specs) {
    const outcome = applyRule(parseRule(rule), {
      counts: { A: 3, B: 3 },
      electorate: 6,
      final: true,
    });
    assertEquals(outcome, undecided("A and B tied with 3 votes each"), rule);
  }
});

Deno.test("parseRule reads every rule, case and spaces aside", () => {
  const cases: [string, RuleSpec][] = [
    ["seed", { kind: "seed" }],
    ["Majority", { kind: "majority" }],
    ["  UNANIMOUS  ", { kind: "unanimous" }],
    ["plurality", { kind: "plurality" }],
    ["supermajority:2/3", {
      kind: "supermajority",
      threshold: { numerator: 2, denominator: 3 },
    }],
    ["supermajority:4/6", {
      kind: "supermajority",
      threshold: { numerator: 2, denominator: 3 },
    }],
    ["supermajority:75%", {
      kind: "supermajority",
      threshold: { numerator: 3, denominator: 4 },
    }],
    ["supermajority:66.5%", {
      kind: "supermajority",
      threshold: { numerator: 133, denominator: 200 },
    }],
    ["supermajority:100%", {
      kind: "supermajority",
      threshold: { numerator: 1, denominator: 1 },
    }],
    ["supermajority : 1/1", {
      kind: "supermajority",
      threshold: { numerator: 1, denominator: 1 },
    }],
    ["majority+quorum:60%", { kind: "majority", quorum: { numerator: 3, denominator: 5 } }],
    ["plurality + quorum:1/2", { kind: "plurality", quorum: { numerator: 1, denominator: 2 } }],
    ["Seed + Quorum:0.5%", { kind: "seed", quorum: { numerator: 1, denominator: 200 } }],
    ["supermajority:90%+quorum:100%", {
      kind: "supermajority",
      threshold: { numerator: 9, denominator: 10 },
      quorum: { numerator: 1, denominator: 1 },
    }],
  ];
  for (const [text, expected] of cases) assertEquals(parseRule(text), expected, text);
});

Deno.test("formatRule writes canonical text that parses back", () => {
  const cases: [string, string][] = [
    ["SEED", "seed"],
    ["majority", "majority"],
    ["unanimous", "unanimous"],
    ["plurality", "plurality"],
    ["supermajority:4/6", "supermajority:2/3"],
    ["supermajority:3/4", "supermajority:75%"],
    ["supermajority:66.50%", "supermajority:66.5%"],
    ["supermajority:133/200", "supermajority:66.5%"],
    ["supermajority:1/1", "supermajority:100%"],
    ["supermajority:66.666%", "supermajority:33333/50000"],
    ["majority + quorum:3/5", "majority+quorum:60%"],
    ["plurality+quorum:1/3", "plurality+quorum:1/3"],
    ["unanimous+quorum:6.25%", "unanimous+quorum:6.25%"],
    ["supermajority:5/7+quorum:1/8", "supermajority:5/7+quorum:12.5%"],
  ];
  for (const [text, canonical] of cases) {
    const spec = parseRule(text);
    assertEquals(formatRule(spec), canonical, text);
    assertEquals(parseRule(formatRule(spec)), spec, text);
  }
});

Deno.test("parseRule rejects what is not a rule, saying why", () => {
  const usage = "use seed, majority, supermajority:P, unanimous or plurality, optionally +quorum:P";
  const cases: [string, string][] = [
    ["majorty", `unknown rule; ${usage}`],
    ["", `the rule is empty; ${usage}`],
    ["   ", `the rule is empty; ${usage}`],
    ["supermajority", "supermajority needs a threshold, e.g. supermajority:2/3"],
    ["supermajority:", "supermajority needs a threshold, e.g. supermajority:2/3"],
    ["supermajority:1/2", "threshold must be more than 50% and at most 100%, got 1/2"],
    ["supermajority:50%", "threshold must be more than 50% and at most 100%, got 50%"],
    ["supermajority:101%", "threshold must be more than 50% and at most 100%, got 101%"],
    ["supermajority:4/3", "threshold must be more than 50% and at most 100%, got 4/3"],
    ["supermajority:2/0", 'threshold "2/0" has a zero denominator'],
    ["supermajority:-2/3", 'threshold "-2/3" is negative'],
    ["supermajority:abc%", 'threshold "abc%" is not a share; write it as 2/3 or 75%'],
    ["supermajority:0.7", 'threshold "0.7" is not a share; write it as 2/3 or 75%'],
    ["supermajority:2/3/4", 'threshold "2/3/4" is not a share; write it as 2/3 or 75%'],
    ["majority:2/3", "majority takes no threshold; did you mean supermajority:2/3?"],
    ["majority+quorum:0%", "quorum must be more than 0% and at most 100%, got 0%"],
    ["majority+quorum:0/5", "quorum must be more than 0% and at most 100%, got 0/5"],
    ["majority+quorum:110%", "quorum must be more than 0% and at most 100%, got 110%"],
    ["majority+quorum:-10%", 'quorum "-10%" is negative'],
    ["majority+quorum:1/0", 'quorum "1/0" has a zero denominator'],
    ["majority+quorum:x", 'quorum "x" is not a share; write it as 2/3 or 75%'],
    ["majority+quorum", "quorum needs a share, e.g. +quorum:60%"],
    ["majority+quorum:50%+quorum:60%", "quorum given twice"],
    ["quorum:50%", "a quorum needs a rule before it, e.g. majority+quorum:60%"],
    ["+quorum:50%", `a rule must come before "+"; ${usage}`],
    ["majority+", `nothing follows "+"; ${usage}`],
    ["majority+plurality", 'only +quorum:P can follow a rule, got "plurality"'],
    ["supermajority:1.00000000000000000001%", 'threshold "1.00000000000000000001%" is too precise'],
  ];
  for (const [text, detail] of cases) {
    assertThrows(
      () => parseRule(text),
      { name: "SyntaxError", message: `Cannot parse rule "${text}": ${detail}` },
      text,
    );
  }
});

Deno.test("an inconsistent spec is refused rather than guessed", () => {
  const input = { counts: { A: 1 }, electorate: 1, final: true };
  assertThrows(() => formatRule({ kind: "supermajority" }), TypeError);
  assertThrows(() => applyRule({ kind: "supermajority" }, input), TypeError);
  assertThrows(
    () => formatRule({ kind: "majority", threshold: { numerator: 2, denominator: 3 } }),
    TypeError,
  );
  assertThrows(
    () => applyRule({ kind: "supermajority", threshold: { numerator: 1, denominator: 2 } }, input),
    RangeError,
  );
  assertThrows(
    () => describeRule({ kind: "plurality", quorum: { numerator: 1, denominator: 0 } }),
    RangeError,
  );
  assertThrows(
    () => applyRule({ kind: "majority" }, { counts: { A: -1 }, electorate: 1, final: true }),
    RangeError,
  );
  assertThrows(
    () => applyRule({ kind: "majority" }, { counts: { A: 1 }, electorate: 1.5, final: true }),
    RangeError,
  );
});

Deno.test("describeRule says what each rule needs in one sentence", () => {
  const cases: [string, string][] = [
    [
      "seed",
      "An option wins when more than one vote is cast and it alone has the votes of more than half of the connected nodes.",
    ],
    ["majority", "An option wins when more than half of the electorate vote for it."],
    [
      "supermajority:2/3",
      "An option wins when at least 2/3 (66.7%) of the electorate vote for it.",
    ],
    ["supermajority:75%", "An option wins when at least 75% of the electorate vote for it."],
    ["unanimous", "An option wins when everyone in the electorate votes for it."],
    [
      "plurality+quorum:1/2",
      "When the ballot closes, the option with the most votes wins unless tied, provided at least 50% of the electorate voted.",
    ],
  ];
  for (const [text, sentence] of cases) assertEquals(describeRule(parseRule(text)), sentence);
});
