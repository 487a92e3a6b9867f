/**
 * Fault runs of a three-hub election on a three-member etcd: a hub killed in
 * the middle of a round, etcd losing a member, and etcd losing its quorum.
 * After each, a history check from what every client sent and was told: at
 * most one vote per node, every acknowledged vote in the final tally, one
 * identical decision on every hub.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { HubClient } from "../../lib/node/hub_client.ts";
import type { DecisionView, Push, Reply } from "../../lib/protocol/messages.ts";
import { type ServeProcess, startServe } from "../_helpers/cli.ts";
import { type EtcdCluster, etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";
import { TextClient } from "../_helpers/text_client.ts";

type VoteReply = Extract<Reply, { op: "vote" }>;

const GATE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

/** Three hubs of one election; the first starts it with the `extra` flags. */
async function startHubs(
  etcd: EtcdCluster,
  election: string,
  extra: string[],
): Promise<ServeProcess[] & AsyncDisposable> {
  const cluster = ["--cluster", etcd.clientUrls.join(","), "--election", election];
  const first = await startServe([...GATE, ...cluster, ...extra, "--grace", "20"]);
  await first.waitForLine((line) => line.includes("it started the election"));
  const others = await Promise.all([
    startServe([...GATE, ...cluster, "--grace", "20"]),
    startServe([...GATE, ...cluster, "--grace", "20"]),
  ]);
  const hubs = [first, ...others];
  return Object.assign(hubs, {
    async [Symbol.asyncDispose]() {
      await Promise.all(hubs.map((hub) => hub[Symbol.asyncDispose]()));
    },
  });
}

/** A node on `hubs[home]` that knows the other hubs, through our client library. */
async function node(hubs: ServeProcess[], home: number): Promise<HubClient> {
  const others = hubs.filter((_, index) => index !== home)
    .map((hub) => ({ host: "127.0.0.1", port: hub.port }));
  const client = await HubClient.connect({
    host: "127.0.0.1",
    port: hubs[home]!.port,
    alternates: others,
    signal: AbortSignal.timeout(10_000),
  });
  await client.join({ answer: () => Promise.resolve("keyboard") }, AbortSignal.timeout(10_000));
  return client;
}

function decisions(client: HubClient): DecisionView[] {
  return client.events.filter((push): push is Extract<Push, { event: "consensus" }> =>
    push.event === "consensus"
  );
}

function kill(hub: ServeProcess): void {
  try {
    hub.child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
}

Deno.test({
  name:
    "a hub killed mid-round: its nodes resume on the others, no acknowledged vote is lost, one decision everywhere",
  ...etcdTestOptions(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 3 });
    await using hubs = await startHubs(etcd, "failover", ["--rule", "majority"]);
    // 24 nodes of our own (8 per hub) and 6 plain text sockets (2 per hub).
    const clients: HubClient[] = [];
    for (let index = 0; index < 24; index++) clients.push(await node(hubs, index % 3));
    const texts: TextClient[] = [];
    for (let index = 0; index < 6; index++) {
      texts.push((await TextClient.admitted(hubs[index % 3]!.port)).client);
    }
    try {
      // Nine votes for A, acknowledged, three through each hub.
      const acknowledged: number[] = [];
      for (let index = 0; index < 9; index++) {
        const reply = await clients[index]!.request<VoteReply>({
          op: "vote",
          option: "A",
        });
        assertEquals(reply.option, "A");
        acknowledged.push(index);
      }
      // The first hub dies (its 8 clients and 2 text sockets lose it).
      kill(hubs[0]!);
      await hubs[0]!.child.status;
      // Its clients' next votes go through whichever hub took them back.
      for (const index of [9, 12, 15, 18, 21, 10, 13]) {
        const reply = await clients[index]!.request<VoteReply>({
          op: "vote",
          option: "A",
        });
        assertEquals(reply.option, "A");
        acknowledged.push(index);
      }
      // A node that voted before the kill tries again: counted once.
      const again = await clients[0]!.request<VoteReply>({
        op: "vote",
        option: "A",
      });
      assertEquals(again.changed, false);
      // 16 of 30 (or of 28 once the dead hub's text sockets drop) is a majority.
      const survivors = clients;
      const seen = await Promise.all(
        survivors.map((client) =>
          client.waitForEvent(
            (push): push is Extract<Push, { event: "consensus" }> => push.event === "consensus",
            AbortSignal.timeout(20_000),
          )
        ),
      );
      for (const decision of seen) {
        assertEquals(decision.option, "A");
        assertEquals(decision.ballot, seen[0]!.ballot);
        // Every acknowledged vote is in the tally, and nothing else.
        assertEquals(decision.counts.A, acknowledged.length);
      }
      // Each node was told once, whichever hub it was on.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const client of survivors) {
        assertEquals(decisions(client).filter((d) => d.ballot === seen[0]!.ballot).length, 1);
      }
      // The surviving hubs hold the same folded state, as their nodes see it.
      const views = await Promise.all([1, 2].map(async (hub) => {
        const client = clients[hub]!;
        return await Promise.all(
          ["results", "ballots"].map((op) => client.request({ op })),
        );
      }));
      assertEquals(views[0], views[1]);
      // The text sockets on the surviving hubs saw the same decision.
      for (const index of [1, 2, 4, 5]) {
        const line = await texts[index]!.readUntil((text) => text.startsWith("! consensus"));
        assert(line.startsWith(`! consensus ballot ${seen[0]!.ballot}: A`), line);
      }
    } finally {
      for (const client of clients) client.close();
      for (const text of texts) text.close();
    }
  },
});

