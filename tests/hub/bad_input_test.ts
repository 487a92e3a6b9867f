/**
 * Bad input is normal input: each case gets a clear error (or a clean
 * removal), the hub keeps serving a bystander, and nothing recorded is lost.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const encoder = new TextEncoder();

/**
 * Runs a case against a hub where a bystander has already voted, then checks
 * the bystander is still served and its vote is still counted.
 */
async function withBystander(
  run: (port: number, bystander: TextClient) => Promise<void>,
): Promise<void> {
  await using hub = startTestHub();
  const port = hub.address.port;
  const { client: bystander } = await TextClient.admitted(port);
  try {
    await bystander.send("vote B");
    await bystander.readUntil((line) => line.startsWith("ok vote B"));
    await run(port, bystander);
    await bystander.send("stats");
    await bystander.readUntil((line) => line.startsWith("ok stats: 1 open ballot"));
    const heading = await bystander.readLine() ?? "";
    assert(
      /^ {2}ballot 1: .* \(rule seed, 1 vote, \d+ in the electorate\)$/u.test(heading),
      heading,
    );
    assertEquals(await bystander.readLine(), "  A 0 0% be able to fly");
    assertEquals(await bystander.readLine(), "  B 1 100% be invisible");
    assert(
      !bystander.transcript.some((line) => line.includes("\u001b")),
      "no raw ESC reached the bystander",
    );
  } finally {
    bystander.close();
  }
}

async function admittedPeer(port: number) {
  return (await TextClient.admitted(port)).client;
}

Deno.test("an over-long line gets line-too-long and the next line is served", async () => {
  await withBystander(async (port) => {
    using peer = await admittedPeer(port);
    await peer.send("x".repeat(9000));
    await peer.readUntil((line) =>
      line.startsWith("err line-too-long: Cannot read line: longer than 8192 bytes")
    );
    await peer.send("help");
    await peer.readUntil((line) => line.startsWith("ok menu"));
  });
});

Deno.test("an over-long line before the gate is refused at 1024 bytes", async () => {
  await withBystander(async (port) => {
    using peer = await TextClient.connect(port);
    await peer.send(encoder.encode("y".repeat(2000)));
    await peer.readUntil((line) =>
      line.startsWith("err line-too-long: Cannot read line: longer than 1024 bytes")
    );
    await peer.send(" tail of the long line");
    await peer.send(ANSWER);
    await peer.readUntil((line) => line.startsWith("ok admitted"));
  });
});

Deno.test("invalid UTF-8 gets invalid-utf8", async () => {
  await withBystander(async (port) => {
    using peer = await admittedPeer(port);
    await peer.send(new Uint8Array([0x76, 0x6f, 0x74, 0x65, 0x20, 0xc3, 0x28, 0x0a]));
    await peer.readUntil((line) => line.startsWith("err invalid-utf8: "));
  });
});

Deno.test("an unknown command gets unknown-command", async () => {
  await withBystander(async (port) => {
    using peer = await admittedPeer(port);
    await peer.send("dance wildly");
    const line = await peer.readUntil((text) => text.startsWith("err "));
    assertEquals(
      line,
      'err unknown-command: Cannot run "dance": not a service; send help for the menu',
    );
  });
});

Deno.test("a vote for an option that does not exist gets unknown-option", async () => {
  await withBystander(async (port) => {
    using peer = await admittedPeer(port);
    await peer.send("vote C");
    const line = await peer.readUntil((text) => text.startsWith("err "));
    assertEquals(line, 'err unknown-option: Cannot vote: choose one of A, B; "C" is not an option');
  });
});

Deno.test("a command before the gate gets not-admitted and uses a try", async () => {
  await withBystander(async (port) => {
    using peer = await TextClient.connect(port);
    await peer.send("vote A");
    const line = await peer.readUntil((text) => text.startsWith("err "));
    assertEquals(
      line,
      "err not-admitted: Cannot run vote before passing the gate: answer the question first; 2 tries left",
    );
    using jsonPeer = await TextClient.connect(port);
    await jsonPeer.send('{"id":1,"op":"stats"}');
    const json = await jsonPeer.readUntil((text) => text.startsWith('{"id":1'));
    assertEquals(JSON.parse(json).error.code, "not-admitted");
  });
});

