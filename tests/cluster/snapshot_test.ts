/**
 * A long election does not replay from its first entry: hubs write
 * snapshots of the folded state, a hub that joins later starts from the
 * latest one and the entries after it, and the log before an older snapshot
 * is compacted away; the audit still checks what is left.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startServe } from "../_helpers/cli.ts";
import { etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";
import { TextClient } from "../_helpers/text_client.ts";
import { EtcdClient } from "../../lib/store/etcd_client.ts";
import { EtcdLog } from "../../lib/store/etcd_log.ts";

const GATE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

Deno.test({
  name: "a hub that joins a long election starts from its snapshot; the log before is compacted",
  ...etcdTestOptions(),
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using etcd = await startEtcdCluster({ members: 1 });
    const cluster = ["--cluster", etcd.clientUrls.join(","), "--election", "long"];
    const flags = [...GATE, ...cluster, "--snapshot-every", "10"];
    await using first = await startServe([...flags, "--rule", "unanimous"]);
    await first.waitForLine((line) => line.includes("it started the election"));
    // The standing ballot, 12 admissions and 8 votes: 21 entries, snapshots at 10 and 20.
    const nodes = [];
    for (let index = 0; index < 12; index++) nodes.push(await TextClient.admitted(first.port));
    try {
      for (const { client } of nodes.slice(0, 8)) {
        await client.send("vote A");
        await client.readUntil((line) => line.startsWith("ok vote"));
      }
      const log = new EtcdLog({
        client: new EtcdClient({ endpoints: etcd.clientUrls }),
        election: "long",
      });
      const deadline = Date.now() + 10_000;
      while ((await log.latestSnapshot())?.position !== 20) {
        assert(Date.now() < deadline, "no snapshot at entry 20");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The log up to the previous snapshot is gone.
      await log.read(0).then(
        () => assert(false, "entries 1 to 10 are still there"),
        (error: Error) => assert(error.message.includes("entries up to 10 were compacted")),
      );
      assertEquals((await log.read(10))[0]!.position, 11);

      await using second = await startServe(flags);
      await second.waitForLine((line) =>
        line.includes("joined the election (from its snapshot at entry 20, then 1 entries)")
      );
      const late = await TextClient.admitted(second.port);
      try {
        await late.client.send("discover");
        assertEquals(
          await late.client.readUntil((line) => line.startsWith("ok discover")),
          "ok discover: 13 nodes",
        );
        await late.client.send("stats");
        await late.client.readUntil((line) =>
          line === "  A 8 62% be able to fly" || line.startsWith("  A 8 ")
        );
        // The rest vote through both hubs: unanimous, pushed everywhere.
        for (const { client } of nodes.slice(8)) await client.send("vote A");
        await late.client.send("vote A");
        const decided = await late.client.readUntil((line) => line.startsWith("! consensus"));
        assert(decided.startsWith("! consensus ballot 1: A"), decided);
      } finally {
        late.client.close();
      }
      const audit = await runCli([
        "audit",
        "--cluster",
        etcd.clientUrls.join(","),
        "--election",
        "long",
      ]);
      assertEquals(audit.code, 0, audit.stdout + audit.stderr);
      assert(audit.stdout.includes("after its snapshot at entry 10"), audit.stdout);
    } finally {
      for (const { client } of nodes) client.close();
    }
  },
});
