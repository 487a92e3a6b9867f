/**
 * The meetings of a data directory: one SQLite database per meeting under
 * `meetings/`, numbered from 1. A meeting is one run of a hub's election; a
 * clean stop ends it, and the next hub starts the next one, unless told to
 * resume. An interrupted meeting (no end mark: the hub was killed or the
 * machine lost power) is resumed by the next hub by itself.
 *
 * A file per meeting, rather than one database with meeting ids, keeps each
 * meeting's hash chain, its single-writer lock and its lifetime its own: an
 * ended meeting is never written again unless resumed on purpose, can be
 * copied or published as one file, and a hub writing one meeting never
 * blocks readers or writers of another.
 *
 * @module
 */

import {
  DataDirectoryError,
  type MeetingRecord,
  type MeetingRow,
  readMeetingFile,
  SqliteJournal,
} from "./sqlite_journal.ts";
import { DatabaseSync } from "node:sqlite";

/** The journal file of data directories from before meetings. */
const LEGACY_JOURNAL = "journal.sqlite3";

/**
 * The database file of a meeting.
 *
 * @param directory The data directory.
 * @param id The meeting's number.
 * @returns Its path.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(meetingFile("/data", 3), "/data/meetings/0003.sqlite3");
 * ```
 */
export function meetingFile(directory: string, id: number): string {
  return `${directory}/meetings/${String(id).padStart(4, "0")}.sqlite3`;
}

/**
 * The meeting numbers of a data directory, oldest first.
 *
 * @param directory The data directory.
 * @returns The numbers (empty when there is none).
 */
