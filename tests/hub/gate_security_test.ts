/**
 * The gate on a hostile network: the answer never crosses the wire, a
 * recorded exchange cannot be replayed, a fake hub is found out, plain
 * answers are refused where they would travel in clear, and guessing gets
 * slow and then locked out. Real TCP on 127.0.0.1 (and other loopback
 * addresses playing other machines).
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import { HubClient } from "../../lib/node/hub_client.ts";
import { GateRefusedError, NotAHubError } from "../../lib/node/errors.ts";
import { createLanCertificates } from "../../lib/tls/certificates.ts";
import { formatChallengeLine } from "../../lib/protocol/gate_proof.ts";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A TCP relay that records what the client sends. */
function startRecordingProxy(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sent: Uint8Array[] = [];
  const pumps: Promise<unknown>[] = [];
  const accepting = (async () => {
    for (;;) {
      const client = await listener.accept().catch(() => undefined);
      if (!client) return;
      const hub = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      const pipe = async (from: Deno.Conn, to: Deno.Conn, record: boolean) => {
        const buffer = new Uint8Array(16 * 1024);
        for (;;) {
          const read = await from.read(buffer).catch(() => null);
          if (read === null) break;
          if (record) sent.push(buffer.slice(0, read));
          await to.write(buffer.subarray(0, read)).catch(() => {});
        }
        try {
          to.close();
        } catch {
          // Closed by the other pump.
        }
      };
      pumps.push(pipe(client, hub, true), pipe(hub, client, false));
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    sent: () => decoder.decode(new Uint8Array(sent.flatMap((chunk) => [...chunk]))),
    async close() {
      listener.close();
      await accepting;
      await Promise.all(pumps);
    },
  };
}

Deno.test("our node proves the answer without sending it, and a replay of its exchange is refused", async () => {
  await using hub = startTestHub({ gateTimeoutMs: 5000 });
  const proxy = startRecordingProxy(hub.address.port);
  try {
    const client = await HubClient.connect({ host: "127.0.0.1", port: proxy.port, resumeForMs: 0 });
    const admission = await client.join(
      { answer: () => Promise.resolve(ANSWER) },
      AbortSignal.timeout(5000),
    );
    assert(admission.pin >= 100);
    assert(typeof admission.proof === "string", "the hub proved itself");
    client.close();
    const recorded = proxy.sent();
    assert(recorded.includes('"proof"'), recorded);
    assert(!recorded.toLowerCase().includes(ANSWER), "the answer never crossed the wire");

    using replay = await TextClient.connect(hub.address.port);
    await replay.readUntil((line) => line.startsWith("? "));
    await replay.send(recorded.split("\n")[0]!);
    const refused = await replay.readUntil((line) => line.includes("wrong-answer"));
    assert(refused.includes('"triesLeft":2'), refused);
    assert(!replay.transcript.some((line) => line.includes('"admitted"')));
  } finally {
    await proxy.close();
  }
});

Deno.test("a fake hub that does not know the answer is found out", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const faking = (async () => {
    const conn = await listener.accept();
    const challenge = {
      kdf: "pbkdf2-sha256" as const,
      salt: "c2FsdHNhbHQ=",
      iterations: 1000,
      nonce: "bm9uY2Vub25jZQ==",
    };
    await conn.write(encoder.encode(
      `# consensus/1 hub 0.1.0: text dialect\n${
        formatChallengeLine(challenge)
      }\n? What is the join code?\n`,
    ));
    await conn.read(new Uint8Array(4096));
    // It cannot compute the hub's proof, so it sends none (or a made-up one).
    await conn.write(encoder.encode(
      `${
        JSON.stringify({
          event: "admitted",
          pin: 123,
          name: "x",
          token: "t",
          resumed: false,
          proof: "AAAA",
          ballots: [],
          services: [],
        })
      }\n`,
    )).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    conn.close();
  })();
  const client = await HubClient.connect({
    host: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
    resumeForMs: 0,
  });
  await assertRejects(
    client.join({ answer: () => Promise.resolve("anything") }, AbortSignal.timeout(5000)),
    (error: Error) =>
      error instanceof NotAHubError && error.message.startsWith("Cannot trust the hub"),
  );
  client.close();
  await faking;
});

Deno.test("plain answers are refused from other machines without TLS, and taken over TLS", async (t) => {
  await t.step("refused from a remote peer, saying why; a proving node still gets in", async () => {
    await using hub = startTestHub({ loopbackIsLocal: false });
    using netcat = await TextClient.connect(hub.address.port);
    await netcat.readUntil((line) => line.startsWith("? "));
    await netcat.send(ANSWER);
    const refused = await netcat.readUntil((line) => line.startsWith("err "));
    assert(
      refused.startsWith(
        "err plain-answer-refused: Cannot take a plain answer over an unencrypted connection",
      ),
      refused,
    );
    const client = await HubClient.connect({
      host: "127.0.0.1",
      port: hub.address.port,
      resumeForMs: 0,
    });
    await client.join({ answer: () => Promise.resolve(ANSWER) }, AbortSignal.timeout(5000));
    client.close();
  });
  await t.step("taken with --insecure-plain-answers", async () => {
    await using hub = startTestHub({ loopbackIsLocal: false, insecurePlainAnswers: true });
    const { client } = await TextClient.admitted(hub.address.port);
    client.close();
  });
  await t.step("taken over TLS", async () => {
    const certificates = await createLanCertificates();
    await using hub = startTestHub({
      loopbackIsLocal: false,
      tls: { cert: certificates.hubCertificate, key: certificates.hubKey },
    });
    using conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: hub.address.port,
      caCerts: [certificates.caCertificate],
    });
    await conn.write(encoder.encode(`${ANSWER}\nping\n`));
    let text = "";
    const buffer = new Uint8Array(8192);
    while (!text.includes("ok pong")) {
      const read = await conn.read(buffer);
      assert(read !== null, text);
      text += decoder.decode(buffer.subarray(0, read));
    }
    assert(text.includes("ok admitted"), text);
  });
});

