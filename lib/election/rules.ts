/**
 * Decision rules a user can type (`majority`, `supermajority:2/3`,
 * `plurality+quorum:50%`, ...): parsing them, writing them back, describing
 * them for people, and applying them to the votes of a ballot.
 *
 * Everything here is pure: no I/O, no clock. Thresholds and quorums are exact
 * fractions compared with integer arithmetic, so `2 of 3` meets `2/3` exactly.
 *
 * @module
 */

import { formatPercent } from "./percent.ts";

/** An exact fraction, to avoid float rounding at thresholds like 2/3. */
export interface Fraction {
  /** Top of the fraction, a non-negative integer. */
  numerator: number;
  /** Bottom of the fraction, a positive integer. */
  denominator: number;
}

/** A decision rule a user can type. */
export interface RuleSpec {
  /** Which rule decides. */
  kind: "seed" | "majority" | "supermajority" | "unanimous" | "plurality";
  /** supermajority only: the share the top option needs, at least (e.g. 2/3). */
  threshold?: Fraction;
  /** Optional for every rule: share of the electorate that must have voted, at least. */
  quorum?: Fraction;
}

/** What a rule looks at. */
export interface RuleInput {
  /** Votes per option key (one per voter already), in option order, e.g. { A: 3, B: 1 }. */
  counts: Record<string, number>;
  /** Size of the electorate: connected admitted nodes (live) or members when the ballot opened (frozen). */
  electorate: number;
  /** True when the ballot is closing (deadline passed, everyone voted, proposer closed): rules that
   * only decide at the end (plurality) decide now, and the outcome is final either way. */
  final: boolean;
}

/** A rule's verdict, with the numbers behind it for people either way. */
export type RuleOutcome =
  | { decided: true; option: string; reason: string }
  | { decided: false; reason: string };

const KINDS: readonly RuleSpec["kind"][] = [
  "seed",
  "majority",
  "supermajority",
  "unanimous",
  "plurality",
];

const USAGE = "use seed, majority, supermajority:P, unanimous or plurality, optionally +quorum:P";

const HALF: Fraction = { numerator: 1, denominator: 2 };
const ZERO: Fraction = { numerator: 0, denominator: 1 };
const ONE: Fraction = { numerator: 1, denominator: 1 };

/**
 * Reads a rule as a user typed it: case-insensitive, spaces around `+` and
 * `:` allowed, shares written `2/3`, `75%` or `66.5%`.
 *
 * @param text The rule text, e.g. `supermajority:2/3+quorum:60%`.
 * @returns The rule, with its fractions reduced (`4/6` reads as 2/3).
 * @throws {SyntaxError} When the text is not a rule: unknown name, a missing,
 * malformed or out-of-range share, a quorum given twice or on its own.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseRule("Supermajority:66.5% + quorum:1/2"), {
 *   kind: "supermajority",
 *   threshold: { numerator: 133, denominator: 200 },
 *   quorum: { numerator: 1, denominator: 2 },
 * });
 * ```
 */
export function parseRule(text: string): RuleSpec {
  const parts = text.toLowerCase().split("+").map((part) => part.trim());
  const [head = "", ...modifiers] = parts;
  if (parts.length === 1 && head === "") throw _parseError(text, `the rule is empty; ${USAGE}`);
  const [name, value] = _splitPart(head);
  if (name === "quorum") {
    throw _parseError(text, "a quorum needs a rule before it, e.g. majority+quorum:60%");
  }
  if (name === "") throw _parseError(text, `a rule must come before "+"; ${USAGE}`);
  const kind = KINDS.find((candidate) => candidate === name);
  if (kind === undefined) throw _parseError(text, `unknown rule; ${USAGE}`);
  const spec: RuleSpec = { kind };
  if (kind === "supermajority") {
    if (value === undefined || value === "") {
      throw _parseError(text, "supermajority needs a threshold, e.g. supermajority:2/3");
    }
    const threshold = _parseFraction(text, value, "threshold");
    if (!_isAbove(threshold, HALF) || _isAbove(threshold, ONE)) {
      throw _parseError(text, `threshold must be more than 50% and at most 100%, got ${value}`);
    }
    spec.threshold = threshold;
  } else if (value !== undefined) {
    throw _parseError(text, `${kind} takes no threshold; did you mean supermajority:${value}?`);
  }
  for (const modifier of modifiers) {
    const [modifierName, share] = _splitPart(modifier);
    if (modifierName === "") throw _parseError(text, `nothing follows "+"; ${USAGE}`);
    if (modifierName !== "quorum") {
      throw _parseError(text, `only +quorum:P can follow a rule, got "${modifier}"`);
    }
    if (spec.quorum !== undefined) throw _parseError(text, "quorum given twice");
    if (share === undefined || share === "") {
      throw _parseError(text, "quorum needs a share, e.g. +quorum:60%");
    }
    const quorum = _parseFraction(text, share, "quorum");
    if (!_isAbove(quorum, ZERO) || _isAbove(quorum, ONE)) {
      throw _parseError(text, `quorum must be more than 0% and at most 100%, got ${share}`);
    }
    spec.quorum = quorum;
  }
  return spec;
}

