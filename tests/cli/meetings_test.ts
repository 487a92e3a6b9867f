/**
 * Meetings through the real program: each `consensus serve` on a data
 * directory is a new meeting unless the last one was interrupted or
 * `--resume` asks for it; a clean stop ends it; flags that contradict a
 * resumed meeting are refused; and the record can be read while the hub
 * writes it.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";

const RIDDLE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];
const PIZZA = ["--question", "Pizza or sushi?", "--options", "pizza,sushi"];

async function withData(run: (data: string) => Promise<void>): Promise<void> {
  const data = await Deno.makeTempDir({ prefix: "consensus-meetings-" });
  try {
    await run(data);
  } finally {
    await Deno.remove(data, { recursive: true }).catch(() => {});
  }
}

/** Runs a hub that must refuse to start with a usage error (exit 2); returns what it said. */
async function refusedServe(data: string, ...flags: string[]): Promise<string> {
  const result = await runCli([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--data",
    data,
    ...flags,
  ]);
  assertEquals(result.code, 2, result.stdout + result.stderr);
  return result.stderr;
}

function assertSays(text: string, ...expected: string[]): void {
  for (const part of expected) assert(text.includes(part), text);
}

function joinArgs(port: number, ...more: string[]): string[] {
  return ["join", `127.0.0.1:${port}`, "--answer", "keyboard", "--timeout", "20", ...more];
}

Deno.test("two runs on one data directory are two meetings: the second asks only its own question and counts only its own nodes", async (t) => {
  await withData(async (data) => {
    await t.step("the first meeting: one vote, then a clean stop closes its ballot", async () => {
      await using first = await startServe(["--data", data, ...PIZZA, ...RIDDLE]);
      await first.waitForLine((line) => line.startsWith("  meeting 1, new"));
      const { client } = await TextClient.admitted(first.port);
      using _ = client;
      const voted = await runCli(joinArgs(first.port, "--vote", "A"));
      assertEquals(voted.code, 0, voted.stdout + voted.stderr);
      first.child.kill("SIGTERM");
      assertEquals((await first.child.status).code, 0);
      await client.readUntil((line) =>
        line.startsWith("! closed ballot 1: ") && line.endsWith("(hub-stopped)")
      );
      assert(first.lines.some((line) => line.includes("(hub-stopped)")), first.lines.join("\n"));
    });
    await t.step("the second meeting asks its own question, and its own nodes decide", async () => {
      await using second = await startServe([
        "--data",
        data,
        "--question",
        "Tea or coffee?",
        "--options",
        "tea,coffee",
        ...RIDDLE,
      ]);
      await second.waitForLine((line) => line.startsWith("  meeting 2, new"));
      const { client } = await TextClient.admitted(second.port);
      using _ = client;
      await client.send("ballots");
      await client.readUntil((line) => line === "ok ballots: 1 open");
      const ballot = await client.readUntil((line) => line.includes(" open: "));
      assert(ballot.includes("Tea or coffee?") && !ballot.includes("Pizza"), ballot);
      // Three connected, two vote A: 2 of 3 decides under the seed rule, and
      // only if nobody from the first meeting counts in the electorate.
      const votes = await Promise.all([
        runCli(joinArgs(second.port, "--vote", "A", "--wait")),
        runCli(joinArgs(second.port, "--vote", "A", "--wait")),
      ]);
      for (const vote of votes) assertEquals(vote.code, 0, vote.stdout + vote.stderr);
      await client.readUntil((line) =>
        line.startsWith("! consensus ballot 1: A (tea) - 2 of 3 connected voted A")
      );
      // results --data lists both meetings while the hub runs.
      {
        const listed = await runCli(["results", "--data", data, "--json"]);
        assertEquals(listed.code, 0, listed.stderr);
        const { meetings } = JSON.parse(listed.stdout);
        assertEquals(
          meetings.map((meeting: Record<string, unknown>) => [
            meeting.id,
            meeting.status,
            meeting.ballots,
            meeting.decisions,
          ]),
          [[1, "ended", 1, 0], [2, "running", 2, 1]],
        );
        const first = await runCli(["results", "--data", data, "--meeting", "1", "--csv"]);
        assertEquals(first.code, 0, first.stderr);
        const row = first.stdout.trim().split("\n")[1]!;
        assert(row.startsWith("1,Pizza or sushi?,,,hub-stopped,"), row);
        assert(row.includes("A=1 B=0"), row);
      }
    });
  });
});

