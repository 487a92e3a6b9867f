/**
 * The journal in real use: a hub killed with SIGKILL in the middle of a
 * ballot comes back with every acknowledged vote, its nodes resume by
 * themselves with their PINs, and the ballot reaches the decision it would
 * have reached. Then `consensus audit` checks the record, and catches a vote
 * changed behind the hub's back with the sqlite3 command-line tool.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startCli, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";
import { requireTool } from "../_helpers/tools.ts";

/** The last step changes the journal behind the hub's back with the sqlite3 tool. */
const HAS_SQLITE3 = requireTool("sqlite3", "sqlite3");
const RIDDLE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

function freePort(): number {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  return port;
}

Deno.test("SIGKILL mid-ballot: votes kept, nodes resume with their PINs, same decision; audit holds and catches an edit", async (t) => {
  const data = await Deno.makeTempDir({ prefix: "consensus-durability-" });
  const port = freePort();
  const serveArgs = [
    "--port",
    String(port),
    "--data",
    data,
    "--rule",
    "majority",
    "--grace",
    "60",
    ...RIDDLE,
  ];
  const address = `127.0.0.1:${port}`;
  const join = (name: string, ...more: string[]) =>
    startCli(["join", address, "--answer", "keyboard", "--name", name, "--timeout", "60", ...more]);
  try {
    const first = await startServe(serveArgs);
    const pins = new Map<string, string>();
    // Followers first: with four connected, two votes for A are not yet a majority.
    await using follower3 = join("n3", "--follow");
    await using follower4 = join("n4", "--follow");
    for (const name of ["n3", "n4"]) {
      await first.waitForLine((line) => line.startsWith("joined ") && line.includes(` ${name} `));
    }
    await using voter1 = join("n1", "--vote", "A", "--wait");
    await using voter2 = join("n2", "--vote", "A", "--wait");
    await t.step("four nodes join and two votes are acknowledged", async () => {
      for (const name of ["n1", "n2", "n3", "n4"]) {
        const joined = await first.waitForLine((line) =>
          line.startsWith("joined ") && line.includes(` ${name} `)
        );
        pins.set(name, joined.split(" ")[1]!);
      }
      await voter1.waitForLine((line) =>
        line.startsWith("ok vote A (be able to fly) recorded on ballot 1")
      );
      await voter2.waitForLine((line) =>
        line.startsWith("ok vote A (be able to fly) recorded on ballot 1")
      );
    });
    await t.step("the hub is killed and started again on the same data", async () => {
      first.child.kill("SIGKILL");
      await first.child.status;
      await first[Symbol.asyncDispose]();
    });
    await using second = await startServe(serveArgs);
    await t.step("every node resumes by itself with its PIN", async () => {
      for (const [name, pin] of pins) {
        await second.waitForLine((line) => line === `resumed ${pin} ${name}`);
      }
    });
    await t.step(
      "the acknowledged votes are there and the ballot reaches its decision",
      async () => {
        const { client } = await TextClient.admitted(port);
        using _ = client;
        await client.send("stats");
        await client.readUntil((line) => line.startsWith("ok stats: 1 open ballot"));
        await client.readUntil((line) =>
          line.includes("ballot 1: ") && line.includes("2 votes, 5 in the electorate")
        );
        await client.send("vote A");
        await client.readUntil((line) =>
          line ===
            "! consensus ballot 1: A (be able to fly) - 3 of 5 in the electorate voted A: 60% > 50%"
        );
        for (const voter of [voter1, voter2]) {
          const { code, lines } = await voter.finished();
          assertEquals(code, 0, lines.join("\n"));
          assert(lines.some((line) => line.startsWith("resumed as ")), lines.join("\n"));
          assert(
            lines.some((line) => line.startsWith("consensus ballot 1 decided A")),
            lines.join("\n"),
          );
        }
        await client.send("exit");
        await client.readUntil((line) => line === "ok bye");
      },
    );
    await second[Symbol.asyncDispose]();

    await t.step("audit holds on the real journal; results read it back", async () => {
      const audit = await runCli(["audit", data]);
      assertEquals(audit.code, 0, audit.stdout + audit.stderr);
      assert(audit.stdout.includes("the record holds"), audit.stdout);
      const csv = await runCli(["results", "--data", data, "--meeting", "latest", "--csv"]);
      assertEquals(csv.code, 0, csv.stderr);
      const rows = csv.stdout.trim().split("\n");
      assertEquals(
        rows[0],
        "ballot,question,option,label,cause,electorate,counts,reason,method,tally",
      );
      assertEquals(
        rows[1],
        "1,Would you rather be able to fly or be invisible?,A,be able to fly,rule,5,A=3 B=0,3 of 5 in the electorate voted A: 60% > 50%,choice,",
      );
    });
    await t.step({
      name: "one stored vote changed with sqlite3 is caught, naming its entry",
      ignore: !HAS_SQLITE3,
      fn: async () => {
        const database = `${data}/meetings/0001.sqlite3`;
        const find = await new Deno.Command("sqlite3", {
          args: [
            database,
            `SELECT seq FROM journal WHERE event LIKE '%"type":"voted"%' ORDER BY seq LIMIT 1`,
          ],
          stdout: "piped",
        }).output();
        const seq = new TextDecoder().decode(find.stdout).trim();
        assert(/^\d+$/u.test(seq), `no vote found: ${seq}`);
        const edit = await new Deno.Command("sqlite3", {
          args: [
            database,
            `UPDATE journal SET event = replace(event, '"option":"A"', '"option":"B"') WHERE seq = ${seq}`,
          ],
        }).output();
        assertEquals(edit.code, 0);
        const audit = await runCli(["audit", data]);
        assertEquals(audit.code, 1, audit.stdout);
        assert(
          audit.stdout.includes(
            `problem: entry ${seq} was altered: its content does not match its hash`,
          ),
          audit.stdout,
        );
        assert(audit.stderr.includes(`first at entry ${seq}`), audit.stderr);
      },
    });
    for (const follower of [follower3, follower4]) follower.child.kill("SIGTERM");
  } finally {
    await Deno.remove(data, { recursive: true }).catch(() => {});
  }
});
