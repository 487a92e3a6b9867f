/**
 * One raw connection the conformance checker drives: it writes lines and
 * reads lines, every read bounded in time, and keeps the hub's pushed events
 * apart from its replies so a check can wait for either.
 *
 * @module
 */

import { LineSource } from "../protocol/line_source.ts";
import type { LineItem } from "../protocol/line_splitter.ts";
import { CheckFailure } from "./expect.ts";

/** Where the hub is. */
export interface ProbeTarget {
  /** Host name or address. */
  host: string;
  /** Port. */
  port: number;
  /** Connect with TLS, trusting these CA certificates (PEM); the system's roots when empty. */
  tls?: { caCerts: string[] } | undefined;
  /** Longest wait for one line, and for connecting, in milliseconds. */
  stepMs: number;
}

/** Longest pause a hub takes before answering a failed try at the gate (PROTOCOL.md section 4.4). */
export const GATE_PAUSE_MS = 5000;

/**
 * How long a check stays quiet before it expects a `joined` line: a hub that
 * saw many nodes come and go sends presence events one by one again once a
 * second has passed with few of them (PROTOCOL.md section 12.1), which two
 * quiet seconds guarantee.
 */
export const PRESENCE_QUIET_MS = 2100;

/** Events of the JSON dialect that answer the node's own line rather than happen to others. */
const JSON_ANSWERS = new Set(["admitted", "wrong-answer", "bye"]);

/**
 * Tells whether a line is a pushed event: `! ` in text, an `event` object in
 * JSON (apart from those that answer the gate).
 *
 * @param line A line from the hub.
 * @returns `true` for a push.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(isPush("! joined 218 bob 127.0.0.1:4000"), true);
 * assertEquals(isPush('{"event":"joined","pin":218}'), true);
 * assertEquals(isPush('{"event":"admitted","pin":218}'), false);
 * assertEquals(isPush("ok pong"), false);
 * ```
 */
export function isPush(line: string): boolean {
  if (line.startsWith("! ")) return true;
  if (!line.startsWith("{")) return false;
  try {
    const value = JSON.parse(line);
    return typeof value?.event === "string" && !JSON_ANSWERS.has(value.event);
  } catch {
    return false;
  }
}

/** A raw line connection to the hub under test. */
export class Probe {
  /** Every line read, in order, for failure reports. */
  readonly transcript: string[] = [];
  readonly #conn: Deno.Conn;
  readonly #lines: LineSource;
  readonly #stepMs: number;
  readonly #events: string[] = [];
  readonly #replies: string[] = [];
  readonly #encoder = new TextEncoder();
  #reading: Promise<LineItem | undefined> | undefined;
  #ended = false;
  #closed = false;

  private constructor(conn: Deno.Conn, stepMs: number) {
    this.#conn = conn;
    this.#lines = new LineSource(conn, { maxLineBytes: 16 * 1024 * 1024 });
    this.#stepMs = stepMs;
  }

  /**
   * Connects.
   *
   * @param target Where, and the time bound of each step.
   * @returns The connection.
   * @throws {CheckFailure} When nothing accepts the connection in time.
   */
  static async open(target: ProbeTarget): Promise<Probe> {
    const signal = AbortSignal.timeout(target.stepMs);
    try {
      const connecting: Promise<Deno.Conn> = target.tls
        ? Deno.connectTls({
          hostname: target.host,
          port: target.port,
          ...(target.tls.caCerts.length ? { caCerts: target.tls.caCerts } : {}),
        })
        : Deno.connect({ hostname: target.host, port: target.port, signal });
      const conn = await raceSignal(connecting, signal);
      if (target.tls) await raceSignal((conn as Deno.TlsConn).handshake(), signal);
      return new Probe(conn, target.stepMs);
    } catch (error) {
      throw new CheckFailure(
        `a connection to ${target.host}:${target.port}`,
        (error as Error).message,
      );
    }
  }

