/**
 * Pure expectations of the conformance checker: how a check says it failed
 * or does not apply, and readers of the hub's lines that say what they
 * expected when a line does not fit PROTOCOL.md.
 *
 * @module
 */

/** A check failed: what PROTOCOL.md says should come, and what came. */
export class CheckFailure extends Error {
  /** What was expected. */
  readonly expected: string;
  /** What came instead. */
  readonly got: string;

  /**
   * Creates the failure.
   *
   * @param expected What was expected.
   * @param got What came instead.
   */
  constructor(expected: string, got: string) {
    super(`expected ${expected}; got ${got}`);
    this.name = "CheckFailure";
    this.expected = expected;
    this.got = got;
  }
}

/**
 * The run cannot go on: the hub refused the proof of the answer the checker
 * was given. Going on would only use up the address's tries at the gate (and
 * may get it locked out), so the run stops.
 */
export class RunAborted extends Error {
  /**
   * Creates the error.
   *
   * @param message Why the run stopped.
   */
  constructor(message: string) {
    super(message);
    this.name = "RunAborted";
  }
}

/** A check does not apply to this hub (an optional part it does not offer). */
export class CheckSkipped extends Error {
  /**
   * Creates the notice.
   *
   * @param reason Why the check does not apply.
   */
  constructor(reason: string) {
    super(reason);
    this.name = "CheckSkipped";
  }
}

/**
 * Fails unless a line matches a pattern.
 *
 * @param line What came.
 * @param pattern What should have come.
 * @param expected The expectation in words (defaults to the pattern).
 * @returns The match.
 * @throws {CheckFailure} When it does not match.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(expectLine("ok pong", /^ok pong$/u)[0], "ok pong");
 * ```
 */
export function expectLine(line: string, pattern: RegExp, expected?: string): RegExpExecArray {
  const match = pattern.exec(line);
  if (!match) throw new CheckFailure(expected ?? String(pattern), quote(line));
  return match;
}

/**
 * Fails unless a text-dialect line is an error with this code.
 *
 * @param line What came.
 * @param code The error code of PROTOCOL.md section 14.
 * @throws {CheckFailure} When it is something else.
 *
 * @example
 * ```ts
 * expectTextError("err unknown-pin: Cannot receive: no connected node has PIN 5", "unknown-pin");
 * ```
 */
export function expectTextError(line: string, code: string): void {
  expectLine(line, new RegExp(`^err ${code}: \\S`, "u"), `"err ${code}: MESSAGE"`);
}

/** What an admission line says. */
export interface TextAdmission {
  /** The node's PIN, as it came. */
  pin: string;
  /** Its name. */
  name: string;
  /** Whether it came back with a token. */
  resumed: boolean;
}

/**
 * Reads `ok admitted: your PIN is P, your name is N` (or `ok resumed: ...`)
 * (PROTOCOL.md section 4.5); the PIN's form is checked apart, by
 * {@linkcode expectPin}.
 *
 * @param line What came.
 * @returns The PIN, name and whether it is a resume.
 * @throws {CheckFailure} When the line does not fit.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(readTextAdmission("ok admitted: your PIN is 218, your name is node-218"), {
 *   pin: "218",
 *   name: "node-218",
 *   resumed: false,
 * });
 * ```
 */
export function readTextAdmission(line: string): TextAdmission {
  const match = expectLine(
    line,
    /^ok (admitted|resumed): your PIN is (\S+), your name is (\S+)$/u,
    '"ok admitted: your PIN is P, your name is N"',
  );
  return { pin: match[2]!, name: match[3]!, resumed: match[1] === "resumed" };
}

/**
 * Checks a PIN's form: digits only, no leading zero, at least 100.
 *
 * @param value The PIN as it came (text or a JSON value).
 * @returns The PIN.
 * @throws {CheckFailure} When it is not a valid PIN.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(expectPin("4821"), 4821);
 * ```
 */
export function expectPin(value: unknown): number {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^[1-9][0-9]{2,}$/u.test(text) || !Number.isSafeInteger(+text)) {
    throw new CheckFailure("a PIN of 3 or more digits (100 and up)", quote(String(value)));
  }
  return Number(text);
}

/**
 * How many rows follow an `ok` line (PROTOCOL.md section 7.2): the number
 * after the colon for `help`, `discover`, `receive`, `ballots` and `results`,
 * the number before `row(s)` for `stats`, none otherwise.
 *
 * @param line An `ok` line.
 * @returns The number of rows.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(rowCount("ok discover: 2 nodes"), 2);
 * assertEquals(rowCount("ok stats: 1 open ballot, 2 closed shown; 9 rows"), 9);
 * assertEquals(rowCount("ok pong"), 0);
 * ```
 */
export function rowCount(line: string): number {
  const stats = /^ok stats: .*; (\d+) rows?$/u.exec(line);
  if (stats) return Number(stats[1]);
  const listed = /^ok (?:menu|discover|receive|ballots|results): (\d+) /u.exec(line);
  return listed ? Number(listed[1]) : 0;
}

/** A ballot as the text dialect describes it. */
export interface TextBallot {
  /** Its number. */
  id: number;
  /** Its rule, canonical. */
  rule: string;
  /** `live` or `frozen`. */
  electorate: string;
  /** Whether the hub keeps no link from voter to choice (a repeated vote is then refused). */
  anonymous: boolean;
}

/**
 * Reads a ballot's description (PROTOCOL.md section 7.5):
 * `ID open: QUESTION A) LABEL  B) LABEL (rule RULE, live, ...)`.
 *
 * @param text The description (a `ballots` row without its indent, or after `! ballot `).
 * @returns Its number, rule and electorate.
 * @throws {CheckFailure} When it does not fit.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(readTextBallot("2 open: Lunch? A) pizza  B) soup (rule majority, live)"), {
 *   id: 2,
 *   rule: "majority",
 *   electorate: "live",
 *   anonymous: false,
 * });
 * ```
 */
