/**
 * The {@linkcode ReplicatedLog} of an election kept in etcd (keys in
 * {@linkcode electionKeys}). An append is one transaction that writes every
 * entry and the new head, on condition that the head is still the expected
 * one and nothing is at the next position yet: concurrent appenders are
 * serialised by etcd, and exactly one of them wins each position.
 *
 * @module
 */

import { abortableSleep } from "./abortable_sleep.ts";
import { ClusterUnavailableError } from "./cluster_unavailable_error.ts";
import type { Compare, EtcdClient, KeyValue, TxnOperation } from "./etcd_client.ts";
import { WatchCompactedError } from "./etcd_client.ts";
import { EtcdRequestError } from "./etcd_request_error.ts";
import {
  type ElectionKeys,
  electionKeys,
  formatPosition,
  parsePosition,
  positionKey,
  prefixEnd,
} from "./etcd_keys.ts";
import type { AppendOutcome, LogEntry, ReplicatedLog } from "./replicated_log.ts";

/** Options for {@linkcode EtcdLog}. */
export interface EtcdLogOptions {
  /** The cluster. */
  client: EtcdClient;
  /** The election's name (its keys' prefix). */
  election: string;
  /**
   * Entries per read request.
   * @default {500}
   */
  batchSize?: number;
  /**
   * Most entries in one append: etcd's `--max-txn-ops` (128 by default) less
   * the put of the head.
   * @default {127}
   */
  maxEntriesPerAppend?: number;
  /**
   * Most bytes (keys and UTF-8 payloads) in one append, below etcd's
   * `--max-request-bytes` (1.5 MiB by default) with room for the rest of the request.
   * @default {1000000}
   */
  maxAppendBytes?: number;
}

const encoder = new TextEncoder();
/**
 * UTF-16 units per snapshot part: at most 3 UTF-8 bytes each, so a part stays
 * well below etcd's request limit (1.5 MiB by default).
 */
const SNAPSHOT_PART_UNITS = 256 * 1024;
/** Pause after a failed attempt to follow, doubled up to the last value. */
const FOLLOW_BACKOFF_MS = [100, 200, 500, 1_000, 2_000];

/**
 * An election's log in etcd.
 *
 * @example
 * ```ts ignore
 * import { EtcdClient } from "./etcd_client.ts";
 * import { EtcdLog } from "./etcd_log.ts";
 *
 * const log = new EtcdLog({ client: new EtcdClient({ endpoints: ["http://127.0.0.1:2379"] }), election: "demo" });
 * const outcome = await log.append(['{"type":"joined"}'], 0);
 * console.log(outcome); // { ok: true, head: 1 } the first time, { ok: false, head: 1 } after
 * ```
 */
export class EtcdLog implements ReplicatedLog {
  /** The keys of the election. */
  readonly keys: ElectionKeys;
  readonly #client: EtcdClient;
  /** Most entries in one append. */
  readonly maxEntriesPerAppend: number;
  /** Most bytes in one append (see {@linkcode EtcdLogOptions.maxAppendBytes}). */
  readonly maxAppendBytes: number;
  readonly #batchSize: number;

  /** @param options See {@linkcode EtcdLogOptions}. */
  constructor(options: EtcdLogOptions) {
    this.keys = electionKeys(options.election);
    this.#client = options.client;
    this.#batchSize = options.batchSize ?? 500;
    this.maxEntriesPerAppend = options.maxEntriesPerAppend ?? 127;
    this.maxAppendBytes = options.maxAppendBytes ?? 1_000_000;
  }

  /**
   * Splits a hub's batch into groups that each fit one append, in order.
   *
   * @param payloads The entries.
   * @returns Consecutive groups; an entry too large for any append is alone in its group
   *   (and {@linkcode append} refuses it).
   */
  splitBatch(payloads: readonly string[]): string[][] {
    const groups: string[][] = [];
    let group: string[] = [];
    let bytes = 0;
    for (const payload of payloads) {
      const size = this.#entryBytes(payload);
      if (
        group.length > 0 &&
        (group.length >= this.maxEntriesPerAppend || bytes + size > this.maxAppendBytes)
      ) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(payload);
      bytes += size;
    }
    if (group.length > 0) groups.push(group);
    return groups;
  }

