/**
 * The goals of the issue, checked against the figures: each passes, fails,
 * or was not measured (quick mode, or an anchor missing), always with the
 * measured ratio or value, and with what limited the hub when that can be told.
 *
 * @module
 */

import { figureOf, pairedRatio, type Series } from "./summary.ts";
import type { Measurement } from "./suite.ts";

/** The outcome of one goal. */
export interface GoalResult {
  /** What is promised, in words. */
  goal: string;
  status: "pass" | "fail" | "not measured";
  /** The measured ratio or value (NaN when not measured). */
  measured: number;
  /** How `measured` is shown: `0.93×`, `1.2 s`, ... */
  shown: string;
  /** The figures behind it, and what limited the hub when known. */
  note: string;
}

const HUB_1: Series = { workload: "ingest-1", target: "hub" };
const REDIS_1: Series = { workload: "ingest-1", target: "redis" };
const LINE_1: Series = { workload: "ingest-1", target: "line" };
const HUB_16: Series = { workload: "ingest-16", target: "hub" };
const REDIS_16: Series = { workload: "ingest-16", target: "redis" };
const DURABLE: Series = { workload: "ingest-durable", target: "hub-durable" };
const BOARDS_1: Series = { workload: "ingest-1", target: "hub-boards" };
const ETCD: Series = { workload: "ingest-durable", target: "etcd" };
const HUB_BROADCAST: Series = { workload: "broadcast", target: "hub" };
const REDIS_BROADCAST: Series = { workload: "broadcast", target: "redis" };

const CLUSTER_TXN_1: Series = { workload: "cluster-txn", target: "etcd-txn-1" };
const CLUSTER_TXN_64: Series = { workload: "cluster-txn", target: "etcd-txn-64" };
const CLUSTER_PUSH: Series = { workload: "cluster-push", target: "hubs-3" };

/** Cluster runs at this many nodes carry the goals. */
const CLUSTER_GOAL_NODES = 1000;

/** Where the cores went in a cluster vote run: the hubs (summed), etcd's members, the load generator. */
function clusterCpuNote(measurements: readonly Measurement[], series: Series): string {
  const figure = figureOf(measurements, series, CLUSTER_GOAL_NODES);
  if (!figure?.cpu) return "";
  const txn64 = pairedRatio(measurements, series, CLUSTER_TXN_64, CLUSTER_GOAL_NODES);
  return `${figure.detail.hubs ?? "?"} hub(s) used ${figure.cpu.target.toFixed(2)} cores, etcd ${
    (figure.detail.etcdCores ?? NaN).toFixed(2)
  }, load generator ${figure.cpu.load.toFixed(2)} (${navigator.hardwareConcurrency} cores here); ${
    (figure.detail.votesPerWrite ?? NaN).toFixed(0)
  } votes per etcd write at ${(figure.detail.etcdWritesPerSecond ?? NaN).toFixed(0)} writes/s; ${
    txn64.toFixed(1)
  }× etcd's 64-in-flight rate`;
}

