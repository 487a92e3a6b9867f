/**
 * What the web board shows, built from the hub's state (pure): the same
 * numbers as the `stats` service, so that hidden results stay hidden and
 * anonymous ballots show only counts, plus how to join and a short ticker of
 * arrivals and departures.
 *
 * @module
 */

import type { Push, Reply } from "../protocol/messages.ts";

/** How to join, shown on the board. */
export interface BoardJoinInfo {
  /** `HOST:PORT` for `consensus join` and netcat. */
  address: string;
  /** The gate question (never the answer). */
  question: string;
  /** The phone page's URL (with the access token unless the board is public). */
  phoneUrl: string;
}

/** One line of the ticker. */
export interface TickerEntry {
  /** When, ISO 8601. */
  at: string;
  /** What happened, as plain text (the page shows it as text, never as HTML). */
  text: string;
}

/** One message of the board feed. */
export interface BoardSnapshot {
  event: "board";
  /** Open ballots and the last decided ones, exactly as `stats` gives them. */
  stats: Omit<Extract<Reply, { op: "stats" }>, "op">;
  /** Nodes connected now. */
  connected: number;
  join: BoardJoinInfo;
  /** Latest arrivals and departures, oldest first. */
  ticker: TickerEntry[];
}

/** How many ticker lines the board keeps. */
export const TICKER_LENGTH = 8;

/**
 * Builds a board message.
 *
 * @param stats The `stats` reply.
 * @param connected Nodes connected now.
 * @param join How to join.
 * @param ticker The ticker.
 * @returns The message.
 */
export function boardSnapshot(
  stats: Extract<Reply, { op: "stats" }>,
  connected: number,
  join: BoardJoinInfo,
  ticker: readonly TickerEntry[],
): BoardSnapshot {
  const { op: _op, ...shown } = stats;
  return { event: "board", stats: shown, connected, join, ticker: [...ticker] };
}

/**
 * The ticker's line for a push, if it is an arrival or a departure.
 *
 * @param push A push.
 * @param at When.
 * @returns The line, or `undefined`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const at = "2026-01-01T00:00:00.000Z";
 * assertEquals(tickerEntry({ event: "resumed", pin: 123, name: "ann" }, at), {
 *   at,
 *   text: "ann (PIN 123) is back",
 * });
 * ```
 */
export function tickerEntry(push: Push, at: string): TickerEntry | undefined {
  switch (push.event) {
    case "joined":
      return { at, text: `${push.name} (PIN ${push.pin}) joined` };
    case "resumed":
      return { at, text: `${push.name} (PIN ${push.pin}) is back` };
    case "left":
      return {
        at,
        text: `${push.name} (PIN ${push.pin}) ${
          push.reason === "exit" ? "left" : push.reason === "dropped" ? "dropped out" : "is gone"
        }`,
      };
    case "renamed":
      return { at, text: `${push.previous} is now ${push.name} (PIN ${push.pin})` };
    case "presence":
      return {
        at,
        text:
          `${push.joined} joined, ${push.left} left, ${push.resumed} back: ${push.connected} here`,
      };
    default:
      return undefined;
  }
}
