/**
 * Follows a log in a test until it has seen a number of entries.
 *
 * @module
 */

import type { LogEntry, ReplicatedLog } from "../../lib/store/replicated_log.ts";

/**
 * Follows `log` from `after` until the entry at `last` arrives, then stops.
 *
 * @param log The log.
 * @param after Where to start.
 * @param last The position to wait for.
 * @param timeoutMs Upper bound.
 * @param onStatus Hears the follower's status transitions.
 * @returns Every entry delivered, in delivery order.
 * @throws {Error} After `timeoutMs`, saying how far it got.
 */
export async function collectUntil(
  log: ReplicatedLog,
  after: number,
  last: number,
  timeoutMs: number,
  onStatus?: (status: "connected" | "unavailable") => void,
): Promise<LogEntry[]> {
  const seen: LogEntry[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    await log.follow(after, (entries) => {
      seen.push(...entries);
      if (seen.at(-1)!.position >= last) controller.abort();
    }, { signal: controller.signal, ...(onStatus ? { onStatus } : {}) });
  } finally {
    clearTimeout(timer);
  }
  if ((seen.at(-1)?.position ?? after) < last) {
    throw new Error(
      `Follower saw up to ${seen.at(-1)?.position ?? after} of ${last} within ${timeoutMs} ms`,
    );
  }
  return seen;
}