/**
 * Writes a rule in canonical text: lower case, no spaces, shares as whole or
 * two-decimal percentages when exact (`75%`, `66.5%`), else as reduced
 * fractions (`2/3`).
 *
 * `parseRule(formatRule(spec))` deep-equals `spec` for every valid spec whose
 * fractions are reduced, which is every spec {@linkcode parseRule} returns.
 *
 * @param spec The rule.
 * @returns The rule as text, e.g. `supermajority:2/3+quorum:60%`.
 * @throws {TypeError} When supermajority has no threshold, or another rule has one.
 * @throws {RangeError} When a share is not a fraction or out of its range.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const spec = parseRule("PLURALITY + quorum:3/5");
 * assertEquals(formatRule(spec), "plurality+quorum:60%");
 * assertEquals(formatRule({ kind: "supermajority", threshold: { numerator: 2, denominator: 3 } }), "supermajority:2/3");
 * ```
 */
export function formatRule(spec: RuleSpec): string {
  _validateSpec(spec, "format");
  let text: string = spec.kind;
  if (spec.threshold !== undefined) text += `:${_formatFraction(spec.threshold)}`;
  if (spec.quorum !== undefined) text += `+quorum:${_formatFraction(spec.quorum)}`;
  return text;
}

/**
 * Whether a rule can decide while its ballot is open: every rule but
 * `plurality`, which picks its winner only when the ballot closes. A
 * ballot under plurality is then not counted at every vote.
 *
 * @param spec The rule.
 * @returns Whether {@linkcode applyRule} can decide before the final count.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(decidesBeforeClosing(parseRule("majority")), true);
 * assertEquals(decidesBeforeClosing(parseRule("plurality")), false);
 * ```
 */
export function decidesBeforeClosing(spec: RuleSpec): boolean {
  return spec.kind !== "plurality";
}

/**
 * Applies a rule to the votes of a ballot.
 *
 * Whatever the rule, it never decides for an option that does not hold
 * strictly the most votes, never on a tie at the top, and never when a quorum
 * is set and not met. Plurality decides only when `input.final` is true; the
 * other rules decide on the numbers given, final or not.
 *
 * @param spec The rule.
 * @param input Votes per option, the size of the electorate, and whether the ballot is closing.
 * @returns The decision and its numbers, or why there is none, e.g.
 * `no decision: A and B tied with 2 votes each`.
 * @throws {TypeError} When the spec is inconsistent (see {@linkcode formatRule}).
 * @throws {RangeError} When a share is out of range, or a count or the electorate
 * is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const rule = parseRule("supermajority:2/3");
 * assertEquals(applyRule(rule, { counts: { A: 4, B: 1 }, electorate: 5, final: false }), {
 *   decided: true,
 *   option: "A",
 *   reason: "4 of 5 in the electorate voted A: 80% ≥ 66.7%",
 * });
 * assertEquals(applyRule(rule, { counts: { A: 3, B: 2 }, electorate: 5, final: true }), {
 *   decided: false,
 *   reason: "no decision: 3 of 5 in the electorate voted A: 60%, at least 66.7% needed",
 * });
 * ```
 */
