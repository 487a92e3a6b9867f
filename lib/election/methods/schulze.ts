/**
 * `ranked:schulze`, the Condorcet method Debian uses: count, for every pair,
 * how many voters rank one option above the other (a ranked option is above
 * every unranked one); a path's strength is its weakest pairwise win
 * (winning votes); the winner is the option whose strongest path to every
 * other option is at least as strong as the way back. It always elects the
 * Condorcet winner (the option that beats every other head to head) when
 * there is one. More than one such option is announced as a tie (pure).
 *
 * @module
 */

import type { VoteCounts } from "../events.ts";
import { formatMethod } from "./method_spec.ts";
import {
  closingGate,
  decided,
  joinNames,
  type MethodInput,
  type MethodOutcome,
  plural,
  undecided,
} from "./outcome.ts";

/** Pairwise counts: `table[X][Y]` for each ordered pair of options. */
export type PairTable = Record<string, VoteCounts>;

/**
 * Counts a ranked ballot by the Schulze method.
 *
 * @param input The votes (`{ ranking }` each) and the terms.
 * @returns The winner with its pairwise results and strongest paths, or the tie.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { parseRule } from "../rules.ts";
 * const outcome = decideSchulze({
 *   spec: { kind: "ranked", count: "schulze" }, rule: parseRule("plurality"), options: ["A", "B"],
 *   votes: [{ ranking: ["A", "B"] }, { ranking: ["B"] }, { ranking: ["A"] }],
 *   counts: { A: 2, B: 1 }, electorate: 3, final: true,
 * });
 * assertEquals(outcome.reason, "A is the Condorcet winner, beating B 2-1 (3 voters)");
 * ```
 */
export function decideSchulze(input: MethodInput): MethodOutcome {
  const gate = closingGate(input);
  if ("decided" in gate) return gate;
  const { options } = input;
  const pairwise = pairwiseCounts(
    options,
    input.votes.flatMap((vote) => "ranking" in vote ? [vote.ranking] : []),
  );
  const paths = strongestPaths(options, pairwise);
  const beats = (x: string, y: string) => pairwise[x]![y]! > pairwise[y]![x]!;
  const condorcet = options.find((x) => options.every((y) => x === y || beats(x, y))) ?? null;
  const tally = {
    method: formatMethod(input.spec),
    voters: input.votes.length,
    pairwise,
    paths,
    condorcetWinner: condorcet,
  };
  const voters = plural(input.votes.length, "voter");
  const against = (x: string, table: PairTable) =>
    options.filter((y) => y !== x).map((y) => `${y} ${table[x]![y]}-${table[y]![x]}`).join(", ");
  if (condorcet !== null) {
    return decided(
      condorcet,
      `${condorcet} is the Condorcet winner, beating ${
        against(condorcet, pairwise)
      } (${voters})${gate.note}`,
      tally,
    );
  }
  const winners = options.filter((x) =>
    options.every((y) => x === y || paths[x]![y]! >= paths[y]![x]!)
  );
  const wins = options.flatMap((x) =>
    options.filter((y) => beats(x, y)).map((y) => `${x}>${y} ${pairwise[x]![y]}-${pairwise[y]![x]}`)
  )
    .join(", ");
  if (winners.length !== 1) {
    return undecided(
      `no Condorcet winner and ${joinNames(winners)} tie by strongest paths (pairwise wins: ${
        wins || "none"
      }; ${voters})`,
      tally,
    );
  }
  const winner = winners[0]!;
  return decided(
    winner,
    `${winner} wins by strongest paths, no Condorcet winner: paths ${
      against(winner, paths)
    } (pairwise wins: ${wins}; ${voters})${gate.note}`,
    tally,
  );
}

/**
 * For every ordered pair, how many voters rank the first option above the
 * second (a ranked option is above every unranked one).
 *
 * @param options Keys.
 * @param rankings One ranking per voter.
 * @returns The table.
 */
export function pairwiseCounts(
  options: readonly string[],
  rankings: readonly (readonly string[])[],
): PairTable {
  const table: PairTable = {};
  for (const x of options) {
    table[x] = {};
    for (const y of options) if (x !== y) table[x][y] = 0;
  }
  for (const ranking of rankings) {
    // A ranked option is above everything after it and every unranked option.
    const below = new Set(options);
    for (const x of ranking) {
      below.delete(x);
      for (const y of below) table[x]![y]! += 1;
    }
  }
  return table;
}

/** Widest paths (Floyd–Warshall) over the pairwise wins, measured in winning votes. */
function strongestPaths(options: readonly string[], pairwise: PairTable): PairTable {
  const paths: PairTable = {};
  for (const x of options) {
    paths[x] = {};
    for (const y of options) {
      if (x === y) continue;
      paths[x][y] = pairwise[x]![y]! > pairwise[y]![x]! ? pairwise[x]![y]! : 0;
    }
  }
  for (const via of options) {
    for (const x of options) {
      if (x === via) continue;
      for (const y of options) {
        if (y === x || y === via) continue;
        paths[x]![y] = Math.max(paths[x]![y]!, Math.min(paths[x]![via]!, paths[via]![y]!));
      }
    }
  }
  return paths;
}
