import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { ClusterUnavailableError } from "../../lib/store/cluster_unavailable_error.ts";
import { EtcdClient } from "../../lib/store/etcd_client.ts";
import { EtcdLog } from "../../lib/store/etcd_log.ts";
import { waitFor } from "../_helpers/wait_for.ts";
import { type EtcdCluster, etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";
import { collectUntil } from "../_helpers/etcd_log_follower.ts";

/** Upper bound of one call in these tests. */
const CALL_MS = 3_000;

/** Client URLs with the leader's first. */
async function leaderFirst(cluster: EtcdCluster): Promise<string[]> {
  const leader = await cluster.leader();
  return [cluster.clientUrls[leader]!, ...cluster.clientUrls.filter((_, i) => i !== leader)];
}

/** Bound of a call that may have to wait for a new leader (its election takes 1-2 s). */
const PATIENT_CALL_MS = 8_000;

function logOver(endpoints: readonly string[], timeoutMs = CALL_MS): EtcdLog {
  return new EtcdLog({ client: new EtcdClient({ endpoints, timeoutMs }), election: "f" });
}

Deno.test({
  name: "a follower whose member (the leader) freezes moves to another member and misses nothing",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    // The follower watches the leader first; the writer never uses it.
    const [frozen, ...others] = await leaderFirst(cluster);
    const follower = logOver([frozen!, ...others]);
    const writer = logOver(others, PATIENT_CALL_MS);
    assert((await writer.append(["0"], 0)).ok);
    const statuses: string[] = [];
    const seen = collectUntil(follower, 0, 61, 30_000, (status) => statuses.push(status));
    await collectUntil(follower, 0, 1, 5_000);
    const frozenIndex = cluster.clientUrls.indexOf(frozen!);
    cluster.freeze(frozenIndex);
    let head = 1;
    for (let n = 0; n < 30; n++) head = (await writer.append([`a${n}`, `b${n}`], head)).head;
    // Everything arrives while the old leader is still frozen.
    const entries = await seen;
    cluster.thaw(frozenIndex);
    assertEquals(
      entries.map((entry) => entry.position),
      Array.from({ length: 61 }, (_, i) => i + 1),
    );
    assertEquals(entries.at(-1)?.payload, "b29");
    assertEquals(statuses[0], "connected");
  },
});

Deno.test({
  name:
    "with two of three members frozen an append fails within its bound, and works after they thaw",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    const log = logOver(cluster.clientUrls);
    assertEquals(await log.append(["before"], 0), { ok: true, head: 1 });
    cluster.freeze(1);
    cluster.freeze(2);
    const started = performance.now();
    const error = await log.append(["during"], 1).catch((error) => error);
    const elapsed = performance.now() - started;
    assert(error instanceof ClusterUnavailableError, String(error));
    assert(error.outcomeUnknown, error.message);
    assert(elapsed < CALL_MS + 500, `took ${elapsed} ms`);
    cluster.thaw(1);
    cluster.thaw(2);
    // The write whose outcome was unknown may be applied any time now, even
    // after the head was read: as a hub does, follow the log until ours is in it.
    const deadline = performance.now() + 20_000;
    while (true) {
      try {
        const entries = await log.read(0);
        if (entries.some((entry) => entry.payload === "after")) break;
        if ((await log.append(["after"], entries.length)).ok) break;
      } catch (error) {
        if (!(error instanceof ClusterUnavailableError) || performance.now() > deadline) {
          throw error;
        }
      }
    }
    const payloads = (await log.read(0)).map((entry) => entry.payload);
    assert(["before,after", "before,during,after"].includes(payloads.join()), payloads.join());
  },
});

Deno.test({
  name: "appends go on while the leader is killed and restarted on its data",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    const log = logOver(cluster.clientUrls);
    let head = 0;
    let stop = false;
    let victim = 0;
    let unknown = 0;
    const appender = (async () => {
      while (!stop) {
        const payload = `e${head + 1}`;
        try {
          const outcome = await log.append([payload], head);
          assert(outcome.ok, JSON.stringify(outcome));
          head = outcome.head;
        } catch (error) {
          if (!(error instanceof ClusterUnavailableError)) throw error;
          // Outcome unknown: the log tells (as a hub learns it by following).
          unknown++;
          const next = await log.read(head).catch(() => []);
          if (next[0]?.payload === payload) head++;
        }
      }
    })();
    // Fails the test at once instead of leaving a rejection nobody awaits.
    appender.catch(() => stop = true);
    const waitForGrowth = async (by: number) => {
      const target = head + by;
      const deadline = performance.now() + 15_000;
      while (head < target) {
        assert(performance.now() < deadline, `stuck at ${head}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await waitForGrowth(20);
      victim = await cluster.leader();
      await cluster.kill(victim);
      await waitForGrowth(20);
      await cluster.restart(victim);
      await waitForGrowth(20);
    } finally {
      stop = true;
      await appender;
    }
    const entries = await log.read(0);
    assertEquals(entries.map((entry) => entry.payload), entries.map((_, i) => `e${i + 1}`));
    console.log(`${entries.length} appends, ${unknown} with an outcome learnt from the log`);
    // The restarted member serves the whole log.
    const onRestarted = logOver([cluster.clientUrls[victim]!]);
    assertEquals((await onRestarted.read(0)).length, entries.length);
  },
});

Deno.test({
  name:
    "an append tried first on the frozen leader commits through another member, once, even after it thaws",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 3 });
    const [frozen, ...others] = await leaderFirst(cluster);
    const writer = logOver(others, PATIENT_CALL_MS);
    assertEquals(await writer.append(["a"], 0), { ok: true, head: 1 });
    const frozenIndex = cluster.clientUrls.indexOf(frozen!);
    cluster.freeze(frozenIndex);
    // Its request to the frozen member goes unanswered; a retry on another commits.
    const log = logOver([frozen!, ...others], PATIENT_CALL_MS);
    assertEquals(await log.append(["b"], 1), { ok: true, head: 2 });
    cluster.thaw(frozenIndex);
    // The old leader now handles the stale request: its compare fails, nothing is written twice.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assertEquals(await writer.append(["c"], 2), { ok: true, head: 3 });
    assertEquals((await log.read(0)).map((entry) => entry.payload), ["a", "b", "c"]);
  },
});

Deno.test({
  name: "a follower says unavailable while no member answers, then resumes where it was",
  ...etcdTestOptions(),
  fn: async () => {
    await using cluster = await startEtcdCluster({ members: 1 });
    const log = logOver(cluster.clientUrls);
    assert((await log.append(["a"], 0)).ok);
    const statuses: string[] = [];
    const seen = collectUntil(log, 0, 2, 30_000, (status) => statuses.push(status));
    await waitFor(() => statuses.length === 1, 5_000);
    await cluster.kill(0);
    await waitFor(() => statuses.length === 2, 10_000);
    await cluster.restart(0);
    assert((await log.append(["b"], 1)).ok);
    assertEquals((await seen).map((entry) => entry.payload), ["a", "b"]);
    assertEquals(statuses, ["connected", "unavailable", "connected"]);
  },
});
