/**
 * The WebSocket transport: a WebSocket seen as the byte stream of lines a
 * session reads and writes, so that a browser is just another node. Each
 * message carries one line without its line end, both ways.
 *
 * @module
 */

import { ChunkQueue } from "../protocol/chunk_queue.ts";
import type { SessionConnection } from "./session.ts";

/** Options for {@linkcode WebSocketConnection}. */
export interface WebSocketConnectionOptions {
  /**
   * Bytes received and not yet read by the session before the peer is cut
   * off: a WebSocket cannot hold a sender back the way TCP does.
   * @default {1048576}
   */
  maxUnreadBytes?: number;
  /**
   * Bytes sent and not yet taken by the peer (`bufferedAmount`) before a
   * write fails, so that a phone that stops reading is dropped as a TCP node
   * would be.
   * @default {1048576}
   */
  maxBufferedBytes?: number;
}

const encoder = new TextEncoder();
const NEWLINE = encoder.encode("\n");

/**
 * A WebSocket as a {@linkcode SessionConnection}.
 *
 * @example
 * ```ts ignore
 * const { socket, response } = Deno.upgradeWebSocket(request);
 * running.serveConnection(new WebSocketConnection(socket, info.remoteAddr), false);
 * return response;
 * ```
 */
export class WebSocketConnection implements SessionConnection {
  /** The peer's address, from the HTTP request that opened the socket. */
  readonly remoteAddr: Deno.Addr;
  readonly #socket: WebSocket;
  readonly #maxUnread: number;
  readonly #maxBuffered: number;
  readonly #decoder = new TextDecoder();
  readonly #opened: Promise<boolean>;
  readonly #incoming = new ChunkQueue();
  #partial = "";

  /**
   * Wraps a socket (open, or still opening).
   *
   * @param socket From `Deno.upgradeWebSocket`.
   * @param remoteAddr The peer's address.
   * @param options See {@linkcode WebSocketConnectionOptions}.
   */
  constructor(
    socket: WebSocket,
    remoteAddr: Deno.Addr,
    options: WebSocketConnectionOptions = {},
  ) {
    this.#socket = socket;
    this.remoteAddr = remoteAddr;
    this.#maxUnread = options.maxUnreadBytes ?? 1024 * 1024;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    socket.binaryType = "arraybuffer";
    this.#opened = socket.readyState === WebSocket.OPEN
      ? Promise.resolve(true)
      : new Promise((resolve) => {
        socket.addEventListener("open", () => resolve(true), { once: true });
        socket.addEventListener("close", () => resolve(false), { once: true });
      });
    socket.addEventListener("message", (event) => this.#receive(event.data));
    socket.addEventListener("close", () => this.#incoming.end());
    socket.addEventListener("error", () => this.#incoming.end());
  }

  /**
   * Gives the bytes of the messages received, each followed by a line end.
   *
   * @param buffer Where to put them.
   * @returns How many bytes, or `null` once the socket is closed.
   */
  read(buffer: Uint8Array): Promise<number | null> {
    return this.#incoming.read(buffer);
  }

  /**
   * Sends each complete line as one text message (a part of a line waits for its end).
   *
   * @param bytes Lines, UTF-8.
   * @returns `bytes.length`.
   * @throws {Deno.errors.BrokenPipe} When the socket is closed or the peer stopped reading.
   */
  async write(bytes: Uint8Array): Promise<number> {
    if (!await this.#opened || this.#socket.readyState !== WebSocket.OPEN) {
      throw new Deno.errors.BrokenPipe("The WebSocket is closed");
    }
    if (this.#socket.bufferedAmount > this.#maxBuffered) {
      throw new Deno.errors.BrokenPipe("The WebSocket peer stopped reading");
    }
    const lines = (this.#partial + this.#decoder.decode(bytes, { stream: true })).split("\n");
    this.#partial = lines.pop()!;
    for (const line of lines) this.#socket.send(line);
    return bytes.length;
  }

  /** Closes the socket; a pending read then ends. */
  close(): void {
    this.#incoming.end();
    if (
      this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING
    ) {
      try {
        this.#socket.close(1000);
      } catch {
        // Closing already.
      }
    }
  }

  #receive(data: unknown): void {
    if (this.#incoming.ended) return;
    const bytes = typeof data === "string"
      ? encoder.encode(data)
      : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : undefined;
    if (!bytes) return;
    if (this.#incoming.unreadBytes + bytes.length + 1 > this.#maxUnread) {
      // Sending far faster than the hub serves: what TCP would hold back, a WebSocket cannot.
      this.#socket.close(1008, "Too much unread input");
      this.#incoming.end();
      return;
    }
    this.#incoming.push(bytes);
    this.#incoming.push(NEWLINE);
  }
}