  /** Bytes an entry adds to an append: its key and its payload. */
  #entryBytes(payload: string): number {
    return this.keys.log.length + 16 + encoder.encode(payload).length;
  }

  /**
   * Appends `payloads` at positions `expectedHead + 1` on, in one transaction.
   *
   * An unknown outcome settles as soon as position `expectedHead + 1` is seen
   * (by {@linkcode follow} or {@linkcode read}): if those entries are ours, the
   * append was applied; if not, it never will be, even from a request still in
   * flight, because its compare on the head can no longer hold.
   *
   * @param payloads The entries (JSON text), at least one.
   * @param expectedHead The head the caller knows.
   * @param signal Aborts the call.
   * @returns `ok: true` and the new head, or `ok: false` and the head now when someone else appended first.
   * @throws {ClusterUnavailableError} When the outcome is unknown or etcd could not be reached.
   * @throws {RangeError} When `expectedHead` is beyond the log's head, or the entries do not
   *   fit one transaction (see {@linkcode splitBatch}).
   */
  async append(
    payloads: readonly string[],
    expectedHead: number,
    signal?: AbortSignal,
  ): Promise<AppendOutcome> {
    if (payloads.length === 0) throw new TypeError("Cannot append to the log: no entries");
    if (payloads.length > this.maxEntriesPerAppend) {
      throw new RangeError(
        `Cannot append ${payloads.length} entries in one transaction: at most ${this.maxEntriesPerAppend} (etcd's --max-txn-ops); use splitBatch`,
      );
    }
    const bytes = payloads.reduce((sum, payload) => sum + this.#entryBytes(payload), 0);
    if (bytes > this.maxAppendBytes) {
      throw new RangeError(
        `Cannot append ${bytes} bytes in one transaction: at most ${this.maxAppendBytes} (etcd's --max-request-bytes); use splitBatch`,
      );
    }
    const first = expectedHead + 1;
    const newHead = expectedHead + payloads.length;
    const headIsExpected: Compare = expectedHead === 0
      ? { key: this.keys.head, target: "CREATE", result: "EQUAL", number: 0 }
      : {
        key: this.keys.head,
        target: "VALUE",
        result: "EQUAL",
        value: formatPosition(expectedHead),
      };
    const puts: TxnOperation[] = payloads.map((payload, index) => ({
      put: { key: positionKey(this.keys.log, first + index), value: payload },
    }));
    const result = await this.#client.txn({
      compare: [
        { key: positionKey(this.keys.log, first), target: "CREATE", result: "EQUAL", number: 0 },
        headIsExpected,
      ],
      success: [...puts, { put: { key: this.keys.head, value: formatPosition(newHead) } }],
      failure: [
        { range: { key: this.keys.head } },
        {
          range: {
            key: positionKey(this.keys.log, first),
            rangeEnd: positionKey(this.keys.log, newHead + 1),
          },
        },
      ],
    }, signal);
    if (result.succeeded) return { ok: true, head: newHead };
    const [headRange, entriesRange] = result.responses;
    const headValue = headRange?.type === "range" ? headRange.kvs[0]?.value : undefined;
    const head = headValue === undefined ? 0 : parsePosition(headValue);
    if (head <= expectedHead) {
      throw new RangeError(
        `Cannot append to the log after position ${expectedHead}: its head is ${head}`,
      );
    }
    if (result.afterUncertainAttempt && entriesRange?.type === "range") {
      // An attempt that went unanswered may be the one that wrote these entries:
      // when they are exactly ours, whether someone else wrote them cannot be told.
      const found = entriesRange.kvs.map((kv) => kv.value);
      if (found.length === payloads.length && found.every((value, i) => value === payloads[i])) {
        throw new ClusterUnavailableError(
          `Cannot append to the log at position ${first}: an unanswered attempt may have written it`,
          { outcomeUnknown: true },
        );
      }
    }
    return { ok: false, head };
  }

  /**
   * The position of the last entry (entries compacted away included).
   *
   * @param signal Aborts the call.
   * @returns The head, 0 for an empty log.
   */
  head(signal?: AbortSignal): Promise<number> {
    return this.#readPosition(this.keys.head, 0, signal);
  }

  /**
   * Every entry after `after`, in order.
   *
   * @param after A position (0 for all).
   * @param signal Aborts the call.
   * @returns The entries.
   * @throws {RangeError} When entries after `after` were compacted: start from the latest snapshot.
   */
  async read(after: number, signal?: AbortSignal): Promise<LogEntry[]> {
    return (await this.#readAfter(after, signal)).entries;
  }

  /**
   * Delivers every entry after `after` once, in order: what is stored, then
   * what is appended, across reconnects and endpoint failover.
   *
   * @param after A position (0 for all).
   * @param onEntries Called with consecutive entries; an exception thrown here ends `follow` with it.
   * @param options `signal` ends it; `onStatus` hears "connected" and "unavailable" transitions.
   * @returns Resolves when `signal` aborts.
   * @throws {RangeError} When entries after `after` were compacted.
   */
  async follow(
    after: number,
    onEntries: (entries: LogEntry[]) => void,
    options: {
      signal: AbortSignal;
      onStatus?: (status: "connected" | "unavailable") => void;
    },
  ): Promise<void> {
    const { signal } = options;
    let delivered = after;
    let status: "connected" | "unavailable" | null = null;
    const report = (next: "connected" | "unavailable") => {
      if (next !== status) options.onStatus?.(next);
      status = next;
    };
    const deliver = (entries: LogEntry[]) => {
      const fresh = entries.filter((entry) => entry.position > delivered)
        .sort((a, b) => a.position - b.position);
      if (fresh.length === 0) return;
      if (fresh.some((entry, index) => entry.position !== delivered + 1 + index)) {
        throw new _GapError();
      }
      delivered = fresh.at(-1)!.position;
      onEntries(fresh);
    };
    let failures = 0;
    while (!signal.aborted) {
      try {
        const { entries, revision } = await this.#readAfter(delivered, signal);
        deliver(entries);
        await this.#client.watch(this.keys.log, {
          prefix: true,
          startRevision: revision + 1,
          // Written by every append, in the same revision as its entries.
          probeKey: this.keys.head,
          signal,
          onStatus: (next) => {
            if (next === "connected") failures = 0;
            report(next);
          },
        }, (events) => {
          deliver(
            events.filter((event) => event.type === "PUT").map((event) => toEntry(event.kv)),
          );
        });
      } catch (error) {
        if (signal.aborted) break;
        // Missed entries (never expected), or etcd's history compacted under a
        // watch or a batched read (gRPC code 11, out of range): read again.
        if (
          error instanceof _GapError || error instanceof WatchCompactedError ||
          (error instanceof EtcdRequestError && error.code === 11)
        ) continue;
        if (!(error instanceof ClusterUnavailableError)) throw error;
        report("unavailable");
        await abortableSleep(
          FOLLOW_BACKOFF_MS[Math.min(failures++, FOLLOW_BACKOFF_MS.length - 1)]!,
          signal,
        );
      }
    }
  }

  /**
   * Stores a snapshot of the folded state at `position`: its parts first,
   * then its manifest, so that a snapshot is seen only once it is whole.
   *
   * @param position The last entry folded into it.
   * @param payload The state (JSON text), of any size.
   * @param signal Aborts the call.
   */
  async writeSnapshot(position: number, payload: string, signal?: AbortSignal): Promise<void> {
    const parts = splitText(payload, SNAPSHOT_PART_UNITS);
    const partsKey = positionKey(this.keys.snapshotParts, position) + "/";
    for (const [index, part] of parts.entries()) {
      await this.#client.put(partsKey + formatPosition(index), part, {}, signal);
    }
    const manifest = JSON.stringify({ parts: parts.length });
    await this.#client.put(positionKey(this.keys.snapshots, position), manifest, {}, signal);
  }

  /**
   * The newest whole snapshot.
   *
   * @param signal Aborts the call.
   * @returns Its position and payload, or null when there is none.
   */
  latestSnapshot(
    signal?: AbortSignal,
  ): Promise<{ position: number; payload: string } | null> {
    return this.#snapshot("DESCEND", signal);
  }

  /**
   * The oldest snapshot kept: where a compacted log's entries start from
   * (what `consensus audit` checks them against).
   *
   * @param signal Aborts the call.
   * @returns Its position and payload, or null when there is none.
   */
  earliestSnapshot(
    signal?: AbortSignal,
  ): Promise<{ position: number; payload: string } | null> {
    return this.#snapshot("ASCEND", signal);
  }

  async #snapshot(
    order: "ASCEND" | "DESCEND",
    signal?: AbortSignal,
  ): Promise<{ position: number; payload: string } | null> {
    const manifests = await this.#client.range(this.keys.snapshots, {
      prefix: true,
      sortTarget: "KEY",
      sortOrder: order,
      limit: 1,
    }, signal);
    const found = manifests.kvs[0];
    if (found === undefined) return null;
    const position = parsePosition(found.key);
    const { parts } = JSON.parse(found.value) as { parts: number };
    const payload: string[] = [];
    // Read at the manifest's revision: a compaction meanwhile cannot take parts away.
    const partsKey = positionKey(this.keys.snapshotParts, position) + "/";
    let next = partsKey;
    while (payload.length < parts) {
      const batch = await this.#client.range(next, {
        rangeEnd: prefixEnd(partsKey),
        revision: manifests.revision,
        limit: 8,
      }, signal);
      if (batch.kvs.length === 0) break;
      payload.push(...batch.kvs.map((kv) => kv.value));
      next = batch.kvs.at(-1)!.key + "\0";
    }
    if (payload.length !== parts) {
      throw new Error(
        `Cannot read the snapshot at position ${position}: ${payload.length} of ${parts} parts found`,
      );
    }
    return { position, payload: payload.join("") };
  }

  /**
   * Deletes every entry at or before `position`, and the snapshots before it,
   * in one transaction that holds only if a snapshot at `position` exists.
   *
   * @param position A snapshotted position.
   * @param signal Aborts the call.
   * @throws {RangeError} When there is no snapshot at `position`.
   */
  async compact(position: number, signal?: AbortSignal): Promise<void> {
    if (position <= await this.#compacted(0, signal)) return;
    const snapshot = positionKey(this.keys.snapshots, position);
    const result = await this.#client.txn({
      compare: [{ key: snapshot, target: "CREATE", result: "GREATER", number: 0 }],
      success: [
        {
          deleteRange: {
            key: positionKey(this.keys.log, 0),
            rangeEnd: positionKey(this.keys.log, position + 1),
          },
        },
        { deleteRange: { key: positionKey(this.keys.snapshots, 0), rangeEnd: snapshot } },
        {
          deleteRange: {
            key: positionKey(this.keys.snapshotParts, 0),
            rangeEnd: positionKey(this.keys.snapshotParts, position),
          },
        },
        { put: { key: this.keys.compacted, value: formatPosition(position) } },
      ],
    }, signal);
    if (!result.succeeded) {
      throw new RangeError(`Cannot compact the log up to position ${position}: no snapshot there`);
    }
  }

  /** The position up to which entries were compacted, read at `revision` (0 = now). */
  #compacted(revision: number, signal?: AbortSignal): Promise<number> {
    return this.#readPosition(this.keys.compacted, revision, signal);
  }

  /** A stored position (head, compacted), 0 when absent. */
  async #readPosition(key: string, revision: number, signal?: AbortSignal): Promise<number> {
    const { kvs } = await this.#client.range(key, { revision }, signal);
    return kvs[0] === undefined ? 0 : parsePosition(kvs[0].value);
  }

  /** Entries after `after`, every batch read at one revision, which is returned. */
  async #readAfter(
    after: number,
    signal?: AbortSignal,
  ): Promise<{ entries: LogEntry[]; revision: number }> {
    const entries: LogEntry[] = [];
    let revision = 0;
    let next = after + 1;
    while (true) {
      const batch = await this.#client.range(positionKey(this.keys.log, next), {
        rangeEnd: prefixEnd(this.keys.log),
        limit: this.#batchSize,
        revision,
      }, signal);
      if (revision === 0) {
        revision = batch.revision;
        const compacted = await this.#compacted(revision, signal);
        if (after < compacted) {
          throw new RangeError(
            `Cannot read the log after position ${after}: entries up to ${compacted} were compacted; start from the latest snapshot`,
          );
        }
      }
      for (const kv of batch.kvs) {
        const entry = toEntry(kv);
        if (entry.position !== next) {
          throw new Error(`Cannot read the log: position ${next} is missing`);
        }
        entries.push(entry);
        next++;
      }
      if (!batch.more) return { entries, revision };
    }
  }
}

/** The watch saw an entry beyond the next expected one. */
class _GapError extends Error {}

/**
 * Cuts text into parts of at most `units` UTF-16 units, never between the two
 * halves of a surrogate pair (each part is encoded to UTF-8 on its own).
 */
function splitText(text: string, units: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length || parts.length === 0) {
    let end = Math.min(start + units, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

function toEntry(kv: KeyValue): LogEntry {
  return { position: parsePosition(kv.key), payload: kv.value };
}
