/**
 * Voting methods a user can type (`choice`, `choice:3`, `consent`,
 * `approval`, `score:0..5`, `score:1..10:mean`, `ranked:irv`, `ranked:borda`,
 * `ranked:schulze`): reading them and writing them back (pure).
 *
 * @module
 */

/** How voters mark a ballot and how the marks are counted. */
export type MethodSpec =
  | { kind: "choice"; max: number }
  | { kind: "consent" }
  | { kind: "approval" }
  | { kind: "score"; min: number; max: number; mean: boolean }
  | { kind: "ranked"; count: RankedCount };

/** How a ranked ballot is counted. */
export type RankedCount = "irv" | "borda" | "schulze";

/** The method of a ballot whose terms name none. */
export const DEFAULT_METHOD: MethodSpec = { kind: "choice", max: 1 };

/** The labels of a consent proposal's options, in key order `A`..`D`. */
export const CONSENT_LABELS: readonly string[] = ["agree", "abstain", "disagree", "block"];

const USAGE =
  "use choice, choice:N, consent, approval, score:MIN..MAX[:mean], ranked:irv, ranked:borda or ranked:schulze";

/** Scores are small whole numbers: a total of thousands of voters stays exact. */
const SCORE_LIMIT = 1000;

/**
 * Reads a method as a user typed it (case-insensitive, spaces allowed).
 *
 * @param text The method, e.g. `ranked:schulze` or `score:0..5`.
 * @returns The method.
 * @throws {SyntaxError} When it is not a method, or its numbers are out of range.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseMethod("Score: 0..5"), { kind: "score", min: 0, max: 5, mean: false });
 * assertEquals(parseMethod("choice:1"), { kind: "choice", max: 1 });
 * ```
 */
export function parseMethod(text: string): MethodSpec {
  const parts = text.toLowerCase().split(":").map((part) => part.trim());
  const [name = "", ...rest] = parts;
  const fail = (detail: string) => new SyntaxError(`Cannot parse method "${text}": ${detail}`);
  switch (name) {
    case "choice": {
      if (rest.length === 0) return { kind: "choice", max: 1 };
      const [count = ""] = rest;
      if (rest.length > 1 || !/^\d{1,2}$/u.test(count) || Number(count) < 1) {
        throw fail("choice:N needs a whole number of options from 1, e.g. choice:2");
      }
      return { kind: "choice", max: Number(count) };
    }
    case "consent":
    case "approval":
      if (rest.length > 0) throw fail(`${name} takes nothing after it`);
      return { kind: name };
    case "score": {
      const [range = "", aggregate] = rest;
      const match = /^(-?\d{1,4})\s*\.\.\s*(-?\d{1,4})$/u.exec(range);
      if (!match || rest.length > 2 || (aggregate !== undefined && aggregate !== "mean")) {
        throw fail("write score:MIN..MAX, or score:MIN..MAX:mean, e.g. score:0..5");
      }
      const min = Number(match[1]);
      const max = Number(match[2]);
      if (min >= max || Math.abs(min) > SCORE_LIMIT || Math.abs(max) > SCORE_LIMIT) {
        throw fail(`MIN must be below MAX, both between -${SCORE_LIMIT} and ${SCORE_LIMIT}`);
      }
      return { kind: "score", min, max, mean: aggregate === "mean" };
    }
    case "ranked": {
      const [count = ""] = rest;
      if (rest.length !== 1 || !["irv", "borda", "schulze"].includes(count)) {
        throw fail("write ranked:irv, ranked:borda or ranked:schulze");
      }
      return { kind: "ranked", count: count as RankedCount };
    }
    default:
      throw fail(name === "" ? `the method is empty; ${USAGE}` : `unknown method; ${USAGE}`);
  }
}

/**
 * Writes a method in canonical text (`choice:1` is written `choice`).
 * `parseMethod(formatMethod(spec))` deep-equals `spec`.
 *
 * @param spec The method.
 * @returns For example `ranked:irv` or `score:0..5:mean`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(formatMethod(parseMethod("SCORE:1..10:mean")), "score:1..10:mean");
 * ```
 */
export function formatMethod(spec: MethodSpec): string {
  switch (spec.kind) {
    case "choice":
      return spec.max === 1 ? "choice" : `choice:${spec.max}`;
    case "consent":
    case "approval":
      return spec.kind;
    case "score":
      return `score:${spec.min}..${spec.max}${spec.mean ? ":mean" : ""}`;
    case "ranked":
      return `ranked:${spec.count}`;
  }
}

/**
 * Tells whether a word starts a method (so that `propose` can take a method
 * in its rule field: `ranked:irv`, `consent majority`).
 *
 * @param word The first word of the field.
 * @returns Whether it names a method.
 */
export function isMethodWord(word: string): boolean {
  return /^(choice|consent|approval|score|ranked)(:|$)/iu.test(word.trim());
}

/**
 * Tells whether a method can decide while the ballot is open: only `choice`,
 * whose rules look at the counts after every vote; the others pick their
 * winner when the ballot closes.
 *
 * @param spec The method.
 * @returns Whether it decides before closing.
 */
export function decidesWhileOpen(spec: MethodSpec): boolean {
  return spec.kind === "choice" && spec.max === 1;
}

/**
 * The rule a ballot gets when its proposal names none: the report's `seed`
 * for `choice`, `majority` among those not abstaining for `consent`, and
 * `plurality` (the method picks the winner when it closes) for the others.
 *
 * @param spec The method.
 * @returns Rule text.
 */
export function defaultRuleFor(spec: MethodSpec): string {
  if (decidesWhileOpen(spec)) return "seed";
  return spec.kind === "consent" ? "majority" : "plurality";
}
