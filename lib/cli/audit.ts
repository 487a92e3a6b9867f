/**
 * `consensus audit DIR`: checks a hub's journal and says exactly where the
 * record was altered.
 *
 * @module
 */

import { auditEntries } from "../store/audit.ts";
import { AuditFailedError } from "./audit_failed_error.ts";
import { readJournalEntries } from "../store/sqlite_journal.ts";
import { parseCommandArgs } from "./args.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus audit`. */
export const AUDIT_USAGE = `Usage: consensus audit DIR [--json]

Checks the journal in a hub's data directory (stop the hub first): every entry's hash and its
link to the entry before, then every decision re-counted from the votes before it.
Exits 0 when the record holds, 1 when something was altered (each problem names its entry).`;

/**
 * Runs `consensus audit`.
 *
 * @param args Arguments after `audit`.
 * @param output Where to print.
 * @throws {AuditFailedError} When the record was altered.
 */
export function audit(args: string[], output: Output = STANDARD_OUTPUT): void {
  const { values, positionals } = parseCommandArgs(
    args,
    { json: { type: "boolean" } },
    AUDIT_USAGE,
  );
  if (values.help) {
    output.out(AUDIT_USAGE);
    return;
  }
  if (positionals.length !== 1) throw new UsageError("Give one data directory", AUDIT_USAGE);
  const report = auditEntries(readJournalEntries(positionals[0]!, "audit"));
  if (values.json) {
    output.out(JSON.stringify({ ok: report.problems.length === 0, ...report }));
  } else {
    output.out(`${report.entries} entries, ${report.decisions} decisions re-counted`);
    output.out(`head hash ${report.headHash}`);
    for (const problem of report.problems) output.out(`problem: ${problem.problem}`);
    if (report.problems.length === 0) {
      output.out("the record holds: every hash matches and every decision re-counts");
    }
  }
  if (report.problems.length > 0) {
    throw new AuditFailedError(
      `The record was altered: ${report.problems.length} problem${
        report.problems.length === 1 ? "" : "s"
      }, first at entry ${report.problems[0]!.seq}`,
    );
  }
}
