/**
 * Turning what someone typed to open a ballot (question, options, rule,
 * deadline, switches) into {@linkcode BallotTerms}, with a clear message for
 * each mistake.
 *
 * @module
 */

import { buildBallot } from "./ballot.ts";
import type { BallotTerms, ElectorateMode } from "./events.ts";
import { formatRule, parseRule } from "./rules.ts";

/** A proposal as typed; only the question and options are required. */
export interface ProposalInput {
  question: string;
  options: readonly string[];
  /** Rule text, e.g. `majority+quorum:50%`. @default {"seed"} */
  rule?: string;
  /** A duration (`90s`, `10m`, `2h`, `1d`) from now, or a date and time (ISO 8601). */
  deadline?: string;
  /** @default {"live"} */
  electorate?: string;
  allowChange?: boolean;
  hideResults?: boolean;
  anonymous?: boolean;
  repeat?: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Checks a proposal and builds the ballot's terms.
 *
 * @param input What was typed.
 * @param now The time it opens, milliseconds since the epoch.
 * @returns The terms.
 * @throws {RangeError} On a duplicate or missing option, a deadline in the
 * past, an unknown electorate, or anonymity with vote changes.
 * @throws {SyntaxError} On an unknown rule or an unreadable deadline.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const terms = buildTerms({ question: "Lunch?", options: ["pizza", "soup"], rule: "majority", deadline: "10m" }, 0);
 * assertEquals([terms.rule, terms.deadline], ["majority", 600_000]);
 * ```
 */
export function buildTerms(input: ProposalInput, now: number): BallotTerms {
  const { question, options } = buildBallot(input.question, input.options);
  const rule = formatRule(parseRule(input.rule ?? "seed"));
  const electorate = (input.electorate ?? "live").toLowerCase();
  if (electorate !== "live" && electorate !== "frozen") {
    throw new RangeError(
      `Cannot open ballot: electorate "${electorate}" is neither live nor frozen`,
    );
  }
  const anonymous = input.anonymous ?? false;
  const allowChange = input.allowChange ?? false;
  if (anonymous && allowChange) {
    throw new RangeError(
      "Cannot open ballot: an anonymous ballot cannot allow vote changes (the hub keeps no link to replace a vote)",
    );
  }
  const terms: BallotTerms = {
    question,
    options,
    rule,
    electorate: electorate as ElectorateMode,
    allowChange,
    hideResults: input.hideResults ?? false,
    anonymous,
    repeat: input.repeat ?? false,
  };
  if (input.deadline !== undefined) {
    const { deadline, durationMs } = parseDeadline(input.deadline, now);
    terms.deadline = deadline;
    terms.durationMs = durationMs;
  }
  return terms;
}

/**
 * Reads a deadline.
 *
 * @param text A duration such as `90s`, `10m`, `1h30m`, or an ISO 8601 date and time.
 * @param now Milliseconds since the epoch.
 * @returns The deadline and its distance from now.
 * @throws {SyntaxError} When it cannot be read.
 * @throws {RangeError} When it is not in the future.
 */
export function parseDeadline(text: string, now: number): { deadline: number; durationMs: number } {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/gu)];
  let deadline: number;
  if (parts.length > 0 && parts.map((part) => part[0]).join("") === trimmed) {
    const duration = parts.reduce((sum, part) => sum + Number(part[1]) * UNITS[part[2]!]!, 0);
    deadline = now + Math.round(duration);
  } else if (/^\d{4}-\d{2}-\d{2}/u.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) {
    deadline = Date.parse(trimmed);
  } else {
    throw new SyntaxError(
      `Cannot read deadline "${trimmed}": give a duration such as 90s, 10m or 2h, or a date and time such as 2026-12-01T17:00:00Z`,
    );
  }
  if (deadline <= now) {
    throw new RangeError(
      `Cannot open ballot: the deadline ${new Date(deadline).toISOString()} is in the past`,
    );
  }
  return { deadline, durationMs: deadline - now };
}
