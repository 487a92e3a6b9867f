/**
 * What the operator is told when the hub runs out of file descriptors: every
 * node is one, Deno cannot raise its own limit, and a system whose default
 * is 1,024 would otherwise stall at about a thousand nodes without a word.
 *
 * @module
 */

/** Descriptors the hub needs besides its nodes: listeners, journal, board, discovery, stdio. */
export const FILES_BESIDES_NODES = 64;

/**
 * Whether an accept failed because the process may open no more files (EMFILE) or the system
 * none at all (ENFILE).
 *
 * @param error What `accept` threw.
 * @returns Whether it is the open-file limit.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(isFileLimitError(new Error("Too many open files (os error 24)")), true);
 * strictEqual(isFileLimitError(new Error("Connection reset by peer (os error 104)")), false);
 * ```
 */
export function isFileLimitError(error: unknown): boolean {
  return error instanceof Error && /os error (24|23)\b|too many open files/iu.test(error.message);
}

/**
 * The warning for an operator whose hub could not take a connection for lack of descriptors.
 *
 * @param connected Connections open when it happened.
 * @param maxConnections The hub's `--max-connections`.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(
 *   fileLimitWarning(960, 20_000),
 *   "Cannot take more connections: the process may open no more files (ulimit -n) with 960 " +
 *     "connected; newcomers wait until some leave. For up to 20000 (--max-connections), start " +
 *     "the hub after ulimit -n 20064 (or more)",
 * );
 * ```
 */
export function fileLimitWarning(connected: number, maxConnections: number): string {
  return `Cannot take more connections: the process may open no more files (ulimit -n) with ` +
    `${connected} connected; newcomers wait until some leave. For up to ${maxConnections} ` +
    `(--max-connections), start the hub after ulimit -n ${maxConnections + FILES_BESIDES_NODES} ` +
    `(or more)`;
}
