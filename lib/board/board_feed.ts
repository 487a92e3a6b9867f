/**
 * The board's live feed: every open board tab gets the same snapshot, sent
 * at most a few times a second however fast votes come in, so that a storm
 * of 50,000 voters costs the hub a handful of messages per tab.
 *
 * @module
 */

import type { Push } from "../protocol/messages.ts";
import { type BoardSnapshot, TICKER_LENGTH, type TickerEntry, tickerEntry } from "./board_view.ts";

/** Options for {@linkcode BoardFeed}. */
export interface BoardFeedOptions {
  /** Builds the current snapshot (called once per update, for every tab). */
  snapshot: (ticker: readonly TickerEntry[]) => BoardSnapshot;
  /**
   * Shortest time between two updates, in milliseconds.
   * @default {250}
   */
  intervalMs?: number;
  /**
   * Board tabs open at once; more are refused.
   * @default {256}
   */
  maxBoards?: number;
  /**
   * Bytes a tab may leave unread before it is skipped (it gets the next update).
   * @default {1048576}
   */
  maxBufferedBytes?: number;
}

/** Sends coalesced snapshots to board sockets. */
export class BoardFeed {
  readonly #sockets = new Set<WebSocket>();
  readonly #snapshot: BoardFeedOptions["snapshot"];
  readonly #intervalMs: number;
  readonly #maxBoards: number;
  readonly #maxBuffered: number;
  readonly #ticker: TickerEntry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent = 0;
  #closed = false;

  /**
   * Creates a feed.
   *
   * @param options See {@linkcode BoardFeedOptions}.
   */
  constructor(options: BoardFeedOptions) {
    this.#snapshot = options.snapshot;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#maxBoards = options.maxBoards ?? 256;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  }

  /** Whether another tab may open. */
  get full(): boolean {
    return this.#sockets.size >= this.#maxBoards;
  }

  /**
   * Adds a tab: it gets the current snapshot as soon as it is open, then every update.
   *
   * @param socket The tab's socket.
   */
  add(socket: WebSocket): void {
    this.#sockets.add(socket);
    socket.addEventListener("open", () => this.#sendTo(socket, this.#encode()));
    socket.addEventListener("close", () => this.#sockets.delete(socket));
    socket.addEventListener("error", () => this.#sockets.delete(socket));
    // The board is read-only: whatever a tab sends is ignored.
  }

  /**
   * Tells the feed that something happened; an update follows within the interval.
   *
   * @param push What was pushed to nodes for it, if anything (joins and leaves go on the ticker).
   */
  notify(push: Push | undefined): void {
    if (this.#closed) return;
    const entry = push ? tickerEntry(push, new Date().toISOString()) : undefined;
    if (entry) {
      this.#ticker.push(entry);
      if (this.#ticker.length > TICKER_LENGTH) this.#ticker.shift();
    }
    if (this.#timer !== undefined || this.#sockets.size === 0) return;
    const wait = Math.max(0, this.#lastSent + this.#intervalMs - Date.now());
    this.#timer = setTimeout(() => this.#update(), wait);
  }

  /** Closes every tab and stops updating. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const socket of this.#sockets) {
      try {
        socket.close(1001, "The hub stopped");
      } catch {
        // Closing already.
      }
    }
    this.#sockets.clear();
  }

  #update(): void {
    this.#timer = undefined;
    this.#lastSent = Date.now();
    const message = this.#encode();
    for (const socket of this.#sockets) this.#sendTo(socket, message);
  }

  #encode(): string {
    return JSON.stringify(this.#snapshot(this.#ticker));
  }

  #sendTo(socket: WebSocket, message: string): void {
    if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount > this.#maxBuffered) return;
    try {
      socket.send(message);
    } catch {
      // Closed meanwhile; its close event removes it.
    }
  }
}
