import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import fc from "fast-check";
import { buildBallot } from "../../../lib/election/ballot.ts";
import { castVote, formatVote } from "../../../lib/election/methods/cast_vote.ts";
import {
  formatMethod,
  type MethodSpec,
  parseMethod,
} from "../../../lib/election/methods/method_spec.ts";
import { buildTerms } from "../../../lib/election/proposal.ts";

const CITIES = buildBallot("Capital?", ["Memphis", "Nashville", "Chattanooga", "Knoxville"]);
const CONSENT = buildBallot("Adopt the budget?", ["agree", "abstain", "disagree", "block"]);

Deno.test("methods read as typed and write back canonically", () => {
  const cases: [string, MethodSpec, string][] = [
    ["choice", { kind: "choice", max: 1 }, "choice"],
    ["Choice:1", { kind: "choice", max: 1 }, "choice"],
    ["choice:3", { kind: "choice", max: 3 }, "choice:3"],
    ["consent", { kind: "consent" }, "consent"],
    ["APPROVAL", { kind: "approval" }, "approval"],
    ["score: -2..2", { kind: "score", min: -2, max: 2, mean: false }, "score:-2..2"],
    ["score:1..10:mean", { kind: "score", min: 1, max: 10, mean: true }, "score:1..10:mean"],
    ["ranked:IRV", { kind: "ranked", count: "irv" }, "ranked:irv"],
    ["ranked:borda", { kind: "ranked", count: "borda" }, "ranked:borda"],
    ["ranked : schulze", { kind: "ranked", count: "schulze" }, "ranked:schulze"],
  ];
  for (const [text, spec, canonical] of cases) {
    assertEquals(parseMethod(text), spec);
    assertEquals(formatMethod(spec), canonical);
  }
  for (
    const bad of [
      "",
      "vote",
      "choice:0",
      "score:5..1",
      "score:0..5:median",
      "ranked",
      "ranked:coombs",
      "approval:2",
    ]
  ) {
    assertThrows(() => parseMethod(bad), SyntaxError, bad);
  }
});

Deno.test("votes read in each method's text form", () => {
  const ranked = parseMethod("ranked:schulze");
  assertEquals(castVote(CITIES, ranked, { option: "C>A>B" }), { ranking: ["C", "A", "B"] });
  assertEquals(castVote(CITIES, ranked, { option: "knoxville > memphis" }), {
    ranking: ["D", "A"],
  });
  assertEquals(castVote(CITIES, parseMethod("approval"), { option: "D, a" }), {
    options: ["A", "D"],
  });
  assertEquals(castVote(CITIES, parseMethod("choice:2"), { option: "B,C" }), {
    options: ["B", "C"],
  });
  assertEquals(castVote(CITIES, parseMethod("score:0..5"), { option: "D=2 A=5" }), {
    scores: { A: 5, D: 2 },
  });
  assertEquals(castVote(CITIES, parseMethod("choice"), { option: "nashville" }), { option: "B" });
  const consent = parseMethod("consent");
  assertEquals(castVote(CONSENT, consent, { option: "Agree" }), { option: "A" });
  assertEquals(castVote(CONSENT, consent, { option: 'block "we have no budget"' }), {
    option: "D",
    reason: "we have no budget",
  });
  assertEquals(castVote(CONSENT, consent, { option: "block", reason: "not now" }), {
    option: "D",
    reason: "not now",
  });
});

Deno.test("votes read from structured fields (the JSON dialect)", () => {
  assertEquals(castVote(CITIES, parseMethod("ranked:irv"), { ranking: ["C", "Memphis"] }), {
    ranking: ["C", "A"],
  });
  assertEquals(castVote(CITIES, parseMethod("approval"), { options: ["B"] }), { options: ["B"] });
  assertEquals(castVote(CITIES, parseMethod("score:1..3:mean"), { scores: { B: 3, a: 1 } }), {
    scores: { A: 1, B: 3 },
  });
});

Deno.test("a vote that does not fit its method is refused with the reason", () => {
  const refusals: [string, string, string][] = [
    ["ranked:irv", "A>A", "bad-request"],
    ["ranked:irv", "A>Z", "unknown-option"],
    ["ranked:irv", "", "bad-request"],
    ["choice:2", "A,B,C", "bad-request"],
    ["approval", "A,,B", "unknown-option"],
    ["score:0..5", "A=6", "bad-request"],
    ["score:0..5", "A=five", "bad-request"],
    ["score:0..5", "A=1.5", "bad-request"],
    ["choice", "Z", "unknown-option"],
  ];
  for (const [method, text, code] of refusals) {
    const result = castVote(CITIES, parseMethod(method), { option: text });
    assertEquals("code" in result && result.code, code, `${method} ${text}`);
  }
  const consent = parseMethod("consent");
  assertEquals(castVote(CONSENT, consent, { option: "block" }), {
    code: "bad-request",
    message: 'Cannot vote: a block needs its reason, e.g. block "we have no budget"',
  });
  const tooLong = castVote(CONSENT, consent, { option: "block", reason: "x".repeat(201) });
  assertEquals("code" in tooLong, true);
  const escape = castVote(CONSENT, consent, { option: "block", reason: "a\u001b[2Jb" });
  assertEquals("code" in escape, true);
  assertEquals("code" in castVote(CONSENT, consent, { option: "agree", reason: "why" }), true);
});

Deno.test("a recorded vote written as text reads back as the same vote", () => {
  const methods = ["choice", "choice:2", "approval", "score:-3..3", "ranked:borda"];
  fc.assert(
    fc.property(fc.constantFrom(...methods), fc.string({ maxLength: 12 }), (method, text) => {
      const spec = parseMethod(method);
      const vote = castVote(CITIES, spec, { option: text });
      if ("code" in vote) return;
      assertEquals(castVote(CITIES, spec, { option: formatVote(vote) }), vote);
    }),
    { numRuns: 500 },
  );
  const block = castVote(CONSENT, parseMethod("consent"), { option: 'block "no, "really""' });
  assertEquals(
    castVote(CONSENT, parseMethod("consent"), { option: formatVote(block as never) }),
    block,
  );
});

Deno.test("proposals: each method gets the rules that make sense for it", () => {
  const base = { question: "Capital?", options: ["Memphis", "Nashville"] };
  assertEquals(buildTerms(base, 0).method, undefined);
  assertEquals(buildTerms(base, 0).rule, "seed");
  const ranked = buildTerms({ ...base, method: "Ranked:IRV" }, 0);
  assertEquals([ranked.method, ranked.rule], ["ranked:irv", "plurality"]);
  assertEquals(
    buildTerms({ ...base, method: "approval", rule: "plurality+quorum:50%" }, 0).rule,
    "plurality+quorum:50%",
  );
  assertThrows(
    () => buildTerms({ ...base, method: "ranked:schulze", rule: "majority" }, 0),
    /use the rule plurality/,
  );
  const consent = buildTerms({ question: "Adopt it?", options: [], method: "consent" }, 0);
  assertEquals(
    [consent.rule, consent.options.map((option) => option.label)],
    ["majority", ["agree", "abstain", "disagree", "block"]],
  );
  assertThrows(() => buildTerms({ ...base, method: "consent" }, 0), /options are fixed/);
  assertThrows(() => buildTerms({ ...base, method: "score" }, 0), SyntaxError);
});