export function applyRule(spec: RuleSpec, input: RuleInput): RuleOutcome {
  _validateSpec(spec, "apply");
  _validateInput(input);
  const { electorate } = input;
  const tally = _tally(input.counts);
  const { cast, top, topVotes, leaders } = tally;

  if (cast === 0) return _undecided("no votes");
  const quorum = checkQuorum(spec, cast, electorate);
  if (!quorum.met) return _undecided(quorum.note);
  const quorumNote = quorum.note === "" ? "" : `; ${quorum.note}`;
  if (!decidesBeforeClosing(spec) && !input.final) {
    return _undecided("plurality decides only when the ballot closes");
  }
  if (spec.kind === "seed" && cast === 1) return _undecided("1 vote cast, more than 1 needed");
  if (leaders.length > 1) {
    return _undecided(`${_joinNames(leaders)} tied with ${_votes(topVotes)} each`);
  }

  const share = formatPercent(_percent(topVotes, electorate));
  const decide = (reason: string): RuleOutcome => ({
    decided: true,
    option: top,
    reason: reason + quorumNote,
  });
  switch (spec.kind) {
    case "seed":
    case "majority": {
      const who = spec.kind === "seed" ? "connected" : "in the electorate";
      const numbers = `${topVotes} of ${electorate} ${who} voted ${top}: ${share}`;
      // Integer comparison (2 * votes > electorate) avoids rounding at exactly half.
      if (2 * topVotes > electorate) return decide(`${numbers} > 50%`);
      return _undecided(`${numbers}, more than 50% needed`);
    }
    case "supermajority": {
      const threshold = spec.threshold!;
      const needed = _formatFractionPercent(threshold);
      const numbers = `${topVotes} of ${electorate} in the electorate voted ${top}: ${share}`;
      if (_meets(topVotes, electorate, threshold)) return decide(`${numbers} ≥ ${needed}`);
      return _undecided(`${numbers}, at least ${needed} needed`);
    }
    case "unanimous": {
      if (electorate === 0) return _undecided("the electorate is empty");
      if (topVotes !== cast) {
        const split = tally.voted.map(([option, votes]) => `${option} ${votes}`).join(", ");
        return _undecided(`votes are split (${split}), all ${electorate} must vote alike`);
      }
      // More votes than members happens only in a live electorate that voters left.
      if (topVotes >= electorate) return decide(`all ${electorate} in the electorate voted ${top}`);
      return _undecided(
        `${topVotes} of ${electorate} in the electorate voted ${top}, all ${electorate} needed`,
      );
    }
    case "plurality":
      return decide(
        `${top} has the most votes: ${topVotes} of ${cast} cast (${
          formatPercent(_percent(topVotes, cast))
        })`,
      );
  }
}

/**
 * Checks a rule's quorum, if it has one.
 *
 * @param spec The rule.
 * @param voters How many in the electorate voted.
 * @param electorate Size of the electorate.
 * @returns Whether it is met, and the numbers (`quorum met, 3 of 5 voted, 50% needed`;
 * empty without a quorum).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(checkQuorum(parseRule("plurality+quorum:50%"), 2, 5), {
 *   met: false,
 *   note: "quorum not met, 2 of 5 voted, 50% needed",
 * });
 * ```
 */
export function checkQuorum(
  spec: RuleSpec,
  voters: number,
  electorate: number,
): { met: boolean; note: string } {
  if (spec.quorum === undefined) return { met: true, note: "" };
  const numbers = `${voters} of ${electorate} voted, ${_formatFractionPercent(spec.quorum)} needed`;
  const met = _meets(voters, electorate, spec.quorum);
  return { met, note: `quorum ${met ? "met" : "not met"}, ${numbers}` };
}

/**
 * Says in one sentence what a rule needs, for people choosing or reading it.
 *
 * @param spec The rule.
 * @returns A sentence ending with a period.
 * @throws {TypeError} When the spec is inconsistent (see {@linkcode formatRule}).
 * @throws {RangeError} When a share is out of range.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(
 *   describeRule(parseRule("supermajority:2/3+quorum:50%")),
 *   "An option wins when at least 2/3 (66.7%) of the electorate vote for it, " +
 *     "provided at least 50% of the electorate voted.",
 * );
 * ```
 */
