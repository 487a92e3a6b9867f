import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import type { CastVote } from "../../../lib/election/events.ts";
import { applyRule, parseRule } from "../../../lib/election/rules.ts";
import { count, KEYS } from "./_count.ts";

const RUNS = { numRuns: 300 };

/** 2 to 5 options and 1 to 25 rankings of some or all of them. */
const rankedBallots = fc.integer({ min: 2, max: 5 }).chain((size) => {
  const options = KEYS.slice(0, size);
  return fc.record({
    options: fc.constant(options),
    votes: fc.array(
      fc.shuffledSubarray(options, { minLength: 1 }).map((ranking): CastVote => ({ ranking })),
      { minLength: 1, maxLength: 25 },
    ),
  });
});

/** The same votes in another order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed >>> 0;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** Naive oracle: does voter `ranking` put x above y? Ranked beats unranked; two unranked are level. */
function prefers(ranking: readonly string[], x: string, y: string): boolean {
  const rankOf = (option: string) => {
    const index = ranking.indexOf(option);
    return index < 0 ? Number.POSITIVE_INFINITY : index;
  };
  return rankOf(x) < rankOf(y);
}

function rankingsOf(votes: readonly CastVote[]): string[][] {
  return votes.map((vote) => "ranking" in vote ? vote.ranking : []);
}

/** Naive oracle: the option that beats every other one head to head, counted pair by pair. */
function condorcetWinner(options: readonly string[], votes: readonly CastVote[]): string | null {
  const rankings = rankingsOf(votes);
  for (const x of options) {
    const beatsAll = options.every((y) => {
      if (x === y) return true;
      const forX = rankings.filter((ranking) => prefers(ranking, x, y)).length;
      const forY = rankings.filter((ranking) => prefers(ranking, y, x)).length;
      return forX > forY;
    });
    if (beatsAll) return x;
  }
  return null;
}

/**
 * Naive oracle for Schulze: enumerate every simple path between every pair
 * (few options, so brute force is fine), a path's strength being its weakest
 * link in winning votes; winners are the options no one beats by paths.
 */
function schulzeWinners(options: readonly string[], votes: readonly CastVote[]): string[] {
  const rankings = rankingsOf(votes);
  const d = (x: string, y: string) => rankings.filter((ranking) => prefers(ranking, x, y)).length;
  const link = (x: string, y: string) => d(x, y) > d(y, x) ? d(x, y) : 0;
  const strongest = (from: string, to: string): number => {
    let best = 0;
    const walk = (at: string, visited: string[], weakest: number) => {
      for (const next of options) {
        if (visited.includes(next)) continue;
        const strength = Math.min(weakest, link(at, next));
        if (next === to) best = Math.max(best, strength);
        else walk(next, [...visited, next], strength);
      }
    };
    walk(from, [from], Number.POSITIVE_INFINITY);
    return best;
  };
  return options.filter((x) => options.every((y) => x === y || strongest(x, y) >= strongest(y, x)));
}

for (const method of ["ranked:irv", "ranked:borda", "ranked:schulze"]) {
  Deno.test(`${method}: the outcome does not depend on the order votes arrive`, () => {
    fc.assert(
      fc.property(rankedBallots, fc.integer(), ({ options, votes }, seed) => {
        assertEquals(count(method, options, shuffled(votes, seed)), count(method, options, votes));
      }),
      RUNS,
    );
  });

  Deno.test(`${method}: with two options it agrees with choice by plurality`, () => {
    const twoOptions = rankedBallots.filter(({ options }) => options.length === 2);
    fc.assert(
      fc.property(twoOptions, ({ options, votes }) => {
        const firsts: Record<string, number> = { A: 0, B: 0 };
        for (const ranking of rankingsOf(votes)) firsts[ranking[0]!]! += 1;
        const plurality = applyRule(parseRule("plurality"), {
          counts: firsts,
          electorate: votes.length,
          final: true,
        });
        const outcome = count(method, options, votes);
        assertEquals(outcome.decided, plurality.decided);
        if (outcome.decided && plurality.decided) assertEquals(outcome.option, plurality.option);
      }),
      RUNS,
    );
  });
}

