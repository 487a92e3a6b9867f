/**
 * Run as a child process with the release permissions: opens a journal in
 * the directory given, drops file access as the hub does, then reports what
 * still works as one JSON line.
 */

import { dropFileAccess } from "../../lib/cli/lockdown.ts";
import { SqliteJournal } from "../../lib/store/sqlite_journal.ts";

const [directory, outside] = Deno.args;
const journal = new SqliteJournal(`${directory}/journal.sqlite3`);
dropFileAccess();
const attempt = (run: () => void) => {
  try {
    run();
    return "written";
  } catch (error) {
    return (error as Error).name;
  }
};
const report = {
  journal: attempt(() => {
    journal.append({ type: "left", node: 1, reason: "exit" }, 0);
    journal.flush();
  }),
  outside: attempt(() => Deno.writeTextFileSync(outside!, "should not be written")),
  inside: attempt(() => Deno.writeTextFileSync(`${directory}/other.txt`, "should not be written")),
  read: attempt(() => Deno.readTextFileSync("/etc/hostname")),
};
journal.close();
console.log(JSON.stringify(report));
