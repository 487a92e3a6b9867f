/**
 * Building the question a hub asks, and matching what a voter typed to one of
 * its options.
 *
 * @module
 */

import { findUnsafeCharacter } from "../protocol/text_safety.ts";

import type { BallotQuestion } from "./events.ts";

/** The report's kind of question, used when the operator sets none. */
export const DEFAULT_QUESTION = "Would you rather be able to fly or be invisible?";

/** Options of {@linkcode DEFAULT_QUESTION}. */
export const DEFAULT_OPTION_LABELS: readonly string[] = ["be able to fly", "be invisible"];

const MAX_OPTIONS = 26;

/**
 * Builds a question with options keyed `A`, `B`, `C`, ...
 *
 * @param question The question text.
 * @param labels What each option stands for, in order.
 * @returns The question with keyed options.
 * @throws {RangeError} With fewer than 2 or more than 26 options, an empty
 * label, or two options that read the same.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const ballot = buildBallot("Tea or coffee?", ["tea", "coffee"]);
 * assertEquals(ballot.options[1], { key: "B", label: "coffee" });
 * ```
 */
export function buildBallot(question: string, labels: readonly string[]): BallotQuestion {
  const text = question.trim();
  if (text === "") throw new RangeError("Cannot build ballot: the question is empty");
  // What one node proposes is pushed to every other terminal: nothing unsafe in it.
  for (const part of [text, ...labels]) {
    const unsafe = findUnsafeCharacter(part);
    if (unsafe) {
      throw new RangeError(`Cannot build ballot: it contains the control character ${unsafe}`);
    }
  }
  const trimmed = labels.map((label) => label.trim());
  if (trimmed.length < 2 || trimmed.length > MAX_OPTIONS) {
    throw new RangeError(
      `Cannot build ballot: ${trimmed.length} option${
        trimmed.length === 1 ? "" : "s"
      } given, between 2 and ${MAX_OPTIONS} needed`,
    );
  }
  const seen = new Set<string>();
  const options = trimmed.map((label, index) => {
    const key = String.fromCharCode(65 + index);
    if (label === "") throw new RangeError(`Cannot build ballot: option ${key} is empty`);
    const folded = label.toLowerCase();
    if (seen.has(folded)) {
      throw new RangeError(`Cannot build ballot: option "${label}" is given twice`);
    }
    seen.add(folded);
    return { key, label };
  });
  return { question: text, options };
}

/**
 * Finds the option a voter meant: its key (`a`, `B`) or its label, ignoring
 * case and surrounding spaces.
 *
 * @param ballot The question being voted on.
 * @param choice What the voter typed.
 * @returns The option key, or `undefined` when nothing matches.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const ballot = buildBallot("Tea or coffee?", ["tea", "coffee"]);
 * assertEquals(resolveOption(ballot, " coffee "), "B");
 * assertEquals(resolveOption(ballot, "a"), "A");
 * assertEquals(resolveOption(ballot, "C"), undefined);
 * ```
 */
export function resolveOption(ballot: BallotQuestion, choice: string): string | undefined {
  const wanted = choice.trim().toLowerCase();
  if (wanted === "") return undefined;
  // A loop, not find(): no closure at every vote. Lengths are not compared
  // first: lower-casing can lengthen a name ("İ" becomes two code units).
  for (const { key, label } of ballot.options) {
    if (key.toLowerCase() === wanted || label.toLowerCase() === wanted) return key;
  }
  return undefined;
}