export function describeRule(spec: RuleSpec): string {
  _validateSpec(spec, "describe");
  let sentence: string;
  switch (spec.kind) {
    case "seed":
      sentence = "An option wins when more than one vote is cast and it alone has the votes " +
        "of more than half of the connected nodes";
      break;
    case "majority":
      sentence = "An option wins when more than half of the electorate vote for it";
      break;
    case "supermajority": {
      const threshold = spec.threshold!;
      const text = _formatFraction(threshold);
      const shown = text.endsWith("%") ? text : `${text} (${_formatFractionPercent(threshold)})`;
      sentence = `An option wins when at least ${shown} of the electorate vote for it`;
      break;
    }
    case "unanimous":
      sentence = "An option wins when everyone in the electorate votes for it";
      break;
    case "plurality":
      sentence = "When the ballot closes, the option with the most votes wins unless tied";
      break;
  }
  if (spec.quorum !== undefined) {
    sentence += `, provided at least ${
      _formatFractionPercent(spec.quorum)
    } of the electorate voted`;
  }
  return `${sentence}.`;
}

/** What a rule needs from the counts: totals, the top option, and who shares the top. */
interface _Tally {
  cast: number;
  /** First option with the most votes ("" when there are no options). */
  top: string;
  topVotes: number;
  /** Every option with the most votes, when that is more than zero. */
  leaders: string[];
  /** Options with at least one vote, in option order. */
  voted: [string, number][];
}

function _tally(counts: Record<string, number>): _Tally {
  const entries = Object.entries(counts);
  let cast = 0;
  let topVotes = 0;
  for (const [, votes] of entries) {
    cast += votes;
    topVotes = Math.max(topVotes, votes);
  }
  const leaders = topVotes > 0
    ? entries.filter(([, votes]) => votes === topVotes).map(([option]) => option)
    : [];
  return {
    cast,
    top: leaders[0] ?? "",
    topVotes,
    leaders,
    voted: entries.filter(([, votes]) => votes > 0),
  };
}

function _undecided(why: string): RuleOutcome {
  return { decided: false, reason: `no decision: ${why}` };
}

/** `part / whole` as a percentage; an empty whole counts as 100%, as the seed rule does. */
function _percent(part: number, whole: number): number {
  return whole === 0 ? 100 : (100 * part) / whole;
}

/** Whether `part / whole >= share`, in exact integer arithmetic (BigInt, so large values cannot round). */
function _meets(part: number, whole: number, share: Fraction): boolean {
  return BigInt(part) * BigInt(share.denominator) >= BigInt(share.numerator) * BigInt(whole);
}

/** Whether `a > b`, exactly. */
function _isAbove(a: Fraction, b: Fraction): boolean {
  return BigInt(a.numerator) * BigInt(b.denominator) > BigInt(b.numerator) * BigInt(a.denominator);
}

function _votes(count: number): string {
  return count === 1 ? "1 vote" : `${count} votes`;
}

/** `A`, `A and B`, `A, B and C`. */
function _joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** Splits `name:value` at the first colon, trimming both; value is undefined without a colon. */
function _splitPart(part: string): [string, string | undefined] {
  const colon = part.indexOf(":");
  if (colon < 0) return [part, undefined];
  return [part.slice(0, colon).trim(), part.slice(colon + 1).trim()];
}

function _parseError(text: string, detail: string): SyntaxError {
  return new SyntaxError(`Cannot parse rule "${text}": ${detail}`);
}

