/**
 * One connection of the load generator: a read loop that classifies each
 * line by its first bytes and hands the kinds to the workload, and a writer
 * that never interleaves.
 *
 * @module
 */

import {
  classifyLine,
  LINE_KIND_COUNT,
  LINE_PREFIX_BYTES,
  LineKind,
  PRESENCE_TAIL_BYTES,
  presenceConnected,
  type Wire,
} from "./wire.ts";
import type { ByteConnection } from "./source_address.ts";

/** Options for {@linkcode LoadClient}. */
export interface LoadClientOptions {
  /**
   * Read buffer size. Large enough that a burst of pushes (thousands of
   * `joined` lines) is read in few calls.
   * @default {16384}
   */
  readBufferBytes?: number;
}

/**
 * Called once per read chunk with how many lines of each kind it held; may
 * return a promise (a write), which the read loop awaits before reading on.
 */
export type ChunkHandler = (client: LoadClient, counts: Int32Array) => void | Promise<unknown>;

const KIND_COUNT = LINE_KIND_COUNT;

/** One connection and its line classifier. */
export class LoadClient {
  /** Index among the workload's clients. */
  readonly index: number;
  /** Free for the workload: e.g. which option to vote next. */
  parity = 0;
  /** Lines of each {@linkcode LineKind} seen so far. */
  readonly totals = new Int32Array(KIND_COUNT);
  /**
   * The `connected` count of the last presence summary read whole within
   * one chunk; -1 before any (a summary cut by a chunk's end is not parsed:
   * its prefix alone is kept, and the caller falls back to waiting for quiet).
   */
  presenceConnected = -1;
  /** What to do after each chunk. */
  onChunk: ChunkHandler | undefined;
  /** Called once when the read loop ends (peer closed, reset, or {@linkcode close}). */
  onClose: ((client: LoadClient) => void) | undefined;
  readonly #conn: ByteConnection;
  readonly #wire: Wire;
  readonly #buffer: Uint8Array;
  readonly #prefix = new Uint8Array(LINE_PREFIX_BYTES);
  readonly #counts = new Int32Array(KIND_COUNT);
  #prefixLength = 0;
  #closed = false;

  /**
   * Wraps a connected socket.
   *
   * @param conn The socket (a `Deno.TcpConn`, or one from another source address).
   * @param wire How to read the target's lines.
   * @param index Index among the workload's clients.
   * @param options See {@linkcode LoadClientOptions}.
   */
  constructor(conn: ByteConnection, wire: Wire, index: number, options: LoadClientOptions = {}) {
    this.#conn = conn;
    this.#wire = wire;
    this.index = index;
    this.#buffer = new Uint8Array(options.readBufferBytes ?? 16384);
  }

  /** Whether the socket is closed (by us or by the peer). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Reads until the connection ends; never throws.
   *
   * @returns When the peer closed, the socket failed, or {@linkcode close} was called.
   */
  async readLoop(): Promise<void> {
    const counts = this.#counts;
    for (;;) {
      let count: number | null;
      try {
        count = await this.#conn.read(this.#buffer);
      } catch {
        count = null;
      }
      if (count === null) break;
      counts.fill(0);
      this.#scan(this.#buffer.subarray(0, count), counts);
      for (let kind = 0; kind < KIND_COUNT; kind++) this.totals[kind]! += counts[kind]!;
      const pending = this.onChunk?.(this, counts);
      if (pending) await pending;
    }
    this.close();
    this.onClose?.(this);
  }

  /**
   * Writes all of `bytes`. A failed write closes the client instead of
   * throwing. Callers never overlap two writes on one client: the ingest
   * workload writes only from its chunk handler, the others one request at a
   * time, so no queue is needed (and none is paid for on the hot path).
   *
   * @param bytes What to send.
   * @returns Whether it was written.
   */
  write(bytes: Uint8Array): Promise<boolean> {
    return this.#writeAll(bytes);
  }

  /** Closes the socket; the read loop then ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<boolean> {
    if (this.#closed) return false;
    try {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
      return true;
    } catch {
      this.close();
      return false;
    }
  }

  /** Counts the complete lines of a chunk by kind; keeps only a prefix of a line cut by the chunk's end. */
  #scan(chunk: Uint8Array, counts: Int32Array): void {
    const prefix = this.#prefix;
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline;
      const take = Math.min(end - start, LINE_PREFIX_BYTES - this.#prefixLength);
      if (take > 0) {
        prefix.set(chunk.subarray(start, start + take), this.#prefixLength);
        this.#prefixLength += take;
      }
      if (newline === -1) return;
      const kind = classifyLine(this.#wire, prefix, this.#prefixLength);
      counts[kind]!++;
      if (kind === LineKind.Presence) {
        const connected = presenceConnected(
          chunk.subarray(Math.max(start, newline - PRESENCE_TAIL_BYTES), newline),
        );
        if (connected >= 0) this.presenceConnected = connected;
      }
      this.#prefixLength = 0;
      start = newline + 1;
    }
  }
}

/** Kinds as indexes, re-exported for the workloads. */
export { LineKind };
