/**
 * A hostile network, over real TCP on 127.0.0.1: every case is bounded in
 * count and time, and a real node is served normally throughout.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startCli } from "../_helpers/cli.ts";
import { startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const encoder = new TextEncoder();

/** Checks that a node is served promptly. */
async function assertServed(client: TextClient): Promise<void> {
  await client.send("ping");
  await client.readUntil((line) => line === "ok pong", 3000);
}

Deno.test("70 KB without a newline before the gate: refused at 1 KB, the rest skipped, others served", async () => {
  await using hub = startTestHub();
  const { client: bystander } = await TextClient.admitted(hub.address.port);
  using _ = bystander;
  using flood = await TextClient.connect(hub.address.port);
  await flood.send(encoder.encode("z".repeat(70 * 1024)));
  const line = await flood.readUntil((text) => text.startsWith("err "));
  assert(line.startsWith("err line-too-long: Cannot read line: longer than 1024 bytes"), line);
  await assertServed(bystander);
});

Deno.test("500 connections sending a byte every two seconds are cut off; a real node joins and is served", async () => {
  await using hub = startTestHub({ gateTimeoutMs: 3000, maxPendingPerAddress: 64 });
  const port = hub.address.port;
  const { client: bystander } = await TextClient.admitted(port);
  using _ = bystander;
  const attackers = await Promise.all(
    Array.from(
      { length: 500 },
      () => Deno.connect({ hostname: "127.0.0.1", port }).catch(() => undefined),
    ),
  );
  const opened = attackers.filter((conn): conn is Deno.TcpConn => conn !== undefined);
  try {
    // Each attacker dribbles a byte every 2 s, three times at most (bounded), until the hub cuts it off.
    const dribble = opened.map(async (conn) => {
      const buffer = new Uint8Array(4096);
      const reading = (async () => {
        for (;;) {
          const read = await conn.read(buffer).catch(() => null);
          if (read === null) return "closed";
        }
      })();
      for (let round = 0; round < 3; round++) {
        const written = await conn.write(encoder.encode("k")).catch(() => 0);
        if (written === 0) break;
        const outcome = await Promise.race([
          reading,
          new Promise((resolve) => setTimeout(resolve, 2000)),
        ]);
        if (outcome === "closed") return "closed";
      }
      return await Promise.race([
        reading,
        new Promise((resolve) => setTimeout(() => resolve("open"), 3000)),
      ]);
    });
    const newcomer = await TextClient.admitted(port, "keyboard", "127.0.0.2");
    using __ = newcomer.client;
    await assertServed(bystander);
    await assertServed(newcomer.client);
    const outcomes = await Promise.all(dribble);
    assertEquals(
      outcomes.filter((outcome) => outcome !== "closed").length,
      0,
      "every slow connection was cut off",
    );
  } finally {
    for (const conn of opened) {
      try {
        conn.close();
      } catch {
        // Closed by the hub.
      }
    }
  }
});

Deno.test("NUL, ESC, BEL, DEL and bidirectional overrides in a name and in node info never reach others raw", async () => {
  await using hub = startTestHub();
  const { client: bystander } = await TextClient.admitted(hub.address.port);
  using _ = bystander;
  const { client: mallory } = await TextClient.admitted(hub.address.port);
  using __ = mallory;
  for (
    const character of ["\u0000", "\u001b[2J", "\u0007", "\u007f", "\u202e", "\u2066", "\u009b"]
  ) {
    await mallory.send(`name eve${character}x`);
    assert(
      (await mallory.readUntil((line) => line.startsWith("err "))).startsWith("err invalid-text"),
    );
    await mallory.send(`setup services=print${character}`);
    assert(
      (await mallory.readUntil((line) => line.startsWith("err "))).startsWith("err invalid-text"),
    );
    await mallory.send(`receive ${character}`);
    assert(
      (await mallory.readUntil((line) => line.startsWith("err "))).startsWith("err bad-request"),
    );
  }
  await assertServed(bystander);
  // From a string in a variable: the linter's control-character rule is what this pattern is for.
  const controls = "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]";
  const raw = new RegExp(controls, "u");
  assert(!bystander.transcript.some((line) => raw.test(line)), "nothing raw reached the bystander");
  assert(
    !mallory.transcript.some((line) => raw.test(line)),
    "refusals show the characters escaped",
  );
});

