import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { etcdTestOptions, startEtcdCluster } from "../_helpers/etcd_cluster.ts";

Deno.test({
  name: "the fixture starts three members, restarts a killed one on its data, and stops them all",
  ...etcdTestOptions(),
  fn: async () => {
    const started = performance.now();
    let pids: number[];
    {
      await using cluster = await startEtcdCluster({ members: 3 });
      pids = cluster.clientUrls.map((_, index) => cluster.pid(index));
      await cluster.kill(1);
      await cluster.restart(1);
      pids.push(cluster.pid(1));
    }
    const alive = pids.filter((pid) => {
      try {
        Deno.statSync(`/proc/${pid}`);
        return true;
      } catch {
        return false;
      }
    });
    assertEquals(alive, []);
    console.log(`start, kill, restart, stop: ${Math.round(performance.now() - started)} ms`);
  },
});
