/**
 * The whole seed protocol over real TCP on 127.0.0.1: five nodes, two of them
 * raw sockets speaking only the text dialect, three speaking JSON.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { HubClient } from "../../lib/node/hub_client.ts";
import { RequestRefusedError } from "../../lib/node/errors.ts";
import type { Push, Reply } from "../../lib/protocol/messages.ts";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

type Consensus = Extract<Push, { event: "consensus" }>;
const isConsensus = (ballot: number) => (push: Push): push is Consensus =>
  push.event === "consensus" && push.ballot === ballot;
const within = () => AbortSignal.timeout(5000);

async function jsonNode(port: number, name: string) {
  const client = await HubClient.connect({ host: "127.0.0.1", port });
  const admission = await client.join({ name, answer: () => Promise.resolve(ANSWER) }, within());
  return { client, pin: admission.pin };
}

Deno.test("five nodes in two dialects: setup, negotiate, receive, discover, vote, pushes", async (t) => {
  await using hub = startTestHub();
  const port = hub.address.port;
  const text1 = await TextClient.admitted(port);
  const alice = await jsonNode(port, "alice");
  const bob = await jsonNode(port, "bob");
  const carol = await jsonNode(port, "carol");
  const text5 = await TextClient.admitted(port);
  try {
    await t.step("joins are pushed to nodes already there, in both dialects", async () => {
      for (const pin of [alice.pin, bob.pin, carol.pin, text5.pin]) {
        await text1.client.readUntil((line) => line.startsWith(`! joined ${pin} `));
      }
      await alice.client.waitForEvent(
        (push): push is Push => push.event === "joined" && push.pin === text5.pin,
        within(),
      );
    });

    await t.step("setup and negotiate with a grant store the info; others are told", async () => {
      await alice.client.request({
        op: "setup",
        services: ["print", "scan"],
        capabilities: ["colour"],
        constraints: [],
      });
      alice.client.onAsk((ask) => Promise.resolve(ask.ask === "permission" ? "grant" : ""));
      const reply = await alice.client.request<Extract<Reply, { op: "negotiate" }>>({
        op: "negotiate",
      });
      assertEquals(reply.stored, true);
      await text1.client.readUntil((line) => line === `! stored ${alice.pin} alice`);
    });

    await t.step("a raw text node sets up and grants through the hub's prompts", async () => {
      await text1.client.send("setup");
      await text1.client.readUntil((line) => line.startsWith("? Your services"));
      await text1.client.send("relay, cache");
      await text1.client.readUntil((line) => line.startsWith("? Your capabilities"));
      await text1.client.send("ipv6");
      await text1.client.readUntil((line) => line.startsWith("? Your constraints"));
      await text1.client.send("-");
      await text1.client.readUntil((line) => line.startsWith("ok node info set"));
      await text1.client.send("negotiate");
      const ask = await text1.client.readUntil((line) => line.startsWith("? May the hub store"));
      assert(ask.includes("services relay,cache"), ask);
      await text1.client.send("grant");
      await text1.client.readUntil((line) => line.startsWith("ok negotiate: node info stored"));
    });

    await t.step("negotiate with a deny stores nothing", async () => {
      await bob.client.request({ op: "setup", services: ["gpu"] });
      bob.client.onAsk(() => Promise.resolve("deny"));
      const reply = await bob.client.request<Extract<Reply, { op: "negotiate" }>>({
        op: "negotiate",
      });
      assertEquals(reply.stored, false);
      const refusal = await carol.client.request({ op: "receive", pin: bob.pin }).catch((error) =>
        error
      );
      assert(refusal instanceof RequestRefusedError);
      assertEquals(refusal.code, "no-info");
    });

    await t.step("receive one and all", async () => {
      const one = await carol.client.request<Extract<Reply, { op: "receive" }>>({
        op: "receive",
        pin: alice.pin,
      });
      assertEquals(one.infos, [{
        pin: alice.pin,
        name: "alice",
        info: { services: ["print", "scan"], capabilities: ["colour"], constraints: [] },
      }]);
      await text5.client.send("receive all");
      const head = await text5.client.readUntil((line) => line.startsWith("ok receive"));
      assertEquals(head, "ok receive: 2 nodes");
      const rows = [await text5.client.readLine(), await text5.client.readLine()].sort();
      assertEquals(
        rows,
        [
          `  ${alice.pin} alice services print,scan; capabilities colour; constraints -`,
          `  ${text1.pin} node-${text1.pin} services relay,cache; capabilities ipv6; constraints -`,
        ].sort(),
      );
    });

    await t.step(
      "discover lists every connected node with PIN, address, port and name",
      async () => {
        const reply = await bob.client.request<Extract<Reply, { op: "discover" }>>({
          op: "discover",
        });
        assertEquals(
          reply.nodes.map((node) => node.pin).sort(),
          [text1.pin, alice.pin, bob.pin, carol.pin, text5.pin].sort(),
        );
        for (const node of reply.nodes) {
          assertEquals(node.address, "127.0.0.1");
          assert(node.port > 0);
        }
        assertEquals(reply.nodes.find((node) => node.pin === carol.pin)?.name, "carol");
      },
    );

    await t.step("three of five vote A and every node is pushed the consensus", async () => {
      await text1.client.send("vote A");
      await text1.client.readUntil((line) => line.startsWith("ok vote A"));
      await alice.client.request({ op: "vote", option: "A" });
      await bob.client.request({ op: "vote", option: "B" });
      const stats = await carol.client.request<Extract<Reply, { op: "stats" }>>({ op: "stats" });
      assertEquals(stats.ballots[0]!.counts, { A: 2, B: 1 });
      assertEquals(stats.decided, []);
      await carol.client.request({ op: "vote", option: "be able to fly" });
      const reason = "3 of 5 connected voted A: 60% > 50%";
      for (const node of [alice, bob, carol]) {
        const consensus = await node.client.waitForEvent(isConsensus(1), within());
        assertEquals([consensus.option, consensus.reason], ["A", reason]);
      }
      for (const node of [text1, text5]) {
        await node.client.readUntil((line) =>
          line === `! consensus ballot 1: A (be able to fly) - ${reason}`
        );
        await node.client.readUntil((line) => line.startsWith("! ballot 2 open: "));
      }
    });

    await t.step("a leave is pushed", async () => {
      await text5.client.send("exit");
      await text5.client.readUntil((line) => line === "ok bye");
      await text1.client.readUntil((line) =>
        line === `! left ${text5.pin} node-${text5.pin} (exit)`
      );
      await alice.client.waitForEvent(
        (push): push is Push => push.event === "left" && push.pin === text5.pin,
        within(),
      );
    });

    await t.step("a departure completes a consensus", async () => {
      await alice.client.request({ op: "vote", option: "B" });
      await text1.client.send("vote B");
      await text1.client.readUntil((line) => line.startsWith("ok vote B"));
      // 2 of 4 connected is not more than half; carol's drop leaves 2 of 3.
      carol.client.close();
      const consensus = await alice.client.waitForEvent(isConsensus(2), within());
      assertEquals(consensus.reason, "2 of 3 connected voted B: 66.7% > 50%");
      await text1.client.readUntil((line) => line.startsWith("! consensus ballot 2: B"));
    });
  } finally {
    for (const node of [alice, bob, carol]) node.client.close();
    text1.client.close();
    text5.client.close();
  }
});

Deno.test("a vote cast just before leaving still counts", async () => {
  await using hub = startTestHub();
  const port = hub.address.port;
  const watcher = await jsonNode(port, "watcher");
  const idle = await TextClient.admitted(port);
  try {
    const quick = await TextClient.admitted(port);
    await quick.client.send("vote B");
    await quick.client.send("exit");
    await quick.client.readUntil((line) => line === "ok bye");
    quick.client.close();
    const second = await TextClient.admitted(port);
    await second.client.send("vote B");
    // Votes: 2 for B (one of a node gone); connected: watcher, idle, second.
    const consensus = await watcher.client.waitForEvent(isConsensus(1), within());
    assertEquals(consensus.reason, "2 of 3 connected voted B: 66.7% > 50%");
    second.client.close();
  } finally {
    watcher.client.close();
    idle.client.close();
  }
});
