/**
 * Several hubs serve one election kept in a real etcd: nodes on different
 * hubs see each other, vote on one ballot, and every hub pushes the one
 * decision the shared log gives.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startServe } from "../_helpers/cli.ts";
import { requireTool } from "../_helpers/tools.ts";
import { type EtcdCluster, etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";
import { TextClient } from "../_helpers/text_client.ts";

const GATE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

Deno.test({
  name:
    "three hubs, one election: joins seen across hubs, one vote per node, one decision pushed by every hub",
  ...etcdTestOptions(),
  ...(requireTool("etcdctl", "etcd-client") ? {} : { ignore: true }),
  sanitizeResources: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 3 });
    const cluster = ["--cluster", etcd.clientUrls.join(","), "--election", "lab"];
    await using first = await startServe([...GATE, ...cluster, "--rule", "majority"]);
    await first.waitForLine((line) => line.includes("it started the election"));
    await using second = await startServe([...GATE, ...cluster, "--rule", "majority"]);
    await second.waitForLine((line) => line.includes("joined the election"));
    await using third = await startServe([...GATE, ...cluster]);
    const hubs = [first, second, third];

    // Two nodes on each hub.
    const nodes = [];
    for (const hub of hubs) {
      for (let index = 0; index < 2; index++) nodes.push(await TextClient.admitted(hub.port));
    }
    try {
      const pins = nodes.map((node) => node.pin);
      assertEquals(new Set(pins).size, 6, `PINs are unique across hubs: ${pins}`);
      // A node on the first hub sees the join of a node on the third.
      await nodes[0]!.client.readUntil((line) => line.startsWith(`! joined ${pins[5]} `));
      // discover on any hub lists all six.
      await nodes[3]!.client.send("discover");
      const listed = await nodes[3]!.client.readUntil((line) => line.startsWith("ok discover"));
      assertEquals(listed, "ok discover: 6 nodes");

      // The same node votes twice at once through its hub: counted once.
      await nodes[0]!.client.send("vote A");
      await nodes[0]!.client.send("vote B");
      const replies = [
        await nodes[0]!.client.readUntil((line) =>
          line.startsWith("ok vote") || line.startsWith("err")
        ),
        await nodes[0]!.client.readUntil((line) =>
          line.startsWith("ok vote") || line.startsWith("err")
        ),
      ];
      assert(replies[0]!.startsWith("ok vote A"), replies.join(" | "));
      assert(replies[1]!.startsWith("err already-voted"), replies.join(" | "));
      // Three more votes for A on three hubs: 4 of 6 is a majority.
      for (const index of [1, 2, 4]) await nodes[index]!.client.send("vote A");
      for (const node of nodes) {
        const decision = await node.client.readUntil((line) => line.startsWith("! consensus"));
        assert(decision.includes("A"), decision);
      }
      // Every hub pushed it once: no second consensus line follows on a node.
      await nodes[5]!.client.send("stats");
      const stats = await nodes[5]!.client.readUntil((line) => line.startsWith("ok stats"));
      assert(stats.includes("1 open ballot"), stats);

      // The log audits; an entry altered with etcdctl is named.
      const audit = ["audit", "--cluster", etcd.clientUrls.join(","), "--election", "lab"];
      const held = await runCli(audit);
      assertEquals(held.code, 0, held.stdout + held.stderr);
      assert(/election lab: \d+ entries, 1 decisions re-counted/u.test(held.stdout), held.stdout);
      const listing = await etcdctl(etcd, ["get", "--prefix", "consensus/lab/log/"]);
      const lines = listing.trimEnd().split("\n");
      const index = lines.findIndex((line) => line.includes('"type":"vote"'));
      assert(index > 0 && lines[index]!.includes('"option":"A"'), listing);
      const key = lines[index - 1]!;
      await etcdctl(etcd, ["put", key, lines[index]!.replace('"option":"A"', '"option":"B"')]);
      const altered = await runCli(audit);
      assertEquals(altered.code, 1, altered.stdout + altered.stderr);
      const position = Number(key.slice(key.lastIndexOf("/") + 1));
      assert(
        altered.stdout.includes(`problem: entry ${position} was altered`),
        altered.stdout,
      );
    } finally {
      for (const node of nodes) node.client.close();
    }
  },
});

/** Runs etcd's own command-line client against the cluster. */
async function etcdctl(etcd: EtcdCluster, args: string[]): Promise<string> {
  const output = await new Deno.Command("etcdctl", {
    args: [`--endpoints=${etcd.clientUrls.join(",")}`, ...args],
    env: { ETCDCTL_API: "3" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(10_000),
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  assert(output.success, new TextDecoder().decode(output.stderr));
  return text;
}

Deno.test({
  name: "a hub whose flags differ from the election's terms says which and refuses to start",
  ...etcdTestOptions(),
  sanitizeResources: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 1 });
    const cluster = ["--cluster", etcd.clientUrls.join(","), "--election", "terms"];
    await using first = await startServe([...GATE, ...cluster, "--question", "Lunch?"]);
    await first.waitForLine((line) => line.includes("it started the election"));
    const refused = await runCli([
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      ...GATE,
      ...cluster,
      "--question",
      "Dinner?",
    ]);
    assertEquals(refused.code, 2, refused.stderr);
    assert(refused.stderr.includes(`Cannot serve election "terms"`), refused.stderr);
    assert(refused.stderr.includes("Dinner?") && refused.stderr.includes("Lunch?"), refused.stderr);
  },
});

Deno.test({
  name:
    "one node votes through two hubs at the same moment (its token resumed on the second): counted once everywhere",
  ...etcdTestOptions(),
  sanitizeResources: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 3 });
    const cluster = ["--cluster", etcd.clientUrls.join(","), "--election", "twice"];
    await using first = await startServe([...GATE, ...cluster, "--rule", "unanimous"]);
    await first.waitForLine((line) => line.includes("it started the election"));
    await using second = await startServe([...GATE, ...cluster]);
    await second.waitForLine((line) => line.includes("joined the election"));
    const voter = await TextClient.admitted(first.port);
    const watchers = [
      await TextClient.admitted(first.port),
      await TextClient.admitted(second.port),
    ];
    const again = await TextClient.connect(second.port);
    try {
      const tokenLine = await voter.client.readUntil((line) => line.includes("Resume token: "));
      const token = /Resume token: (\S+)/u.exec(tokenLine)![1]!;
      await again.readUntil((line) => line.startsWith("? "));
      // Both connections send the vote at once: the old one, and the resumed one.
      await Promise.all([voter.client.send("vote A"), again.send(`resume ${token}`)]);
      await again.readUntil((line) => line.startsWith("ok resumed"));
      await again.send("vote A");
      await again.readUntil((line) => line.startsWith("ok vote A") || line.startsWith("err"));
      // The first connection gives way to the second.
      await voter.client.readToEnd(10_000);
      for (const { client } of watchers) {
        await client.send("stats");
        const row = await client.readUntil((text) => text.startsWith("  A "));
        assert(row.startsWith("  A 1 "), row);
      }
    } finally {
      voter.client.close();
      again.close();
      for (const { client } of watchers) client.close();
    }
  },
});
