/**
 * A small client of etcd's v3 JSON gateway over `fetch`: range, put, txn,
 * delete, leases and a streaming watch, over several endpoints tried in turn.
 *
 * Every call is bounded by {@linkcode EtcdClientOptions.timeoutMs} (etcd itself
 * answers only after 7-17 s when quorum is lost) and each endpoint by
 * {@linkcode EtcdClientOptions.attemptTimeoutMs}, so a frozen member costs one
 * attempt, not the call. A call that runs out of time or endpoints throws
 * {@linkcode ClusterUnavailableError}; for a write that may have reached a
 * member, its `outcomeUnknown` is true.
 *
 * @module
 */

import { abortableSleep } from "./abortable_sleep.ts";
import { ClusterUnavailableError } from "./cluster_unavailable_error.ts";
import {
  decodeText,
  encodeText,
  int64ToBigInt,
  int64ToNumber,
  prefixRangeEnd,
} from "./etcd_codec.ts";
import { EtcdRequestError } from "./etcd_request_error.ts";

/** Options for {@linkcode EtcdClient}. */
export interface EtcdClientOptions {
  /** Client URLs of the members, e.g. `http://127.0.0.1:2379`, tried in this order. */
  endpoints: readonly string[];
  /**
   * Upper bound of one call, every endpoint and retry included.
   * @default {5000}
   */
  timeoutMs?: number;
  /**
   * Upper bound of one attempt on one endpoint.
   * @default {2000}
   */
  attemptTimeoutMs?: number;
}

/** One key as stored. */
export interface KeyValue {
  /** The key. */
  readonly key: string;
  /** Its value. */
  readonly value: string;
  /** Revision of the write that created it. */
  readonly createRevision: number;
  /** Revision of the last write to it. */
  readonly modRevision: number;
  /** Number of writes since it was created. */
  readonly version: number;
  /** Its lease, 0n when none. */
  readonly lease: bigint;
}

/** Which keys a range, delete or watch covers: one key, a prefix, or `[key, rangeEnd)`. */
export interface KeyRange {
  /** Every key starting with `key`. */
  prefix?: boolean;
  /** The end of the range (exclusive); ignored when `prefix` is set. */
  rangeEnd?: string;
}

/** Options of {@linkcode EtcdClient.range}. */
export interface RangeOptions extends KeyRange {
  /** At most this many keys (0 = no limit). */
  limit?: number;
  /** Read as of this revision (0 = now). */
  revision?: number;
  /** Sort order; etcd's default is by key, ascending. */
  sortOrder?: "ASCEND" | "DESCEND";
  /** What to sort by. */
  sortTarget?: "KEY" | "VERSION" | "CREATE" | "MOD" | "VALUE";
  /** Keys without values. */
  keysOnly?: boolean;
}

/** Answer of a range. */
export interface RangeResult {
  /** The keys found. */
  readonly kvs: readonly KeyValue[];
  /** Whether more keys than `limit` matched. */
  readonly more: boolean;
  /** How many keys matched in all. */
  readonly count: number;
  /** Revision of the store the answer was read at. */
  readonly revision: number;
}

/** A condition of a transaction. */
export type Compare =
  | {
    readonly key: string;
    readonly target: "CREATE" | "MOD" | "VERSION";
    readonly result: "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL";
    /** create_revision, mod_revision or version to compare with (0 = the key is absent). */
    readonly number: number;
  }
  | {
    readonly key: string;
    readonly target: "VALUE";
    readonly result: "EQUAL" | "GREATER" | "LESS" | "NOT_EQUAL";
    /** Value to compare with (byte order). */
    readonly value: string;
  };

/** An operation of a transaction branch. */
export type TxnOperation =
  | { readonly put: { readonly key: string; readonly value: string; readonly lease?: bigint } }
  | { readonly range: { readonly key: string } & RangeOptions }
  | { readonly deleteRange: { readonly key: string } & KeyRange };

/** Result of one operation of the branch that ran. */
export type TxnOperationResult =
  | ({ readonly type: "range" } & Omit<RangeResult, "revision">)
  | { readonly type: "put" }
  | { readonly type: "deleteRange"; readonly deleted: number };

