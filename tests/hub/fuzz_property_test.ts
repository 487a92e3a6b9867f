/**
 * Random and mutated bytes and JSON fed to a real hub over TCP, in both
 * dialects, 10,000 runs in all: the hub never crashes nor leaks an unhandled
 * rejection (Deno's test runner fails on one), and every line it sends back
 * is a well-formed reply, error, question, event or information line.
 */

import { ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { SERVICES } from "../../lib/protocol/messages.ts";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const TEXT_LINE = /^(ok( |$)|err [a-z0-9-]+: |! |# |\? | {2}\S)/u;
const encoder = new TextEncoder();

const validTextCommands = [
  "vote A",
  "vote 1 B",
  "stats",
  "discover",
  "receive all",
  "receive 123",
  "setup services=a,b capabilities=c",
  "negotiate deny",
  "name fuzzer",
  "ballots",
  "results",
  "help",
  "propose Q? | a, b | majority | 10m | frozen",
  "close 1",
];

/** A valid command with random edits: characters inserted, deleted or replaced. */
const mutatedCommand = fc.tuple(
  fc.constantFrom(...validTextCommands),
  fc.array(
    fc.tuple(fc.nat({ max: 40 }), fc.string({ maxLength: 3, unit: "binary" }), fc.boolean()),
    {
      maxLength: 4,
    },
  ),
).map(([command, edits]) => {
  let text = command;
  for (const [at, insert, remove] of edits) {
    const index = at % (text.length + 1);
    text = text.slice(0, index) + insert + text.slice(index + (remove ? 1 : 0));
  }
  return encoder.encode(text);
});

const randomBytes = fc.uint8Array({ maxLength: 300 }).map((bytes) =>
  bytes.map((byte) => byte === 10 ? 32 : byte)
);

const jsonRequest = fc.record({
  id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null), fc.double()),
  op: fc.oneof(
    fc.constantFrom(...SERVICES.map((service) => service.name)),
    fc.string({ maxLength: 8 }),
  ),
  option: fc.oneof(fc.constantFrom("A", "B", "C"), fc.jsonValue({ maxDepth: 2 })),
  ballot: fc.oneof(fc.nat({ max: 3 }), fc.jsonValue({ maxDepth: 1 })),
  pin: fc.oneof(fc.constant("all"), fc.integer(), fc.jsonValue({ maxDepth: 1 })),
  services: fc.oneof(
    fc.array(fc.string({ maxLength: 6 }), { maxLength: 4 }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  grant: fc.jsonValue({ maxDepth: 1 }),
  name: fc.jsonValue({ maxDepth: 1 }),
}, { requiredKeys: [] }).map((request) => encoder.encode(JSON.stringify(request)));

const anyJson = fc.jsonValue({ maxDepth: 4 }).map((value) => encoder.encode(JSON.stringify(value)));

/** One admitted connection in one dialect, re-opened if a random line made it leave. */
class FuzzedNode {
  #client: TextClient | undefined;
  #sentinel = 0;

  constructor(readonly port: number, readonly json: boolean) {}

  async #connection(): Promise<TextClient> {
    if (this.#client) return this.#client;
    const client = await TextClient.connect(this.port);
    await client.readUntil((line) => line.startsWith("? "));
    if (this.json) {
      await client.send(JSON.stringify({ answer: ANSWER }));
      await client.readUntil((line) => line.includes('"event":"admitted"'));
    } else {
      await client.send(ANSWER);
      await client.readUntil((line) => line.startsWith("ok admitted"));
    }
    this.#client = client;
    return client;
  }

  /** Sends one fuzzed line, then a sentinel; checks every line until the sentinel's reply. */
  async feed(bytes: Uint8Array): Promise<void> {
    const client = await this.#connection();
    const tag = `s${++this.#sentinel}`;
    const sentinel = this.json ? JSON.stringify({ id: tag, op: "ping" }) : "ping";
    await client.send(new Uint8Array([...bytes, 10]));
    await client.send(sentinel);
    for (;;) {
      const line = await client.readLine(5000);
      if (line === undefined) {
        // The fuzzed line said exit (or was a close); the hub must have said goodbye first.
        client.close();
        this.#client = undefined;
        return;
      }
      if (this.json) {
        const message = JSON.parse(line);
        assert(typeof message === "object" && message !== null, line);
        const wellFormed = (typeof message.ok === "boolean" && "id" in message) ||
          typeof message.event === "string" ||
          (typeof message.ask === "string" && typeof message.id === "string");
        assert(wellFormed, line);
        if (message.ok === false) {
          assert(
            typeof message.error?.code === "string" && typeof message.error?.message === "string",
            line,
          );
        }
        if (message.id === tag && message.ok === true) return;
        // A question the fuzzed line raised: answer it and send the sentinel again.
        if (typeof message.ask === "string") {
          await client.send(JSON.stringify({ id: message.id, answer: "-" }));
          await client.send(sentinel);
        }
      } else {
        assert(TEXT_LINE.test(line), JSON.stringify(line));
        if (line === "ok pong") return;
        if (line.startsWith("? ")) await client.send(sentinel);
      }
    }
  }

  close(): void {
    this.#client?.close();
  }
}

Deno.test("10,000 random and mutated inputs in both dialects: no crash, only well-formed replies", async () => {
  await using hub = startTestHub({ guard: { lockoutAfter: 1_000_000 } });
  const text = new FuzzedNode(hub.address.port, false);
  const json = new FuzzedNode(hub.address.port, true);
  try {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedCommand, randomBytes), (bytes) => text.feed(bytes)),
      { numRuns: 5_000 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(jsonRequest, anyJson, mutatedCommand, randomBytes),
        (bytes) => json.feed(bytes),
      ),
      { numRuns: 5_000 },
    );
    const { client } = await TextClient.admitted(hub.address.port);
    await client.send("ping");
    await client.readUntil((line) => line === "ok pong");
    client.close();
  } finally {
    text.close();
    json.close();
  }
});
