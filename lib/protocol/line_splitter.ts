/**
 * Splits a byte stream into lines with a length cap, without any I/O, so that
 * both the hub and the node can share it and tests can feed it chunks directly.
 *
 * @module
 */

import { concatBytes } from "./bytes.ts";

/** One item produced by {@linkcode LineSplitter.push}. */
export type LineItem =
  | { kind: "line"; text: string }
  | { kind: "too-long"; maxBytes: number }
  | { kind: "invalid-utf8" };

/** Options for {@linkcode LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * Longest line accepted, in bytes, not counting the line end.
   * @default {8192}
   */
  maxLineBytes?: number;
}

// One decoder for every connection: without `stream`, decoding keeps no state
// between calls, and thousands of idle connections need not hold one each.
const decoder = new TextDecoder("utf-8", { fatal: true });
const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns chunks of bytes into lines. LF, CR and CRLF all end a line. A line
 * longer than the cap is reported once as `too-long`, as soon as the cap is
 * crossed, and the rest of it is skipped up to its end, so one bad line never
 * desynchronises the next ones.
 * Bytes that are not valid UTF-8 give `invalid-utf8` for that line only.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const splitter = new LineSplitter({ maxLineBytes: 16 });
 * const items = splitter.push(new TextEncoder().encode("vote A\r\nstats\n"));
 * assertEquals(items, [{ kind: "line", text: "vote A" }, { kind: "line", text: "stats" }]);
 * ```
 */
export class LineSplitter {
  #maxLineBytes: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #skipping = false;
  #lastWasCr = false;

  /** Creates a splitter; see {@linkcode LineSplitterOptions}. */
  constructor(options: LineSplitterOptions = {}) {
    this.#maxLineBytes = options.maxLineBytes ?? 8192;
  }

  /** Longest line accepted, in bytes; a hub raises it once a node passes the gate. */
  get maxLineBytes(): number {
    return this.#maxLineBytes;
  }

  set maxLineBytes(bytes: number) {
    this.#maxLineBytes = bytes;
  }

  /**
   * Feeds one chunk and returns the complete lines it finished.
   *
   * @param chunk Bytes as they came off the connection.
   * @returns The lines, over-long lines and undecodable lines, in order.
   */
  push(chunk: Uint8Array): LineItem[] {
    const items: LineItem[] = [];
    let start = 0;
    // A CRLF split across two chunks: the LF belongs to the line already ended.
    if (this.#lastWasCr && chunk.length > 0 && chunk[0] === LF) start = 1;
    this.#lastWasCr = false;
    if (this.#pendingBytes === 0 && !this.#skipping) start = this.#pushAscii(chunk, start, items);
    for (let index = start; index < chunk.length; index++) {
      const byte = chunk[index];
      if (byte !== LF && byte !== CR) continue;
      if (this.#pendingBytes === 0 && !this.#skipping && index - start <= this.#maxLineBytes) {
        // Fast path, the common one: the whole line is in this chunk, so it is
        // decoded where it lies, without a copy.
        items.push(decodeLine(chunk.subarray(start, index)));
      } else {
        this.#take(chunk.subarray(start, index), items);
        const line = this.#finishLine();
        if (line) items.push(line);
      }
      if (byte === CR) {
        if (index + 1 < chunk.length) {
          if (chunk[index + 1] === LF) index++;
        } else {
          this.#lastWasCr = true;
        }
      }
      start = index + 1;
    }
    if (start < chunk.length) this.#take(chunk.subarray(start), items);
    return items;
  }

  /**
   * Fast path, the common one: when the chunk's whole lines are ASCII (every
   * request of our own nodes is), they are decoded in one call and cut apart
   * as text, instead of one decoder call per line.
   *
   * @returns Where the caller goes on: past the last line end, or `start`
   * when the lines are not all ASCII (or not valid UTF-8) and are left to it.
   */
  #pushAscii(chunk: Uint8Array, start: number, items: LineItem[]): number {
    let end = chunk.length - 1;
    while (end >= start && chunk[end] !== LF && chunk[end] !== CR) end--;
    if (end < start) return start;
    let text: string;
    try {
      text = decoder.decode(chunk.subarray(start, end + 1));
    } catch {
      return start;
    }
    // As many characters as bytes: ASCII only, so a line's bytes are its characters.
    if (text.length !== end + 1 - start) return start;
    let lineStart = 0;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code !== LF && code !== CR) continue;
      items.push(
        index - lineStart > this.#maxLineBytes
          ? { kind: "too-long", maxBytes: this.#maxLineBytes }
          : { kind: "line", text: text.slice(lineStart, index) },
      );
      if (code === CR && text.charCodeAt(index + 1) === LF) index++;
      lineStart = index + 1;
    }
    // A CR as the chunk's last byte may be the first half of a CRLF.
    if (end === chunk.length - 1 && chunk[end] === CR) this.#lastWasCr = true;
    return end + 1;
  }

  #take(part: Uint8Array, items: LineItem[]): void {
    if (part.length === 0 || this.#skipping) return;
    if (this.#pendingBytes + part.length > this.#maxLineBytes) {
      // Reported as soon as the cap is crossed, not at the line's end, so a
      // peer that never sends a newline is answered at once; what was held is
      // dropped so that such a peer cannot grow our memory.
      this.#skipping = true;
      this.#pending = [];
      this.#pendingBytes = 0;
      items.push({ kind: "too-long", maxBytes: this.#maxLineBytes });
      return;
    }
    // Copy: the caller reuses its read buffer for the next chunk.
    this.#pending.push(part.slice());
    this.#pendingBytes += part.length;
  }

  #finishLine(): LineItem | undefined {
    if (this.#skipping) {
      this.#skipping = false;
      return undefined;
    }
    const bytes = this.#pending.length === 1 ? this.#pending[0]! : concatBytes(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    return decodeLine(bytes);
  }
}

function decodeLine(bytes: Uint8Array): LineItem {
  try {
    return { kind: "line", text: decoder.decode(bytes) };
  } catch {
    return { kind: "invalid-utf8" };
  }
}
