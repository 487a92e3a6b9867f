/**
 * `consensus results`: every closed ballot, from a running hub (as a node)
 * or from a stopped hub's data directory, as a table, JSON or CSV.
 *
 * @module
 */

import type { HubEvent } from "../election/events.ts";
import { replayEvents } from "../election/state.ts";
import { DEFAULT_PORT } from "../protocol/messages.ts";
import type { DecisionView, Reply } from "../protocol/messages.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import { HubClient } from "../node/hub_client.ts";
import type { JournalEntry } from "../store/journal.ts";
import { type MeetingStatus, readableMeetingIds, readMeeting } from "../store/meetings.ts";
import { decisionView } from "../hub/views.ts";
import { type OptionSpec, parseCommandArgs, parseHostPort, parseSeconds } from "./args.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";
import { auditEntries } from "../store/audit.ts";
import { type MeetingReport, resultsHtml } from "./results_html.ts";

/** Help text of `consensus results`. */
export const RESULTS_USAGE =
  `Usage: consensus results HOST[:PORT] --answer TEXT [--json | --csv | --html FILE]
       consensus results --data DIR [--meeting ID|latest] [--json | --csv | --html FILE]

Every closed ballot with its outcome and numbers: from a running hub (joining it as a node), or
from the journals in a data directory (while its hub runs, too: what is committed so far).
With --data alone, the meetings are listed; --meeting picks one.

Options:
  --answer TEXT      the gate answer (with HOST:PORT)
  --data DIR         read a data directory instead
  --meeting ID       with --data: that meeting's ballots (a number, or latest)
  --json             one JSON object: {"results": [...]}
  --csv              one row per ballot
  --html FILE        write the minutes as one HTML file that reads offline and prints: every
                     ballot with bars, numbers, rule and reason, and (with --data) the journal's
                     head hash for consensus audit
  --timeout SECONDS  bound the wait for the hub (default 10)
  -h, --help         show this help`;

/** Options of `consensus results`. */
export const RESULTS_OPTIONS = {
  answer: { type: "string" },
  data: { type: "string" },
  meeting: { type: "string" },
  json: { type: "boolean" },
  csv: { type: "boolean" },
  html: { type: "string" },
  timeout: { type: "string" },
} as const satisfies OptionSpec;

/**
 * Runs `consensus results`.
 *
 * @param args Arguments after `results`.
 * @param output Where to print.
 */
export async function results(args: string[], output: Output = STANDARD_OUTPUT): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, RESULTS_OPTIONS, RESULTS_USAGE);
  if (values.help) {
    output.out(RESULTS_USAGE);
    return;
  }
  const data = values.data as string | undefined;
  if ((data === undefined) === (positionals.length === 0)) {
    throw new UsageError("Give either HOST:PORT or --data DIR", RESULTS_USAGE);
  }
  if (values.meeting !== undefined && data === undefined) {
    throw new UsageError("--meeting goes with --data DIR", RESULTS_USAGE);
  }
  if (data !== undefined && values.meeting === undefined) {
    listMeetings(data, values, output);
    return;
  }
  const html = values.html as string | undefined;
  if (html !== undefined && (values.json || values.csv)) {
    throw new UsageError("--html goes alone: not with --json or --csv", RESULTS_USAGE);
  }
  const report = data !== undefined
    ? reportFromDataDirectory(data, parseMeetingChoice(values.meeting as string, RESULTS_USAGE))
    : {
      source: `hub ${positionals[0]}`,
      ballots: (await fromHub(positionals[0]!, values)).map((decision) => ({ decision })),
      generatedAt: new Date().toISOString(),
    };
  const decisions = report.ballots.map((ballot) => ballot.decision);
  if (html !== undefined) {
    Deno.writeTextFileSync(html, resultsHtml(report));
    output.out(`wrote ${decisions.length} ballot${decisions.length === 1 ? "" : "s"} to ${html}`);
  } else if (values.json) output.out(JSON.stringify({ results: decisions }));
  else if (values.csv) { for (const line of toCsv(decisions)) output.out(line); }
  else {
    if (decisions.length === 0) output.out("no closed ballots yet");
    for (const decision of decisions) {
      const outcome = decision.option === null
        ? "no decision"
        : `${decision.option} (${safe(decision.label ?? "")})`;
      output.out(`ballot ${decision.ballot}: ${safe(decision.question)}`);
      output.out(`  ${outcome} - ${safe(decision.reason)} [closed by ${decision.cause}]`);
    }
  }
}

async function fromHub(
  address: string,
  values: Record<string, string | boolean | undefined>,
): Promise<DecisionView[]> {
  const { host, port } = parseHostPort(address, DEFAULT_PORT, RESULTS_USAGE);
  if (typeof values.answer !== "string") {
    throw new UsageError("--answer is needed with HOST:PORT", RESULTS_USAGE);
  }
  const answer = values.answer;
  const timeout = typeof values.timeout === "string"
    ? parseSeconds(values.timeout, "timeout", RESULTS_USAGE)
    : 10_000;
  const signal = AbortSignal.timeout(timeout);
  const client = await HubClient.connect({ host, port, signal });
  try {
    await client.join({
      answer: (_q, triesLeft) => Promise.resolve(triesLeft === 3 ? answer : undefined),
    }, signal);
    const reply = await client.request<Extract<Reply, { op: "results" }>>({ op: "results" });
    await client.request({ op: "exit" }).catch(() => {});
    return reply.results;
  } finally {
    client.close();
  }
}