  /** Whether the hub closed the connection (seen by a read). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends a line (a line end is added to text) or raw bytes.
   *
   * @param data The line, or bytes sent as they are.
   */
  async send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? this.#encoder.encode(`${data}\n`) : data;
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
    } catch (error) {
      throw new CheckFailure(
        "to send a line",
        `the connection failed: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Sends an object as one JSON line.
   *
   * @param message The object.
   */
  sendJson(message: Record<string, unknown>): Promise<void> {
    return this.send(JSON.stringify(message));
  }

  /**
   * The next line that is not a pushed event (events are kept for {@linkcode Probe.event}).
   *
   * @param expected What the check waits for, for the failure message.
   * @param extraMs Longer than one step by this much: for the answer to a failed try at the
   * gate, which a hub may hold back (PROTOCOL.md section 4.4).
   * @returns The line.
   * @throws {CheckFailure} When the connection ends or nothing comes in time.
   */
  async reply(expected: string, extraMs = 0): Promise<string> {
    const kept = this.#replies.shift();
    if (kept !== undefined) return kept;
    const deadline = Date.now() + this.#stepMs + extraMs;
    for (;;) {
      const line = await this.#read(expected, deadline, this.#stepMs + extraMs);
      if (isPush(line)) this.#events.push(line);
      else return line;
    }
  }

  /**
   * The next line, pushed event or not.
   *
   * @param expected What the check waits for, for the failure message.
   * @returns The line.
   * @throws {CheckFailure} When the connection ends or nothing comes in time.
   */
  async line(expected: string): Promise<string> {
    const kept = this.#events.shift() ?? this.#replies.shift();
    if (kept !== undefined) return kept;
    return await this.#read(expected, Date.now() + this.#stepMs);
  }

  /**
   * Waits for a pushed event that matches, taking it from those already received first.
   *
   * @param match Which event.
   * @param expected What it should look like, for the failure message.
   * @returns The event's line.
   * @throws {CheckFailure} When it does not come in time.
   */
  async event(match: (line: string) => boolean, expected: string): Promise<string> {
    const index = this.#events.findIndex(match);
    if (index >= 0) return this.#events.splice(index, 1)[0]!;
    const deadline = Date.now() + this.#stepMs;
    for (;;) {
      let line: string;
      try {
        line = await this.#read(expected, deadline);
      } catch (error) {
        if (error instanceof CheckFailure && this.#events.length > 0) {
          const seen = this.#events.slice(-3).map((event) => event.slice(0, 120)).join(" | ");
          throw new CheckFailure(expected, `${error.got}; last events seen: ${seen}`);
        }
        throw error;
      }
      if (!isPush(line)) this.#replies.push(line);
      else if (match(line)) return line;
      else this.#events.push(line);
    }
  }

  /**
   * Waits until the hub closes the connection.
   *
   * @param expected What the check waits for, for the failure message.
   * @returns The lines read meanwhile.
   * @throws {CheckFailure} When the connection stays open.
   */
  async closedByHub(expected: string): Promise<string[]> {
    const lines = [...this.#events.splice(0), ...this.#replies.splice(0)];
    const deadline = Date.now() + this.#stepMs;
    for (;;) {
      try {
        lines.push(await this.#read(expected, deadline));
      } catch (error) {
        if (this.#ended) return lines;
        throw error;
      }
    }
  }

  /** Closes the connection abruptly, as a dropped node would. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the hub.
    }
  }

  async #read(expected: string, deadline: number, totalMs = this.#stepMs): Promise<string> {
    if (this.#ended) throw new CheckFailure(expected, "the hub had closed the connection");
    // One read at a time: a read that timed out stays pending and serves the next call.
    this.#reading ??= this.#lines.next();
    const waitMs = Math.max(0, deadline - Date.now());
    let item: LineItem | undefined;
    try {
      item = await raceSignal(this.#reading, AbortSignal.timeout(waitMs));
    } catch {
      throw new CheckFailure(expected, `nothing within ${Math.round(totalMs / 100) / 10} s`);
    }
    this.#reading = undefined;
    if (item === undefined) {
      this.#ended = true;
      throw new CheckFailure(expected, "the hub closed the connection");
    }
    const line = item.kind === "line" ? item.text : `<${item.kind} line>`;
    this.transcript.push(line);
    return line;
  }
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
