import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects as assertRejects,
} from "node:assert/strict";
import { EtcdClient } from "../../lib/store/etcd_client.ts";
import { EtcdLog } from "../../lib/store/etcd_log.ts";
import type { LogEntry } from "../../lib/store/replicated_log.ts";
import { type EtcdCluster, etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";
import { collectUntil } from "../_helpers/etcd_log_follower.ts";

/** A log whose client tries the members from `first` on. */
function logVia(cluster: EtcdCluster, first: number, election = "e1", batchSize = 500): EtcdLog {
  const endpoints = [...cluster.clientUrls.slice(first), ...cluster.clientUrls.slice(0, first)];
  return new EtcdLog({ client: new EtcdClient({ endpoints }), election, batchSize });
}

Deno.test({
  name: "two hubs appending at the same head: exactly one wins, the other learns the new head",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    const hubs = [logVia(cluster, 0), logVia(cluster, 1)];
    let head = 0;
    for (let round = 0; round < 20; round++) {
      const outcomes = await Promise.all(
        hubs.map((log, hub) => log.append([`r${round}h${hub}a`, `r${round}h${hub}b`], head)),
      );
      const winners = outcomes.filter((outcome) => outcome.ok);
      assertEquals(winners.length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
      for (const outcome of outcomes) assertEquals(outcome.head, head + 2);
      head += 2;
    }
    const entries = await hubs[0]!.read(0);
    assertEquals(
      entries.map((entry) => entry.position),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    for (let round = 0; round < 20; round++) {
      const [a, b] = [entries[2 * round]!.payload, entries[2 * round + 1]!.payload];
      assert(a.startsWith(`r${round}h`) && b === a.replace(/a$/, "b"), `${a} ${b}`);
    }
  },
});

Deno.test({
  name: "follow delivers every entry once, in order, to two followers, stored and live",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    const writer = logVia(cluster, 2);
    let head = 0;
    const appendBatch = async (size: number) => {
      const payloads = Array.from({ length: size }, (_, i) => JSON.stringify({ n: head + i + 1 }));
      const outcome = await writer.append(payloads, head);
      assert(outcome.ok);
      head = outcome.head;
    };
    for (let batch = 0; batch < 5; batch++) await appendBatch(7);
    const total = 35 + 40 * 5;
    // The first one reads what is stored in batches of 10.
    const followers = [logVia(cluster, 0, "e1", 10), logVia(cluster, 1)].map((log) =>
      collectUntil(log, 0, total, 20_000)
    );
    for (let batch = 0; batch < 40; batch++) await appendBatch(5);
    for (const entries of await Promise.all(followers)) assertConsecutive(entries, 0, total);
    assertEquals(await writer.read(100), (await writer.read(0)).slice(100));
  },
});

Deno.test({
  name: "a snapshot lets the log before it be compacted; reads and follows start after it",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const log = logVia(cluster, 0, "compacting");
    assertEquals(await log.latestSnapshot(), null);
    assertEquals(await log.append(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], 0), {
      ok: true,
      head: 10,
    });
    await log.writeSnapshot(4, '{"at":4}');
    await log.writeSnapshot(6, '{"at":6}');
    await assertRejects(log.compact(8), RangeError);
    await log.compact(6);
    assertEquals(await log.latestSnapshot(), { position: 6, payload: '{"at":6}' });
    assertEquals((await log.read(6)).map((entry) => entry.payload), ["7", "8", "9", "10"]);
    await assertRejects(log.read(3), /compacted/);
    await log.compact(4);
    assertEquals(await log.head(), 10);
    assertEquals(await log.append(["11"], 10), { ok: true, head: 11 });
    assertEquals(await log.append(["x"], 10), { ok: false, head: 11 });
    assertConsecutive(await collectUntil(log, 6, 11, 5_000), 6, 11);
    // A snapshot larger than one etcd request, cut into parts (never inside a surrogate pair).
    const large = JSON.stringify({ text: "a" + "😀".repeat(400_000) });
    await log.writeSnapshot(11, large);
    assertEquals(await log.latestSnapshot(), { position: 11, payload: large });
    await log.compact(11);
    assertEquals(await log.read(11), []);
    assertEquals((await log.latestSnapshot())?.payload, large);
    // Only the newest snapshot is left: its manifest and its 4 parts.
    const client = new EtcdClient({ endpoints: cluster.clientUrls });
    const snapshotKeys = await client.range("consensus/compacting/snapshot", {
      prefix: true,
      keysOnly: true,
    });
    assertEquals(snapshotKeys.kvs.map((kv) => kv.key.replace(/\d{16}/g, "#")), [
      "consensus/compacting/snapshot-part/#/#",
      "consensus/compacting/snapshot-part/#/#",
      "consensus/compacting/snapshot-part/#/#",
      "consensus/compacting/snapshot-part/#/#",
      "consensus/compacting/snapshot/#",
    ]);
    // Other elections are untouched.
    assertEquals(await logVia(cluster, 0, "other").read(0), []);
  },
});

Deno.test({
  name: "an append after a head the log has not reached is refused",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const log = logVia(cluster, 0);
    await assertRejects(log.append(["a"], 3), RangeError);
    await assertRejects(log.append([], 0), TypeError);
    assertEquals(await log.append(["a"], 0), { ok: true, head: 1 });
  },
});

function assertConsecutive(entries: LogEntry[], after: number, last: number): void {
  assertEquals(
    entries.map((entry) => entry.position),
    Array.from({ length: last - after }, (_, i) => after + i + 1),
  );
}

Deno.test({
  name:
    "a batch larger than one etcd transaction is refused up front and splits into appends that fit",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const log = logVia(cluster, 0);
    const many = Array.from({ length: 300 }, (_, i) => `{"n":${i + 1}}`);
    await assertRejects(log.append(many, 0), /at most 127/);
    const large = Array.from({ length: 12 }, (_, i) => `${i}`.padEnd(200_000, "x"));
    await assertRejects(log.append(large, 0), /--max-request-bytes/);
    let head = 0;
    for (const group of [...log.splitBatch(many), ...log.splitBatch(large)]) {
      head = (await log.append(group, head)).head;
    }
    assertEquals(head, 312);
    assertEquals((await log.read(0)).map((entry) => entry.payload), [...many, ...large]);
    assertEquals(log.splitBatch(many).map((group) => group.length), [127, 127, 46]);
    assertEquals(log.splitBatch(large).map((group) => group.length), [4, 4, 4]);
  },
});
