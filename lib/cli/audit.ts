/**
 * `consensus audit DIR`: checks the journals of a data directory, meeting by
 * meeting, and says exactly where a record was altered. It reads what is
 * committed, so it also works while a hub is writing.
 *
 * @module
 */

import { auditEntries, auditLog, type AuditReport } from "../store/audit.ts";
import { EtcdClient } from "../store/etcd_client.ts";
import { EtcdLog } from "../store/etcd_log.ts";
import { decodeSnapshot } from "../store/log_record.ts";
import { parseClusterSettings } from "./cluster_setup.ts";
import { readableMeetingIds, readMeeting } from "../store/meetings.ts";
import { AuditFailedError } from "./audit_failed_error.ts";
import { type OptionSpec, parseCommandArgs } from "./args.ts";
import { parseMeetingChoice } from "./results.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus audit`. */
export const AUDIT_USAGE = `Usage: consensus audit DIR [--meeting ID|latest] [--json]
       consensus audit --cluster URLS --election NAME [--json]

Checks the journals in a hub's data directory (its hub may be running: what is committed so far
is checked): every entry's hash and its link to the entry before, then every decision re-counted
from the votes before it. Every meeting by default, or the one --meeting names.
With --cluster, checks an election that several hubs serve: its log in etcd, entry by entry,
every command executed again in order and every decision re-counted.
Exits 0 when the record holds, 1 when something was altered (each problem names its entry).

Options:
  --meeting ID      only that meeting (a number, or latest)
  --cluster URLS    etcd's client URLs, comma-separated (with --election)
  --election NAME   the election to check in etcd
  --json            print one JSON object with every meeting's report
  -h, --help        show this help`;

/** Options of `consensus audit`. */
export const AUDIT_OPTIONS = {
  json: { type: "boolean" },
  meeting: { type: "string" },
  cluster: { type: "string" },
  election: { type: "string" },
} as const satisfies OptionSpec;

/**
 * Runs `consensus audit`.
 *
 * @param args Arguments after `audit`.
 * @param output Where to print.
 * @throws {AuditFailedError} When a record was altered.
 */
export async function audit(args: string[], output: Output = STANDARD_OUTPUT): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, AUDIT_OPTIONS, AUDIT_USAGE);
  if (values.help) {
    output.out(AUDIT_USAGE);
    return;
  }
  if (values.cluster !== undefined || values.election !== undefined) {
    if (positionals.length > 0 || values.meeting !== undefined) {
      throw new UsageError("--cluster checks an election: give no DIR nor --meeting", AUDIT_USAGE);
    }
    if (typeof values.cluster !== "string" || typeof values.election !== "string") {
      throw new UsageError("--cluster and --election go together", AUDIT_USAGE);
    }
    const cluster = parseClusterSettings(values.cluster, values.election, AUDIT_USAGE);
    const log = new EtcdLog({ client: new EtcdClient(cluster), election: cluster.election });
    let entries;
    let from;
    try {
      entries = await log.read(0);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // A compacted log starts after its oldest snapshot, which holds what came before.
      const earliest = await log.earliestSnapshot();
      if (!earliest) throw error;
      from = decodeSnapshot(earliest.position, earliest.payload);
      entries = await log.read(from.position);
    }
    const report = auditLog(entries, from);
    if (values.json) {
      output.out(
        JSON.stringify({
          ok: report.problems.length === 0,
          election: cluster.election,
          snapshot: from?.position ?? null,
          ...report,
        }),
      );
    } else {
      const after = from ? ` after its snapshot at entry ${from.position}` : "";
      output.out(
        `election ${cluster.election}: ${report.entries} entries${after}, ${report.decisions} decisions re-counted`,
      );
      output.out(`  head hash ${report.headHash}`);
      for (const problem of report.problems) output.out(`  problem: ${problem.problem}`);
      if (report.problems.length === 0) {
        output.out("the record holds: every hash matches and every decision re-counts");
      }
    }
    const first = report.problems[0];
    if (first) {
      const count = report.problems.length;
      throw new AuditFailedError(
        `The record was altered: ${count} problem${
          count === 1 ? "" : "s"
        }, first at entry ${first.seq} of election ${cluster.election}`,
      );
    }
    return;
  }
  if (positionals.length !== 1) throw new UsageError("Give one data directory", AUDIT_USAGE);
  const directory = positionals[0]!;
  const ids: (number | "latest")[] = typeof values.meeting === "string"
    ? [parseMeetingChoice(values.meeting, AUDIT_USAGE)]
    : readableMeetingIds(directory);
  const reports: (AuditReport & { meeting: number })[] = ids.map((which) => {
    const record = readMeeting(directory, which, "audit");
    return { meeting: record.id, ...auditEntries(record.entries) };
  });
  const failed = reports.filter((report) => report.problems.length > 0);
  if (values.json) {
    output.out(JSON.stringify({ ok: failed.length === 0, meetings: reports }));
  } else {
    for (const report of reports) {
      output.out(
        `meeting ${report.meeting}: ${report.entries} entries, ${report.decisions} decisions re-counted`,
      );
      output.out(`  head hash ${report.headHash}`);
      for (const problem of report.problems) output.out(`  problem: ${problem.problem}`);
    }
    if (failed.length === 0) {
      output.out("the record holds: every hash matches and every decision re-counts");
    }
  }
  const first = failed[0];
  if (first) {
    const count = failed.reduce((sum, report) => sum + report.problems.length, 0);
    throw new AuditFailedError(
      `The record was altered: ${count} problem${count === 1 ? "" : "s"}, first at entry ${
        first.problems[0]!.seq
      } of meeting ${first.meeting}`,
    );
  }
}
