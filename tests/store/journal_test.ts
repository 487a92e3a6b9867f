import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { HubEvent } from "../../lib/election/events.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import { auditEntries } from "../../lib/store/audit.ts";
import { entryHash } from "../../lib/store/hash_chain.ts";
import { DataDirectoryError, readEntries, SqliteJournal } from "../../lib/store/sqlite_journal.ts";

const terms = buildTerms({ question: "Tea?", options: ["tea", "coffee"], rule: "majority" }, 0);
const events: HubEvent[] = [
  { type: "joined", node: 1, pin: 101, name: "a", address: "127.0.0.1", port: 1, tokenHash: "x" },
  { type: "joined", node: 2, pin: 102, name: "b", address: "127.0.0.1", port: 2, tokenHash: "y" },
  { type: "ballot-opened", ballot: 1, terms, proposer: null, at: 0 },
  { type: "voted", ballot: 1, node: 1, option: "A" },
  { type: "voted", ballot: 1, node: 2, option: "A" },
  {
    type: "ballot-closed",
    ballot: 1,
    cause: "rule",
    option: "A",
    counts: { A: 2, B: 0 },
    electorate: 2,
    reason: "2 of 2 in the electorate voted A: 100% > 50%",
  },
];

async function withJournal(run: (directory: string) => void | Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "consensus-journal-" });
  try {
    await run(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("events written in one flush are read back in order, hash-chained, after reopening", async () => {
  await withJournal((directory) => {
    const journal = new SqliteJournal(`${directory}/journal.sqlite3`);
    for (const event of events) journal.append(event, 1000);
    assert(journal.pending);
    journal.flush();
    assertEquals(journal.pending, false);
    journal.close();
    const again = new SqliteJournal(`${directory}/journal.sqlite3`);
    assertEquals(again.load(), events);
    again.append({ type: "left", node: 1, reason: "exit" }, 2000);
    again.flush();
    again.close();
    const db = new DatabaseSync(`${directory}/journal.sqlite3`, { readOnly: true });
    const entries = readEntries(db);
    db.close();
    assertEquals(entries.length, 7);
    assertEquals(auditEntries(entries).problems, []);
    assertEquals(auditEntries(entries).decisions, 1);
  });
});

Deno.test("a second hub cannot take a data directory in use", async () => {
  await withJournal((directory) => {
    const journal = new SqliteJournal(`${directory}/journal.sqlite3`);
    try {
      assertThrows(() => new SqliteJournal(`${directory}/journal.sqlite3`), DataDirectoryError);
    } finally {
      journal.close();
    }
  });
});

Deno.test("audit names a rewritten decision even when its hashes were recomputed", async () => {
  await withJournal((directory) => {
    const journal = new SqliteJournal(`${directory}/journal.sqlite3`);
    for (const event of events) journal.append(event, 1000);
    journal.flush();
    journal.close();
    const db = new DatabaseSync(`${directory}/journal.sqlite3`, { readOnly: true });
    const entries = readEntries(db);
    db.close();
    // A careful forger: flips the decision to B and recomputes every hash from there.
    const forged = entries.map((entry) => ({ ...entry }));
    forged[5]!.event = forged[5]!.event.replace('"option":"A"', '"option":"B"');
    for (let index = 5; index < forged.length; index++) {
      const entry = forged[index]!;
      entry.prev = forged[index - 1]!.hash;
      entry.hash = entryHash(entry.prev, entry.seq, entry.at, entry.event);
    }
    const report = auditEntries(forged);
    assertEquals(report.problems.length, 1);
    assertEquals(report.problems[0]!.seq, 6);
    assert(report.problems[0]!.problem.includes("is recorded as B"), report.problems[0]!.problem);
    assert(
      report.headHash !== auditEntries(entries).headHash,
      "the head hash changes, for those who kept it",
    );
  });
});

Deno.test("audit names a removed entry", () => {
  const chain = events.map((event, index) => ({
    seq: index + 1,
    at: 0,
    event: JSON.stringify(event),
    prev: "",
    hash: "",
  }));
  for (const [index, entry] of chain.entries()) {
    entry.prev = index === 0 ? "0".repeat(64) : chain[index - 1]!.hash;
    entry.hash = entryHash(entry.prev, entry.seq, entry.at, entry.event);
  }
  const report = auditEntries(chain.filter((entry) => entry.seq !== 4));
  assertEquals(report.problems[0]!.seq, 5);
  assert(
    report.problems.some((problem) =>
      problem.problem.includes("does not link to the entry before it")
    ),
  );
});
