/**
 * An ordered log shared by several hubs: the single source of truth of an
 * election in cluster mode. Appends are conditional on the head, so that
 * concurrent appenders are serialised by the log itself.
 *
 * @module
 */

/** One entry of an ordered log: its 1-based position and its payload (JSON text). */
export interface LogEntry {
  readonly position: number;
  readonly payload: string;
}

/** Outcome of an append at an expected head. */
export type AppendOutcome = { readonly ok: true; readonly head: number } | {
  readonly ok: false;
  readonly head: number;
}; // conflict: someone else appended first; head = what we know of the head now (>= expected+1)

/** An ordered, replicated log with snapshots. */
export interface ReplicatedLog {
  /** Appends `payloads` as positions expectedHead+1.. in ONE transaction, only if nothing is at
   * expectedHead+1 yet. Throws ClusterUnavailableError when the outcome is unknown (timeout,
   * quorum lost): the caller learns the outcome by following the log. */
  append(
    payloads: readonly string[],
    expectedHead: number,
    signal?: AbortSignal,
  ): Promise<AppendOutcome>;
  /** Entries after `after`, in order (bounded batches internally). */
  read(after: number, signal?: AbortSignal): Promise<LogEntry[]>;
  /** Calls `onEntries` with every entry after `after`, in order, each exactly once, across
   * reconnects and endpoint failover, until `signal` aborts. `onStatus` reports
   * "connected" | "unavailable" transitions. */
  follow(
    after: number,
    onEntries: (entries: LogEntry[]) => void,
    options: {
      signal: AbortSignal;
      onStatus?: (status: "connected" | "unavailable") => void;
    },
  ): Promise<void>;
  /** Stores a snapshot (opaque JSON text) taken at `position`; `latestSnapshot` returns the newest.
   * `compact(position)` deletes log entries at or before a snapshotted position. */
  writeSnapshot(position: number, payload: string, signal?: AbortSignal): Promise<void>;
  latestSnapshot(signal?: AbortSignal): Promise<{ position: number; payload: string } | null>;
  /** The position of the last entry now (a read barrier: a hub that has applied it is current). */
  head(signal?: AbortSignal): Promise<number>;
  compact(position: number, signal?: AbortSignal): Promise<void>;
}