Deno.test("CR, LF and CRLF line ends; three commands in one packet; one command a byte at a time", async () => {
  await using hub = startTestHub();
  const { client } = await TextClient.admitted(hub.address.port);
  using _ = client;
  await client.send(encoder.encode("ping\rping\r\nping\n"));
  for (let count = 0; count < 3; count++) await client.readUntil((line) => line === "ok pong");
  await client.send(encoder.encode("ballots\nping\nresults\n"));
  await client.readUntil((line) => line.startsWith("ok ballots: 1 open"));
  await client.readUntil((line) => line === "ok pong");
  await client.readUntil((line) => line.startsWith("ok results: 0 closed"));
  for (const byte of encoder.encode("vote A\r\n")) await client.send(new Uint8Array([byte]));
  await client.readUntil((line) => line === "ok vote A (be able to fly) recorded on ballot 1");
});

Deno.test("JSON with __proto__, deep nesting and huge numbers gets errors, not harm", async () => {
  await using hub = startTestHub();
  using client = await TextClient.connect(hub.address.port);
  await client.readUntil((line) => line.startsWith("? "));
  await client.send(
    JSON.stringify({ answer: "keyboard" }).replace("{", '{"__proto__":{"admin":true},'),
  );
  await client.readUntil((line) => line.includes('"event":"admitted"'));
  await client.send(`{"id":1,"op":"vote","option":"A","__proto__":{"option":"B"}}`);
  const vote = JSON.parse(await client.readUntil((line) => line.startsWith('{"id":1')));
  assertEquals([vote.ok, vote.option], [true, "A"]);
  const deep = `{"id":2,"op":"stats","x":${"[".repeat(3000)}${"]".repeat(3000)}}`;
  await client.send(deep);
  const stats = JSON.parse(await client.readUntil((line) => line.startsWith('{"id":2')));
  assertEquals(stats.ok, true);
  await client.send('{"id":1e999,"op":"receive","pin":1e308}');
  const huge = JSON.parse(await client.readUntil((line) => line.includes('"ok":false')));
  assertEquals(huge.error.code, "bad-request");
  await client.send(`{"id":4,"op":"receive","pin":${"9".repeat(400)}}`);
  const big = JSON.parse(await client.readUntil((line) => line.startsWith('{"id":4')));
  assertEquals(big.error.code, "bad-request");
  assertEquals(({} as Record<string, unknown>).admin, undefined);
  await client.send('{"id":5,"op":"ping"}');
  await client.readUntil((line) => line.startsWith('{"id":5,"ok":true'));
});

