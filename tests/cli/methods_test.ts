/**
 * Methods through the real CLI: a hub started with `--method`, scripted
 * nodes voting with `--vote "B>C>D>A"`, the operator closing the ballot,
 * then `results --json/--csv` and `consensus audit` on the journal.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startServe } from "../_helpers/cli.ts";

const RIDDLE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

Deno.test("serve --method ranked:schulze: scripted rankings, the announcement, results and audit", async (t) => {
  const data = await Deno.makeTempDir({ prefix: "consensus-methods-" });
  try {
    await using hub = await startServe([
      "--data",
      data,
      "--method",
      "ranked:schulze",
      "--question",
      "Capital?",
      "--options",
      "Memphis,Nashville,Chattanooga,Knoxville",
      ...RIDDLE,
    ], { stdin: true });
    const address = `127.0.0.1:${hub.port}`;
    await t.step("scripted nodes vote with rankings", async () => {
      for (const ranking of ["A>B>C>D", "B>C>D>A", "C>D>B>A", "B>C>D>A", "D>C>B>A"]) {
        const run = await runCli(["join", address, "--answer", "keyboard", "--vote", ranking]);
        assertEquals(run.code, 0, run.stdout + run.stderr);
        assert(run.stdout.includes(`ok vote ${ranking} (`), run.stdout);
      }
      const refused = await runCli(["join", address, "--answer", "keyboard", "--vote", "A>E"]);
      assertEquals(refused.code, 5, refused.stdout + refused.stderr);
    });
    await t.step(
      "the operator closes it: Nashville beats every other city head to head",
      async () => {
        await hub.type("close 1");
        const line = await hub.waitForLine((text) => text.startsWith("closed ballot 1"));
        assertEquals(
          line,
          "closed ballot 1 decided B (Nashville): B is the Condorcet winner, beating A 4-1, C 3-2, D 3-2 (5 voters)",
        );
        await hub.type("end");
        await hub.child.status;
      },
    );
    await t.step("results carry the method and its numbers; audit re-counts them", async () => {
      const json = await runCli(["results", "--data", data, "--meeting", "latest", "--json"]);
      assertEquals(json.code, 0, json.stderr);
      const [first] = JSON.parse(json.stdout).results;
      assertEquals([first.method, first.option], ["ranked:schulze", "B"]);
      assertEquals(first.tally.pairwise.B, { A: 4, C: 3, D: 3 });
      assertEquals(first.tally.condorcetWinner, "B");
      const csv = await runCli(["results", "--data", data, "--meeting", "latest", "--csv"]);
      const row = csv.stdout.trim().split("\n")[1]!;
      assert(row.includes(',ranked:schulze,"{""method"":""ranked:schulze"",""voters"":5'), row);
      const audit = await runCli(["audit", data]);
      assertEquals(audit.code, 0, audit.stdout + audit.stderr);
      assert(audit.stdout.includes("the record holds"), audit.stdout);
    });
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("serve --method consent takes no options, and a rule the method cannot use is refused", async () => {
  const wrong = await runCli([
    "serve",
    "--data",
    ":memory:",
    "--method",
    "ranked:irv",
    "--rule",
    "majority",
  ]);
  assertEquals(wrong.code, 2, wrong.stderr);
  assert(wrong.stderr.includes("ranked:irv picks its winner when the ballot closes"), wrong.stderr);
  await using hub = await startServe([
    "--method",
    "consent",
    "--question",
    "Adopt the budget?",
    ...RIDDLE,
  ]);
  const run = await runCli([
    "join",
    `127.0.0.1:${hub.port}`,
    "--answer",
    "keyboard",
    "--vote",
    'block "we have no budget"',
  ]);
  assertEquals(run.code, 0, run.stdout + run.stderr);
  assert(
    run.stdout.includes('ok vote D "we have no budget" (block) recorded on ballot 1'),
    run.stdout,
  );
});
