/**
 * Reading a vote for a ballot's method, from its text form (`C>A>B`, `A,C`,
 * `A=5 B=2`, `block "we have no budget"`) or from structured fields, into
 * the {@linkcode CastVote} that is recorded (pure).
 *
 * @module
 */

import { resolveOption } from "../ballot.ts";
import type { BallotQuestion, CastVote } from "../events.ts";
import { findUnsafeCharacter } from "../../protocol/text_safety.ts";
import type { MethodSpec } from "./method_spec.ts";

/** A vote as a voter gave it: text in the method's form, or structured fields. */
export interface VoteInput {
  /** One option (key or label), or the whole vote in its text form (`C>A>B`). */
  option?: string;
  /** choice:N and approval: the options marked. */
  options?: readonly string[];
  /** ranked: the options, most preferred first. */
  ranking?: readonly string[];
  /** score: a score per option. */
  scores?: Readonly<Record<string, number>>;
  /** consent: why the voter blocks. */
  reason?: string;
}

/** Why a vote cannot be taken. */
export interface VoteProblem {
  /** `unknown-option` when an option is not on the ballot, else `bad-request`. */
  code: "unknown-option" | "bad-request";
  /** A sentence for people, starting `Cannot vote:`. */
  message: string;
}

/** Longest block reason kept, in characters: it is announced to everyone. */
export const MAX_REASON_LENGTH = 200;

/**
 * Turns a vote into what is recorded: options resolved to their keys, the
 * method's constraints checked.
 *
 * @param question The ballot's question and options.
 * @param spec The ballot's method.
 * @param input The vote, as text in `option` or as structured fields.
 * @returns The vote to record, or why it cannot be taken.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { buildBallot } from "../ballot.ts";
 * const ballot = buildBallot("Where?", ["Memphis", "Nashville", "Knoxville"]);
 * const ranked = { kind: "ranked", count: "irv" } as const;
 * assertEquals(castVote(ballot, ranked, { option: "c > memphis" }), { ranking: ["C", "A"] });
 * assertEquals(castVote(ballot, { kind: "approval" }, { options: ["A", "Knoxville"] }), { options: ["A", "C"] });
 * ```
 */
export function castVote(
  question: BallotQuestion,
  spec: MethodSpec,
  input: VoteInput,
): CastVote | VoteProblem {
  const fields = input.options === undefined && input.ranking === undefined &&
      input.scores === undefined && input.option !== undefined
    ? withReason(parseVoteText(spec, input.option), input.reason)
    : input;
  switch (spec.kind) {
    case "choice":
      if (spec.max === 1) return single(question, fields, false);
      return marked(question, fields.options ?? listOf(fields.option), spec.max);
    case "approval":
      return marked(question, fields.options ?? listOf(fields.option), question.options.length);
    case "consent":
      return single(question, fields, true);
    case "score":
      return scored(question, spec, fields.scores);
    case "ranked":
      return ranked(question, fields.ranking ?? listOf(fields.option));
  }
}

/**
 * Splits a vote typed as text into its parts, by method: `A,C` (choice:N,
 * approval), `A=5 B=2` (score), `C>A>B` (ranked), `block "reason"` (consent).
 *
 * @param spec The ballot's method.
 * @param text What the voter typed.
 * @returns The structured vote, options not yet resolved.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseVoteText({ kind: "consent" }, 'block "we have no budget"'), {
 *   option: "block",
 *   reason: "we have no budget",
 * });
 * ```
 */
