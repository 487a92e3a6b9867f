/**
 * Checks a journal: the hash chain entry by entry, then every decision
 * re-counted from the events before it. Pure: it reads entries, not files.
 *
 * @module
 */

import type { BallotClosedEvent, HubEvent } from "../election/events.ts";
import { executeCommand } from "../election/execute.ts";
import {
  applyEvent,
  createElectionState,
  type ElectionState,
  evaluateBallot,
} from "../election/state.ts";
import { entryHash, GENESIS_HASH } from "./hash_chain.ts";
import type { JournalEntry } from "./journal.ts";
import { type LogRecord, type LogSnapshot, recordHash } from "./log_record.ts";
import { decodeState, encodeState } from "../election/snapshot.ts";
import type { LogEntry } from "./replicated_log.ts";

/** One thing found wrong, at an entry. */
export interface AuditProblem {
  /** The entry's position. */
  seq: number;
  /** What is wrong, for people. */
  problem: string;
}

/** What an audit found. */
export interface AuditReport {
  /** Entries read. */
  entries: number;
  /** Hash of the last entry: compare it with the one the hub announced. */
  headHash: string;
  /** Ballots closed in the record, each re-counted. */
  decisions: number;
  /** Everything wrong, in order; empty when the record holds. */
  problems: AuditProblem[];
}

/**
 * Audits a journal's entries.
 *
 * @param entries The entries, in stored order.
 * @returns The report.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(auditEntries([]).problems, []);
 * ```
 */
export function auditEntries(entries: readonly JournalEntry[]): AuditReport {
  const problems: AuditProblem[] = [];
  const state = createElectionState();
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let decisions = 0;
  for (const entry of entries) {
    if (entry.seq !== expectedSeq) {
      problems.push({
        seq: entry.seq,
        problem: `entry ${entry.seq} follows entry ${
          expectedSeq - 1
        }: entries are missing or out of order`,
      });
    }
    if (entry.prev !== previous) {
      problems.push({
        seq: entry.seq,
        problem:
          `entry ${entry.seq} does not link to the entry before it: an entry was removed, inserted or rewritten`,
      });
    }
    if (entryHash(entry.prev, entry.seq, entry.at, entry.event) !== entry.hash) {
      problems.push({
        seq: entry.seq,
        problem: `entry ${entry.seq} was altered: its content does not match its hash`,
      });
    }
    previous = entry.hash;
    expectedSeq = entry.seq + 1;
    let event: HubEvent;
    try {
      event = JSON.parse(entry.event) as HubEvent;
    } catch {
      problems.push({ seq: entry.seq, problem: `entry ${entry.seq} is not a readable event` });
      continue;
    }
    if (event.type === "ballot-closed") {
      decisions++;
      const problem = recount(state, event);
      if (problem) problems.push({ seq: entry.seq, problem: `entry ${entry.seq}: ${problem}` });
    }
    applyEvent(state, event);
  }
  return { entries: entries.length, headHash: previous, decisions, problems };
}

/**
 * Audits an election's replicated log (cluster mode): its hash chain entry
 * by entry, then every command executed again in log order, every closing it
 * causes re-counted from the votes before it.
 *
 * @param entries The log's entries, in order, from position 1 (or after `from`).
 * @param from The snapshot a compacted log starts after: its state and hash
 * are taken as they are (its own entries are gone).
 * @returns The report.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(auditLog([]).problems, []);
 * ```
 */
export function auditLog(entries: readonly LogEntry[], from?: LogSnapshot): AuditReport {
  const problems: AuditProblem[] = [];
  const state = from ? decodeState(encodeState(from.state)) : createElectionState();
  let previous = from?.hash ?? GENESIS_HASH;
  let expected = (from?.position ?? 0) + 1;
  let decisions = 0;
  for (const entry of entries) {
    const at = entry.position;
    if (at !== expected) {
      problems.push({
        seq: at,
        problem: `entry ${at} follows entry ${expected - 1}: entries are missing or out of order`,
      });
    }
    expected = at + 1;
    let record: LogRecord;
    try {
      record = JSON.parse(entry.payload) as LogRecord;
      const readable = Array.isArray(record.commands) &&
        record.commands.every((logged) => typeof logged?.command?.type === "string");
      if (!readable) throw new SyntaxError("no commands");
    } catch {
      problems.push({ seq: at, problem: `entry ${at} is not readable as commands` });
      continue;
    }
    if (record.prev !== previous) {
      problems.push({
        seq: at,
        problem:
          `entry ${at} does not link to the entry before it: an entry was removed, inserted or rewritten`,
      });
    }
    if (recordHash(record.prev, at, record.commands) !== record.hash) {
      problems.push({
        seq: at,
        problem: `entry ${at} was altered: its content does not match its hash`,
      });
    }
    previous = record.hash;
    for (const { command } of record.commands) {
      executeCommand(state, command, (event) => {
        if (event.type !== "ballot-closed") return;
        decisions++;
        const problem = recount(state, event);
        if (problem) problems.push({ seq: at, problem: `entry ${at}: ${problem}` });
      });
    }
  }
  return { entries: entries.length, headHash: previous, decisions, problems };
}

/** Re-counts a closing from the events before it; says what differs. */
function recount(
  state: ElectionState,
  recorded: BallotClosedEvent,
): string | undefined {
  const ballot = state.ballots.get(recorded.ballot);
  if (!ballot) return `ballot ${recorded.ballot} closes but was never opened`;
  if (ballot.closed) return `ballot ${recorded.ballot} closes a second time`;
  const cause = recorded.cause === "rule" || recorded.cause === "all-voted"
    ? undefined
    : recorded.cause;
  const expected = evaluateBallot(state, recorded.ballot, cause);
  if (!expected) {
    return `ballot ${recorded.ballot} closed (${recorded.cause}) but its votes (${
      describeCounts(ballot.counts)
    }) do not close it`;
  }
  const same = expected.option === recorded.option && expected.cause === recorded.cause &&
    expected.electorate === recorded.electorate &&
    describeCounts(expected.counts) === describeCounts(recorded.counts);
  // A method's own numbers (IRV rounds, points, pairwise counts, blocks) are re-counted too.
  const tally = (event: BallotClosedEvent) => JSON.stringify(event.tally ?? null);
  if (same && tally(expected) === tally(recorded)) return undefined;
  if (same) {
    return `ballot ${recorded.ballot}'s ${
      expected.tally?.method ?? "method"
    } numbers are recorded as ${tally(recorded)}, but its votes give ${tally(expected)}`;
  }
  return `ballot ${recorded.ballot} is recorded as ${
    describeOutcome(recorded)
  }, but its votes give ${describeOutcome(expected)}`;
}

function describeOutcome(event: BallotClosedEvent): string {
  const outcome = event.option === null ? "no decision" : `${event.option}`;
  return `${outcome} (${
    describeCounts(event.counts)
  }; electorate ${event.electorate}; ${event.cause})`;
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts).map(([option, votes]) => `${option} ${votes}`).join(", ");
}
