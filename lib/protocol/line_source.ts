/**
 * Lines pulled from a connection on demand: nothing is read until the
 * consumer asks, so a peer that sends faster than it is served is held back
 * by TCP instead of filling the hub's memory.
 *
 * @module
 */

import { type LineItem, LineSplitter } from "./line_splitter.ts";

/** Options for {@linkcode LineSource}. */
export interface LineSourceOptions {
  /**
   * Longest line accepted, in bytes.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Size of the read buffer to start with. Small, because every idle
   * connection holds one while it waits.
   * @default {256}
   */
  readBufferBytes?: number;
  /**
   * Largest size the read buffer grows to when reads keep filling it (a peer
   * that sends a lot, such as a pipelining client).
   * @default {16384}
   */
  maxReadBufferBytes?: number;
}

/** Anything with Deno.Conn's `read`. */
export interface ByteReader {
  read(buffer: Uint8Array): Promise<number | null>;
}

/**
 * Reads lines from a connection, one at a time.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const chunks = [new TextEncoder().encode("a\nb\n")];
 * const source = new LineSource({
 *   read(buffer) {
 *     const chunk = chunks.shift();
 *     if (!chunk) return Promise.resolve(null);
 *     buffer.set(chunk);
 *     return Promise.resolve(chunk.length);
 *   },
 * });
 * assertEquals(await source.next(), { kind: "line", text: "a" });
 * assertEquals(await source.next(), { kind: "line", text: "b" });
 * assertEquals(await source.next(), undefined);
 * ```
 */
export class LineSource {
  readonly #reader: ByteReader;
  readonly #splitter: LineSplitter;
  #buffer: Uint8Array;
  readonly #maxBuffer: number;
  #ready: LineItem[] = [];
  #readyIndex = 0;
  #ended = false;

  /**
   * Wraps a connection.
   *
   * @param reader The connection.
   * @param options See {@linkcode LineSourceOptions}.
   */
  constructor(reader: ByteReader, options: LineSourceOptions = {}) {
    this.#reader = reader;
    this.#splitter = new LineSplitter({ maxLineBytes: options.maxLineBytes ?? 8192 });
    this.#buffer = new Uint8Array(options.readBufferBytes ?? 256);
    this.#maxBuffer = Math.max(this.#buffer.length, options.maxReadBufferBytes ?? 16 * 1024);
  }

  /** Longest line accepted from now on, in bytes. */
  set maxLineBytes(bytes: number) {
    this.#splitter.maxLineBytes = bytes;
  }

  /** Whether lines already read are waiting (a pipelined batch). */
  get hasBuffered(): boolean {
    return this.#readyIndex < this.#ready.length;
  }

  /**
   * Gives the next line already read, without waiting (a pipelined batch is
   * then served without a turn of the event loop per line).
   *
   * @returns The next buffered item, or `undefined` when none is buffered.
   */
  takeBuffered(): LineItem | undefined {
    return this.#readyIndex < this.#ready.length ? this.#ready[this.#readyIndex++] : undefined;
  }

  /**
   * Gives the next line, reading from the connection only when none is buffered.
   *
   * @returns The next item, or `undefined` once the peer closed, reset or the
   * connection was closed here. A line cut off by the end is dropped.
   */
  next(): Promise<LineItem | undefined> {
    // Callbacks rather than an async function: an idle connection waits here,
    // and a suspended async frame per connection adds up over thousands.
    if (this.#readyIndex < this.#ready.length) {
      return Promise.resolve(this.#ready[this.#readyIndex++]);
    }
    if (this.#ended) return Promise.resolve(undefined);
    let reading: Promise<number | null>;
    try {
      reading = this.#reader.read(this.#buffer);
    } catch {
      return this.#took(null);
    }
    return reading.then((count) => this.#took(count), () => this.#took(null));
  }

  #took(count: number | null): Promise<LineItem | undefined> {
    if (count === null) {
      this.#ended = true;
      return Promise.resolve(undefined);
    }
    this.#ready = this.#splitter.push(this.#buffer.subarray(0, count));
    this.#readyIndex = 0;
    // A full buffer means more was waiting: read more at a time from now on.
    if (count === this.#buffer.length && this.#buffer.length < this.#maxBuffer) {
      this.#buffer = new Uint8Array(Math.min(this.#maxBuffer, this.#buffer.length * 2));
    }
    return this.next();
  }
}