/**
 * Reads the closed ballots of a meeting's journal (its hub may be running).
 *
 * @param directory The data directory.
 * @param meeting A meeting number, or `latest`.
 * @returns Every closed ballot, oldest first.
 */
export function fromDataDirectory(
  directory: string,
  meeting: number | "latest" = "latest",
): DecisionView[] {
  return reportFromDataDirectory(directory, meeting).ballots.map((ballot) => ballot.decision);
}

/**
 * Reads a meeting's journal for the HTML report: the closed ballots with
 * their terms, the meeting's times, and the journal's head hash.
 *
 * @param directory The data directory.
 * @param meeting A meeting number, or `latest`.
 * @returns What the report holds.
 */
export function reportFromDataDirectory(
  directory: string,
  meeting: number | "latest" = "latest",
): MeetingReport {
  const record = readMeeting(directory, meeting, "read results from");
  const state = replayEntries(record.entries);
  const audit = auditEntries(record.entries);
  return {
    source: `data directory ${directory}, meeting ${record.id}`,
    meeting: {
      id: record.id,
      started: isoOrNull(record.meeting?.startedAt ?? record.entries[0]?.at),
      ended: isoOrNull(record.meeting?.endedAt),
      status: record.status,
    },
    journal: { headHash: audit.headHash, entries: audit.entries },
    ballots: [...state.ballots.values()].filter((ballot) => ballot.closed).map((ballot) => ({
      decision: decisionView(ballot),
      terms: ballot.terms,
    })),
    generatedAt: new Date().toISOString(),
  };
}

function isoOrNull(at: number | null | undefined): string | null {
  return at === null || at === undefined ? null : new Date(at).toISOString();
}

/** One meeting of a data directory, as `results --data DIR` lists it. */
export interface MeetingListing {
  /** Its number. */
  id: number;
  /** When it started, ISO 8601. */
  started: string | null;
  /** When it ended cleanly, ISO 8601, or `null`. */
  ended: string | null;
  /** Whether a hub writes it now, it ended, or it was interrupted. */
  status: MeetingStatus;
  /** Ballots opened. */
  ballots: number;
  /** Ballots closed with a decision. */
  decisions: number;
}

/**
 * Lists the meetings of a data directory with what each holds.
 *
 * @param directory The data directory.
 * @returns One listing per meeting, oldest first.
 */
export function meetingListings(directory: string): MeetingListing[] {
  return readableMeetingIds(directory).map((id) => {
    const record = readMeeting(directory, id, "read results from");
    const state = replayEntries(record.entries);
    return {
      id,
      started: isoOrNull(record.meeting?.startedAt ?? record.entries[0]?.at),
      ended: isoOrNull(record.meeting?.endedAt),
      status: record.status,
      ballots: state.ballots.size,
      decisions: [...state.ballots.values()].filter((ballot) => ballot.closed?.option != null)
        .length,
    };
  });
}

function listMeetings(
  directory: string,
  values: Record<string, string | boolean | undefined>,
  output: Output,
): void {
  const listings = meetingListings(directory);
  if (values.json) {
    output.out(JSON.stringify({ meetings: listings }));
    return;
  }
  if (values.csv) {
    output.out("meeting,started,ended,status,ballots,decisions");
    for (const meeting of listings) {
      output.out(
        [
          meeting.id,
          meeting.started ?? "",
          meeting.ended ?? "",
          meeting.status,
          meeting.ballots,
          meeting.decisions,
        ].join(","),
      );
    }
    return;
  }
  for (const meeting of listings) {
    const end = meeting.ended ?? meeting.status;
    output.out(
      `meeting ${meeting.id}: ${meeting.started ?? "?"} to ${end}, ${meeting.ballots} ballot${
        meeting.ballots === 1 ? "" : "s"
      }, ${meeting.decisions} decided`,
    );
  }
  output.out(`see one with: consensus results --data ${directory} --meeting ID|latest`);
}

function replayEntries(entries: readonly JournalEntry[]) {
  return replayEvents(entries.map((entry) => JSON.parse(entry.event) as HubEvent));
}

/**
 * Reads a `--meeting` value.
 *
 * @param text A meeting number or `latest`.
 * @param usage For errors.
 * @returns The number, or `latest`.
 * @throws {UsageError} On anything else.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([parseMeetingChoice("3", ""), parseMeetingChoice("latest", "")], [3, "latest"]);
 * ```
 */
export function parseMeetingChoice(text: string, usage: string): number | "latest" {
  if (text === "latest") return "latest";
  if (!/^[1-9]\d{0,8}$/u.test(text)) {
    throw new UsageError(`Invalid --meeting "${text}": give a meeting number or latest`, usage);
  }
  return Number(text);
}

/**
 * Turns results into CSV lines (RFC 4180 quoting), header first.
 *
 * @param decisions The results.
 * @returns The lines.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(toCsv([]), ["ballot,question,option,label,cause,electorate,counts,reason,method,tally"]);
 * ```
 */
export function toCsv(decisions: readonly DecisionView[]): string[] {
  const quote = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    return /[",\r\n]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [
    "ballot,question,option,label,cause,electorate,counts,reason,method,tally",
    ...decisions.map((decision) =>
      [
        decision.ballot,
        decision.question,
        decision.option,
        decision.label,
        decision.cause,
        decision.electorate,
        Object.entries(decision.counts).map(([option, votes]) => `${option}=${votes}`).join(" "),
        decision.reason,
        decision.method,
        // The method's numbers as one JSON cell: rounds and tables do not fit flat columns.
        decision.tally === undefined ? null : JSON.stringify(decision.tally),
      ].map(quote).join(",")
    ),
  ];
}