/** Answer of a transaction. */
export interface TxnResult {
  /** Whether every compare held (the success branch ran). */
  readonly succeeded: boolean;
  /** Revision after the transaction. */
  readonly revision: number;
  /** Results of the operations of the branch that ran, in order. */
  readonly responses: readonly TxnOperationResult[];
  /**
   * Whether an earlier attempt of this same call reached a member without an
   * answer (and so may have been applied before this one ran).
   */
  readonly afterUncertainAttempt: boolean;
}

/** A change seen by a watch. */
export interface WatchEvent {
  /** A put or a delete. */
  readonly type: "PUT" | "DELETE";
  /** The key after the change (for a delete: key and mod revision only). */
  readonly kv: KeyValue;
}

/** Options of {@linkcode EtcdClient.watch}. */
export interface WatchOptions extends KeyRange {
  /** First revision to deliver (history from there on, then live changes). */
  startRevision: number;
  /** Ends the watch. */
  signal: AbortSignal;
  /** Connection transitions: "unavailable" once every endpoint failed in a row. */
  onStatus?: (status: "connected" | "unavailable") => void;
  /**
   * How long the watch may stay behind what another member already has
   * before it is moved to the next endpoint (a frozen member stalls silently).
   * @default {2000}
   */
  lagMs?: number;
  /**
   * A single key written in the same transaction as every change the watch
   * must see (a log's head): the lag probe reads its mod revision, one key,
   * instead of sorting the whole watched range, which etcd does in full.
   */
  probeKey?: string;
  /**
   * How often the lag is probed.
   * @default {500}
   */
  probeIntervalMs?: number;
}

/** The watch's start revision was compacted away by etcd: read the current state again. */
export class WatchCompactedError extends Error {
  override readonly name = "WatchCompactedError";
  /** The oldest revision etcd still has. */
  readonly compactRevision: number;

  /** @param compactRevision What etcd reported. */
  constructor(compactRevision: number) {
    super(`Cannot watch: history before revision ${compactRevision} was compacted`);
    this.compactRevision = compactRevision;
  }
}

// deno-lint-ignore no-explicit-any
type Json = any;

interface CallOptions {
  signal?: AbortSignal | undefined;
  /** A write: an unanswered attempt makes the outcome unknown. */
  write: boolean;
  /** Endpoint index to start from (default: the last one that answered). */
  startAt?: number;
}

/** gRPC codes that say "this member cannot serve now", not "no": try another. */
const UNAVAILABLE_CODES = new Set([1, 4, 8, 13, 14]);
/** Backoff between two rounds over every endpoint. */
const ROUND_BACKOFF_MS = [50, 100, 200, 400];

/**
 * Client of one etcd cluster through its JSON gateway.
 *
 * @example
 * ```ts ignore
 * import { EtcdClient } from "./etcd_client.ts";
 *
 * const client = new EtcdClient({ endpoints: ["http://127.0.0.1:2379"] });
 * await client.put("greeting", "hello");
 * const { kvs } = await client.range("greeting");
 * console.log(kvs[0]?.value); // "hello"
 * ```
 */
export class EtcdClient {
  /** The endpoints, in the order they are tried. */
  readonly endpoints: readonly string[];
  readonly #timeoutMs: number;
  readonly #attemptTimeoutMs: number;
  /** The endpoint that answered last: tried first next time. */
  #preferred = 0;

