/**
 * What an entry of an election's replicated log holds: a command, the hub it
 * came through, and its link in the log's hash chain (as a journal's entries
 * are linked), so that `consensus audit` can tell an altered log.
 *
 * @module
 */

import type { Command } from "../election/commands.ts";
import { decodeState, encodeState } from "../election/snapshot.ts";
import type { ElectionState } from "../election/state.ts";
import { entryHash } from "./hash_chain.ts";

/** One command in an entry, with the number its hub gave it. */
export interface LoggedCommand {
  /** The hub's number for it: how the hub finds the node waiting for it. */
  seq: number;
  /** The command. */
  command: Command;
}

/**
 * What one entry of the log holds: the commands one hub put in one append
 * (everything its nodes asked in one turn), and the entry's link in the
 * log's hash chain.
 */
export interface LogRecord {
  /** The hub that appended it. */
  hub: string;
  /** The commands, in the order they are applied. */
  commands: LoggedCommand[];
  /** Hash of the entry before (64 zeros for the first): the log is a hash chain, like a journal. */
  prev: string;
  /** Hash of this entry: of `prev`, its position, its first command's time and its commands. */
  hash: string;
}

/**
 * Builds a log entry's payload, chained to the one before. Each command
 * comes already as JSON text, written once when it was asked: a busy hub
 * puts thousands in one entry, and the hash covers the same text the payload
 * holds.
 *
 * @param hub The hub that appends it.
 * @param commands The commands (JSON text each) with the hub's numbers and times.
 * @param position Where it goes in the log.
 * @param prev Hash of the entry before.
 * @returns The payload (JSON text of a {@linkcode LogRecord}) and its hash.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { GENESIS_HASH } from "./hash_chain.ts";
 * const command = JSON.stringify({ type: "end", at: 0 });
 * const { payload, hash } = encodeRecord("h1", [{ seq: 1, at: 0, json: command }], 1, GENESIS_HASH);
 * assertEquals(JSON.parse(payload).hash, hash);
 * ```
 */
export function encodeRecord(
  hub: string,
  commands: readonly { seq: number; at: number; json: string }[],
  position: number,
  prev: string,
): { payload: string; hash: string } {
  // The same text JSON.stringify gives for the `commands` array of a LogRecord.
  const list = `[${commands.map(({ seq, json }) => `{"seq":${seq},"command":${json}}`).join(",")}]`;
  const hash = entryHash(prev, position, commands[0]?.at ?? 0, list);
  const payload = `{"hub":${
    JSON.stringify(hub)
  },"commands":${list},"prev":"${prev}","hash":"${hash}"}`;
  return { payload, hash };
}

/**
 * The hash an entry should have, from its content as read back.
 *
 * @param prev Hash of the entry before.
 * @param position Its position.
 * @param commands Its commands.
 * @returns The hash, hex.
 */
export function recordHash(prev: string, position: number, commands: LoggedCommand[]): string {
  return entryHash(prev, position, commands[0]?.command.at ?? 0, JSON.stringify(commands));
}

/** A snapshot of an election's log: the folded state at a position, and that entry's hash. */
export interface LogSnapshot {
  /** The last entry folded into it. */
  position: number;
  /** That entry's hash: the next entry links to it. */
  hash: string;
  /** The state, as the fold left it. */
  state: ElectionState;
}

/**
 * Writes a snapshot's payload.
 *
 * @param state The state at the snapshot's position.
 * @param hash The hash of the entry at that position.
 * @returns The payload (JSON text).
 */
export function encodeSnapshot(state: ElectionState, hash: string): string {
  return JSON.stringify({ hash, state: encodeState(state) });
}

/**
 * Reads a snapshot's payload.
 *
 * @param position Where it was taken.
 * @param payload What {@linkcode encodeSnapshot} wrote.
 * @returns The snapshot.
 * @throws {SyntaxError} When the payload is not a snapshot.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { createElectionState } from "../election/state.ts";
 * const text = encodeSnapshot(createElectionState(), "ab");
 * assertEquals(decodeSnapshot(7, text).hash, "ab");
 * ```
 */
export function decodeSnapshot(position: number, payload: string): LogSnapshot {
  const parsed = JSON.parse(payload) as { hash?: unknown; state?: unknown };
  if (typeof parsed.hash !== "string" || typeof parsed.state !== "string") {
    throw new SyntaxError(`Cannot read the snapshot at position ${position}`);
  }
  return { position, hash: parsed.hash, state: decodeState(parsed.state) };
}
