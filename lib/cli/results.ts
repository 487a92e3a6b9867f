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
import { readJournalEntries } from "../store/sqlite_journal.ts";
import { decisionView } from "../hub/views.ts";
import { parseCommandArgs, parseHostPort, parseSeconds } from "./args.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus results`. */
export const RESULTS_USAGE = `Usage: consensus results HOST[:PORT] --answer TEXT [--json | --csv]
       consensus results --data DIR [--json | --csv]

Every closed ballot with its outcome and numbers: from a running hub (joining it as a node), or
from the journal of a stopped hub.

Options:
  --answer TEXT      the gate answer (with HOST:PORT)
  --data DIR         read a data directory instead
  --json             one JSON object: {"results": [...]}
  --csv              one row per ballot
  --timeout SECONDS  bound the wait for the hub (default 10)`;

/**
 * Runs `consensus results`.
 *
 * @param args Arguments after `results`.
 * @param output Where to print.
 */
export async function results(args: string[], output: Output = STANDARD_OUTPUT): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, {
    answer: { type: "string" },
    data: { type: "string" },
    json: { type: "boolean" },
    csv: { type: "boolean" },
    timeout: { type: "string" },
  }, RESULTS_USAGE);
  if (values.help) {
    output.out(RESULTS_USAGE);
    return;
  }
  const data = values.data as string | undefined;
  if ((data === undefined) === (positionals.length === 0)) {
    throw new UsageError("Give either HOST:PORT or --data DIR", RESULTS_USAGE);
  }
  const decisions = data !== undefined
    ? fromDataDirectory(data)
    : await fromHub(positionals[0]!, values);
  if (values.json) output.out(JSON.stringify({ results: decisions }));
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
 * Reads the closed ballots of a stopped hub's journal.
 *
 * @param directory The data directory.
 * @returns Every closed ballot, oldest first.
 */
export function fromDataDirectory(directory: string): DecisionView[] {
  const events = readJournalEntries(directory, "read results from").map((entry) =>
    JSON.parse(entry.event) as HubEvent
  );
  const state = replayEvents(events);
  return [...state.ballots.values()].filter((ballot) => ballot.closed).map(decisionView);
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
 * assertEquals(toCsv([]), ["ballot,question,option,label,cause,electorate,counts,reason"]);
 * ```
 */
export function toCsv(decisions: readonly DecisionView[]): string[] {
  const quote = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    return /[",\r\n]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [
    "ballot,question,option,label,cause,electorate,counts,reason",
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
      ].map(quote).join(",")
    ),
  ];
}
