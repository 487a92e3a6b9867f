/**
 * The real program as a child process, with the release permissions.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { cliCommand, runCli, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";
import { LineSource } from "../../lib/protocol/line_source.ts";
import { streamReader } from "../_helpers/cli.ts";

const RIDDLE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

Deno.test("serve, three scripted voters that wait, and a wrong answer", async () => {
  await using hub = await startServe(RIDDLE);
  // Two idle nodes make five: only the third vote for A is more than half.
  const idle = await Promise.all([TextClient.admitted(hub.port), TextClient.admitted(hub.port)]);
  try {
    const address = `127.0.0.1:${hub.port}`;
    const voters = ["n1", "n2", "n3"].map((name) =>
      runCli([
        "join",
        address,
        "--answer",
        "keyboard",
        "--name",
        name,
        "--vote",
        "A",
        "--wait",
        "--json",
        "--timeout",
        "15",
      ])
    );
    const wrong = await runCli(["join", address, "--answer", "piano", "--vote", "A", "--json"]);
    assertEquals(wrong.code, 4, wrong.stderr);
    assertEquals(JSON.parse(wrong.stdout).error.code, "gate-refused");
    assert(wrong.stderr.includes("did not accept the gate answer"), wrong.stderr);
    for (const result of await Promise.all(voters)) {
      assertEquals(result.code, 0, result.stderr);
      const printed = JSON.parse(result.stdout);
      assertEquals(printed.vote.option, "A");
      assertEquals(printed.consensus.option, "A");
      assertEquals(printed.consensus.ballot, 1);
      assertEquals(printed.consensus.reason, "3 of 5 connected voted A: 60% > 50%");
    }
    await hub.waitForLine((line) => line.startsWith("consensus ballot 1: A"));
  } finally {
    for (const { client } of idle) client.close();
  }
});

Deno.test("scripted flags cover setup, negotiate, discover, receive and stats", async () => {
  await using hub = await startServe(RIDDLE);
  const address = `127.0.0.1:${hub.port}`;
  const result = await runCli([
    "join",
    address,
    "--answer",
    "KEYBOARD ",
    "--name",
    "printer",
    "--services",
    "print,scan",
    "--capabilities",
    "colour",
    "--negotiate",
    "grant",
    "--discover",
    "--receive",
    "all",
    "--stats",
    "--json",
  ]);
  assertEquals(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout);
  assertEquals(printed.setup.info, {
    services: ["print", "scan"],
    capabilities: ["colour"],
    constraints: [],
  });
  assertEquals(printed.negotiate.stored, true);
  assertEquals(printed.discover.nodes.map((node: { name: string }) => node.name), ["printer"]);
  assertEquals(printed.receive.infos[0].info.services, ["print", "scan"]);
  assertEquals(printed.stats.ballots[0].counts, { A: 0, B: 0 });

  const denied = await runCli([
    "join",
    address,
    "--answer",
    "keyboard",
    "--services",
    "gpu",
    "--negotiate",
    "deny",
  ]);
  assertEquals(denied.code, 0, denied.stderr);
  assert(
    denied.stdout.includes("ok negotiate: permission denied, node info not stored"),
    denied.stdout,
  );
});

Deno.test("exit codes: refused vote, timeout, unreachable hub, not a hub, usage", async (t) => {
  await using hub = await startServe(RIDDLE);
  const address = `127.0.0.1:${hub.port}`;
  await t.step("a vote for a missing option exits 5", async () => {
    const result = await runCli(["join", address, "--answer", "keyboard", "--vote", "Z", "--json"]);
    assertEquals(result.code, 5, result.stderr);
    assertEquals(JSON.parse(result.stdout).error.code, "unknown-option");
  });
  await t.step("no consensus within --timeout exits 6", async () => {
    const result = await runCli([
      "join",
      address,
      "--answer",
      "keyboard",
      "--vote",
      "A",
      "--wait",
      "--timeout",
      "0.5",
    ]);
    assertEquals(result.code, 6, result.stderr);
    assert(result.stderr.includes("No decision on ballot 1 within 0.5 s"), result.stderr);
  });
  await t.step("nothing listening exits 3", async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const result = await runCli(["join", `127.0.0.1:${port}`, "--answer", "x", "--vote", "A"]);
    assertEquals(result.code, 3, result.stderr);
    assert(result.stderr.includes("Cannot reach a hub"), result.stderr);
  });
  await t.step("a program that is not a hub exits 3 and says so", async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const serving = (async () => {
      const conn = await listener.accept();
      await conn.write(new TextEncoder().encode("SSH-2.0-OpenSSH_9.2\r\n")).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      conn.close();
    })();
    const port = (listener.addr as Deno.NetAddr).port;
    const result = await runCli(["join", `127.0.0.1:${port}`, "--answer", "x", "--vote", "A"]);
    await serving;
    assertEquals(result.code, 3, result.stderr);
    assert(result.stderr.includes("not a consensus hub"), result.stderr);
  });
  await t.step("usage errors exit 2", async () => {
    assertEquals((await runCli(["join", address, address])).code, 2);
    assertEquals((await runCli(["join", address, "--vot", "A"])).code, 2);
    const noAnswer = await runCli(["join", address, "--vote", "A"]);
    assertEquals(noAnswer.code, 2);
    assert(noAnswer.stderr.includes("--answer is needed"), noAnswer.stderr);
    assertEquals((await runCli(["serve", "--riddle", "Who?"])).code, 2);
    assertEquals((await runCli(["serve", "--options", "tea,Tea"])).code, 2);
    assertEquals((await runCli(["serve", "--port", "99999"])).code, 2);
  });
});

Deno.test("--help on the program and every command, and --version", async () => {
  for (
    const args of [["--help"], ["serve", "--help"], ["join", "--help"], ["hubs", "--help"], ["-h"]]
  ) {
    const result = await runCli(args);
    assertEquals(result.code, 0, args.join(" "));
    assert(result.stdout.startsWith("Usage: consensus"), result.stdout);
  }
  const version = await runCli(["--version"]);
  assertEquals(version.code, 0);
  assert(/^consensus \d+\.\d+\.\d+/u.test(version.stdout), version.stdout);
});

Deno.test("the hub makes up a join code when started without a riddle", async () => {
  await using hub = await startServe();
  const line = await hub.waitForLine((text) => text.includes("join code: "));
  const code = /join code: (\S+)/u.exec(line)![1]!;
  assert(/^[a-z2-9]{4}-[a-z2-9]{4}$/u.test(code), line);
  const refused = await runCli(["join", `127.0.0.1:${hub.port}`, "--answer", "", "--discover"]);
  assertEquals(refused.code, 4, refused.stderr);
  const admitted = await runCli(["join", `127.0.0.1:${hub.port}`, "--answer", code, "--discover"]);
  assertEquals(admitted.code, 0, admitted.stderr);
});

Deno.test("plain consensus: hub when the port is free, node when a hub holds it, refusal otherwise", async (t) => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const [command, ...args] = cliCommand([
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--data",
    ":memory:",
    ...RIDDLE,
  ]);
  const child = new Deno.Command(command!, { args, stdin: "null", stdout: "piped", stderr: "null" })
    .spawn();
  const lines = new LineSource(streamReader(child.stdout.getReader()));
  try {
    await t.step("the first one takes the hub's role", async () => {
      for (;;) {
        const item = await lines.next();
        assert(item, "the process ended early");
        if (item.kind === "line" && item.text.startsWith("role: hub")) break;
      }
    });
    await t.step("the second one joins the hub already there", async () => {
      const result = await runCli([
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--answer",
        "keyboard",
        "--discover",
        "--json",
      ]);
      assertEquals(result.code, 0, result.stderr);
      assert(result.stderr.includes("role: node"), result.stderr);
      assertEquals(JSON.parse(result.stdout).discover.nodes.length, 1);
    });
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
  await t.step("a port held by something else is reported, not joined", async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const taken = (listener.addr as Deno.NetAddr).port;
    const serving = (async () => {
      const conn = await listener.accept();
      await conn.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n")).catch(
        () => {},
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      conn.close();
    })();
    const result = await runCli([
      "--host",
      "127.0.0.1",
      "--port",
      String(taken),
      "--answer",
      "x",
      "--discover",
    ]);
    await serving;
    assertEquals(result.code, 3, result.stderr);
    assert(result.stderr.includes("not a consensus hub"), result.stderr);
  });
});