/** The cluster goals: votes/s against etcd's own transaction rate, and the push over 3 hubs. */
function clusterGoals(measurements: readonly Measurement[]): GoalResult[] {
  const results: GoalResult[] = [];
  for (
    const [label, series] of [
      ["3 hubs, 1 in flight", { workload: "cluster-ingest-1", target: "hubs-3" }],
      ["3 hubs, 16 in flight", { workload: "cluster-ingest-16", target: "hubs-3" }],
      ["1 hub, 1 in flight", { workload: "cluster-ingest-1", target: "hubs-1" }],
    ] as const
  ) {
    results.push(ratioGoal(
      measurements,
      `cluster votes, ${label}, 1,000 nodes ≥ 10 × etcd txn (1 in flight)`,
      series,
      CLUSTER_TXN_1,
      CLUSTER_GOAL_NODES,
      10,
      "at least",
      (top, bottom) => `votes ${rate(top)}, etcd txn ${rate(bottom)}`,
      clusterCpuNote(measurements, series),
    ));
  }
  const goal = "cluster push, 3 hubs, 1,000 nodes: every node within 100 ms";
  const push = figureOf(measurements, CLUSTER_PUSH, CLUSTER_GOAL_NODES);
  if (!push || !Number.isFinite(push.median)) {
    results.push({
      goal,
      status: "not measured",
      measured: NaN,
      shown: "-",
      note: push ? push.errors.join("; ") : `no 3-hub run at ${CLUSTER_GOAL_NODES} nodes`,
    });
    return results;
  }
  // Every round of every repetition: the promise is about each decision, not a typical one.
  const slowest = Math.max(
    ...measurements.filter((m) =>
      m.workload === CLUSTER_PUSH.workload && m.target === CLUSTER_PUSH.target &&
      m.nodes === CLUSTER_GOAL_NODES && Number.isFinite(m.detail?.maxMs)
    ).map((m) => m.detail!.maxMs!),
  );
  results.push({
    goal,
    status: slowest <= 100 ? "pass" : "fail",
    measured: slowest,
    shown: `${slowest.toFixed(1)} ms`,
    note: `slowest round of all; median round ${push.median.toFixed(1)} ms, first node after ${
      (push.detail.firstMs ?? NaN).toFixed(1)
    } ms`,
  });
  return results;
}

/** Says which side a throughput run was bound by, from the CPU it used. */
function limitNote(
  measurements: readonly Measurement[],
  hub: Series,
  anchor: Series,
  nodes: number,
): string {
  const notes: string[] = [];
  const hubFigure = figureOf(measurements, hub, nodes);
  const anchorFigure = figureOf(measurements, anchor, nodes);
  if (hubFigure?.cpu) {
    const { target, load } = hubFigure.cpu;
    if (target >= 0.9) {
      notes.push(`hub CPU-bound (${target.toFixed(2)} cores, load generator ${load.toFixed(2)})`);
    } else if (load >= 0.9) {
      notes.push(`load generator CPU-bound on the hub run (${load.toFixed(2)} cores)`);
    } else {
      notes.push(
        `hub used ${target.toFixed(2)} cores, load generator ${
          load.toFixed(2)
        }: waiting, not computing`,
      );
    }
  }
  if (anchorFigure?.cpu && anchorFigure.cpu.load >= 0.9) {
    notes.push(
      `the ${anchor.target} run was load-generator-bound (${
        anchorFigure.cpu.load.toFixed(2)
      } cores): its figure is a floor`,
    );
  }
  return notes.join("; ");
}

function ratioGoal(
  measurements: readonly Measurement[],
  goal: string,
  top: Series,
  bottom: Series,
  nodes: number,
  threshold: number,
  direction: "at least" | "at most",
  figures: (top: number, bottom: number) => string,
  limit: string,
): GoalResult {
  const ratio = pairedRatio(measurements, top, bottom, nodes);
  const topFigure = figureOf(measurements, top, nodes);
  const bottomFigure = figureOf(measurements, bottom, nodes);
  if (!Number.isFinite(ratio) || !topFigure || !bottomFigure) {
    const missing = !topFigure ? top.target : !bottomFigure ? bottom.target : "a pair";
    return {
      goal,
      status: "not measured",
      measured: NaN,
      shown: "-",
      note: `no ${missing} figure at ${nodes} nodes`,
    };
  }
  const pass = direction === "at least" ? ratio >= threshold : ratio <= threshold;
  return {
    goal,
    status: pass ? "pass" : "fail",
    measured: ratio,
    shown: `${ratio.toFixed(2)}×`,
    note: [figures(topFigure.median, bottomFigure.median), limit].filter((s) => s).join("; "),
  };
}

function rate(value: number): string {
  return value >= 1e4 ? `${(value / 1e3).toFixed(1)}k/s` : `${value.toFixed(0)}/s`;
}

