/**
 * Where a hub keeps its events. The hub appends as events happen and calls
 * {@linkcode Journal.flush} once per tick, so that many events share one
 * write (group commit); replies and pushes go out only after the flush.
 *
 * @module
 */

import type { HubEvent } from "../election/events.ts";

/** One stored event with its place in the chain. */
export interface JournalEntry {
  /** Position, from 1. */
  seq: number;
  /** When it was recorded, milliseconds since the epoch. */
  at: number;
  /** The event, as stored (JSON text). */
  event: string;
  /** Hash of the entry before (64 zeros for the first). */
  prev: string;
  /** Hash of this entry. */
  hash: string;
}

/** An append-only store of events. */
export interface Journal {
  /** Whether events survive a restart (false for the in-memory journal). */
  readonly durable: boolean;
  /** Every event stored so far, oldest first (for replay at start). */
  load(): HubEvent[];
  /** Queues an event; it is stored by the next {@linkcode flush}. */
  append(event: HubEvent, at: number): void;
  /** Whether events wait for a flush. */
  readonly pending: boolean;
  /**
   * Stores every queued event in one transaction.
   *
   * @throws When the store fails; the queued events are then not stored.
   */
  flush(): void;
  /**
   * Stores what is queued and marks the meeting as ended cleanly; a journal
   * closed without this mark was interrupted.
   *
   * @param at When it ended, milliseconds since the epoch.
   */
  end(at: number): void;
  /** Releases the store. */
  close(): void;
}

/** A journal that keeps nothing: `--data :memory:`. */
export class MemoryJournal implements Journal {
  /** Nothing survives a restart. */
  readonly durable = false;
  /** Nothing ever waits. */
  readonly pending = false;

  /** There is nothing to replay. */
  load(): HubEvent[] {
    return [];
  }

  /** Forgets the event: the state in memory is the only copy. */
  append(_event: HubEvent, _at: number): void {}

  /** Nothing to write. */
  flush(): void {}

  /** Nothing to mark. */
  end(_at: number): void {}

  /** Nothing to release. */
  close(): void {}
}
