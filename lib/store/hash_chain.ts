/**
 * The hash chain of the journal: each entry's hash covers its content and
 * the previous entry's hash, so a changed, removed or inserted entry breaks
 * every hash after it, and `consensus audit` can name the first one.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** The `prev` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * Computes an entry's hash.
 *
 * @param prev Hash of the entry before.
 * @param seq The entry's position.
 * @param at When it was recorded.
 * @param event The event as stored (JSON text).
 * @returns SHA-256, hex.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const first = entryHash(GENESIS_HASH, 1, 0, '{"type":"left","node":1,"reason":"exit"}');
 * assertEquals(first.length, 64);
 * ```
 */
export function entryHash(prev: string, seq: number, at: number, event: string): string {
  return createHash("sha256").update(`${prev}\n${seq}\n${at}\n${event}`).digest("hex");
}