  /** @param options See {@linkcode EtcdClientOptions}. */
  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) {
      throw new TypeError("Cannot create etcd client: no endpoints");
    }
    this.endpoints = options.endpoints.map((endpoint) => endpoint.replace(/\/+$/, ""));
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#attemptTimeoutMs = options.attemptTimeoutMs ?? 2_000;
  }

  /**
   * Reads a key or a range of keys.
   *
   * @param key The key (or the start of the range).
   * @param options See {@linkcode RangeOptions}.
   * @param signal Aborts the call.
   * @returns What was found.
   */
  async range(key: string, options: RangeOptions = {}, signal?: AbortSignal): Promise<RangeResult> {
    const { body } = await this.#call("/v3/kv/range", encodeRange(key, options), {
      signal,
      write: false,
    });
    return { ...decodeRange(body), revision: int64ToNumber(body.header?.revision) };
  }

  /**
   * Writes a key.
   *
   * @param key The key.
   * @param value Its value.
   * @param options `lease`: the key is deleted when that lease ends.
   * @param signal Aborts the call.
   * @returns The revision of the write.
   */
  async put(
    key: string,
    value: string,
    options: { lease?: bigint } = {},
    signal?: AbortSignal,
  ): Promise<number> {
    const { body } = await this.#call("/v3/kv/put", encodePut(key, value, options.lease), {
      signal,
      write: true,
    });
    return int64ToNumber(body.header?.revision);
  }

  /**
   * Deletes a key or a range of keys.
   *
   * @param key The key (or the start of the range).
   * @param options Which keys.
   * @param signal Aborts the call.
   * @returns How many keys were deleted.
   */
  async deleteRange(key: string, options: KeyRange = {}, signal?: AbortSignal): Promise<number> {
    const { body } = await this.#call("/v3/kv/deleterange", encodeKeyRange(key, options), {
      signal,
      write: true,
    });
    return int64ToNumber(body.deleted);
  }

  /**
   * Runs a transaction: if every compare holds, `success`, else `failure`, atomically.
   *
   * @param request The compares and the two branches.
   * @param signal Aborts the call.
   * @returns Which branch ran and its results.
   */
  async txn(
    request: {
      compare: readonly Compare[];
      success: readonly TxnOperation[];
      failure?: readonly TxnOperation[];
    },
    signal?: AbortSignal,
  ): Promise<TxnResult> {
    const { body, afterUncertainAttempt } = await this.#call("/v3/kv/txn", {
      compare: request.compare.map(encodeCompare),
      success: request.success.map(encodeOperation),
      failure: (request.failure ?? []).map(encodeOperation),
    }, { signal, write: true });
    return {
      // The gateway leaves `succeeded` out when it is false.
      succeeded: body.succeeded === true,
      revision: int64ToNumber(body.header?.revision),
      responses: ((body.responses ?? []) as Json[]).map(decodeOperationResult),
      afterUncertainAttempt,
    };
  }

  /**
   * Grants a lease.
   *
   * @param ttlSeconds Its time to live (etcd may raise it to its minimum).
   * @param signal Aborts the call.
   * @returns Its id and granted TTL.
   */
  async leaseGrant(
    ttlSeconds: number,
    signal?: AbortSignal,
  ): Promise<{ id: bigint; ttlSeconds: number }> {
    const { body } = await this.#call("/v3/lease/grant", { TTL: String(ttlSeconds) }, {
      signal,
      write: true,
    });
    return { id: int64ToBigInt(body.ID), ttlSeconds: int64ToNumber(body.TTL) };
  }

  /**
   * Renews a lease once (one request, one answer).
   *
   * @param id The lease.
   * @param signal Aborts the call.
   * @returns Its TTL from now, or null when the lease is gone.
   */
  async leaseKeepAlive(id: bigint, signal?: AbortSignal): Promise<number | null> {
    const { body } = await this.#call("/v3/lease/keepalive", { ID: id.toString() }, {
      signal,
      write: false,
    });
    // A streaming endpoint: its answer is wrapped in `result`. No TTL = the lease is gone.
    const ttl = int64ToNumber((body.result ?? body).TTL);
    return ttl > 0 ? ttl : null;
  }

  /**
   * Revokes a lease: its keys are deleted at once.
   *
   * @param id The lease.
   * @param signal Aborts the call.
   */
  async leaseRevoke(id: bigint, signal?: AbortSignal): Promise<void> {
    try {
      await this.#call("/v3/lease/revoke", { ID: id.toString() }, { signal, write: true });
    } catch (error) {
      // Already gone is what was wanted.
      if (!(error instanceof EtcdRequestError && error.code === 5)) throw error;
    }
  }

  /**
   * Watches a key or range from a revision on, delivering every change once,
   * in revision order, across reconnects: a broken or lagging stream is resumed
   * on the next endpoint from the last delivered revision + 1.
   *
   * @param key The key (or the start of the range).
   * @param options See {@linkcode WatchOptions}.
   * @param onEvents Called with the events of one or more whole revisions; an
   *   exception thrown here ends the watch with that exception.
   * @returns Resolves when `options.signal` aborts.
   * @throws {WatchCompactedError} When the start revision is no longer in etcd's history.
   */
  async watch(
    key: string,
    options: WatchOptions,
    onEvents: (events: WatchEvent[]) => void,
  ): Promise<void> {
    const { signal } = options;
    let lastRevision = options.startRevision - 1;
    let endpoint = this.#preferred;
    let failures = 0;
    let status: "connected" | "unavailable" | null = null;
    const report = (next: "connected" | "unavailable") => {
      if (next !== status) options.onStatus?.(next);
      status = next;
    };
    while (!signal.aborted) {
      const stream = new AbortController();
      const streamSignal = AbortSignal.any([signal, stream.signal]);
      let created = false;
      const watchdog = this.#watchLag(
        key,
        options,
        endpoint,
        () => lastRevision,
        stream,
        () => created,
      );
      try {
        for await (
          const message of this.#watchStream(endpoint, key, options, lastRevision + 1, streamSignal)
        ) {
          if (message.error) throw new _StreamError(JSON.stringify(message.error));
          const result = message.result ?? {};
          if (result.created) {
            created = true;
            failures = 0;
            this.#preferred = endpoint;
            report("connected");
          }
          const compactRevision = int64ToNumber(result.compact_revision);
          if (compactRevision > 0) throw new WatchCompactedError(compactRevision);
          if (result.canceled) break;
          const events = ((result.events ?? []) as Json[]).map(decodeEvent)
            .filter((event) => event.kv.modRevision > lastRevision);
          if (events.length > 0) {
            try {
              onEvents(events);
            } catch (error) {
              throw new _CallerError("onEvents threw", { cause: error });
            }
            lastRevision = events.at(-1)!.kv.modRevision;
          }
        }
      } catch (error) {
        if (error instanceof _CallerError) throw error.cause;
        if (signal.aborted) break;
        if (!stream.signal.aborted && !isTransportError(error)) throw error;
      } finally {
        stream.abort();
        watchdog.stop();
      }
      if (signal.aborted) break;
      // The stream broke or lagged: resume on the next endpoint.
      failures++;
      endpoint = (endpoint + 1) % this.endpoints.length;
      if (failures >= this.endpoints.length) {
        report("unavailable");
        const round = Math.floor(failures / this.endpoints.length) - 1;
        await abortableSleep(
          ROUND_BACKOFF_MS[Math.min(round, ROUND_BACKOFF_MS.length - 1)]!,
          signal,
        );
      }
    }
  }

  async *#watchStream(
    endpoint: number,
    key: string,
    options: KeyRange,
    startRevision: number,
    signal: AbortSignal,
  ): AsyncGenerator<Json> {
    // Not bounded here: a fetch signal also ends the body, and this stream is
    // meant to last. The watchdog bounds the wait for its first message.
    const response = await fetch(`${this.endpoints[endpoint]}/v3/watch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        create_request: { ...encodeKeyRange(key, options), start_revision: String(startRevision) },
      }),
      signal,
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new _StreamError(
        `Cannot watch on ${this.endpoints[endpoint]}: HTTP ${response.status}`,
      );
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const abort = () => void reader.cancel().catch(() => {});
    signal.addEventListener("abort", abort, { once: true });
    try {
      let buffer = "";
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line !== "") yield JSON.parse(line);
        }
      }
    } finally {
      signal.removeEventListener("abort", abort);
      await reader.cancel().catch(() => {});
    }
  }

  /**
   * Probes, through other endpoints, the newest modification in the watched
   * range (or of its probe key); when the watch stays behind it for `lagMs`, or is not created within
   * one attempt's bound, aborts the stream so the watch moves on.
   */
  #watchLag(
    key: string,
    options: WatchOptions,
    endpoint: number,
    lastRevision: () => number,
    stream: AbortController,
    created: () => boolean,
  ): { stop(): void } {
    const lagMs = options.lagMs ?? 2_000;
    const probeIntervalMs = options.probeIntervalMs ?? 500;
    const started = performance.now();
    let behindSince: number | null = null;
    let probing = false;
    const timer = setInterval(async () => {
      if (!created()) {
        if (performance.now() - started > this.#attemptTimeoutMs) stream.abort("not created");
        return;
      }
      if (probing) return;
      probing = true;
      try {
        const newest = await this.#probe(key, options, endpoint + 1, stream.signal);
        if (newest <= lastRevision()) behindSince = null;
        else if (behindSince === null) behindSince = performance.now();
        else if (performance.now() - behindSince > lagMs) stream.abort("lagging");
      } catch {
        // No answer says nothing about the watch.
      } finally {
        probing = false;
      }
    }, probeIntervalMs);
    return { stop: () => clearInterval(timer) };
  }

  /** The newest mod revision in the watched range, or of its probe key. */
  async #probe(
    key: string,
    options: WatchOptions,
    startAt: number,
    signal: AbortSignal,
  ): Promise<number> {
    const request = options.probeKey === undefined
      ? encodeRange(key, { ...options, limit: 1, sortOrder: "DESCEND", sortTarget: "MOD" })
      : encodeRange(options.probeKey, {});
    request.keys_only = true;
    const { body } = await this.#call("/v3/kv/range", request, {
      signal,
      write: false,
      startAt: startAt % this.endpoints.length,
    });
    return int64ToNumber(body.kvs?.[0]?.mod_revision);
  }

  /**
   * One call: endpoints in turn from the preferred one, rounds with backoff,
   * until an answer, a definite refusal, or the call's bound.
   */
  async #call(
    path: string,
    request: Json,
    options: CallOptions,
  ): Promise<{ body: Json; afterUncertainAttempt: boolean }> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const callSignal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    const text = JSON.stringify(request);
    const count = this.endpoints.length;
    const start = options.startAt ?? this.#preferred;
    let uncertain = false;
    let lastFailure: unknown = undefined;
    for (let attempt = 0; !callSignal.aborted; attempt++) {
      if (attempt > 0 && attempt % count === 0) {
        const round = Math.min(attempt / count - 1, ROUND_BACKOFF_MS.length - 1);
        await abortableSleep(ROUND_BACKOFF_MS[round]!, callSignal);
        if (callSignal.aborted) break;
      }
      const index = (start + attempt) % count;
      const endpoint = this.endpoints[index]!;
      try {
        const response = await fetch(`${endpoint}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
          signal: AbortSignal.any([callSignal, AbortSignal.timeout(this.#attemptTimeoutMs)]),
        });
        // A body cut off by the attempt's bound throws here, like a lost answer.
        const body = parseJson(await response.text());
        if (response.ok && body !== undefined) {
          this.#preferred = index;
          return { body, afterUncertainAttempt: uncertain };
        }
        // Without etcd's own code: a server-side failure (or an unreadable 200) is "unavailable".
        const code = typeof body?.code === "number"
          ? body.code
          : response.ok || response.status >= 500
          ? 14
          : 2;
        const detail = String(body?.message ?? body?.error ?? `HTTP ${response.status}`);
        if (!UNAVAILABLE_CODES.has(code)) {
          throw new EtcdRequestError(`Cannot call ${path}`, code, detail);
        }
        // etcd answered "cannot serve now": a write may still have been proposed.
        uncertain ||= options.write;
        lastFailure = new Error(`${endpoint}: ${detail}`);
      } catch (error) {
        if (error instanceof EtcdRequestError) throw error;
        if (options.signal?.aborted) throw options.signal.reason;
        // Refused before anything was sent: certainly not applied.
        uncertain ||= options.write && !isRefused(error);
        lastFailure = error;
      }
    }
    if (options.signal?.aborted) throw options.signal.reason;
    throw new ClusterUnavailableError(
      `Cannot reach etcd for ${path} within ${this.#timeoutMs} ms (${this.endpoints.join(", ")}): ${
        describe(lastFailure)
      }`,
      { outcomeUnknown: uncertain, cause: lastFailure },
    );
  }
}