/** Reads a share written `2/3`, `75%` or `66.5%` as a reduced fraction; `rule` is for messages. */
function _parseFraction(rule: string, text: string, what: string): Fraction {
  if (text.includes("-")) throw _parseError(rule, `${what} "${text}" is negative`);
  let numerator: bigint;
  let denominator: bigint;
  const percent = /^(\d+)(?:\.(\d+))?\s*%$/.exec(text);
  const ratio = /^(\d+)\s*\/\s*(\d+)$/.exec(text);
  if (percent !== null) {
    const decimals = percent[2] ?? "";
    numerator = BigInt(percent[1]! + decimals);
    denominator = 100n * 10n ** BigInt(decimals.length);
  } else if (ratio !== null) {
    numerator = BigInt(ratio[1]!);
    denominator = BigInt(ratio[2]!);
    if (denominator === 0n) throw _parseError(rule, `${what} "${text}" has a zero denominator`);
  } else {
    throw _parseError(rule, `${what} "${text}" is not a share; write it as 2/3 or 75%`);
  }
  const divisor = _gcd(numerator, denominator);
  const reduced = { numerator: numerator / divisor, denominator: denominator / divisor };
  if (
    reduced.denominator > BigInt(Number.MAX_SAFE_INTEGER) ||
    reduced.numerator > BigInt(Number.MAX_SAFE_INTEGER)
  ) {
    throw _parseError(rule, `${what} "${text}" is too precise`);
  }
  return { numerator: Number(reduced.numerator), denominator: Number(reduced.denominator) };
}

function _gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/**
 * Canonical text of a share: a percentage with at most two decimals when that
 * is exact (`60%`, `66.5%`), else the reduced fraction (`2/3`).
 */
function _formatFraction(share: Fraction): string {
  const numerator = BigInt(share.numerator);
  const denominator = BigInt(share.denominator);
  const hundredths = numerator * 10_000n;
  if (hundredths % denominator === 0n) {
    const value = hundredths / denominator;
    const whole = value / 100n;
    const decimals = (value % 100n).toString().padStart(2, "0").replace(/0+$/, "");
    return decimals === "" ? `${whole}%` : `${whole}.${decimals}%`;
  }
  const divisor = _gcd(numerator, denominator);
  return `${numerator / divisor}/${denominator / divisor}`;
}

/** A share as people read it in reasons: `66.7%`. */
function _formatFractionPercent(share: Fraction): string {
  return formatPercent((100 * share.numerator) / share.denominator);
}

function _isFraction(value: unknown): value is Fraction {
  if (typeof value !== "object" || value === null) return false;
  const { numerator, denominator } = value as Partial<Fraction>;
  return Number.isSafeInteger(numerator) && Number.isSafeInteger(denominator) &&
    numerator! >= 0 && denominator! > 0;
}

function _validateSpec(spec: RuleSpec, action: string): void {
  if (!KINDS.includes(spec.kind)) {
    throw new TypeError(`Cannot ${action} rule: unknown kind "${String(spec.kind)}"`);
  }
  if (spec.kind === "supermajority") {
    if (spec.threshold === undefined) {
      throw new TypeError(`Cannot ${action} rule: supermajority needs a threshold`);
    }
    if (
      !_isFraction(spec.threshold) || !_isAbove(spec.threshold, HALF) ||
      _isAbove(spec.threshold, ONE)
    ) {
      throw new RangeError(
        `Cannot ${action} rule: threshold must be a fraction more than 1/2 and at most 1`,
      );
    }
  } else if (spec.threshold !== undefined) {
    throw new TypeError(`Cannot ${action} rule: ${spec.kind} takes no threshold`);
  }
  if (
    spec.quorum !== undefined &&
    (!_isFraction(spec.quorum) || !_isAbove(spec.quorum, ZERO) || _isAbove(spec.quorum, ONE))
  ) {
    throw new RangeError(
      `Cannot ${action} rule: quorum must be a fraction more than 0 and at most 1`,
    );
  }
}

function _validateInput(input: RuleInput): void {
  const isCount = (value: number) => Number.isSafeInteger(value) && value >= 0;
  if (!isCount(input.electorate)) {
    throw new RangeError(
      `Cannot apply rule: electorate must be a non-negative integer, got ${input.electorate}`,
    );
  }
  for (const [option, votes] of Object.entries(input.counts)) {
    if (!isCount(votes)) {
      throw new RangeError(
        `Cannot apply rule: votes for ${option} must be a non-negative integer, got ${votes}`,
      );
    }
  }
}
