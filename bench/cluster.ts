/**
 * The cluster workloads: one election served by 1 or 3 hubs over a
 * 3-member etcd. Votes per second (1 and 16 in flight per node, the nodes
 * spread over the hubs), the time from the deciding vote until the last node
 * on every hub has the consensus push, and, in the same repetition, etcd's
 * own transaction rate through our client (1 and 64 in flight): the anchor
 * the vote rate is divided by.
 *
 * @module
 */

import { type CpuShare, cpuWindow } from "./cpu.ts";
import { EtcdClient } from "../lib/store/etcd_client.ts";
import { measureTxnRate } from "./etcd_anchor.ts";
import type { Job, JobControl, ResultOf } from "./jobs.ts";
import { median } from "./stats.ts";
import { logPath, measure, type Measurement, rotate, type SuiteContext } from "./suite.ts";
import type { EtcdClusterTarget } from "./targets/etcd.ts";
import { startHubTarget } from "./targets/hub.ts";
import type { Target } from "./targets/target.ts";

/** Hub counts measured, as targets. */
const HUB_TARGETS = { "hubs-1": 1, "hubs-3": 3 } as const;

/** etcd transactions in flight of the anchor, as targets. */
const TXN_TARGETS = { "etcd-txn-1": 1, "etcd-txn-64": 64 } as const;

/** Bound on one broadcast round over the cluster. */
const ROUND_TIMEOUT_MS = 30_000;

/** Shortest anchor window: at 1 in flight a quick-mode window would hold a few dozen transactions. */
const MIN_TXN_WINDOW_MS = 1_000;

let elections = 0;

/** One repetition at one node count, on one etcd cluster. */
interface ClusterRun {
  context: SuiteContext;
  /** The 3-member cluster. */
  etcd: EtcdClusterTarget;
  /** Where the measurements go. */
  results: Measurement[];
  /** From 1. */
  rep: number;
  /** Admitted nodes, spread over the hubs. */
  nodes: number;
}

/** Where the load generator's clients go: node `i` to hub `i % hubs`. */
function spreadOver(hubs: readonly Target[]) {
  return {
    host: hubs[0]!.host,
    port: hubs[0]!.port,
    ports: hubs.map((hub) => hub.port),
  };
}

/**
 * Starts `count` hubs on one fresh election (the first one creates it, the
 * others join it), runs `body`, and always stops them.
 */
async function withClusterHubs<T>(
  context: SuiteContext,
  etcd: EtcdClusterTarget,
  count: number,
  options: { rule: "plurality" | "majority"; allowChange: boolean },
  body: (hubs: Target[]) => Promise<T>,
): Promise<T> {
  const election = `bench-${++elections}`;
  const start = () =>
    startHubTarget({
      ...options,
      cluster: { clientUrls: etcd.clientUrls, election },
      logPath: logPath(context, "cluster-hub"),
    });
  const hubs: Target[] = [];
  try {
    hubs.push(await start());
    const rest = await Promise.allSettled(Array.from({ length: count - 1 }, start));
    for (const started of rest) if (started.status === "fulfilled") hubs.push(started.value);
    const failed = rest.find((started) => started.status === "rejected");
    if (failed) throw failed.reason;
    return await body(hubs);
  } finally {
    await Promise.all(hubs.map((hub) => hub.stop()));
    for (const hub of hubs) await Deno.remove(hub.process.logPath).catch(() => {});
  }
}

/**
 * Runs a job on the load generator, reading in its counted window the CPU
 * of the hubs (as the target) and of the etcd members, and how many writes
 * etcd committed.
 */
async function runOnCluster<J extends Job>(
  context: SuiteContext,
  etcd: EtcdClusterTarget,
  targets: readonly Target[],
  job: J,
): Promise<
  { result: ResultOf<J>; cpu: CpuShare | undefined; etcdCores: number; etcdWrites: number }
> {
  const hubWindow = cpuWindow(context.runner.pid, targets.map((hub) => hub.process.pid));
  const etcdWindow = cpuWindow(context.runner.pid, etcd.processes.map((member) => member.pid));
  const client = new EtcdClient({ endpoints: etcd.clientUrls });
  // etcd's revision counts its write transactions: the hubs' appends (and presence puts).
  const revisions: number[] = [];
  const control: JobControl = {
    at: async (point) => {
      await hubWindow.control.at(point);
      await etcdWindow.control.at(point);
      if (point.kind !== "hold") {
        revisions.push(
          await client.range("bench/revision").then((read) => read.revision, () => NaN),
        );
      }
    },
  };
  const result = await context.runner.run(job, control);
  const hubs = hubWindow.share();
  const etcdCores = etcdWindow.share()?.target ?? NaN;
  // etcd is part of the system under test, not other work on the machine.
  const cpu = hubs && { ...hubs, other: Math.max(0, hubs.other - (etcdCores || 0)) };
  const etcdWrites = revisions.length === 2 ? revisions[1]! - revisions[0]! : NaN;
  return { result, cpu, etcdCores, etcdWrites };
}

