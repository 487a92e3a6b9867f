/**
 * A hub's link to an election's replicated log, when several hubs serve one
 * election. Commands from this hub's nodes are batched (everything asked in
 * one turn goes in one append, conditioned on the log's head), and every
 * entry of the log, this hub's and the others', is applied in log order by
 * the same pure step. A command's outcome reaches the node that asked only
 * once its entry is applied here, so it is the outcome every hub computed.
 *
 * @module
 */

import type { Command, Outcome } from "../election/commands.ts";
import { ClusterUnavailableError } from "../store/cluster_unavailable_error.ts";
import { GENESIS_HASH } from "../store/hash_chain.ts";
import { encodeRecord, type LogRecord } from "../store/log_record.ts";
import type { LogEntry, ReplicatedLog } from "../store/replicated_log.ts";

/** Options for {@linkcode ClusterLink}. */
export interface ClusterLinkOptions {
  /** The election's log. */
  log: ReplicatedLog;
  /** This hub's name, unique among the election's hubs. */
  hubId: string;
  /** Applies one committed command (this hub's or another's), returning its outcome. */
  apply: (command: Command, origin: { hub: string; seq: number }, waiting: unknown) => Outcome;
  /**
   * Bound of one append, in milliseconds.
   * @default {5000}
   */
  appendTimeoutMs?: number;
  /**
   * How long a node waits for its command's outcome before it is told the
   * cluster is unavailable, in milliseconds.
   * @default {8000}
   */
  replyTimeoutMs?: number;
  /** Told when the link loses or regains the log. */
  onStatus?: (status: "connected" | "unavailable") => void;
  /** Told after each entry is applied, with its position and hash (for snapshots). */
  onApplied?: (position: number, hash: string) => void;
}

/**
 * Most of a turn's commands in one entry: etcd takes at most 1.5 MiB per
 * transaction, and a command is at most about a line (8 KB).
 */
const MAX_BATCH_CHARS = 900_000;

/** The oldest queued commands that fit in one entry (at least one). */
function takeBatch(queue: readonly Waiting[]): Waiting[] {
  let chars = 0;
  let count = 0;
  while (count < queue.length) {
    chars += queue[count]!.json.length + 32;
    if (count > 0 && chars > MAX_BATCH_CHARS) break;
    count++;
  }
  return queue.slice(0, count);
}

interface Waiting {
  origin: { hub: string; seq: number };
  command: Command;
  /** The command as JSON, written once. */
  json: string;
  /** Whatever the hub needs to reply (its actor). */
  context: unknown;
  resolve(outcome: Outcome): void;
  reject(error: Error): void;
  /** Appended (or possibly appended): it must not be appended again. */
  sent: boolean;
}

/** See the module documentation. */
export class ClusterLink {
  readonly #log: ReplicatedLog;
  readonly #hubId: string;
  readonly #apply: ClusterLinkOptions["apply"];
  readonly #appendTimeoutMs: number;
  readonly #replyTimeoutMs: number;
  readonly #onStatus: ClusterLinkOptions["onStatus"];
  readonly #onApplied: ClusterLinkOptions["onApplied"];
  readonly #waiting = new Map<number, Waiting>();
  readonly #abort = new AbortController();
  #queue: Waiting[] = [];
  #head = 0;
  #headHash = GENESIS_HASH;
  #seq = 0;
  #appending = false;
  #available = true;
  #ready: Promise<unknown> = Promise.resolve();

  /** @param options See {@linkcode ClusterLinkOptions}. */
  constructor(options: ClusterLinkOptions) {
    this.#log = options.log;
    this.#hubId = options.hubId;
    this.#apply = options.apply;
    this.#appendTimeoutMs = options.appendTimeoutMs ?? 5_000;
    this.#replyTimeoutMs = options.replyTimeoutMs ?? 8_000;
    this.#onStatus = options.onStatus;
    this.#onApplied = options.onApplied;
  }

  /** The last position applied. */
  get head(): number {
    return this.#head;
  }

  /** Whether the log answered the last time it was asked. */
  get available(): boolean {
    return this.#available;
  }