Deno.test("three wrong answers close the connection", async () => {
  await withBystander(async (port) => {
    using peer = await TextClient.connect(port);
    for (const guess of ["piano", "door", "map"]) {
      await peer.readUntil((line) => line.startsWith("? "));
      await peer.send(guess);
    }
    const rest = await peer.readToEnd();
    assert(
      rest.includes("err wrong-answer: Cannot join: that is not the answer; no tries left"),
      rest.join("\n"),
    );
  });
});

Deno.test("a second vote in a round gets already-voted and the first stands", async () => {
  await withBystander(async (_port, bystander) => {
    await bystander.send("vote A");
    const line = await bystander.readUntil((text) => text.startsWith("err "));
    assertEquals(line, "err already-voted: Cannot vote: you already voted B on ballot 1");
  });
});

Deno.test("receive for an unknown PIN gets unknown-pin", async () => {
  await withBystander(async (port) => {
    using peer = await admittedPeer(port);
    await peer.send("receive 99999");
    const line = await peer.readUntil((text) => text.startsWith("err "));
    assertEquals(line, "err unknown-pin: Cannot receive: no connected node has PIN 99999");
  });
});

Deno.test("a connection dropped mid-command is removed cleanly and stores nothing", async () => {
  await withBystander(async (port, bystander) => {
    const peer = await TextClient.admitted(port);
    await peer.client.send("setup services=print");
    await peer.client.send("negotiate");
    await peer.client.readUntil((line) => line.startsWith("? May the hub store"));
    peer.client.close();
    await bystander.readUntil((line) => line === `! left ${peer.pin} node-${peer.pin} (dropped)`);
    await bystander.send("receive all");
    await bystander.readUntil((line) => line === "ok receive: 0 nodes");
  });
});

Deno.test("control characters in names and node info are refused and never pushed raw", async () => {
  await withBystander(async (port) => {
    using peer = await admittedPeer(port);
    await peer.send("name \u001b[2Jmallory\u0007");
    const name = await peer.readUntil((text) => text.startsWith("err "));
    assertEquals(
      name,
      "err invalid-text: Cannot set name: it contains the control character U+001B",
    );
    await peer.send("setup services=ok,\u202eexe.txt");
    const info = await peer.readUntil((text) => text.startsWith("err "));
    assert(info.startsWith("err invalid-text: Cannot set services:"), info);
    assert(info.includes("\\u202e"), "the refused word is shown escaped");
    await peer.send('{"not":"a switch after the gate"}');
    await peer.readUntil((text) => text.startsWith("err unknown-command"));
  });
});

Deno.test("JSON dialect: malformed lines and requests while a question is pending", async () => {
  await withBystander(async (port) => {
    using peer = await TextClient.connect(port);
    await peer.readUntil((line) => line.startsWith("? "));
    await peer.send(JSON.stringify({ answer: ANSWER, name: "jay" }));
    await peer.readUntil((line) => line.includes('"event":"admitted"'));
    await peer.send("{broken");
    assertEquals(JSON.parse(await peer.readUntil((line) => line.includes('"ok":false'))), {
      id: null,
      ok: false,
      error: { code: "bad-request", message: "Cannot decode line: not valid JSON" },
    });
    await peer.send(JSON.stringify({ id: 1, op: "setup", services: ["print"] }));
    await peer.readUntil((line) => line.startsWith('{"id":1,"ok":true'));
    await peer.send(JSON.stringify({ id: 2, op: "negotiate" }));
    const ask = JSON.parse(await peer.readUntil((line) => line.includes('"ask":"permission"')));
    await peer.send(JSON.stringify({ id: 3, op: "stats" }));
    const pending = JSON.parse(await peer.readUntil((line) => line.startsWith('{"id":3')));
    assertEquals(pending.error.code, "answer-pending");
    await peer.send(JSON.stringify({ id: ask.id, grant: true }));
    const stored = JSON.parse(await peer.readUntil((line) => line.startsWith('{"id":2')));
    assertEquals([stored.ok, stored.stored], [true, true]);
  });
});