/** Votes per second through `count` hubs, `inFlight` per node. */
function clusterIngest(
  run: ClusterRun,
  target: keyof typeof HUB_TARGETS,
  inFlight: 1 | 16,
): Promise<void> {
  const { context, etcd, results, rep, nodes } = run;
  const { plan } = context;
  const workload = inFlight === 1 ? "cluster-ingest-1" : "cluster-ingest-16";
  const base = { workload, nodes, target, rep, unit: "req/s" } as const;
  return measure(context, results, base, () =>
    withClusterHubs(
      context,
      etcd,
      HUB_TARGETS[target],
      { rule: "plurality", allowChange: true },
      async (hubs) => {
        const { result, cpu, etcdCores, etcdWrites } = await runOnCluster(context, etcd, hubs, {
          kind: "ingest",
          wire: inFlight === 1 ? "hub-text" : "hub-json",
          ...spreadOver(hubs),
          nodes,
          inFlight,
          warmupMs: plan.warmupMs,
          measureMs: plan.measureMs,
          setupTimeoutMs: plan.setupTimeoutMs,
        });
        if (result.errors > 0) throw new Error(`${result.errors} votes refused`);
        return {
          value: result.perSecond,
          ...(cpu ? { cpu } : {}),
          detail: {
            setupMs: result.setupMs,
            etcdCores,
            // Commands per append, and appends per second: what batching achieved.
            votesPerWrite: result.replies / etcdWrites,
            etcdWritesPerSecond: etcdWrites * result.perSecond / result.replies,
            hubs: hubs.length,
          },
        };
      },
    ));
}

/**
 * The consensus push over `count` hubs: floor(N/2) nodes vote A (rule
 * majority), then one more vote decides; timed from sending it until the
 * last node, on any hub, has the push. The figure is the median round.
 */
function clusterPush(run: ClusterRun, target: keyof typeof HUB_TARGETS): Promise<void> {
  const { context, etcd, results, rep, nodes } = run;
  const { plan } = context;
  const base = { workload: "cluster-push", nodes, target, rep, unit: "ms" } as const;
  return measure(context, results, base, () =>
    withClusterHubs(
      context,
      etcd,
      HUB_TARGETS[target],
      { rule: "majority", allowChange: false },
      async (hubs) => {
        const { result } = await runOnCluster(context, etcd, hubs, {
          kind: "broadcast",
          wire: "hub-text",
          ...spreadOver(hubs),
          nodes,
          rounds: plan.broadcastRounds,
          payloadBytes: 0,
          setupTimeoutMs: plan.setupTimeoutMs,
          roundTimeoutMs: ROUND_TIMEOUT_MS,
        });
        return {
          value: median(result.latenciesMs),
          detail: {
            minMs: Math.min(...result.latenciesMs),
            maxMs: Math.max(...result.latenciesMs),
            firstMs: median(result.firstMs),
            setupMs: result.settledMs,
            hubs: hubs.length,
          },
        };
      },
    ));
}

/** etcd's own rate: put-if-absent transactions on unique keys, `inFlight` at a time. */
function etcdTxn(run: ClusterRun, target: keyof typeof TXN_TARGETS): Promise<void> {
  const { context, etcd, results, rep, nodes } = run;
  const base = { workload: "cluster-txn", nodes, target, rep, unit: "txn/s" } as const;
  return measure(context, results, base, async () => {
    // The transactions run in this process: it is the "load generator" here.
    const window = cpuWindow(Deno.pid, etcd.processes.map((member) => member.pid));
    await window.control.at({ kind: "window-start" });
    const rate = await measureTxnRate(etcd.clientUrls, {
      inFlight: TXN_TARGETS[target],
      durationMs: Math.max(context.plan.measureMs, MIN_TXN_WINDOW_MS),
      prefix: `bench/txn/${rep}/${nodes}/${target}/`,
    });
    await window.control.at({ kind: "window-end" });
    if (rate.txns === 0) throw new Error(`${rate.errors} transactions failed, none committed`);
    const cpu = window.share();
    return {
      value: rate.perSecond,
      ...(cpu ? { cpu } : {}),
      detail: { p50Ms: rate.p50Ms, p99Ms: rate.p99Ms, errors: rate.errors },
    };
  });
}

/**
 * One repetition of the cluster workloads at one node count: the anchor and
 * every hub run, in an order that rotates with the repetition.
 *
 * @param context The suite.
 * @param etcd The 3-member cluster every run uses (each hub run on a fresh election).
 * @param results Where the measurements go.
 * @param rep The repetition, from 1.
 * @param nodes Admitted nodes, spread over the hubs.
 */
export async function clusterRepetition(
  context: SuiteContext,
  etcd: EtcdClusterTarget,
  results: Measurement[],
  rep: number,
  nodes: number,
): Promise<void> {
  const run: ClusterRun = { context, etcd, results, rep, nodes };
  const runs: (() => Promise<void>)[] = [];
  for (const target of Object.keys(TXN_TARGETS) as (keyof typeof TXN_TARGETS)[]) {
    runs.push(() => etcdTxn(run, target));
  }
  for (const target of Object.keys(HUB_TARGETS) as (keyof typeof HUB_TARGETS)[]) {
    runs.push(() => clusterIngest(run, target, 1));
    runs.push(() => clusterIngest(run, target, 16));
  }
  for (const run of rotate(runs, rep - 1)) {
    if (context.signal.aborted) return;
    await run();
  }
  // Last, on their own: a push is timed best on a quiet machine.
  for (const target of Object.keys(HUB_TARGETS) as (keyof typeof HUB_TARGETS)[]) {
    if (context.signal.aborted) return;
    await clusterPush(run, target);
  }
}
