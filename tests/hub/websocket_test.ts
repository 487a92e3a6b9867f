/**
 * The WebSocket transport: a browser-like client is a node like any other,
 * with the same gate, the same session, and the same limits, behind the
 * access token and the Origin check. Real hub and web server on 127.0.0.1.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startWebServer } from "../../lib/board/web_server.ts";
import { createLanCertificates } from "../../lib/tls/certificates.ts";
import type { StartHubOptions } from "../../lib/hub/server.ts";
import type { Push } from "../../lib/protocol/messages.ts";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";
import { handshakeStatus, WsClient } from "../_helpers/ws_client.ts";

const TOKEN = "test-token-123";

function startWithWeb(
  options: Partial<StartHubOptions> = {},
  tls?: { cert: string; key: string },
) {
  let notify: (push: Push | undefined) => void = () => {};
  const running = startTestHub({ ...options, onEvent: (_event, push) => notify(push) });
  const web = startWebServer({
    running,
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    publicHosts: ["127.0.0.1"],
    joinAddress: `127.0.0.1:${running.address.port}`,
    tls,
  });
  notify = web.notify;
  const port = web.address.port;
  return {
    running,
    web,
    port,
    nodeUrl: `ws://127.0.0.1:${port}/ws/node?token=${TOKEN}`,
    async [Symbol.asyncDispose]() {
      await running.close();
      await web.close();
    },
  };
}

Deno.test("a WebSocket node proves the answer, votes, and gets pushes like a TCP node", async () => {
  await using hub = startWithWeb();
  using phone = await WsClient.open(hub.nodeUrl);
  assert((await phone.readUntil(() => true)).startsWith("# consensus/1 hub"));
  await phone.prove(ANSWER, { name: "ann" });
  const admitted = await phone.readJson("event", "admitted");
  assertEquals(admitted.name, "ann");
  assert(typeof admitted.proof === "string", "the hub proves it knows the answer");
  assert(!phone.transcript.join("\n").includes(ANSWER), "the answer never crossed the wire");
  // A TCP node joins: the phone hears of it.
  const { client: tcp } = await TextClient.admitted(hub.running.address.port);
  await phone.readJson("event", "joined");
  phone.send({ id: 1, op: "vote", option: "A" });
  const reply = await phone.readJson("id", 1);
  assertEquals([reply.ok, reply.op, reply.option], [true, "vote", "A"]);
  tcp.close();
});

Deno.test("a WebSocket node resumes with its token on a new socket", async () => {
  await using hub = startWithWeb();
  const first = await WsClient.open(hub.nodeUrl);
  await first.prove(ANSWER);
  const admitted = await first.readJson("event", "admitted");
  first.send({ id: 1, op: "vote", option: "B" });
  await first.readJson("id", 1);
  first.close();
  using second = await WsClient.open(hub.nodeUrl);
  second.send({ resume: admitted.token });
  const back = await second.readJson("event", "admitted");
  assertEquals([back.pin, back.resumed], [admitted.pin, true]);
  second.send({ id: 2, op: "ping" });
  assertEquals((await second.readJson("id", 2)).ok, true);
});

Deno.test("pages and sockets need the token, and a foreign Origin is refused", async () => {
  await using hub = startWithWeb();
  const base = `http://127.0.0.1:${hub.port}`;
  for (const path of ["/", "/vote", "/qr.svg", "/?token=wrong", "/vote?token=test-token-12"]) {
    const response = await fetch(base + path);
    await response.body?.cancel();
    assertEquals(response.status, 403, path);
  }
  const page = await fetch(`${base}/?token=${TOKEN}`);
  assertEquals(page.status, 200);
  assert(page.headers.get("content-security-policy")!.includes("script-src 'self'"));
  assert(!(await page.text()).includes("<script>"), "no inline script");
  assertEquals(await handshakeStatus(hub.port, "/ws/node?token=wrong", undefined), 403);
  assertEquals(
    await handshakeStatus(hub.port, `/ws/node?token=${TOKEN}`, "http://evil.example"),
    403,
  );
  assertEquals(
    await handshakeStatus(hub.port, `/ws/board?token=${TOKEN}`, `http://localhost:${hub.port}`),
    403,
  );
  assertEquals(
    await handshakeStatus(hub.port, `/ws/board?token=${TOKEN}`, `http://127.0.0.1:${hub.port}`),
    101,
  );
});

Deno.test("a WebSocket node has the TCP limits: line size, gate tries, connections per address", async (t) => {
  await using hub = startWithWeb({ maxPendingPerAddress: 2 });
  await t.step("an over-long line at the gate is refused and costs a try", async () => {
    using phone = await WsClient.open(hub.nodeUrl);
    phone.send(`{"answer":"${"x".repeat(2000)}"}`);
    const error = await phone.readUntil((line) => line.includes("line-too-long"));
    assert(error.includes("1024"));
  });
  await t.step("three wrong answers close the socket", async () => {
    using phone = await WsClient.open(hub.nodeUrl);
    for (let attempt = 0; attempt < 3; attempt++) await phone.prove("wrong");
    const lines = await phone.closedByHub();
    assert(lines.some((line) => line.includes("Too many wrong answers")), lines.join("\n"));
  });
  await t.step("a third socket waiting at the gate from one address is turned away", async () => {
    using one = await WsClient.open(hub.nodeUrl);
    using two = await WsClient.open(hub.nodeUrl);
    await one.readUntil((line) => line.startsWith("?"));
    await two.readUntil((line) => line.startsWith("?"));
    using three = await WsClient.open(hub.nodeUrl);
    const lines = await three.closedByHub();
    assert(lines.some((line) => line.includes("Too many connections from your address")));
  });
});

Deno.test("the board feed coalesces a storm of joins and votes into a few updates a second", async () => {
  await using hub = startWithWeb();
  using board = await WsClient.open(`ws://127.0.0.1:${hub.port}/ws/board?token=${TOKEN}`);
  const first = JSON.parse(await board.readUntil(() => true));
  assertEquals([first.event, first.connected, first.join.question], [
    "board",
    0,
    "What has keys but can't open locks?",
  ]);
  const started = Date.now();
  const nodes = await Promise.all(
    Array.from({ length: 40 }, () => TextClient.admitted(hub.running.address.port)),
  );
  await Promise.all(nodes.map(({ client }, index) => client.send(`vote ${index % 2 ? "A" : "B"}`)));
  const last = await board.readUntil((line) => JSON.parse(line).connected === 40);
  await new Promise((resolve) => setTimeout(resolve, 600));
  const seconds = (Date.now() - started) / 1000;
  const updates = board.transcript.length - 1;
  // 40 joins and 40 votes are 80 events; the feed sends at most one update per 250 ms.
  assert(updates <= Math.ceil(seconds * 4) + 1, `${updates} updates in ${seconds} s`);
  assert(JSON.parse(last).ticker.length <= 8);
  for (const { client } of nodes) client.close();
});

Deno.test("with the hub's certificate the pages are served over https", async () => {
  const certificates = await createLanCertificates();
  await using hub = startWithWeb({}, {
    cert: certificates.hubCertificate,
    key: certificates.hubKey,
  });
  assertEquals(hub.web.phoneUrls, [`https://127.0.0.1:${hub.port}/vote?token=${TOKEN}`]);
  using client = Deno.createHttpClient({ caCerts: [certificates.caCertificate] });
  const response = await fetch(hub.web.boardUrls[0]!, { client });
  assertEquals(response.status, 200);
  assert((await response.text()).includes("/board.js"));
});
