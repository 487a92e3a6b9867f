/**
 * The durable journal of one meeting: an append-only table in an embedded
 * SQLite database (`node:sqlite`, built into Deno: no server to run), one
 * hash-chained row per event, and one row describing the meeting.
 *
 * One hub writes a meeting at a time; anyone may read it meanwhile. The
 * database runs in WAL mode with normal locking, so readers (`consensus
 * results`, `consensus audit`) see every committed transaction while the hub
 * writes. The single writer is enforced by a second, tiny database beside it
 * (`<meeting>.lock`) that the writer holds in exclusive locking mode: the lock
 * is the operating system's, so it is released when the process ends, even
 * by SIGKILL, and a second hub is told at once instead of waiting.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { HubEvent } from "../election/events.ts";
import { entryHash, GENESIS_HASH } from "./hash_chain.ts";
import type { Journal, JournalEntry } from "./journal.ts";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS journal (
    seq   INTEGER PRIMARY KEY,
    at    INTEGER NOT NULL,
    event TEXT    NOT NULL,
    prev  TEXT    NOT NULL,
    hash  TEXT    NOT NULL
  );
  CREATE TABLE IF NOT EXISTS meeting (
    id         INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    terms      TEXT    NOT NULL
  )`;

/** The row that describes a meeting, as stored beside its journal. */
export interface MeetingRow {
  /** The meeting's number in its data directory, from 1. */
  id: number;
  /** When it started, milliseconds since the epoch. */
  startedAt: number;
  /** When it ended cleanly, or `null` while it runs or after a crash. */
  endedAt: number | null;
  /** What it was started with (JSON text; see `meeting_terms.ts`). */
  terms: string;
}

/** A data directory or meeting that another hub holds, or that cannot be opened. */
export class DataDirectoryError extends Error {
  /** Creates the error; `cause` keeps SQLite's. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataDirectoryError";
  }
}

/** The journal of one meeting, written by one hub at a time. */
export class SqliteJournal implements Journal {
  /** Events survive a restart. */
  readonly durable = true;
  readonly #db: DatabaseSync;
  readonly #lock: DatabaseSync;
  readonly #insert: ReturnType<DatabaseSync["prepare"]>;
  #queue: { event: HubEvent; at: number }[] = [];
  #lastSeq: number;
  #lastHash: string;

  /**
   * Opens (or creates) a meeting's database and takes it for this hub.
   *
   * @param file The meeting's database file; its directory must exist.
   * @throws {DataDirectoryError} When it cannot be opened or another hub writes it.
   */
  constructor(file: string) {
    this.#lock = takeWriterLock(file);
    try {
      this.#db = new DatabaseSync(file);
    } catch (error) {
      this.#lock.close();
      throw new DataDirectoryError(`Cannot open ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      // WAL with FULL sync: a commit is on disk when it returns, and readers
      // see every commit without blocking the hub.
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = FULL");
      this.#db.exec("PRAGMA busy_timeout = 2000");
      this.#db.exec("BEGIN IMMEDIATE");
      this.#db.exec(SCHEMA);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.close();
      throw new DataDirectoryError(
        `Cannot use ${file}: it is not a consensus journal (${(error as Error).message})`,
        { cause: error },
      );
    }
    const last = this.#db.prepare("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
      .get() as { seq: number; hash: string } | undefined;
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

  /**
   * The meeting's row, once written.
   *
   * @returns The row, or `undefined` for a database that has none yet.
   */
  meeting(): MeetingRow | undefined {
    return readMeetingRow(this.#db);
  }

  /**
   * Writes the meeting's row: at its start, or to mark it running again.
   *
   * @param row The row.
   */
  writeMeeting(row: MeetingRow): void {
    this.#db.prepare(
      "INSERT OR REPLACE INTO meeting (id, started_at, ended_at, terms) VALUES (?, ?, ?, ?)",
    ).run(row.id, row.startedAt, row.endedAt, row.terms);
  }

  /**
   * Marks the meeting as ended cleanly, after its last events are stored.
   * A meeting without this mark was interrupted, and the next hub resumes it.
   *
   * @param at When it ended, milliseconds since the epoch.
   */
  end(at: number): void {
    this.flush();
    this.#db.prepare("UPDATE meeting SET ended_at = ?").run(at);
  }

  /** Closes the database and lets another hub take the meeting. */
  close(): void {
    for (const db of [this.#db, this.#lock]) {
      try {
        db?.close();
      } catch {
        // Already closed.
      }
    }
  }
}

/**
 * Takes the writer's lock of a meeting: a small database beside it, held in
 * exclusive locking mode for as long as the connection is open.
 */
function takeWriterLock(file: string): DatabaseSync {
  let lock: DatabaseSync;
  try {
    lock = new DatabaseSync(`${file}.lock`);
  } catch (error) {
    throw new DataDirectoryError(`Cannot open ${file}.lock: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    lock.exec("PRAGMA busy_timeout = 0");
    lock.exec("PRAGMA locking_mode = EXCLUSIVE");
    lock.exec("CREATE TABLE IF NOT EXISTS writer (pid INTEGER)");
    // A write takes the exclusive lock, which this mode keeps until close.
    lock.exec("BEGIN IMMEDIATE");
    lock.exec("DELETE FROM writer");
    lock.prepare("INSERT INTO writer (pid) VALUES (?)").run(Deno.pid);
    lock.exec("COMMIT");
    return lock;
  } catch (error) {
    lock.close();
    throw new DataDirectoryError(
      `Cannot write ${file}: another hub is writing this meeting (${(error as Error).message})`,
      { cause: error },
    );
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

function readMeetingRow(db: DatabaseSync): MeetingRow | undefined {
  const row = db.prepare(
    "SELECT id, started_at AS startedAt, ended_at AS endedAt, terms FROM meeting LIMIT 1",
  ).get() as MeetingRow | undefined;
  return row === undefined ? undefined : { ...row };
}

/** What a reader gets of one meeting's database. */
export interface MeetingRecord {
  /** The meeting's row (`undefined` for a journal from before meetings). */
  meeting: MeetingRow | undefined;
  /** Every committed entry, oldest first. */
  entries: JournalEntry[];
}

/**
 * Reads a meeting's database without taking it: works while its hub runs
 * (a consistent snapshot of what is committed) and after it stopped.
 *
 * @param file The meeting's database file.
 * @param action What the caller is doing, for the error: `audit`, `read results from`.
 * @returns The meeting's row and entries.
 * @throws {DataDirectoryError} When there is no readable journal there.
 */
export function readMeetingFile(file: string, action: string): MeetingRecord {
  let db: DatabaseSync;
  try {
    // Opening a missing file read-only would fail anyway; stat says why in plainer words.
    Deno.statSync(file);
    db = new DatabaseSync(file, { readOnly: true });
  } catch (error) {
    throw new DataDirectoryError(
      `Cannot ${action} ${file}: no readable journal there (${(error as Error).message})`,
      { cause: error },
    );
  }
  try {
    db.exec("PRAGMA busy_timeout = 2000");
    // One read transaction: the row and the entries come from the same commit.
    db.exec("BEGIN");
    const hasMeeting = db.prepare(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meeting'",
    ).get() !== undefined;
    const record = {
      meeting: hasMeeting ? readMeetingRow(db) : undefined,
      entries: readEntries(db),
    };
    db.exec("COMMIT");
    return record;
  } catch (error) {
    throw new DataDirectoryError(
      `Cannot ${action} ${file}: the journal cannot be read (${(error as Error).message})`,
      { cause: error },
    );
  } finally {
    db.close();
  }
}
