/**
 * Runs conformance checks in order and reports them: each check is data (an
 * id, the PROTOCOL.md section it tests, whether it is required, what it needs
 * first) plus a function that talks to the hub.
 *
 * @module
 */

import { CheckFailure, CheckSkipped, RunAborted } from "./expect.ts";

/** One check of a hub against PROTOCOL.md. */
export interface Check<Context> {
  /** Short stable name, e.g. `text.greeting`. */
  id: string;
  /** The PROTOCOL.md section it tests, e.g. `3`. */
  section: string;
  /** What it checks, in a few words. */
  title: string;
  /** Whether every hub must pass it; an optional check may be skipped when the hub lacks the part. */
  required: boolean;
  /** Checks that must have passed first; otherwise this one is not run. */
  needs?: string[];
  /** Talks to the hub; throws {@linkcode CheckFailure} or {@linkcode CheckSkipped}. */
  run(context: Context): Promise<void>;
}

/** How a check ended. */
export type CheckStatus = "pass" | "fail" | "skip";

/** The result of one check. */
export interface CheckResult {
  /** The check's id. */
  id: string;
  /** Its PROTOCOL.md section. */
  section: string;
  /** What it checks. */
  title: string;
  /** Whether it is required. */
  required: boolean;
  /** How it ended. */
  status: CheckStatus;
  /** For a failure: what PROTOCOL.md says should have come. */
  expected?: string;
  /** For a failure: what came. For a skip: why. */
  got?: string;
}

/**
 * Runs checks one after another. A check whose prerequisites did not pass is
 * not run: it fails when required (it was not shown to hold) and is skipped
 * when optional.
 *
 * @param checks The checks, in order.
 * @param context Shared by the checks (connections, what earlier checks learnt).
 * @param onResult Called after each check, to print progress.
 * @returns One result per check.
 * @throws {RunAborted} When a check finds that the run cannot go on.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const results = await runChecks([
 *   { id: "a", section: "1", title: "one", required: true, run: () => Promise.resolve() },
 *   { id: "b", section: "1", title: "two", required: false, needs: ["a"], run: () => Promise.resolve() },
 * ], {});
 * assertEquals(results.map((result) => result.status), ["pass", "pass"]);
 * ```
 */
export async function runChecks<Context>(
  checks: readonly Check<Context>[],
  context: Context,
  onResult: (result: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const passed = new Set<string>();
  for (const check of checks) {
    const base = {
      id: check.id,
      section: check.section,
      title: check.title,
      required: check.required,
    };
    let result: CheckResult;
    const missing = (check.needs ?? []).filter((id) => !passed.has(id));
    if (missing.length > 0) {
      const skipped = results.find((earlier) =>
        missing.includes(earlier.id) && earlier.status === "skip"
      );
      result = check.required && !skipped
        ? {
          ...base,
          status: "fail",
          expected: `${missing.join(", ")} to pass first`,
          got: "not run",
        }
        : { ...base, status: "skip", got: `needs ${missing.join(", ")}` };
    } else {
      try {
        await check.run(context);
        result = { ...base, status: "pass" };
      } catch (error) {
        if (error instanceof RunAborted) throw error;
        if (error instanceof CheckSkipped) {
          result = { ...base, status: "skip", got: error.message };
        } else if (error instanceof CheckFailure) {
          result = { ...base, status: "fail", expected: error.expected, got: error.got };
        } else {
          result = {
            ...base,
            status: "fail",
            expected: "the check to run",
            got: (error as Error).message ?? String(error),
          };
        }
      }
    }
    if (result.status === "pass") passed.add(check.id);
    results.push(result);
    onResult(result);
  }
  return results;
}

/**
 * Whether every required check passed (an optional part that is offered but
 * wrong is reported, but does not make the hub fail).
 *
 * @param results From {@linkcode runChecks}.
 * @returns `true` when the hub conforms.
 */
export function conforms(results: readonly CheckResult[]): boolean {
  return results.every((result) => !result.required || result.status !== "fail");
}

/**
 * Formats one result as a table row: status, id, section, title, and for a
 * failure what was expected and what came.
 *
 * @param result One result.
 * @returns Lines of text.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(formatResult({
 *   id: "text.greeting", section: "3", title: "greeting", required: true, status: "pass",
 * }), [`pass  ${"text.greeting".padEnd(28)} §3     greeting`]);
 * ```
 */
export function formatResult(result: CheckResult): string[] {
  const head = `${result.status}  ${result.id.padEnd(28)} ${
    `§${result.section}`.padEnd(6)
  } ${result.title}${result.required ? "" : " (optional)"}`;
  const lines = [head];
  if (result.status === "fail") {
    lines.push(`      expected: ${result.expected ?? ""}`);
    lines.push(`      got:      ${result.got ?? ""}`);
  } else if (result.status === "skip" && result.got) {
    lines.push(`      skipped:  ${result.got}`);
  }
  return lines;
}

/**
 * The closing line of the table.
 *
 * @param results Every result.
 * @returns For example `41 passed, 0 failed, 3 skipped: the hub conforms`.
 */
export function formatSummary(results: readonly CheckResult[]): string {
  const count = (status: CheckStatus) =>
    results.filter((result) => result.status === status).length;
  return `${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped: ${
    conforms(results) ? "the hub conforms" : "the hub does not conform"
  }`;
}
