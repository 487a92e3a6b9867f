/**
 * What an entry of an election's replicated log holds: a command, the hub it
 * came through, and its link in the log's hash chain (as a journal's entries
 * are linked), so that `consensus audit` can tell an altered log.
 *
 * @module
 */

import type { Command } from "../election/commands.ts";
import { entryHash } from "./hash_chain.ts";

/** What one entry of the log holds. */
export interface LogRecord {
  /** The hub that appended it. */
  hub: string;
  /** That hub's number for it: how the hub finds the node waiting for it. */
  seq: number;
  /** The command. */
  command: Command;
  /** Hash of the entry before (64 zeros for the first): the log is a hash chain, like a journal. */
  prev: string;
  /** Hash of this entry: of `prev`, its position, its time and its command. */
  hash: string;
}

/**
 * Builds the payload of a log entry, chained to the one before.
 *
 * @param origin The hub and its number for the command.
 * @param command The command.
 * @param position Where it goes in the log.
 * @param prev Hash of the entry before.
 * @returns The record.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * import { GENESIS_HASH } from "./hash_chain.ts";
 * const record = chainRecord({ hub: "h1", seq: 1 }, { type: "end", at: 0 }, 1, GENESIS_HASH);
 * assertEquals(record.hash.length, 64);
 * ```
 */
export function chainRecord(
  origin: { hub: string; seq: number },
  command: Command,
  position: number,
  prev: string,
): LogRecord {
  const hash = entryHash(prev, position, command.at, JSON.stringify(command));
  return { hub: origin.hub, seq: origin.seq, command, prev, hash };
}
