import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { EtcdClient, WatchCompactedError, type WatchEvent } from "../../lib/store/etcd_client.ts";
import { ClusterUnavailableError } from "../../lib/store/cluster_unavailable_error.ts";
import { etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";

Deno.test({
  name: "the client puts, ranges, runs transactions and deletes through the JSON gateway",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls });
    await client.put("t/a", "é 1");
    await client.put("t/b", "2");
    await client.put("u", "3");
    const all = await client.range("t/", { prefix: true });
    assertEquals(all.kvs.map((kv) => [kv.key, kv.value]), [["t/a", "é 1"], ["t/b", "2"]]);
    const limited = await client.range("t/", { prefix: true, limit: 1 });
    assertEquals([limited.kvs.length, limited.more, limited.count], [1, true, 2]);

    const absent = { key: "t/c", target: "CREATE", result: "EQUAL", number: 0 } as const;
    const first = await client.txn({
      compare: [absent],
      success: [{ put: { key: "t/c", value: "first" } }],
      failure: [{ range: { key: "t/c" } }],
    });
    assert(first.succeeded);
    const second = await client.txn({
      compare: [absent],
      success: [{ put: { key: "t/c", value: "second" } }],
      failure: [{ range: { key: "t/c" } }],
    });
    assertEquals(second.succeeded, false);
    const seen = second.responses[0];
    assert(seen?.type === "range");
    assertEquals(seen.kvs[0]?.value, "first");

    const old = await client.range("t/a", { revision: first.revision - 3 });
    assertEquals(old.kvs[0]?.value, "é 1");
    assertEquals(await client.deleteRange("t/", { prefix: true }), 3);
    assertEquals((await client.range("u")).kvs[0]?.value, "3");
  },
});

Deno.test({
  name: "a lease keeps its key while kept alive and answers null once revoked",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls });
    const lease = await client.leaseGrant(5);
    assert(lease.id > 0n && lease.ttlSeconds >= 5);
    await client.put("hub", "x", { lease: lease.id });
    assert((await client.leaseKeepAlive(lease.id))! > 0);
    assertEquals((await client.range("hub")).kvs[0]?.lease, lease.id);
    await client.leaseRevoke(lease.id);
    assertEquals(await client.leaseKeepAlive(lease.id), null);
    assertEquals((await client.range("hub")).kvs, []);
    await client.leaseRevoke(lease.id);
  },
});

Deno.test({
  name: "a watch delivers history from its start revision, then live changes, in order",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls, attemptTimeoutMs: 500 });
    const start = await client.put("w/1", "a");
    await client.put("w/2", "b");
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    const statuses: string[] = [];
    const done = client.watch("w/", {
      prefix: true,
      startRevision: start,
      signal: controller.signal,
      onStatus: (status) => statuses.push(status),
    }, (events) => {
      seen.push(...events);
      if (seen.length === 4) controller.abort();
    });
    // Longer than one attempt's bound: the stream must outlive it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await client.put("w/3", "c");
    await client.deleteRange("w/1");
    await Promise.race([done, timeout(10_000)]);
    assertEquals(seen.map((event) => `${event.type} ${event.kv.key}`), [
      "PUT w/1",
      "PUT w/2",
      "PUT w/3",
      "DELETE w/1",
    ]);
    assertEquals(statuses, ["connected"]);
    assertEquals(await cluster.watchStreamsStarted(0), 1);
  },
});

Deno.test({
  name:
    "a call with no member reachable fails within its bound, and a write is not 'unknown' when refused",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls, timeoutMs: 1_000 });
    await cluster.kill(0);
    const started = performance.now();
    const error = await client.put("k", "v").catch((error) => error);
    assert(error instanceof ClusterUnavailableError, String(error));
    assertEquals(error.outcomeUnknown, false);
    assert(performance.now() - started < 1_500);
  },
});

Deno.test({
  name: "a watch from a revision etcd compacted away says so instead of skipping changes",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls });
    const first = await client.put("c/1", "a");
    const last = await client.put("c/2", "b");
    const response = await fetch(`${cluster.clientUrls[0]}/v3/kv/compaction`, {
      method: "POST",
      body: JSON.stringify({ revision: String(last), physical: true }),
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    assert(response.ok);
    const error = await client.watch("c/", {
      prefix: true,
      startRevision: first,
      signal: AbortSignal.timeout(5_000),
    }, () => {}).catch((error) => error);
    assert(error instanceof WatchCompactedError, String(error));
    assertEquals(error.compactRevision, last);
  },
});

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms`)), ms);
    Deno.unrefTimer(timer);
  });
}
