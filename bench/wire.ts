/**
 * What the load generator sends to each kind of target and how it tells the
 * lines that come back apart. Pure: no sockets here.
 *
 * Only the first bytes of a line are ever looked at (see
 * {@linkcode LINE_PREFIX_BYTES}), so classifying a line costs the same for a
 * 40-byte vote reply and a 2 KB admission greeting.
 *
 * @module
 */

/** The targets' wire formats. */
export type Wire = "hub-text" | "hub-json" | "redis" | "line" | "fanout";

/** Every wire, for argument checking. */
export const WIRES: readonly Wire[] = ["hub-text", "hub-json", "redis", "line", "fanout"];

/** What a line from a target means to the load generator. */
export const enum LineKind {
  /** Anything the workload ignores (greeting, `#` lines, other pushes). */
  Other = 0,
  /** A successful reply to one request. */
  Reply = 1,
  /** A refused request: the workload counts it and fails. */
  Error = 2,
  /** The hub admitted this node (hub wires). */
  Admitted = 3,
  /** Another node joined (hub wires). */
  Joined = 4,
  /** The consensus push (hub) or a published message (Redis). */
  Broadcast = 5,
  /** A new ballot opened (hub), or a subscription was confirmed (Redis). */
  Opened = 6,
  /**
   * A presence summary (hub wires): when more than 10 joins, departures and
   * resumptions would be pushed within a second, a hub sends one summary line
   * a second instead of a line each.
   */
  Presence = 7,
}

/** How many kinds {@linkcode LineKind} has: the length of a counts array. */
export const LINE_KIND_COUNT = 8;

/** How many leading bytes of each line are kept for {@linkcode classifyLine}. */
export const LINE_PREFIX_BYTES = 24;

/** The gate answer every benchmark hub is started with. */
export const GATE_ANSWER = "a";

/** The gate question every benchmark hub is started with. */
export const GATE_QUESTION = "q";

/** Redis channel of the broadcast workload. */
export const REDIS_CHANNEL = "bench:consensus";

/** Redis key of the ingest workload: every client increments the same one, as every vote lands on the same ballot. */
export const REDIS_KEY = "bench:votes";

const encoder = new TextEncoder();

function bytesOf(text: string): Uint8Array {
  return encoder.encode(text);
}

function startsWith(prefix: Uint8Array, length: number, text: string): boolean {
  if (length < text.length) return false;
  for (let index = 0; index < text.length; index++) {
    if (prefix[index] !== text.charCodeAt(index)) return false;
  }
  return true;
}

/**
 * Classifies a line by its first bytes.
 *
 * @param wire The target's wire format.
 * @param prefix The line's first bytes (at most {@linkcode LINE_PREFIX_BYTES}).
 * @param length How many bytes of `prefix` are valid.
 * @returns What the line is.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * const line = new TextEncoder().encode("ok vote A (be able to fly) recorded on ballot 1");
 * strictEqual(classifyLine("hub-text", line, line.length), 1);
 * ```
 */
export function classifyLine(wire: Wire, prefix: Uint8Array, length: number): LineKind {
  switch (wire) {
    case "hub-text":
      if (startsWith(prefix, length, "ok admitted")) return LineKind.Admitted;
      if (startsWith(prefix, length, "ok ")) return LineKind.Reply;
      if (startsWith(prefix, length, "err ")) return LineKind.Error;
      if (startsWith(prefix, length, "! joined")) return LineKind.Joined;
      if (startsWith(prefix, length, "! presence")) return LineKind.Presence;
      if (startsWith(prefix, length, "! consensus")) return LineKind.Broadcast;
      if (startsWith(prefix, length, "! ballot")) return LineKind.Opened;
      return LineKind.Other;
    case "hub-json":
      if (startsWith(prefix, length, '{"id":')) {
        // `{"id":1,"ok":true` — the id is one digit in every request we send.
        if (
          startsWith(prefix, length, '{"id":1,"ok":true') ||
          startsWith(prefix, length, '{"id":2,"ok":true')
        ) {
          return LineKind.Reply;
        }
        return LineKind.Error;
      }
      if (startsWith(prefix, length, '{"event":"admitted"')) return LineKind.Admitted;
      if (startsWith(prefix, length, '{"event":"joined"')) return LineKind.Joined;
      if (startsWith(prefix, length, '{"event":"presence"')) return LineKind.Presence;
      if (startsWith(prefix, length, '{"event":"consensus"')) return LineKind.Broadcast;
      if (startsWith(prefix, length, '{"event":"ballot"')) return LineKind.Opened;
      return LineKind.Other;
    case "redis":
      // Integer replies (INCR, PUBLISH) and +PONG; pub/sub pushes are arrays
      // whose element lines are "message" and "subscribe".
      if (prefix[0] === 0x3a /* : */ || startsWith(prefix, length, "+PONG")) return LineKind.Reply;
      if (prefix[0] === 0x2d /* - */) return LineKind.Error;
      if (startsWith(prefix, length, "message\r")) return LineKind.Broadcast;
      if (startsWith(prefix, length, "subscribe\r")) return LineKind.Opened;
      return LineKind.Other;
    case "line":
      return LineKind.Reply;
    case "fanout":
      if (startsWith(prefix, length, "! consensus")) return LineKind.Broadcast;
      if (startsWith(prefix, length, "ok subscribed")) return LineKind.Opened;
      return LineKind.Reply;
  }
}