Deno.test("ranked:schulze: a Condorcet winner, when there is one, wins", () => {
  fc.assert(
    fc.property(rankedBallots, ({ options, votes }) => {
      const winner = condorcetWinner(options, votes);
      const outcome = count("ranked:schulze", options, votes);
      assertEquals(outcome.tally?.condorcetWinner, winner);
      if (winner !== null) assertEquals(outcome.decided && outcome.option, winner);
    }),
    RUNS,
  );
});

Deno.test("ranked:schulze: the winner is the one brute-force path search finds", () => {
  fc.assert(
    fc.property(rankedBallots, ({ options, votes }) => {
      const winners = schulzeWinners(options, votes);
      const outcome = count("ranked:schulze", options, votes);
      if (winners.length === 1) assertEquals(outcome.decided && outcome.option, winners[0]);
      else assertEquals(outcome.decided, false);
    }),
    RUNS,
  );
});

Deno.test("ranked:irv: an option with a majority of first preferences wins", () => {
  fc.assert(
    fc.property(rankedBallots, ({ options, votes }) => {
      const firsts = rankingsOf(votes).map((ranking) => ranking[0]);
      const majority = options.find((option) =>
        2 * firsts.filter((first) => first === option).length > votes.length
      );
      fc.pre(majority !== undefined);
      const outcome = count("ranked:irv", options, votes);
      assertEquals(outcome.decided && outcome.option, majority);
      assertEquals(outcome.tally?.rounds?.length, 1);
    }),
    RUNS,
  );
});

Deno.test("ranked:irv: rounds account for every ballot, and the winner holds a majority", () => {
  fc.assert(
    fc.property(rankedBallots, ({ options, votes }) => {
      const outcome = count("ranked:irv", options, votes);
      for (const round of outcome.tally?.rounds ?? []) {
        const counted = Object.values(round.counts).reduce((sum, n) => sum + n, 0);
        assertEquals(counted + round.exhausted, votes.length);
      }
      if (outcome.decided) {
        const last = outcome.tally!.rounds!.at(-1)!;
        assert(2 * last.counts[outcome.option]! > votes.length - last.exhausted);
      }
    }),
    RUNS,
  );
});

const consentVote: fc.Arbitrary<CastVote> = fc.oneof(
  fc.constantFrom<CastVote>({ option: "A" }, { option: "B" }, { option: "C" }),
  fc.string({ minLength: 1, maxLength: 20 }).map((reason): CastVote => ({ option: "D", reason })),
);

Deno.test("consent: a single block stops the proposal, whatever else is cast", () => {
  fc.assert(
    fc.property(
      fc.array(consentVote, { maxLength: 20 }),
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.integer(),
      (others, reason, seed) => {
        const votes = shuffled([...others, { option: "D", reason }], seed);
        const outcome = count("consent", ["A", "B", "C", "D"], votes);
        assertEquals(outcome.decided, false);
        assert(outcome.tally?.blocks?.includes(reason));
      },
    ),
    RUNS,
  );
});

Deno.test("consent, approval and score: the outcome does not depend on vote order", () => {
  const options = ["A", "B", "C"];
  const approval = fc.array(
    fc.subarray(options, { minLength: 1 }).map((marked): CastVote => ({ options: marked })),
    { minLength: 1, maxLength: 20 },
  );
  const score = fc.array(
    fc.dictionary(fc.constantFrom(...options), fc.integer({ min: 0, max: 5 }), { minKeys: 1 })
      .map((scores): CastVote => ({ scores })),
    { minLength: 1, maxLength: 20 },
  );
  const cases = [
    ["consent", fc.array(consentVote, { minLength: 1, maxLength: 20 })],
    ["approval", approval],
    ["score:0..5", score],
    ["score:0..5:mean", score],
  ] as const;
  for (const [method, arbitrary] of cases) {
    const keys = method === "consent" ? ["A", "B", "C", "D"] : options;
    fc.assert(
      fc.property(arbitrary, fc.integer(), (votes, seed) => {
        assertEquals(count(method, keys, shuffled(votes, seed)), count(method, keys, votes));
      }),
      RUNS,
    );
  }
});