Deno.test("--resume continues a meeting after a clean stop; a contradicting flag exits 2 naming it; --new starts another", async (t) => {
  await withData(async (data) => {
    await t.step("a meeting with one vote is stopped cleanly", async () => {
      await using hub = await startServe([
        "--data",
        data,
        ...PIZZA,
        "--rule",
        "plurality",
        ...RIDDLE,
      ]);
      const voted = await runCli(joinArgs(hub.port, "--vote", "B"));
      assertEquals(voted.code, 0, voted.stdout + voted.stderr);
      hub.child.kill("SIGINT");
      await hub.waitForLine((line) =>
        line ===
          "closed ballot 1: no decision: the meeting ended while it was open (1 vote cast) (hub-stopped)"
      );
    });
    await t.step("a contradicting flag is refused with exit 2 and the way out", async () => {
      const refused = await refusedServe(
        data,
        "--resume",
        "--question",
        "Tea or coffee?",
        "--rule",
        "unanimous",
        ...RIDDLE,
      );
      assertSays(
        refused,
        `--question "Tea or coffee?": the meeting's question is "Pizza or sushi?"`,
        "--rule unanimous: the meeting's rule is plurality",
        "--new",
      );
      const wrongAnswer = await refusedServe(data, "--resume", "--answer", "piano");
      assertSays(wrongAnswer, "--answer: it is not the meeting's gate answer");
      const noAnswer = await refusedServe(data, "--resume");
      assertSays(noAnswer, "is not stored; give it again");
    });
    await t.step("--resume continues it with its own question and its record", async () => {
      await using hub = await startServe(["--data", data, "--resume", ...RIDDLE]);
      await hub.waitForLine((line) => line.startsWith("  meeting 1, resumed (--resume)"));
      const { client } = await TextClient.admitted(hub.port);
      using _ = client;
      await client.send("ballots");
      const ballot = await client.readUntil((line) =>
        line.startsWith("  ") && line.includes(" open: ")
      );
      assert(ballot.startsWith("  2 open: Pizza or sushi?"), ballot);
      assert(ballot.includes("rule plurality"), ballot);
      await client.send("results");
      await client.readUntil((line) => line === "ok results: 1 closed");
    });
    await t.step("--new starts meeting 2; meeting 1 stays readable", async () => {
      await using hub = await startServe(["--data", data, "--new", ...RIDDLE]);
      await hub.waitForLine((line) => line.startsWith("  meeting 2, new"));
      const old = await runCli(["results", "--data", data, "--meeting", "1", "--json"]);
      assertEquals(old.code, 0, old.stderr);
      assertEquals(JSON.parse(old.stdout).results.length, 2);
    });
  });
});

Deno.test("after SIGKILL the next serve resumes by itself and says what is open; a contradicting flag exits 2", async () => {
  await withData(async (data) => {
    const first = await startServe(["--data", data, ...PIZZA, "--grace", "60", ...RIDDLE]);
    try {
      const { client } = await TextClient.admitted(first.port);
      using _ = client;
      await client.send("vote A");
      await client.readUntil((line) => line.startsWith("ok vote A"));
    } finally {
      first.child.kill("SIGKILL");
      await first.child.status;
      await first[Symbol.asyncDispose]();
    }
    const refused = await refusedServe(data, "--options", "pizza,sushi,ramen", ...RIDDLE);
    assertSays(refused, `--options "pizza,sushi,ramen": the meeting's options are "pizza,sushi"`);
    const method = await refusedServe(data, "--method", "Ranked:IRV", ...RIDDLE);
    assertSays(method, "--method ranked:irv: the meeting's method is choice");
    await using again = await startServe(["--data", data, "--grace", "60", ...RIDDLE]);
    await again.waitForLine((line) =>
      line.startsWith("  meeting 1, resumed: the last hub stopped without ending it")
    );
    await again.waitForLine((line) => line === "  open ballots:  1 (Pizza or sushi?)");
    await again.waitForLine((line) =>
      line === "  nodes:         1 may come back with their resume tokens within 60 s"
    );
  });
});

Deno.test("results and audit read a meeting while its hub writes it; help and end on the hub's input", async (t) => {
  await withData(async (data) => {
    await using hub = await startServe(
      ["--data", data, ...PIZZA, "--rule", "plurality", ...RIDDLE],
      {
        stdin: true,
      },
    );
    const { client } = await TextClient.admitted(hub.port);
    using _ = client;
    for (const _vote of [1, 2]) {
      const voted = await runCli(joinArgs(hub.port, "--vote", "A"));
      assertEquals(voted.code, 0, voted.stdout + voted.stderr);
    }
    await t.step("the operator's help lists the commands", async () => {
      await hub.type("help");
      await hub.waitForLine((line) =>
        line.startsWith("  end ") && line.includes("end the meeting")
      );
    });
    await t.step("results and audit see the acknowledged votes while the hub runs", async () => {
      await hub.type("close 1");
      await hub.waitForLine((line) => line.startsWith("closed ballot 1"));
      const results = await runCli(["results", "--data", data, "--meeting", "latest", "--json"]);
      assertEquals(results.code, 0, results.stderr);
      const [closed] = JSON.parse(results.stdout).results;
      assertEquals([closed.cause, closed.counts], ["operator", { A: 2, B: 0 }]);
      const audit = await runCli(["audit", data, "--json"]);
      assertEquals(audit.code, 0, audit.stdout + audit.stderr);
      const report = JSON.parse(audit.stdout);
      assertEquals([report.ok, report.meetings[0].decisions], [true, 1]);
    });
    await t.step("end closes the open ballot as hub-stopped and stops the hub", async () => {
      await hub.type("end");
      assertEquals((await hub.child.status).code, 0);
      await client.readUntil((line) =>
        line.startsWith("! closed ballot 2: ") && line.endsWith("(hub-stopped)")
      );
      const listed = await runCli(["results", "--data", data, "--json"]);
      assertEquals(JSON.parse(listed.stdout).meetings[0].status, "ended");
    });
  });
});