Deno.test({
  name:
    "etcd loses a member, then its quorum: the election goes on, then hubs say cluster-unavailable and decide nothing until it is back",
  ...etcdTestOptions(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 3 });
    await using hubs = await startHubs(etcd, "quorum", ["--rule", "majority"]);
    const clients: HubClient[] = [];
    for (let index = 0; index < 6; index++) clients.push(await node(hubs, index % 3));
    const text = (await TextClient.admitted(hubs[1]!.port)).client;
    try {
      // One member killed and restarted on its data: votes go on throughout.
      await etcd.kill(1);
      for (const index of [0, 1]) {
        const reply = await clients[index]!.request<VoteReply>({ op: "vote", option: "A" });
        assertEquals(reply.option, "A");
      }
      await etcd.restart(1);
      const reply = await clients[2]!.request<VoteReply>({ op: "vote", option: "A" });
      assertEquals(reply.option, "A");

      // Two of three frozen: no quorum. A vote is refused within its bound.
      etcd.freeze(0);
      etcd.freeze(2);
      const started = performance.now();
      await text.send("vote A");
      const refused = await text.readUntil((line) => line.startsWith("err"), 20_000);
      const waited = performance.now() - started;
      assert(refused.startsWith("err cluster-unavailable:"), refused);
      assert(waited < 15_000, `refused after ${waited} ms`);
      // Nodes stay connected: a read still answers.
      await text.send("ballots");
      await text.readUntil((line) => line.startsWith("ok ballots"));

      // Nothing was decided meanwhile.
      assertEquals(clients.flatMap(decisions), []);

      // Quorum back: the election resumes and reaches its decision. The
      // refused vote's outcome was unknown: etcd may have committed it late.
      etcd.thaw(0);
      etcd.thaw(2);
      // Whichever comes first decides ballot 1: this vote, or the late one.
      let acknowledged = 3;
      await retryWhileUnavailable(() =>
        clients[3]!.request<VoteReply>({ op: "vote", ballot: 1, option: "A" })
      ).then(() => acknowledged++, (error: Error) => {
        if (!error.message.includes("ballot 1 is closed")) throw error;
      });
      const decided = await Promise.all(clients.map((client) =>
        client.waitForEvent(
          (push): push is Extract<Push, { event: "consensus" }> =>
            push.event === "consensus" && push.ballot === 1,
          AbortSignal.timeout(20_000),
        )
      ));
      for (const decision of decided) {
        assertEquals(decision.option, "A");
        assertEquals(decision.counts, decided[0]!.counts);
        // Every acknowledged vote is counted; at most the late one besides.
        const votes = decision.counts.A!;
        assert(votes >= acknowledged && votes <= 4, JSON.stringify(decision));
      }
    } finally {
      for (const client of clients) client.close();
      text.close();
    }
  },
});

/** Votes again while the cluster is catching up after its quorum came back. */
async function retryWhileUnavailable<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= 20 || !String((error as Error).message).includes("cluster")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

Deno.test({
  name: "a deadline armed on a hub that is killed still closes the ballot on time, once",
  ...etcdTestOptions(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 3 });
    await using hubs = await startHubs(etcd, "deadline", [
      "--rule",
      "plurality",
      "--deadline",
      "6s",
    ]);
    const watchers = [await node(hubs, 1), await node(hubs, 2)];
    try {
      const ballots = await watchers[0]!.request<Extract<Reply, { op: "ballots" }>>({
        op: "ballots",
      });
      const deadline = Date.parse(ballots.ballots[0]!.deadline!);
      await watchers[1]!.request<VoteReply>({ op: "vote", option: "B" });
      kill(hubs[0]!);
      const closings = await Promise.all(watchers.map((client) =>
        client.waitForEvent(
          (push): push is Extract<Push, { event: "consensus" }> =>
            push.event === "consensus" && push.ballot === ballots.ballots[0]!.ballot,
          AbortSignal.timeout(15_000),
        )
      ));
      const late = Date.now() - deadline;
      assert(late >= 0 && late < 2_000, `closed ${late} ms after its deadline`);
      for (const closing of closings) {
        assertEquals([closing.option, closing.cause], ["B", "deadline"]);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const client of watchers) {
        const closed = client.events.filter((push) =>
          (push.event === "consensus" || push.event === "closed") &&
          push.ballot === ballots.ballots[0]!.ballot
        );
        assertEquals(closed.length, 1);
      }
    } finally {
      for (const client of watchers) client.close();
    }
  },
});
