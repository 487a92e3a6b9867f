/**
 * Turning what someone typed to open a ballot (question, options, rule,
 * deadline, switches) into {@linkcode BallotTerms}, with a clear message for
 * each mistake.
 *
 * @module
 */

import { buildBallot } from "./ballot.ts";
import type { BallotTerms, ElectorateMode } from "./events.ts";
import {
  CONSENT_LABELS,
  decidesWhileOpen,
  defaultRuleFor,
  formatMethod,
  type MethodSpec,
  parseMethod,
} from "./methods/method_spec.ts";
import { formatRule, parseRule, type RuleSpec } from "./rules.ts";

/** A proposal as typed; only the question and options are required. */
export interface ProposalInput {
  question: string;
  /** The options; none for `consent`, whose options are fixed. */
  options: readonly string[];
  /** Method text, e.g. `ranked:schulze`. @default {"choice"} */
  method?: string;
  /** Rule text, e.g. `majority+quorum:50%`. @default {"seed"} (per method: see `defaultRuleFor`) */
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
 * @throws {RangeError} On a rule the method cannot use, or options given to `consent`.
 * @throws {SyntaxError} On an unknown method or rule, or an unreadable deadline.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const terms = buildTerms({ question: "Lunch?", options: ["pizza", "soup"], rule: "majority", deadline: "10m" }, 0);
 * assertEquals([terms.rule, terms.deadline], ["majority", 600_000]);
 * ```
 */
export function buildTerms(input: ProposalInput, now: number): BallotTerms {
  const method = parseMethod(input.method ?? "choice");
  const { question, options } = buildBallot(input.question, optionsFor(method, input.options));
  const ruleSpec = parseRule(input.rule ?? defaultRuleFor(method));
  checkRuleFits(method, ruleSpec);
  const rule = formatRule(ruleSpec);
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
    // Left out for `choice`, so that its terms read as they always did.
    ...(decidesWhileOpen(method) ? {} : { method: formatMethod(method) }),
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

/** A consent proposal's options are its four positions; other methods take the options given. */
function optionsFor(method: MethodSpec, given: readonly string[]): readonly string[] {
  if (method.kind !== "consent") return given;
  const typed = given.map((option) => option.trim().toLowerCase()).filter((option) =>
    option !== ""
  );
  if (typed.length > 0 && typed.join(",") !== CONSENT_LABELS.join(",")) {
    throw new RangeError(
      `Cannot open ballot: a consent proposal's options are fixed (${
        CONSENT_LABELS.join(", ")
      }); give none`,
    );
  }
  return CONSENT_LABELS;
}

/** Methods that pick a winner when the ballot closes take only `plurality` (with a quorum if wanted). */
function checkRuleFits(method: MethodSpec, rule: RuleSpec): void {
  const closesOnly = method.kind !== "consent" && !decidesWhileOpen(method);
  if (closesOnly && rule.kind !== "plurality") {
    throw new RangeError(
      `Cannot open ballot: ${
        formatMethod(method)
      } picks its winner when the ballot closes; use the rule plurality, optionally +quorum:P`,
    );
  }
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
