import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { EtcdClient } from "../../lib/store/etcd_client.ts";
import { claimTerms, readTerms } from "../../lib/store/etcd_terms.ts";
import { HubPresence, listHubs, type LiveHub, watchHubs } from "../../lib/store/hub_presence.ts";
import { waitFor } from "../_helpers/wait_for.ts";
import { etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";

Deno.test({
  name: "a hub's key lives while its lease is renewed and goes after the TTL once renewals stop",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls });
    const seen: LiveHub[][] = [];
    const watching = new AbortController();
    const watcher = watchHubs(client, "p", (hubs) => seen.push(hubs), watching.signal);
    const crash = new AbortController();
    const common = { client, election: "p", ttlSeconds: 2 };
    const a = await HubPresence.start({
      ...common,
      hubId: "a",
      address: "127.0.0.1:7001",
      signal: crash.signal,
    });
    await using b = await HubPresence.start({ ...common, hubId: "b", address: "127.0.0.1:7002" });
    const both = [{ hubId: "a", address: "127.0.0.1:7001" }, {
      hubId: "b",
      address: "127.0.0.1:7002",
    }];
    // Renewed well past the TTL: still there.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assertEquals(await listHubs(client, "p"), both);

    crash.abort();
    const crashed = performance.now();
    while ((await listHubs(client, "p")).length > 1) {
      assert(
        performance.now() - crashed < 6_000,
        "hub a still listed 6 s after its renewals stopped",
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const goneAfter = performance.now() - crashed;
    assert(goneAfter > 1_000, `gone after ${goneAfter} ms, before the TTL`);
    await a.close();

    await b.close();
    assertEquals(await listHubs(client, "p"), []);
    await waitFor(() => seen.at(-1)?.length === 0, 5_000);
    watching.abort();
    await watcher;
    assertEquals(seen.at(-1), []);
    assert(seen.some((hubs) => JSON.stringify(hubs) === JSON.stringify(both)));
    assert(seen.some((hubs) => JSON.stringify(hubs) === JSON.stringify([both[1]])));
  },
});

Deno.test({
  name:
    "a hub cut off from etcd for longer than its TTL says it was lost, and is listed again after",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls, timeoutMs: 1_000 });
    const statuses: string[] = [];
    await using _presence = await HubPresence.start({
      client,
      election: "p",
      hubId: "a",
      address: "127.0.0.1:7001",
      ttlSeconds: 2,
      onStatus: (status) => statuses.push(status),
    });
    await cluster.kill(0);
    await waitFor(() => statuses.length === 1, 6_000);
    await cluster.restart(0);
    await waitFor(() => statuses.length === 2, 10_000);
    assertEquals(statuses, ["lost", "present"]);
    assertEquals(await listHubs(client, "p"), [{ hubId: "a", address: "127.0.0.1:7001" }]);
  },
});

Deno.test({
  name: "the first hub's terms are kept; a later hub reads them back instead of its own",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const client = new EtcdClient({ endpoints: cluster.clientUrls });
    assertEquals(await readTerms(client, "t"), null);
    assertEquals(await claimTerms(client, "t", '{"q":"tea?"}'), {
      created: true,
      terms: '{"q":"tea?"}',
    });
    assertEquals(await claimTerms(client, "t", '{"q":"coffee?"}'), {
      created: false,
      terms: '{"q":"tea?"}',
    });
    assertEquals(await readTerms(client, "t"), '{"q":"tea?"}');
  },
});