export function meetingIds(directory: string): number[] {
  const ids: number[] = [];
  try {
    for (const entry of Deno.readDirSync(`${directory}/meetings`)) {
      const match = /^(\d+)\.sqlite3$/u.exec(entry.name);
      if (entry.isFile && match) ids.push(Number(match[1]));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return ids.sort((a, b) => a - b);
}

/** How `serve` chooses its meeting. */
export type MeetingChoice =
  /** The last meeting if it was interrupted, otherwise a new one. */
  | "auto"
  /** The last meeting, even after a clean stop. */
  | "resume"
  /** A new meeting, even after an interruption. */
  | "new";

/** How a meeting was opened. */
export type MeetingStart = "new" | "resumed-after-interruption" | "resumed";

/** A meeting opened for writing. */
export interface OpenedMeeting {
  /** Its number. */
  id: number;
  /** Its journal, held by this hub. */
  journal: SqliteJournal;
  /** New, or resumed (and why). */
  start: MeetingStart;
  /** Its stored row, when resumed. */
  stored: MeetingRow | undefined;
}

/**
 * Opens the meeting a hub writes, creating the data directory as needed.
 *
 * @param directory The data directory.
 * @param choice See {@linkcode MeetingChoice}.
 * @returns The meeting; the caller writes its row when it is new.
 * @throws {DataDirectoryError} When the directory cannot be used, another hub
 * writes the meeting to resume, or `resume` finds no meeting.
 */
export function openMeeting(directory: string, choice: MeetingChoice): OpenedMeeting {
  try {
    Deno.mkdirSync(`${directory}/meetings`, { recursive: true });
  } catch (error) {
    throw new DataDirectoryError(
      `Cannot open data directory ${directory}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  adoptLegacyJournal(directory);
  const last = meetingIds(directory).at(-1);
  if (choice === "resume" && last === undefined) {
    throw new DataDirectoryError(`Cannot resume: ${directory} has no meeting yet`);
  }
  if (last !== undefined && choice !== "new") {
    const file = meetingFile(directory, last);
    let journal: SqliteJournal;
    try {
      journal = new SqliteJournal(file);
    } catch (error) {
      if (choice === "resume") throw error;
      throw new DataDirectoryError(
        `Meeting ${last} in ${directory} is being written by another hub; stop that hub first, ` +
          `or start a separate meeting beside it with --new`,
        { cause: error },
      );
    }
    const stored = journal.meeting();
    const interrupted = stored === undefined || stored.endedAt === null;
    if (choice === "resume" || interrupted) {
      // The caller marks it running again once it accepts the meeting's terms.
      return {
        id: last,
        journal,
        start: interrupted ? "resumed-after-interruption" : "resumed",
        stored,
      };
    }
    journal.close();
  }
  const id = (last ?? 0) + 1;
  return {
    id,
    journal: new SqliteJournal(meetingFile(directory, id)),
    start: "new",
    stored: undefined,
  };
}

/**
 * Moves the single journal of a data directory from before meetings into
 * `meetings/` as meeting 1, marked as ended at its last entry: the next hub
 * starts a new meeting, and `--resume` continues it.
 */
function adoptLegacyJournal(directory: string): void {
  const legacy = `${directory}/${LEGACY_JOURNAL}`;
  if (!exists(legacy) || meetingIds(directory).length > 0) return;
  const target = meetingFile(directory, 1);
  for (const suffix of ["", "-wal", "-shm"]) {
    if (exists(`${legacy}${suffix}`)) Deno.renameSync(`${legacy}${suffix}`, `${target}${suffix}`);
  }
  const journal = new SqliteJournal(target);
  try {
    const times = new DatabaseSync(target, { readOnly: true });
    const span = times.prepare("SELECT min(at) AS first, max(at) AS last FROM journal").get() as {
      first: number | null;
      last: number | null;
    };
    times.close();
    const now = Date.now();
    journal.writeMeeting({
      id: 1,
      startedAt: span.first ?? now,
      endedAt: span.last ?? now,
      terms: "{}",
    });
  } finally {
    journal.close();
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a hub writes a meeting now, ended it, or was interrupted. */
export type MeetingStatus = "running" | "ended" | "interrupted";

/**
 * Reads one meeting of a data directory, without taking it: works while its
 * hub writes.
 *
 * @param directory The data directory.
 * @param which A meeting number, or `latest`.
 * @param action What the caller is doing, for errors: `audit`, `read results from`.
 * @returns The meeting's number, status, row and entries.
 * @throws {DataDirectoryError} When there is no such meeting.
 */
export function readMeeting(
  directory: string,
  which: number | "latest",
  action: string,
): MeetingRecord & { id: number; status: MeetingStatus } {
  const ids = meetingIds(directory);
  if (ids.length === 0 && exists(`${directory}/${LEGACY_JOURNAL}`)) {
    // A directory from before meetings, not opened by a hub since: its one journal.
    const record = readMeetingFile(`${directory}/${LEGACY_JOURNAL}`, action);
    return { id: 1, status: "ended", ...record };
  }
  const id = which === "latest" ? ids.at(-1) : which;
  if (id === undefined || !ids.includes(id)) {
    const known = ids.length === 0 ? "it has no meeting" : `its meetings are ${ids.join(", ")}`;
    throw new DataDirectoryError(
      `Cannot ${action} ${directory}: ${
        id === undefined ? "no meeting" : `no meeting ${id}`
      } there (${known})`,
    );
  }
  const file = meetingFile(directory, id);
  const record = readMeetingFile(file, action);
  return { id, status: meetingStatus(file, record.meeting), ...record };
}

/**
 * The numbers of every meeting of a data directory, for readers (a directory
 * from before meetings counts its one journal as meeting 1).
 *
 * @param directory The data directory.
 * @returns The numbers, oldest first.
 * @throws {DataDirectoryError} When the directory holds no journal at all.
 */
export function readableMeetingIds(directory: string): number[] {
  const ids = meetingIds(directory);
  if (ids.length > 0) return ids;
  if (exists(`${directory}/${LEGACY_JOURNAL}`)) return [1];
  throw new DataDirectoryError(`Cannot read ${directory}: no meeting there`);
}

function meetingStatus(file: string, row: MeetingRow | undefined): MeetingStatus {
  if (row?.endedAt !== null && row?.endedAt !== undefined) return "ended";
  if (!exists(`${file}.lock`)) return "interrupted";
  // The writer holds its lock database exclusively: a reader is refused at once.
  try {
    const lock = new DatabaseSync(`${file}.lock`, { readOnly: true });
    try {
      lock.exec("PRAGMA busy_timeout = 0");
      lock.prepare("SELECT count(*) FROM writer").get();
      return "interrupted";
    } finally {
      lock.close();
    }
  } catch {
    return "running";
  }
}