/** JSON text to a value; undefined when it is not JSON (a truncated or foreign answer). */
function parseJson(text: string): Json {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A watch stream that the member ended with an error: resume elsewhere. */
class _StreamError extends Error {}

/** Carries an exception of the caller's `onEvents` through the watch's own error handling. */
class _CallerError extends Error {}

function encodeKeyRange(key: string, range: KeyRange): Json {
  const encoded: Json = { key: encodeText(key) };
  if (range.prefix) encoded.range_end = prefixRangeEnd(key);
  else if (range.rangeEnd !== undefined) encoded.range_end = encodeText(range.rangeEnd);
  return encoded;
}

function encodeRange(key: string, options: RangeOptions): Json {
  const encoded = encodeKeyRange(key, options);
  if (options.limit) encoded.limit = String(options.limit);
  if (options.revision) encoded.revision = String(options.revision);
  if (options.sortOrder) encoded.sort_order = options.sortOrder;
  if (options.sortTarget) encoded.sort_target = options.sortTarget;
  if (options.keysOnly) encoded.keys_only = true;
  return encoded;
}

function encodePut(key: string, value: string, lease: bigint | undefined): Json {
  const encoded: Json = { key: encodeText(key), value: encodeText(value) };
  if (lease !== undefined && lease !== 0n) encoded.lease = lease.toString();
  return encoded;
}

function encodeCompare(compare: Compare): Json {
  const encoded: Json = {
    key: encodeText(compare.key),
    target: compare.target,
    result: compare.result,
  };
  switch (compare.target) {
    case "CREATE":
      encoded.create_revision = String(compare.number);
      break;
    case "MOD":
      encoded.mod_revision = String(compare.number);
      break;
    case "VERSION":
      encoded.version = String(compare.number);
      break;
    case "VALUE":
      encoded.value = encodeText(compare.value);
      break;
  }
  return encoded;
}

function encodeOperation(operation: TxnOperation): Json {
  if ("put" in operation) {
    const { key, value, lease } = operation.put;
    return { request_put: encodePut(key, value, lease) };
  }
  if ("range" in operation) {
    return { request_range: encodeRange(operation.range.key, operation.range) };
  }
  return { request_delete_range: encodeKeyRange(operation.deleteRange.key, operation.deleteRange) };
}

function decodeKeyValue(kv: Json): KeyValue {
  return {
    key: decodeText(kv.key),
    value: decodeText(kv.value),
    createRevision: int64ToNumber(kv.create_revision),
    modRevision: int64ToNumber(kv.mod_revision),
    version: int64ToNumber(kv.version),
    lease: int64ToBigInt(kv.lease),
  };
}

function decodeRange(body: Json): Omit<RangeResult, "revision"> {
  return {
    kvs: ((body.kvs ?? []) as Json[]).map(decodeKeyValue),
    more: body.more === true,
    count: int64ToNumber(body.count),
  };
}

function decodeOperationResult(response: Json): TxnOperationResult {
  if (response.response_range) return { type: "range", ...decodeRange(response.response_range) };
  if (response.response_delete_range) {
    return { type: "deleteRange", deleted: int64ToNumber(response.response_delete_range.deleted) };
  }
  return { type: "put" };
}

function decodeEvent(event: Json): WatchEvent {
  // The type is left out for PUT (the enum's zero value).
  return { type: event.type === "DELETE" ? "DELETE" : "PUT", kv: decodeKeyValue(event.kv ?? {}) };
}

/** Whether fetch failed before sending anything (connection refused). */
function isRefused(error: unknown): boolean {
  // Deno says "fetch failed" and puts the reason in `cause`.
  const detail = error instanceof TypeError ? `${error.message} ${String(error.cause)}` : "";
  return /\(Connect\)|connection refused/i.test(detail);
}

/** Whether a watch stream failed on the way (network, timeout, parse), not in the caller's code. */
function isTransportError(error: unknown): boolean {
  return error instanceof TypeError || error instanceof SyntaxError ||
    (error instanceof DOMException &&
      (error.name === "TimeoutError" || error.name === "AbortError")) ||
    error instanceof _StreamError;
}

function describe(error: unknown): string {
  if (error === undefined) return "no attempt finished";
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer in time";
  return error instanceof Error ? error.message : String(error);
}