export function parseVoteText(spec: MethodSpec, text: string): VoteInput {
  const trimmed = text.trim();
  switch (spec.kind) {
    case "choice":
      return spec.max === 1 ? { option: trimmed } : { options: splitList(trimmed, ",") };
    case "approval":
      return { options: splitList(trimmed, ",") };
    case "ranked":
      return { ranking: splitList(trimmed, ">") };
    case "consent": {
      const block = /^(block|d)(?:\s+(.*))?$/isu.exec(trimmed);
      if (!block) return { option: trimmed };
      const reason = (block[2] ?? "").trim().replace(/^"(.*)"$/su, "$1").trim();
      return reason === "" ? { option: "block" } : { option: "block", reason };
    }
    case "score": {
      const scores: Record<string, number> = {};
      for (const part of trimmed.split(/[\s,]+/u).filter((word) => word !== "")) {
        const equals = part.lastIndexOf("=");
        const name = equals < 0 ? part : part.slice(0, equals);
        const value = equals < 0 ? "" : part.slice(equals + 1);
        // An unreadable score is kept as NaN so that castVote names its option.
        scores[name] = /^-?\d{1,9}$/u.test(value) ? Number(value) : Number.NaN;
      }
      return { scores };
    }
  }
}

/**
 * Writes a recorded vote in its text form: `A`, `A,C`, `A=5 B=2`, `C>A>B`,
 * or `D "reason"` for a consent block.
 *
 * @param vote The vote.
 * @returns Its text form, which {@linkcode castVote} reads back.
 */
export function formatVote(vote: CastVote): string {
  if ("option" in vote) {
    // Only the outer quotes are taken off when read back, so inner ones stay as they are.
    return vote.reason === undefined ? vote.option : `${vote.option} "${vote.reason}"`;
  }
  if ("options" in vote) return vote.options.join(",");
  if ("ranking" in vote) return vote.ranking.join(">");
  return Object.entries(vote.scores).map(([key, score]) => `${key}=${score}`).join(" ");
}

/**
 * Says what a recorded vote means in the ballot's labels: `fly`,
 * `Memphis > Knoxville`, `tea, coffee`, `tea=5 coffee=2`, `block`.
 *
 * @param question The ballot's question and options.
 * @param vote The vote.
 * @returns The labels.
 */
export function labelVote(question: BallotQuestion, vote: CastVote): string {
  if ("option" in vote) return labelOf(question, vote.option);
  const label = (key: string) => labelOf(question, key);
  if ("options" in vote) return vote.options.map(label).join(", ");
  if ("ranking" in vote) return vote.ranking.map(label).join(" > ");
  return Object.entries(vote.scores).map(([key, score]) => `${label(key)}=${score}`).join(" ");
}

/** An option's label, or the key itself when the ballot has no such option. */
function labelOf(question: BallotQuestion, key: string): string {
  for (const option of question.options) if (option.key === key) return option.label;
  return key;
}

/**
 * The option keys a vote names, in the order it names them.
 *
 * @param vote The vote.
 * @returns The keys.
 */
export function voteKeys(vote: CastVote): string[] {
  if ("option" in vote) return [vote.option];
  if ("options" in vote) return vote.options;
  if ("ranking" in vote) return vote.ranking;
  return Object.keys(vote.scores);
}

/**
 * Tells whether a recorded vote has the shape a method records.
 *
 * @param spec The ballot's method.
 * @param vote The recorded vote.
 * @returns Whether it fits.
 */
export function voteFitsMethod(spec: MethodSpec, vote: CastVote): boolean {
  switch (spec.kind) {
    case "choice":
      return spec.max === 1 ? "option" in vote : "options" in vote;
    case "approval":
      return "options" in vote;
    case "consent":
      return "option" in vote;
    case "score":
      return "scores" in vote;
    case "ranked":
      return "ranking" in vote;
  }
}