export function readTextBallot(text: string): TextBallot {
  const match = expectLine(
    text,
    /^(\d+) open: .* A\) .*\(rule ([^,()]+), (live|frozen)((?:, [^()]*)?)\)$/u,
    '"ID open: QUESTION A) LABEL  B) LABEL (rule RULE, live|frozen...)"',
  );
  return {
    id: Number(match[1]),
    rule: match[2]!,
    electorate: match[3]!,
    anonymous: match[4]!.split(", ").includes("anonymous"),
  };
}

/** One open ballot's counts in a text `stats` reply. */
export interface TextBallotStats {
  /** Votes cast (`null` while hidden). */
  voted: number | null;
  /** Size of the electorate now. */
  electorate: number;
  /** Votes per option key (empty while hidden). */
  counts: Record<string, number>;
}

/**
 * Reads the rows of a text `stats` reply for the open ballots (PROTOCOL.md
 * section 7.5).
 *
 * @param rows The rows, with their two-space indent.
 * @returns The counts by ballot number.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const rows = [
 *   "  ballot 2: Fly? (rule seed, 1 vote, 2 in the electorate)",
 *   "  A 1 100% be able to fly",
 *   "  B 0 0% be invisible",
 * ];
 * assertEquals(readTextStats(rows).get(2), { voted: 1, electorate: 2, counts: { A: 1, B: 0 } });
 * ```
 */
export function readTextStats(rows: string[]): Map<number, TextBallotStats> {
  const ballots = new Map<number, TextBallotStats>();
  let current: TextBallotStats | undefined;
  for (const row of rows) {
    const head =
      /^ {2}ballot (\d+): .*\(rule [^,]+, (?:(\d+) votes?|results hidden until it closes), (\d+) in the electorate\)$/u
        .exec(row);
    if (head) {
      current = {
        voted: head[2] === undefined ? null : Number(head[2]),
        electorate: Number(head[3]),
        counts: {},
      };
      ballots.set(Number(head[1]), current);
      continue;
    }
    const option = /^ {2}([A-Z]) (\d+) [\d.]+% /u.exec(row);
    if (option && current) current.counts[option[1]!] = Number(option[2]);
    else current = undefined;
  }
  return ballots;
}

/**
 * Whether PROTOCOL.md section 11 makes a ballot decide once two nodes of an
 * electorate of two vote alike: `seed` and `majority` (with no quorum) on a
 * live electorate of exactly those two.
 *
 * @param rule The ballot's rule, canonical.
 * @param electorate `live` or `frozen`.
 * @param size The electorate's size with both voters connected.
 * @returns `true` when the rule must decide.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(decidesWithTwoVotes("seed", "live", 2), true);
 * assertEquals(decidesWithTwoVotes("seed", "live", 5), false);
 * assertEquals(decidesWithTwoVotes("plurality", "live", 2), false);
 * ```
 */
export function decidesWithTwoVotes(rule: string, electorate: string, size: number): boolean {
  return (rule === "seed" || rule === "majority" || rule === "unanimous") &&
    electorate === "live" && size === 2;
}

/**
 * Reads a JSON line into an object.
 *
 * @param line What came.
 * @returns The object.
 * @throws {CheckFailure} When it is not a JSON object.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseJsonLine('{"ok":true}'), { ok: true });
 * ```
 */
export function parseJsonLine(line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new CheckFailure("a JSON object", quote(line));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CheckFailure("a JSON object", quote(line));
  }
  return value as Record<string, unknown>;
}

/**
 * Fails unless an object has these fields with these values (compared as JSON).
 *
 * @param message The object that came.
 * @param fields The fields expected.
 * @param line The line it came on, for the report.
 * @throws {CheckFailure} When a field differs.
 *
 * @example
 * ```ts
 * expectFields({ id: 1, ok: true, op: "ping" }, { id: 1, ok: true }, "{}");
 * ```
 */
export function expectFields(
  message: Record<string, unknown>,
  fields: Record<string, unknown>,
  line: string,
): void {
  for (const [key, value] of Object.entries(fields)) {
    if (JSON.stringify(message[key]) !== JSON.stringify(value)) {
      throw new CheckFailure(`${JSON.stringify(fields).slice(1, -1)}`, quote(line));
    }
  }
}

/**
 * Fails unless a JSON line is an error reply with this code and id.
 *
 * @param line What came.
 * @param id The id it should carry.
 * @param code The error code of PROTOCOL.md section 14.
 * @throws {CheckFailure} When it is something else.
 *
 * @example
 * ```ts
 * expectJsonError('{"id":3,"ok":false,"error":{"code":"unknown-pin","message":"x"}}', 3, "unknown-pin");
 * ```
 */
export function expectJsonError(line: string, id: unknown, code: string): void {
  const message = parseJsonLine(line);
  const error = message.error as Record<string, unknown> | undefined;
  if (
    JSON.stringify(message.id) !== JSON.stringify(id) || message.ok !== false ||
    error?.code !== code || typeof error.message !== "string"
  ) {
    throw new CheckFailure(
      `{"id":${JSON.stringify(id)},"ok":false,"error":{"code":"${code}","message":...}}`,
      quote(line),
    );
  }
}

/**
 * Quotes a line for a report, cut short when long.
 *
 * @param line The line.
 * @returns It, quoted, at most about 160 characters.
 */
export function quote(line: string): string {
  return JSON.stringify(line.length > 160 ? `${line.slice(0, 157)}...` : line);
}