/** How many last bytes of a presence summary {@linkcode presenceConnected} needs at most. */
export const PRESENCE_TAIL_BYTES = 32;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/**
 * The `connected` count at the end of a presence summary line, in either
 * dialect: `! presence joined 312 left 4 resumed 0 connected 5000` or
 * `{"event":"presence","joined":312,"left":4,"resumed":0,"connected":5000}`.
 * Only the line's last bytes are read (the classifier keeps only its first
 * ones), and the field is the last in both forms.
 *
 * @param tail The last bytes of the line, without its newline.
 * @returns The count, or -1 when the tail does not end with it (cut short, or another line).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * const text = new TextEncoder().encode("! presence joined 312 left 4 resumed 0 connected 5000");
 * strictEqual(presenceConnected(text), 5000);
 * const json = new TextEncoder().encode('{"event":"presence","joined":3,"left":0,"resumed":0,"connected":12}');
 * strictEqual(presenceConnected(json), 12);
 * ```
 */
export function presenceConnected(tail: Uint8Array): number {
  let end = tail.length;
  // A carriage return or the JSON object's closing brace may follow the number.
  while (end > 0 && (tail[end - 1] === 0x0d || tail[end - 1] === 0x7d /* } */)) end--;
  let start = end;
  while (start > 0 && tail[start - 1]! >= DIGIT_0 && tail[start - 1]! <= DIGIT_9) start--;
  if (start === end) return -1;
  const before = new TextDecoder().decode(tail.subarray(Math.max(0, start - 12), start));
  if (!before.endsWith("connected ") && !before.endsWith('"connected":')) return -1;
  let value = 0;
  for (let index = start; index < end; index++) value = value * 10 + tail[index]! - DIGIT_0;
  return value;
}

/**
 * Builds the requests of the ingest workload: a batch of `count` votes (or
 * increments, or lines), alternating A and B from `parity` on.
 */
export class RequestBatches {
  readonly #batches: Uint8Array[][];

  /**
   * Prepares every batch up to `maxBatch` requests, so that sending is a lookup.
   *
   * @param wire The target's wire format.
   * @param maxBatch The largest batch (the requests in flight).
   */
  constructor(wire: Wire, maxBatch: number) {
    const one = (index: number) => requestText(wire, index % 2 === 0 ? "A" : "B");
    this.#batches = [0, 1].map((parity) => {
      const batches: Uint8Array[] = [];
      for (let count = 0; count <= maxBatch; count++) {
        let text = "";
        for (let index = 0; index < count; index++) text += one(parity + index);
        batches.push(bytesOf(text));
      }
      return batches;
    });
  }

  /**
   * The bytes of `count` requests starting with option A (`parity` 0) or B (1).
   *
   * @param parity 0 or 1.
   * @param count How many requests, at most the `maxBatch` given.
   * @returns The bytes to write.
   */
  get(parity: number, count: number): Uint8Array {
    return this.#batches[parity & 1]![count]!;
  }
}

/**
 * One request of the ingest workload as text.
 *
 * @param wire The target's wire format.
 * @param option `A` or `B`: the hub alternates so that, with --allow-change,
 * every vote is a real change.
 * @returns The request line(s).
 */
export function requestText(wire: Wire, option: "A" | "B"): string {
  switch (wire) {
    case "hub-text":
      return `vote ${option}\n`;
    case "hub-json":
      return `{"id":${option === "A" ? 1 : 2},"op":"vote","option":"${option}"}\n`;
    case "redis":
      return `*2\r\n$4\r\nINCR\r\n$${REDIS_KEY.length}\r\n${REDIS_KEY}\r\n`;
    case "line":
    case "fanout":
      return `vote ${option}\n`;
  }
}

/**
 * The first line a node sends right after connecting: the gate answer for
 * the hub, a PING for Redis, any line for the line server.
 *
 * @param wire The target's wire format.
 * @returns The bytes.
 */
export function greetingBytes(wire: Wire): Uint8Array {
  switch (wire) {
    case "hub-text":
      return bytesOf(`${GATE_ANSWER}\n`);
    case "hub-json":
      return bytesOf(`{"answer":"${GATE_ANSWER}"}\n`);
    case "redis":
      return bytesOf("PING\r\n");
    case "line":
    case "fanout":
      return bytesOf("hello\n");
  }
}

/**
 * What a node waits for after {@linkcode greetingBytes}: admission on the hub, a reply elsewhere.
 *
 * @param wire The target's wire format.
 * @returns The line kind that means "in".
 */
export function admittedKind(wire: Wire): LineKind {
  return wire === "hub-text" || wire === "hub-json" ? LineKind.Admitted : LineKind.Reply;
}

/** The targets a broadcast reaches through a publisher: Redis, and the Deno fan-out server. */
export type PublishWire = "redis" | "fanout";

/**
 * Subscribes to the broadcast: Redis SUBSCRIBE to the channel (inline form),
 * or the fan-out server's `subscribe`.
 *
 * @param wire The target's wire format.
 * @returns The bytes.
 */
export function subscribeBytes(wire: PublishWire): Uint8Array {
  return bytesOf(wire === "redis" ? `SUBSCRIBE ${REDIS_CHANNEL}\r\n` : "subscribe\n");
}

/**
 * Publishes a payload to every subscriber: Redis PUBLISH to the channel, or
 * the fan-out server's `publish`.
 *
 * @param wire The target's wire format.
 * @param payload The message, as long as the hub's consensus push for fairness.
 * @returns The bytes.
 */
export function publishBytes(wire: PublishWire, payload: string): Uint8Array {
  if (wire === "fanout") return bytesOf(`publish ${payload}\n`);
  const bytes = encoder.encode(payload).length;
  return bytesOf(
    `*3\r\n$7\r\nPUBLISH\r\n$${REDIS_CHANNEL.length}\r\n${REDIS_CHANNEL}\r\n$${bytes}\r\n${payload}\r\n`,
  );
}
