/**
 * Where an election keeps its data in etcd: everything under
 * `consensus/<election>/`, so that several elections share one cluster.
 *
 * ```
 * consensus/<election>/log/<position, 16 digits>   one log entry
 * consensus/<election>/head                         position of the last entry
 * consensus/<election>/snapshot/<position>          a snapshot's manifest (number of parts)
 * consensus/<election>/snapshot-part/<position>/<n> part n of its folded state
 * consensus/<election>/compacted                    entries up to here are deleted
 * consensus/<election>/terms                        the election's terms
 * consensus/<election>/hubs/<hub id>                a live hub's address (under its lease)
 * ```
 *
 * Positions are zero-padded so that key order is position order.
 *
 * @module
 */

/** Digits of a position in a key. */
const POSITION_DIGITS = 16;
const ELECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HUB_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The keys of one election. */
export interface ElectionKeys {
  /** Prefix of every log entry. */
  readonly log: string;
  /** Position of the last entry. */
  readonly head: string;
  /** Prefix of every snapshot's manifest. */
  readonly snapshots: string;
  /** Prefix of the parts of every snapshot. */
  readonly snapshotParts: string;
  /** Position up to which entries were deleted. */
  readonly compacted: string;
  /** The terms. */
  readonly terms: string;
  /** Prefix of the live hubs. */
  readonly hubs: string;
}

/**
 * The keys of an election.
 *
 * @example
 * ```ts
 * import { electionKeys, positionKey } from "./etcd_keys.ts";
 * const keys = electionKeys("board-2026");
 * console.assert(positionKey(keys.log, 7) === "consensus/board-2026/log/0000000000000007");
 * ```
 *
 * @param election Its name: letters, digits, `.`, `_`, `-`, at most 64.
 * @returns Its keys.
 * @throws {TypeError} For another name (a `/` would reach into another election's keys).
 */
export function electionKeys(election: string): ElectionKeys {
  if (!ELECTION_NAME.test(election)) {
    throw new TypeError(
      `Cannot use election name "${election}": use 1 to 64 letters, digits, ".", "_" or "-"`,
    );
  }
  const root = `consensus/${election}/`;
  return {
    log: `${root}log/`,
    head: `${root}head`,
    snapshots: `${root}snapshot/`,
    snapshotParts: `${root}snapshot-part/`,
    compacted: `${root}compacted`,
    terms: `${root}terms`,
    hubs: `${root}hubs/`,
  };
}

/**
 * The key of a live hub.
 *
 * @param keys The election's keys.
 * @param hubId The hub: letters, digits, `.`, `_`, `:`, `-`, at most 128.
 * @returns The key.
 * @throws {TypeError} For another id.
 */
export function hubKey(keys: ElectionKeys, hubId: string): string {
  if (!HUB_ID.test(hubId)) {
    throw new TypeError(
      `Cannot use hub id "${hubId}": use 1 to 128 letters, digits, ".", "_", ":" or "-"`,
    );
  }
  return keys.hubs + hubId;
}

/**
 * The key of a position under a prefix.
 *
 * @param prefix `log`, `snapshots` or `snapshotParts` of {@linkcode ElectionKeys}.
 * @param position From 0.
 * @returns The key.
 */
export function positionKey(prefix: string, position: number): string {
  return prefix + formatPosition(position);
}

/**
 * A position as stored (in keys and in the head and compacted values).
 *
 * @param position From 0.
 * @returns Its 16 digits.
 * @throws {RangeError} When it is not a non-negative safe integer.
 */
export function formatPosition(position: number): string {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`Cannot use log position ${position}`);
  }
  return String(position).padStart(POSITION_DIGITS, "0");
}

/**
 * Reads a position back from a key or a stored value.
 *
 * @param text A key ending in a position, or a stored position.
 * @returns The position.
 * @throws {SyntaxError} When it does not end in one.
 */
export function parsePosition(text: string): number {
  const digits = text.slice(-POSITION_DIGITS);
  if (!/^\d{16}$/.test(digits)) throw new SyntaxError(`Cannot read a log position in "${text}"`);
  return Number(digits);
}

/**
 * The end of the key range of a prefix of ours (ASCII, ending in `/`).
 *
 * @param prefix E.g. `log` of {@linkcode ElectionKeys}.
 * @returns The first key after every key under it.
 */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