  /**
   * Applies entries read before the hub started (its catch-up), then follows
   * the log for good.
   *
   * @param backlog Entries from the start of the log (or after a snapshot), in order.
   * @param from Where the backlog starts: the snapshot's position and the
   * hash of its last entry (the start of the log by default).
   */
  start(
    backlog: readonly LogEntry[],
    from: { position: number; hash: string } = { position: 0, hash: GENESIS_HASH },
  ): void {
    this.#head = from.position;
    this.#headHash = from.hash;
    this.#applyEntries(backlog);
    this.#log.follow(this.#head, (entries) => this.#applyEntries(entries), {
      signal: this.#abort.signal,
      onStatus: (status) => this.#setAvailable(status === "connected"),
    }).catch(() => this.#setAvailable(false));
  }

  /**
   * Puts a command in the log and resolves with its outcome once applied.
   *
   * @param command The command.
   * @param context Handed back to `apply` with this hub's own entry.
   * @returns Its outcome, as every hub computes it.
   * @throws {ClusterUnavailableError} When the log cannot be reached, or no
   * outcome came in time (the command may still be applied).
   */
  order(command: Command, context?: unknown): Promise<Outcome> {
    if (!this.#available) {
      return Promise.reject(
        new ClusterUnavailableError("Cannot record: the cluster has no quorum", {
          outcomeUnknown: false,
        }),
      );
    }
    const origin = { hub: this.#hubId, seq: ++this.#seq };
    const { promise, resolve, reject } = Promise.withResolvers<Outcome>();
    const waiting: Waiting = {
      origin,
      command,
      json: JSON.stringify(command),
      context,
      resolve,
      reject,
      sent: false,
    };
    this.#waiting.set(origin.seq, waiting);
    this.#queue.push(waiting);
    const timer = setTimeout(() => {
      if (!this.#waiting.delete(origin.seq)) return;
      this.#queue = this.#queue.filter((entry) => entry !== waiting);
      reject(
        new ClusterUnavailableError("Cannot confirm: the cluster did not answer in time", {
          outcomeUnknown: waiting.sent,
        }),
      );
    }, this.#replyTimeoutMs);
    promise.finally(() => clearTimeout(timer)).catch(() => {});
    if (!this.#appending) queueMicrotask(() => this.#appendLoop().catch(() => {}));
    return promise;
  }

  /**
   * Resolves once this hub has applied everything the log held when it was
   * called: a read answered after it sees every write acknowledged before it,
   * whichever hub took the write.
   *
   * @param timeoutMs Bound of the wait.
   * @throws {Error} When the log cannot be reached in time (the caller may
   * answer from what it has).
   */
  async caughtUp(timeoutMs = 2_000): Promise<void> {
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#abort.signal]);
    const head = await this.#log.head(signal);
    while (this.#head < head) {
      const entries = await this.#log.read(this.#head, signal);
      if (entries.length === 0) break;
      this.#applyEntries(entries);
    }
  }

  /**
   * Appends nothing until `ready` settles (the hub's presence is known to
   * the others); commands wait meanwhile.
   *
   * @param ready Settles when appends may go.
   */
  holdUntil(ready: Promise<unknown>): void {
    this.#ready = ready.catch(() => {});
  }

  /** Stops following; waiting commands are told the hub is stopping. */
  stop(): void {
    this.#abort.abort();
    for (const waiting of this.#waiting.values()) {
      waiting.reject(
        new ClusterUnavailableError("Cannot confirm: the hub is stopping", {
          outcomeUnknown: waiting.sent,
        }),
      );
    }
    this.#waiting.clear();
    this.#queue = [];
  }

  async #appendLoop(): Promise<void> {
    if (this.#appending) return;
    this.#appending = true;
    try {
      await this.#ready;
      while (this.#queue.length > 0 && !this.#abort.signal.aborted) {
        const batch = takeBatch(this.#queue);
        const expected = this.#head;
        // One entry for the whole turn, chained from the head this hub knows:
        // a conflict rebuilds it on the new head.
        const record = encodeRecord(
          this.#hubId,
          batch.map((waiting) => ({
            seq: waiting.origin.seq,
            at: waiting.command.at,
            json: waiting.json,
          })),
          expected + 1,
          this.#headHash,
        );
        const inBatch = new Set(batch);
        for (const waiting of batch) waiting.sent = true;
        try {
          const outcome = await this.#log.append(
            [record.payload],
            expected,
            AbortSignal.any([AbortSignal.timeout(this.#appendTimeoutMs), this.#abort.signal]),
          );
          this.#setAvailable(true);
          if (outcome.ok) {
            this.#queue = this.#queue.filter((waiting) => !inBatch.has(waiting));
            // The append held only on the head this hub had applied: the new
            // entry is exactly ours, applied now without reading it back.
            if (this.#head === expected) {
              this.#applyRecord(expected + 1, {
                hub: this.#hubId,
                commands: batch.map(({ origin, command }) => ({ seq: origin.seq, command })),
                prev: this.#headHash,
                hash: record.hash,
              });
            }
            if (this.#head < outcome.head) await this.#catchUp();
          } else {
            // Another hub appended first: learn what it did, then try again on the new head.
            for (const waiting of batch) waiting.sent = false;
            await this.#catchUp();
          }
        } catch (thrown) {
          // A bounded call that ran out of time says as much as etcd saying so.
          const error = thrown instanceof ClusterUnavailableError
            ? thrown
            : new ClusterUnavailableError("Cannot append to the log", {
              outcomeUnknown: true,
              cause: thrown,
            });
          this.#setAvailable(false);
          // The outcome is unknown: these commands are never appended again
          // (a second copy could admit a node twice); the log will tell.
          this.#queue = this.#queue.filter((waiting) => !inBatch.has(waiting));
          for (const waiting of batch) {
            if (!error.outcomeUnknown) {
              this.#waiting.delete(waiting.origin.seq);
              waiting.reject(error);
            }
          }
          await this.#pause(500);
          await this.#catchUp().catch(() => {});
        }
      }
    } finally {
      this.#appending = false;
    }
  }

  async #catchUp(): Promise<void> {
    const entries = await this.#log.read(
      this.#head,
      AbortSignal.any([AbortSignal.timeout(this.#appendTimeoutMs), this.#abort.signal]),
    );
    this.#applyEntries(entries);
  }

  #applyEntries(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.position <= this.#head) continue;
      if (entry.position !== this.#head + 1) {
        // A gap: the follower will deliver the missing entries first.
        break;
      }
      this.#applyRecord(entry.position, JSON.parse(entry.payload) as LogRecord);
    }
  }

  /** Applies the entry that comes next, command by command, and answers this hub's own. */
  #applyRecord(position: number, record: LogRecord): void {
    this.#head = position;
    this.#headHash = record.hash;
    for (const { seq, command } of record.commands) {
      const mine = record.hub === this.#hubId ? this.#waiting.get(seq) : undefined;
      if (mine) this.#waiting.delete(seq);
      const outcome = this.#apply(command, { hub: record.hub, seq }, mine?.context);
      mine?.resolve(outcome);
    }
    this.#onApplied?.(position, record.hash);
  }

  #setAvailable(available: boolean): void {
    if (available === this.#available) return;
    this.#available = available;
    this.#onStatus?.(available ? "connected" : "unavailable");
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#abort.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}