/**
 * Checks every goal.
 *
 * @param measurements Everything measured.
 * @param holdNodes Nodes the hold run asked for (undefined when not run).
 * @returns One result per goal, in the issue's order.
 */
export function checkGoals(
  measurements: readonly Measurement[],
  holdNodes: number | undefined,
): GoalResult[] {
  const results: GoalResult[] = [];
  const rates = (a: string, b: string) => (top: number, bottom: number) =>
    `${a} ${rate(top)}, ${b} ${rate(bottom)}`;
  results.push(ratioGoal(
    measurements,
    "ingest, 1 in flight, 1,000 nodes ≥ 0.9 × Redis INCR",
    HUB_1,
    REDIS_1,
    1000,
    0.9,
    "at least",
    rates("hub", "Redis"),
    limitNote(measurements, HUB_1, REDIS_1, 1000),
  ));
  results.push(ratioGoal(
    measurements,
    "ingest, 1 in flight, 1,000 nodes ≥ 0.8 × Deno line server",
    HUB_1,
    LINE_1,
    1000,
    0.8,
    "at least",
    rates("hub", "line server"),
    limitNote(measurements, HUB_1, LINE_1, 1000),
  ));
  results.push(ratioGoal(
    measurements,
    "ingest, 16 in flight, 1,000 nodes ≥ 0.8 × Redis INCR pipelined",
    HUB_16,
    REDIS_16,
    1000,
    0.8,
    "at least",
    rates("hub", "Redis"),
    limitNote(measurements, HUB_16, REDIS_16, 1000),
  ));
  results.push(ratioGoal(
    measurements,
    "ingest, 1 in flight, 1,000 nodes, 10 web boards open ≥ 0.9 × no board",
    BOARDS_1,
    HUB_1,
    1000,
    0.9,
    "at least",
    rates("with boards", "without"),
    limitNote(measurements, BOARDS_1, HUB_1, 1000),
  ));
  results.push(ratioGoal(
    measurements,
    "durable ingest, 1,000 nodes ≥ 0.5 × in-memory hub",
    DURABLE,
    HUB_1,
    1000,
    0.5,
    "at least",
    rates("durable", "in memory"),
    limitNote(measurements, DURABLE, HUB_1, 1000),
  ));
  const etcdConcurrency = figureOf(measurements, ETCD, 1000)?.detail.concurrency;
  results.push(ratioGoal(
    measurements,
    "durable ingest, 1,000 nodes ≥ 3 × etcd put rate",
    DURABLE,
    ETCD,
    1000,
    3,
    "at least",
    (top, bottom) =>
      `durable hub ${rate(top)}, etcd ${rate(bottom)} at ${etcdConcurrency ?? "?"} connections`,
    "",
  ));
  const ms = (top: number, bottom: number) =>
    `hub ${top.toFixed(1)} ms, Redis ${bottom.toFixed(1)} ms`;
  // The first receiver has the push within a millisecond or two: the rest
  // of the time is the fan-out, one socket write per node.
  const fanOut = (nodes: number) => {
    const hub = figureOf(measurements, HUB_BROADCAST, nodes);
    const redis = figureOf(measurements, REDIS_BROADCAST, nodes);
    if (!hub || !redis) return "";
    return `first node after ${(hub.detail.firstMs ?? NaN).toFixed(1)} ms on the hub, ${
      (redis.detail.firstMs ?? NaN).toFixed(1)
    } ms on Redis: the rest is the fan-out`;
  };
  results.push(ratioGoal(
    measurements,
    "broadcast, 1,000 nodes ≤ 1.1 × Redis PUBLISH",
    HUB_BROADCAST,
    REDIS_BROADCAST,
    1000,
    1.1,
    "at most",
    ms,
    fanOut(1000),
  ));
  results.push(ratioGoal(
    measurements,
    "broadcast, 5,000 nodes ≤ 1.3 × Redis PUBLISH",
    HUB_BROADCAST,
    REDIS_BROADCAST,
    5000,
    1.3,
    "at most",
    ms,
    fanOut(5000),
  ));
  const hold = holdNodes === undefined
    ? undefined
    : figureOf(measurements, { workload: "hold", target: "hub" }, holdNodes);
  results.push(
    !hold || !Number.isFinite(hold.median)
      ? {
        goal: "10,000 admitted nodes held",
        status: "not measured",
        measured: NaN,
        shown: "-",
        note: hold ? hold.errors.join("; ") : "full mode only",
      }
      : {
        goal: "10,000 admitted nodes held",
        status: hold.median >= holdNodes! && (hold.detail.alive ?? 0) >= holdNodes!
          ? "pass"
          : "fail",
        measured: hold.median,
        shown: `${hold.median} admitted`,
        note: `${hold.detail.alive} answered after the hold; RSS ${
          ((hold.detail.rssAfterKb ?? NaN) / 1024).toFixed(0)
        } MB; all in after ${
          (hold.detail.stormMs! / 1000).toFixed(1)
        } s, joined pushes settled after ${(hold.detail.settledMs! / 1000).toFixed(1)} s`,
      },
  );
  const storm = figureOf(measurements, { workload: "storm", target: "hub" }, 5000);
  const lineStorm = figureOf(measurements, { workload: "storm", target: "line" }, 5000);
  results.push(
    !storm || !Number.isFinite(storm.median)
      ? {
        goal: "connect storm, 5,000 nodes < 2 s",
        status: "not measured",
        measured: NaN,
        shown: "-",
        note: storm ? storm.errors.join("; ") : "full mode only",
      }
      : {
        goal: "connect storm, 5,000 nodes < 2 s",
        status: storm.median < 2000 ? "pass" : "fail",
        measured: storm.median,
        shown: `${(storm.median / 1000).toFixed(2)} s`,
        note: `the last joined push arrived after ${
          ((storm.detail.settledMs ?? NaN) / 1000).toFixed(2)
        } s; each admission pushes "joined" to every node already in, so a storm costs N²/2 pushes${
          lineStorm
            ? `; the Deno line server answers 5,000 in ${(lineStorm.median / 1000).toFixed(2)} s`
            : ""
        }`,
      },
  );
  const memoryNodes = Math.max(
    0,
    ...measurements.filter((m) => m.workload === "memory" && m.target === "hub").map((m) =>
      m.nodes
    ),
  );
  const memory = figureOf(measurements, { workload: "memory", target: "hub" }, memoryNodes);
  const redisMemory = figureOf(
    measurements,
    { workload: "memory", target: "redis" },
    memoryNodes,
  );
  results.push(
    !memory || !Number.isFinite(memory.median)
      ? {
        goal: "memory per idle admitted node ≤ 12 KB",
        status: "not measured",
        measured: NaN,
        shown: "-",
        note: memory ? memory.errors.join("; ") : "no storm run",
      }
      : {
        goal: "memory per idle admitted node ≤ 12 KB",
        status: memory.median <= 12 ? "pass" : "fail",
        measured: memory.median,
        shown: `${memory.median.toFixed(1)} KB`,
        note: `at ${memoryNodes} nodes, right after they were admitted: RSS ${
          ((memory.detail.rssBeforeKb ?? NaN) / 1024).toFixed(0)
        } → ${
          ((memory.detail.rssAfterKb ?? NaN) / 1024).toFixed(0)
        } MB (includes garbage of the joined pushes not yet collected)${
          redisMemory ? `; Redis ${redisMemory.median.toFixed(1)} KB` : ""
        }`,
      },
  );
  results.push(ratioGoal(
    measurements,
    "join, start to exit ≤ 1.3 × minimal script",
    { workload: "startup", target: "join" },
    { workload: "startup", target: "minimal" },
    1,
    1.3,
    "at most",
    (top, bottom) => `join ${top.toFixed(0)} ms, minimal ${bottom.toFixed(0)} ms`,
    "",
  ));
  results.push(...clusterGoals(measurements));
  return results;
}
