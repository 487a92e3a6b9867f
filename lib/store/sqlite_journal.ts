/**
 * The durable journal: an append-only table in an embedded SQLite database
 * (`node:sqlite`, built into Deno: no server to run), one hash-chained row
 * per event.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { HubEvent } from "../election/events.ts";
import { entryHash, GENESIS_HASH } from "./hash_chain.ts";
import type { Journal, JournalEntry } from "./journal.ts";

/** File name of the journal inside the data directory. */
export const JOURNAL_FILE = "journal.sqlite3";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS journal (
    seq   INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    event TEXT    NOT NULL,
    prev  TEXT    NOT NULL,
    hash  TEXT    NOT NULL
  )`;

/** A data directory that another hub holds, or that cannot be opened. */
export class DataDirectoryError extends Error {
  /** Creates the error; `cause` keeps SQLite's. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataDirectoryError";
  }
}

/** The journal of one data directory, held by one hub at a time. */
export class SqliteJournal implements Journal {
  /** Events survive a restart. */
  readonly durable = true;
  readonly #db: DatabaseSync;
  readonly #insert: ReturnType<DatabaseSync["prepare"]>;
  #queue: { event: HubEvent; at: number }[] = [];
  #lastSeq: number;
  #lastHash: string;

  /**
   * Opens (or creates) the journal in a directory and takes it for this hub.
   *
   * @param directory The data directory; created when missing.
   * @throws {DataDirectoryError} When it cannot be opened or another hub uses it.
   */
  constructor(directory: string) {
    try {
      Deno.mkdirSync(directory, { recursive: true });
      this.#db = new DatabaseSync(`${directory}/${JOURNAL_FILE}`);
    } catch (error) {
      throw new DataDirectoryError(
        `Cannot open data directory ${directory}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    try {
      // WAL with FULL sync: a commit is on disk when it returns. EXCLUSIVE
      // locking keeps a second hub from appending to the same chain.
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = FULL");
      this.#db.exec("PRAGMA locking_mode = EXCLUSIVE");
      this.#db.exec("PRAGMA busy_timeout = 0");
      this.#db.exec("BEGIN IMMEDIATE");
      this.#db.exec(SCHEMA);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.close();
      throw new DataDirectoryError(
        `Cannot use data directory ${directory}: another hub holds it, or it is not a consensus journal (${
          (error as Error).message
        })`,
        { cause: error },
      );
    }
    const last = this.#db.prepare("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
      .get() as
        | { seq: number; hash: string }
        | undefined;
    this.#lastSeq = last?.seq ?? 0;
    this.#lastHash = last?.hash ?? GENESIS_HASH;
    this.#insert = this.#db.prepare(
      "INSERT INTO journal (seq, at, event, prev, hash) VALUES (?, ?, ?, ?, ?)",
    );
  }

  /** Whether events wait for a flush. */
  get pending(): boolean {
    return this.#queue.length > 0;
  }

  /** Every stored event, oldest first. */
  load(): HubEvent[] {
    return readEntries(this.#db).map((entry) => JSON.parse(entry.event) as HubEvent);
  }

  /** Queues an event for the next flush. */
  append(event: HubEvent, at: number): void {
    this.#queue.push({ event, at });
  }

  /** Stores the queued events in one transaction. */
  flush(): void {
    if (this.#queue.length === 0) return;
    const queue = this.#queue;
    this.#queue = [];
    let seq = this.#lastSeq;
    let hash = this.#lastHash;
    this.#db.exec("BEGIN");
    try {
      for (const { event, at } of queue) {
        seq += 1;
        const text = JSON.stringify(event);
        const prev = hash;
        hash = entryHash(prev, seq, at, text);
        this.#insert.run(seq, at, text, prev, hash);
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      // Keep the events for the next flush: nothing recorded may be lost.
      this.#queue = [...queue, ...this.#queue];
      throw error;
    }
    this.#lastSeq = seq;
    this.#lastHash = hash;
  }

  /** Hash of the newest entry: what a reader compares to check the record. */
  get headHash(): string {
    return this.#lastHash;
  }

  /** Closes the database. */
  close(): void {
    try {
      this.#db.close();
    } catch {
      // Already closed.
    }
  }
}

/**
 * Reads every entry of a journal database, oldest first.
 *
 * @param db An open database.
 * @returns The rows as stored.
 */
export function readEntries(db: DatabaseSync): JournalEntry[] {
  return db.prepare("SELECT seq, at, event, prev, hash FROM journal ORDER BY seq")
    .all() as unknown as JournalEntry[];
}

/**
 * Reads every entry of the journal in a data directory, without taking it
 * (the hub must be stopped: a running hub holds it exclusively).
 *
 * @param directory The data directory.
 * @param action What the caller is doing, for the error: `audit`, `read results from`.
 * @returns The entries, oldest first.
 * @throws {DataDirectoryError} When there is no readable journal there.
 */
export function readJournalEntries(directory: string, action: string): JournalEntry[] {
  const path = `${directory}/${JOURNAL_FILE}`;
  let db: DatabaseSync;
  try {
    // Opening a missing file read-only would fail anyway; stat says why in plainer words.
    Deno.statSync(path);
    db = new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw new DataDirectoryError(
      `Cannot ${action} ${directory}: no readable journal there (${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    return readEntries(db);
  } catch (error) {
    throw new DataDirectoryError(
      `Cannot ${action} ${directory}: the journal cannot be read (${
        (error as Error).message
      }); is its hub still running?`,
      { cause: error },
    );
  } finally {
    db.close();
  }
}
