/**
 * What every method returns, and the small pieces their announcements share:
 * the close-only gate with its quorum, lists of names, the option(s) on top
 * (pure).
 *
 * @module
 */

import type { CastVote, MethodTally, VoteCounts } from "../events.ts";
import { checkQuorum, type RuleOutcome, type RuleSpec } from "../rules.ts";
import type { MethodSpec } from "./method_spec.ts";

/** A method's verdict: the rule outcome, with the method's numbers when it has any. */
export type MethodOutcome = RuleOutcome & { tally?: MethodTally };

/** What a method counts. */
export interface MethodInput {
  /** The method. */
  spec: MethodSpec;
  /** The rule of the ballot. */
  rule: RuleSpec;
  /** Option keys, in ballot order. */
  options: readonly string[];
  /** Every vote counted, one per voter (left empty for `choice`, which reads `counts`). */
  votes: readonly CastVote[];
  /** Per option, as shown while it is open (see `addToCounts`). */
  counts: VoteCounts;
  /** Size of the electorate. */
  electorate: number;
  /** Whether the ballot is closing. */
  final: boolean;
}

/**
 * The gate of the methods that pick a winner when the ballot closes: no
 * decision before, without votes, or below the quorum.
 *
 * @param input What is counted.
 * @returns The undecided outcome, or the quorum note (`""` without a quorum) to go on.
 */
export function closingGate(input: MethodInput): MethodOutcome | { note: string } {
  if (!input.final) return undecided("the method decides when the ballot closes");
  if (input.votes.length === 0) return undecided("no votes");
  const quorum = checkQuorum(input.rule, input.votes.length, input.electorate);
  if (!quorum.met) return undecided(quorum.note);
  return { note: quorum.note === "" ? "" : `; ${quorum.note}` };
}

/**
 * An outcome without a decision.
 *
 * @param why The numbers behind it.
 * @param tally The method's numbers.
 * @returns `no decision: WHY`.
 */
export function undecided(why: string, tally?: MethodTally): MethodOutcome {
  const outcome: MethodOutcome = { decided: false, reason: `no decision: ${why}` };
  if (tally) outcome.tally = tally;
  return outcome;
}

/**
 * An outcome with a winner.
 *
 * @param option The winning key.
 * @param reason The numbers behind it.
 * @param tally The method's numbers.
 * @returns The outcome.
 */
export function decided(option: string, reason: string, tally: MethodTally): MethodOutcome {
  return { decided: true, option, reason, tally };
}

/** What {@linkcode highestWins} says: a sentence for a tie at the top, one for a winner. */
export interface TopWords {
  /** Why nothing is decided, given the tied options (without `no decision: `). */
  tie(tied: readonly string[]): string;
  /** Why the winner wins. */
  win(winner: string): string;
}

/**
 * The option that compares best wins; a tie at the top is announced as a tie.
 *
 * @param options Keys in ballot order.
 * @param compare Positive when the first is better, 0 when equal.
 * @param tally The method's numbers.
 * @param note Appended to a winner's reason (the quorum note).
 * @param words The sentences.
 * @returns The outcome.
 */
export function highestWins(
  options: readonly string[],
  compare: (a: string, b: string) => number,
  tally: MethodTally,
  note: string,
  words: TopWords,
): MethodOutcome {
  const top = bestOf(options, compare);
  if (top.length > 1) return undecided(words.tie(top), tally);
  return decided(top[0]!, words.win(top[0]!) + note, tally);
}

/**
 * The options that compare best, in ballot order.
 *
 * @param options Keys in ballot order.
 * @param compare Positive when the first is better, 0 when equal.
 * @returns Every option no other beats.
 */
export function bestOf(
  options: readonly string[],
  compare: (a: string, b: string) => number,
): string[] {
  let best: string[] = [];
  for (const option of options) {
    const order = best.length === 0 ? 1 : compare(option, best[0]!);
    if (order > 0) best = [option];
    else if (order === 0) best.push(option);
  }
  return best;
}

/**
 * `A`, `A and B`, `A, B and C`.
 *
 * @param names Names.
 * @returns Them joined for a sentence.
 */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * `A 4, B 2, C 3`.
 *
 * @param options Keys in ballot order.
 * @param values A number per key.
 * @returns The list.
 */
export function listValues(options: readonly string[], values: VoteCounts): string {
  return options.map((option) => `${option} ${values[option] ?? 0}`).join(", ");
}

/**
 * `1 voter`, `3 voters`.
 *
 * @param count How many.
 * @param noun Singular noun.
 * @returns The phrase.
 */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * Empty counts for the options.
 *
 * @param options Keys.
 * @returns Zero per key.
 */
export function zeroCounts(options: readonly string[]): VoteCounts {
  const counts: VoteCounts = {};
  for (const option of options) counts[option] = 0;
  return counts;
}