Deno.test("1,000 wrong answers from one address, then spread over ten: slowed, locked out, others unaffected", async (t) => {
  await using hub = startTestHub({
    guard: { lockoutAfter: 20, maxDelayMs: 20 },
    maxPendingPerAddress: 64,
  });
  const port = hub.address.port;
  const { client: bystander } = await TextClient.admitted(port);
  using _ = bystander;

  /** Sends wrong answers from one address until `attempts` are spent; counts what the hub judged. */
  async function guess(source: string, attempts: number) {
    let judged = 0;
    let locked = 0;
    let spent = 0;
    while (spent < attempts) {
      using conn = await TextClient.connect(port, source);
      for (;;) {
        const line = await conn.readLine(5000);
        if (line === undefined) break;
        if (line.startsWith("# Too many wrong answers from your address")) {
          locked++;
          spent++;
          break;
        }
        if (line.startsWith("? ")) {
          await conn.send("piano");
          spent++;
        }
        if (line.startsWith("err wrong-answer")) judged++;
        if (spent >= attempts) break;
      }
    }
    return { judged, locked };
  }

  await t.step("one address", async () => {
    const { judged, locked } = await guess("127.0.0.3", 1000);
    assert(judged <= 20, `the hub judged ${judged} answers`);
    assert(locked > 900, `${locked} tries met the lockout`);
    await bystander.send("ping");
    await bystander.readUntil((line) => line === "ok pong");
  });
  await t.step("ten addresses", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => guess(`127.0.1.${index + 1}`, 100)),
    );
    for (const { judged, locked } of results) {
      assert(judged <= 20, `judged ${judged}`);
      assert(locked >= 70, `locked ${locked}`);
    }
    const newcomer = await TextClient.admitted(port, ANSWER, "127.0.2.1");
    newcomer.client.close();
    await bystander.send("ping");
    await bystander.readUntil((line) => line === "ok pong");
  });
});

Deno.test("a silent node is pinged, then dropped; our node answers pings and stays", async () => {
  await using hub = startTestHub({ pingAfterMs: 300, idleTimeoutMs: 900 });
  const { client: silent } = await TextClient.admitted(hub.address.port);
  using _ = silent;
  const node = await HubClient.connect({
    host: "127.0.0.1",
    port: hub.address.port,
    resumeForMs: 0,
  });
  try {
    await node.join({ answer: () => Promise.resolve(ANSWER) }, AbortSignal.timeout(5000));
    await silent.readUntil((line) => line.startsWith("! ping: send any line within"), 3000);
    const rest = await silent.readToEnd(3000);
    assert(rest.some((line) => line.startsWith("# No word from you for 1 s")), rest.join("\n"));
    const stats = await node.request({ op: "stats" });
    assertEquals(stats.op, "stats");
  } finally {
    node.close();
  }
});

Deno.test("a locked-out address is told so when our node tries to join", async () => {
  await using hub = startTestHub({ guard: { lockoutAfter: 1, maxDelayMs: 1 } });
  using wrong = await TextClient.connect(hub.address.port, "127.0.0.4");
  await wrong.readUntil((line) => line.startsWith("? "));
  await wrong.send("piano");
  await wrong.readUntil((line) => line.includes("wrong-answer"));
  // Our node cannot pick its source address; the guard's lockout shows through the text client.
  using again = await TextClient.connect(hub.address.port, "127.0.0.4");
  const lines = await again.readToEnd();
  assert(
    lines.some((line) => line.startsWith("# Too many wrong answers from your address")),
    lines.join("\n"),
  );
  await assertRejects(
    (async () => {
      const client = await HubClient.connect({
        host: "127.0.0.1",
        port: hub.address.port,
        resumeForMs: 0,
      });
      try {
        await client.join({ answer: () => Promise.resolve("nope") }, AbortSignal.timeout(5000));
      } finally {
        client.close();
      }
    })(),
    GateRefusedError,
  );
});