Deno.test("an HTTP request to the hub's port is told what this is and closed", async () => {
  await using hub = startTestHub();
  using browser = await TextClient.connect(hub.address.port);
  await browser.send(encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const rest = await browser.readToEnd();
  assert(rest.some((line) => line.includes("not a web server")), rest.join("\n"));
});

Deno.test("a node that never reads is dropped while broadcasts flow; a reading node keeps pace", async () => {
  await using hub = startTestHub({ allowPropose: true });
  const port = hub.address.port;
  const { client: reader } = await TextClient.admitted(port);
  using _ = reader;
  // The stalled node: admitted, then never reads again.
  const stalled = await Deno.connect({ hostname: "127.0.0.1", port });
  await stalled.write(encoder.encode("keyboard\n"));
  const { client: proposer } = await TextClient.admitted(port);
  using __ = proposer;
  await reader.readUntil((line) => line.startsWith("! joined "));
  const question = "Q".repeat(7000);
  const count = 1000; // about 7 MB of pushes: more than loopback absorbs plus the 1 MiB queue.
  // The proposer waits for each reply before the next proposal, and the reader
  // reads as they come, while the stalled node never does.
  let seen = 0;
  let stalledDropped = false;
  const reading = (async () => {
    const deadline = Date.now() + 30_000;
    while (seen < count && Date.now() < deadline) {
      const line = await reader.readLine(deadline - Date.now());
      if (line?.startsWith("! ballot ")) seen++;
      if (line !== undefined && /^! left \d+ node-\d+ \(dropped\)$/u.test(line)) {
        stalledDropped = true;
      }
    }
  })();
  for (let index = 0; index < count; index++) {
    await proposer.send(`propose ${question}${index}? | yes, no`);
    await proposer.readUntil((line) => line.startsWith("ok propose"));
  }
  await reading;
  assertEquals(seen, count, "the reading node got every broadcast");
  if (!stalledDropped) {
    await reader.readUntil((line) => /^! left \d+ node-\d+ \(dropped\)$/u.test(line), 10_000);
  }
  stalled.close();
  await assertServed(reader);
});

Deno.test("a peer that resets just before a broadcast does not disturb the hub", async () => {
  await using hub = startTestHub();
  const port = hub.address.port;
  const { client: bystander } = await TextClient.admitted(port);
  using _ = bystander;
  for (let round = 0; round < 20; round++) {
    const peer = await Deno.connect({ hostname: "127.0.0.1", port });
    await peer.write(encoder.encode("keyboard\nhelp\n"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Closing with unread data makes the kernel send a reset.
    peer.close();
    await bystander.send(`name watcher${round}`);
  }
  await assertServed(bystander);
});

Deno.test("a node frozen with SIGSTOP is dropped once its queue fills; the hub serves on", async () => {
  await using hub = startTestHub({ allowPropose: true, maxQueuedBytes: 64 * 1024 });
  const port = hub.address.port;
  const { client: proposer } = await TextClient.admitted(port);
  using _ = proposer;
  await using frozen = startCli([
    "join",
    `127.0.0.1:${port}`,
    "--answer",
    "keyboard",
    "--name",
    "frozen",
    "--follow",
    "--timeout",
    "60",
  ]);
  await proposer.readUntil((line) => line.includes(" frozen "));
  frozen.child.kill("SIGSTOP");
  try {
    const question = "F".repeat(7000);
    // One proposal at a time, its reply read before the next: only the frozen node falls behind.
    let dropped = false;
    for (let index = 0; index < 800 && !dropped; index++) {
      await proposer.send(`propose ${question}${index}? | yes, no`);
      const line = await proposer.readUntil((text) =>
        text.startsWith("ok propose") || /^! left \d+ frozen \(dropped\)$/u.test(text)
      );
      dropped = line.startsWith("! left");
    }
    if (!dropped) {
      await proposer.readUntil((line) => /^! left \d+ frozen \(dropped\)$/u.test(line), 20_000);
    }
    await assertServed(proposer);
  } finally {
    frozen.child.kill("SIGCONT");
  }
});

Deno.test("a PIN sweep from 100 to 999 learns only what receive tells anyone, and acts as nobody", async () => {
  await using hub = startTestHub();
  const port = hub.address.port;
  const victim = await TextClient.admitted(port);
  using _ = victim.client;
  await victim.client.send("vote A");
  await victim.client.readUntil((line) => line.startsWith("ok vote A"));
  using sweeper = await TextClient.connect(port);
  await sweeper.readUntil((line) => line.startsWith("? "));
  await sweeper.send(`resume ${victim.pin}`);
  assert((await sweeper.readUntil((line) => line.startsWith("err "))).startsWith("err bad-token"));
  await sweeper.send("keyboard");
  await sweeper.readUntil((line) => line.startsWith("ok admitted"));
  for (let pin = 100; pin <= 999; pin++) await sweeper.send(`receive ${pin}`);
  let answers = 0;
  while (answers < 900) {
    const line = await sweeper.readLine();
    assert(line !== undefined, "the hub kept the sweeper's connection");
    if (line.startsWith("err unknown-pin") || line.startsWith("err no-info")) answers++;
  }
  await sweeper.send("vote B");
  await sweeper.readUntil((line) => line.startsWith("ok vote B"));
  await victim.client.send("stats");
  await victim.client.readUntil((line) => line === "  A 1 50% be able to fly");
  await assertServed(victim.client);
});
