import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import {
  applyRule,
  formatRule,
  type Fraction,
  parseRule,
  type RuleInput,
  type RuleSpec,
} from "../../lib/election/rules.ts";
import { decideSeed } from "./_seed_oracle.ts";

const RUNS = { numRuns: 2_000 };

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** A reduced fraction numerator/denominator with `minimum < value <= 1` (`minimum` as 1/2 or 0). */
function fraction(aboveHalf: boolean): fc.Arbitrary<Fraction> {
  const anyDenominator = fc.integer({ min: 1, max: 1_000 });
  // Shares written as percentages with up to two decimals, to cover the percent form.
  const percentDenominator = fc.constant(10_000);
  return fc.oneof(anyDenominator, percentDenominator).chain((denominator) =>
    fc.integer({ min: aboveHalf ? Math.floor(denominator / 2) + 1 : 1, max: denominator })
      .map((numerator) => {
        const divisor = gcd(numerator, denominator);
        return { numerator: numerator / divisor, denominator: denominator / divisor };
      })
  );
}

const specArbitrary: fc.Arbitrary<RuleSpec> = fc.record({
  kind: fc.constantFrom("seed", "majority", "supermajority", "unanimous", "plurality"),
  threshold: fraction(true),
  quorum: fc.option(fraction(false), { nil: undefined }),
}).map(({ kind, threshold, quorum }) => {
  const spec: RuleSpec = { kind };
  if (kind === "supermajority") spec.threshold = threshold;
  if (quorum !== undefined) spec.quorum = quorum;
  return spec;
});

const KEYS = ["A", "B", "C", "D", "E"];

/** Counts over 2 to 5 options, an electorate at least as large as the votes cast, final or not. */
const inputArbitrary: fc.Arbitrary<RuleInput> = fc.record({
  // Zeros and full turnouts are weighted up so that unanimity and high thresholds get decided
  // often enough for the properties about decisions to bite.
  votes: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })), {
    minLength: 2,
    maxLength: 5,
  }),
  absent: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 12 })),
  final: fc.boolean(),
}).map(({ votes, absent, final }) => ({
  counts: Object.fromEntries(votes.map((count, index) => [KEYS[index]!, count])),
  electorate: votes.reduce((sum, count) => sum + count, 0) + absent,
  final,
}));

function cast(input: RuleInput): number {
  return Object.values(input.counts).reduce((sum, count) => sum + count, 0);
}

Deno.test("a decision always goes to the option with strictly the most votes", () => {
  fc.assert(
    fc.property(specArbitrary, inputArbitrary, (spec, input) => {
      const outcome = applyRule(spec, input);
      if (!outcome.decided) return;
      const winner = input.counts[outcome.option];
      assert(winner !== undefined, `unknown option ${outcome.option}`);
      for (const [option, votes] of Object.entries(input.counts)) {
        if (option !== outcome.option) assert(winner > votes, `${option} has ${votes}`);
      }
    }),
    RUNS,
  );
});

Deno.test("a decision under a quorum always has the quorum met", () => {
  fc.assert(
    fc.property(specArbitrary, inputArbitrary, (spec, input) => {
      const outcome = applyRule(spec, input);
      if (!outcome.decided || spec.quorum === undefined) return;
      const { numerator, denominator } = spec.quorum;
      assert(cast(input) * denominator >= numerator * input.electorate);
    }),
    RUNS,
  );
});

Deno.test("plurality never decides while the ballot is open", () => {
  fc.assert(
    fc.property(
      fc.option(fraction(false), { nil: undefined }),
      inputArbitrary,
      (quorum, input) => {
        const spec: RuleSpec = quorum === undefined
          ? { kind: "plurality" }
          : { kind: "plurality", quorum };
        assert(!applyRule(spec, { ...input, final: false }).decided);
      },
    ),
    RUNS,
  );
});

Deno.test("formatRule and parseRule round-trip every rule", () => {
  fc.assert(
    fc.property(specArbitrary, (spec) => {
      assertEquals(parseRule(formatRule(spec)), spec);
      // Case and spaces around "+" do not matter.
      const loose = formatRule(spec).toUpperCase().replaceAll("+", " + ");
      assertEquals(parseRule(loose), spec);
    }),
    RUNS,
  );
});

Deno.test("the same input always gives the same outcome", () => {
  fc.assert(
    fc.property(specArbitrary, inputArbitrary, (spec, input) => {
      const first = applyRule(spec, input);
      const copy = structuredClone(input);
      assertEquals(applyRule(structuredClone(spec), copy), first);
      assertEquals(copy, input, "the input is not changed");
    }),
    RUNS,
  );
});

Deno.test("an undecided outcome always says why", () => {
  fc.assert(
    fc.property(specArbitrary, inputArbitrary, (spec, input) => {
      const outcome = applyRule(spec, input);
      if (outcome.decided) {
        assert(!outcome.reason.startsWith("no decision"), outcome.reason);
      } else {
        assert(/^no decision: \S/.test(outcome.reason), outcome.reason);
      }
    }),
    RUNS,
  );
});

Deno.test("more votes for the winner never undo a decision", () => {
  fc.assert(
    fc.property(
      specArbitrary,
      inputArbitrary,
      fc.integer({ min: 1, max: 10 }),
      (spec, input, extra) => {
        const outcome = applyRule(spec, input);
        if (!outcome.decided) return;
        const counts = { ...input.counts };
        counts[outcome.option]! += extra;
        const after = applyRule(spec, { ...input, counts });
        assert(after.decided && after.option === outcome.option, after.reason);
      },
    ),
    RUNS,
  );
});

Deno.test("only plurality looks at whether the ballot is closing", () => {
  fc.assert(
    fc.property(specArbitrary, inputArbitrary, (spec, input) => {
      fc.pre(spec.kind !== "plurality");
      assertEquals(
        applyRule(spec, { ...input, final: true }),
        applyRule(spec, { ...input, final: false }),
      );
    }),
    RUNS,
  );
});

Deno.test("seed decides exactly as decideSeed, also when voters have left", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 2, maxLength: 5 }),
      // The live electorate may shrink below the votes cast when voters leave.
      fc.integer({ min: 0, max: 30 }),
      fc.boolean(),
      (votes, connected, final) => {
        const counts = Object.fromEntries(votes.map((count, index) => [KEYS[index]!, count]));
        const outcome = applyRule({ kind: "seed" }, { counts, electorate: connected, final });
        const expected = decideSeed({ counts, connected });
        if (expected === undefined) assert(!outcome.decided, outcome.reason);
        else assertEquals(outcome, { decided: true, ...expected });
      },
    ),
    RUNS,
  );
});