function single(
  question: BallotQuestion,
  fields: VoteInput,
  consent: boolean,
): CastVote | VoteProblem {
  const typed = fields.option;
  const key = typed === undefined ? undefined : resolveOption(question, typed);
  if (key === undefined) {
    const hint = consent
      ? "agree, abstain, disagree or block"
      : question.options.map((option) => option.key).join(", ");
    const what = typed === undefined ? "" : `; "${typed.slice(0, 40)}" is not an option`;
    return problem("unknown-option", `choose one of ${hint}${what}`);
  }
  if (!consent || key !== "D") {
    if (fields.reason !== undefined) return problem("bad-request", "only a block takes a reason");
    return { option: key };
  }
  const reason = (fields.reason ?? "").trim();
  if (reason === "") {
    return problem("bad-request", 'a block needs its reason, e.g. block "we have no budget"');
  }
  if (reason.length > MAX_REASON_LENGTH) {
    return problem("bad-request", `a block's reason is at most ${MAX_REASON_LENGTH} characters`);
  }
  const unsafe = findUnsafeCharacter(reason);
  if (unsafe) return problem("bad-request", `the reason contains the control character ${unsafe}`);
  return { option: key, reason };
}

function marked(
  question: BallotQuestion,
  names: readonly string[],
  max: number,
): CastVote | VoteProblem {
  const keys = resolveAll(question, names, "mark");
  if (!Array.isArray(keys)) return keys;
  if (keys.length > max) {
    return problem("bad-request", `mark at most ${max} option${max === 1 ? "" : "s"}`);
  }
  return { options: sortByBallot(question, keys) };
}

function ranked(question: BallotQuestion, names: readonly string[]): CastVote | VoteProblem {
  const keys = resolveAll(question, names, "rank");
  return Array.isArray(keys) ? { ranking: keys } : keys;
}

function scored(
  question: BallotQuestion,
  spec: Extract<MethodSpec, { kind: "score" }>,
  given: Readonly<Record<string, number>> | undefined,
): CastVote | VoteProblem {
  const entries = Object.entries(given ?? {});
  const keys = resolveAll(question, entries.map(([name]) => name), "score");
  if (!Array.isArray(keys)) return keys;
  const scores: Record<string, number> = {};
  for (const [index, [name, score]] of entries.entries()) {
    if (!Number.isSafeInteger(score) || score < spec.min || score > spec.max) {
      return problem(
        "bad-request",
        `give each option a whole score from ${spec.min} to ${spec.max}, e.g. A=${spec.max} B=${spec.min}; "${
          name.slice(0, 40)
        }" has none`,
      );
    }
    scores[keys[index]!] = score;
  }
  const ordered: Record<string, number> = {};
  for (const key of sortByBallot(question, Object.keys(scores))) ordered[key] = scores[key]!;
  return { scores: ordered };
}

/** Resolves every name to a key: at least one, each once. */
function resolveAll(
  question: BallotQuestion,
  names: readonly string[],
  verb: string,
): string[] | VoteProblem {
  if (names.length === 0) return problem("bad-request", `${verb} at least one option`);
  const keys: string[] = [];
  for (const name of names) {
    const key = typeof name === "string" ? resolveOption(question, name) : undefined;
    if (key === undefined) {
      const all = question.options.map((option) => option.key).join(", ");
      return problem(
        "unknown-option",
        `${verb} options among ${all}; "${String(name).slice(0, 40)}" is not an option`,
      );
    }
    if (keys.includes(key)) return problem("bad-request", `option ${key} is given twice`);
    keys.push(key);
  }
  return keys;
}

function sortByBallot(question: BallotQuestion, keys: readonly string[]): string[] {
  return question.options.map((option) => option.key).filter((key) => keys.includes(key));
}

function splitList(text: string, separator: string): string[] {
  return text === "" ? [] : text.split(separator).map((part) => part.trim());
}

function listOf(option: string | undefined): string[] {
  return option === undefined ? [] : [option];
}

/** The typed vote, with the reason given apart (if any) in place of one typed in it. */
function withReason(parsed: VoteInput, reason: string | undefined): VoteInput {
  // Without a reason, the parsed vote as it is: no copy at every vote.
  return reason === undefined ? parsed : { ...parsed, reason };
}

function problem(code: VoteProblem["code"], detail: string): VoteProblem {
  return { code, message: `Cannot vote: ${detail}` };
}
