/**
 * What a meeting was started with, kept beside its journal, and how a hub
 * that resumes it checks its own flags against it (pure). A resumed meeting
 * keeps its terms: a flag that says otherwise is refused, never ignored.
 *
 * @module
 */

import { defaultRuleFor, formatMethod, parseMethod } from "../election/methods/method_spec.ts";
import type { ProposalInput } from "../election/proposal.ts";
import { formatRule, parseRule } from "../election/rules.ts";

/** A check of the gate answer that does not reveal it (see `answerCheck` in `gate.ts`). */
export interface AnswerCheck {
  /** Salt of the derivation, base64. */
  salt: string;
  /** PBKDF2 iterations. */
  iterations: number;
  /** The check value, base64. */
  proof: string;
}

/** The standing question of a meeting, as its flags gave it (normalised). */
export interface StandingTerms {
  question: string;
  options: string[];
  /** Canonical method text; absent in meetings from before methods, which are `choice`. */
  method?: string;
  /** Canonical rule text. */
  rule: string;
  /** The deadline as typed (a duration restarts with each round), or `null`. */
  deadline: string | null;
  electorate: string;
  allowChange: boolean;
  hideResults: boolean;
  anonymous: boolean;
}

/** Everything a meeting was started with. */
export interface MeetingTerms {
  /** The gate question. */
  gateQuestion: string;
  /** How to recognise the gate answer. */
  answerCheck: AnswerCheck;
  /**
   * The join code when the hub made it up, so that a resumed meeting keeps
   * the code people were told; `null` when the operator chose the answer
   * (which is then not stored).
   */
  joinCode: string | null;
  /** The standing question, or `null` when the hub opened none. */
  standing: StandingTerms | null;
}

/** The flags of `serve` that define a meeting, with the term each sets. */
const MEETING_FLAGS = [
  ["riddle", "gate question is"],
  ["answer", "gate answer is"],
  ["question", "question is"],
  ["options", "options are"],
  ["method", "method is"],
  ["rule", "rule is"],
  ["deadline", "deadline is"],
  ["electorate", "electorate is"],
  ["allow-change", "vote changes"],
  ["hide-results", "hidden results"],
  ["anonymous", "anonymity"],
] as const;

/**
 * Normalises a standing question's flags into comparable terms.
 *
 * @param input The standing question as `serve` parsed it.
 * @returns Its terms.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const terms = standingTerms({ question: "Tea?", options: ["tea", "coffee"], rule: "Majority" });
 * assertEquals([terms.rule, terms.electorate, terms.deadline], ["majority", "live", null]);
 * ```
 */
export function standingTerms(input: ProposalInput): StandingTerms {
  const method = parseMethod(input.method ?? "choice");
  return {
    question: input.question,
    options: [...input.options],
    method: formatMethod(method),
    rule: formatRule(parseRule(input.rule ?? defaultRuleFor(method))),
    deadline: input.deadline ?? null,
    electorate: (input.electorate ?? "live").toLowerCase(),
    allowChange: input.allowChange ?? false,
    hideResults: input.hideResults ?? false,
    anonymous: input.anonymous ?? false,
  };
}

/**
 * Turns stored standing terms back into what the hub opens.
 *
 * @param terms Stored terms.
 * @returns The proposal the hub repeats.
 */
export function standingInput(terms: StandingTerms): ProposalInput {
  const input: ProposalInput = {
    question: terms.question,
    options: terms.options,
    rule: terms.rule,
    electorate: terms.electorate,
    allowChange: terms.allowChange,
    hideResults: terms.hideResults,
    anonymous: terms.anonymous,
  };
  if (terms.method !== undefined) input.method = terms.method;
  if (terms.deadline !== null) input.deadline = terms.deadline;
  return input;
}

/** What a resuming hub was given, to be checked against the stored terms. */
export interface ResumeRequest {
  /** Names of the flags given on the command line (`question`, `answer`, ...). */
  given: ReadonlySet<string>;
  /** The gate question the flags give. */
  gateQuestion: string;
  /** The standing question the flags give. */
  standing: StandingTerms;
  /** Whether `--answer` (when given) matches the stored check. */
  answerMatches: boolean;
}

/**
 * Lists every flag given to a resuming hub that contradicts the meeting's
 * stored terms, in words a person can act on. Flags not given take the
 * stored terms and are never a contradiction, except the gate answer when
 * the operator chose it: it is not stored, so it must be given again.
 *
 * @param stored The meeting's terms.
 * @param request What the flags give.
 * @returns One line per contradiction; empty when the meeting can resume.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const standing = standingTerms({ question: "Pizza or sushi?", options: ["pizza", "sushi"] });
 * const stored = {
 *   gateQuestion: "Q?", answerCheck: { salt: "", iterations: 1, proof: "" }, joinCode: "abcd-efgh", standing,
 * };
 * const request = {
 *   given: new Set(["question"]), gateQuestion: "Q?", answerMatches: true,
 *   standing: { ...standing, question: "Tea or coffee?" },
 * };
 * assertEquals(termDifferences(stored, request), [
 *   '--question "Tea or coffee?": the meeting\'s question is "Pizza or sushi?"',
 * ]);
 * ```
 */
export function termDifferences(stored: MeetingTerms, request: ResumeRequest): string[] {
  const differences: string[] = [];
  const flagged = (flag: string, given: string, kept: string) =>
    differences.push(`--${flag} ${given}: the meeting's ${termName(flag)} ${kept}`);
  if (request.given.has("riddle") && request.gateQuestion !== stored.gateQuestion) {
    flagged("riddle", quote(request.gateQuestion), quote(stored.gateQuestion));
  }
  if (request.given.has("answer") && !request.answerMatches) {
    differences.push("--answer: it is not the meeting's gate answer");
  } else if (!request.given.has("answer") && stored.joinCode === null) {
    differences.push(
      "the gate answer: the meeting's was chosen with --answer and is not stored; give it again",
    );
  }
  const standing = stored.standing;
  if (standing === null) return differences;
  const wanted = request.standing;
  const compare = (flag: string, given: string, kept: string) => {
    if (request.given.has(flag) && given !== kept) flagged(flag, given, kept);
  };
  compare("question", quote(wanted.question), quote(standing.question));
  compare("options", quote(wanted.options.join(",")), quote(standing.options.join(",")));
  compare("method", wanted.method ?? "choice", standing.method ?? "choice");
  compare("rule", wanted.rule, standing.rule);
  compare("deadline", wanted.deadline ?? "none", standing.deadline ?? "none");
  compare("electorate", wanted.electorate, standing.electorate);
  const onOff = (flag: string, given: boolean, kept: boolean) => {
    if (request.given.has(flag) && given !== kept) {
      differences.push(`--${flag}: the meeting runs without ${termName(flag)}`);
    }
  };
  onOff("allow-change", wanted.allowChange, standing.allowChange);
  onOff("hide-results", wanted.hideResults, standing.hideResults);
  onOff("anonymous", wanted.anonymous, standing.anonymous);
  return differences;
}

function termName(flag: string): string {
  return MEETING_FLAGS.find(([name]) => name === flag)?.[1] ?? flag;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** Names of the `serve` flags that define a meeting. */
export const MEETING_FLAG_NAMES: readonly string[] = MEETING_FLAGS.map(([flag]) => flag);
