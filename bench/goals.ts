/**
 * The goals of the issue, checked against the figures: each passes, fails,
 * or was not measured (quick mode, or an anchor missing), always with the
 * measured ratio or value, and with what limited the hub when that can be told.
 *
 * @module
 */

import { type Figure, figureOf, pairedRatio, type Series } from "./summary.ts";
import type { HoldFit } from "./plan.ts";
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
const LINE_16: Series = { workload: "ingest-16", target: "line" };
const REDIS_16: Series = { workload: "ingest-16", target: "redis" };
const DURABLE: Series = { workload: "ingest-durable", target: "hub-durable" };
const BOARDS_1: Series = { workload: "ingest-1", target: "hub-boards" };
const ETCD: Series = { workload: "ingest-durable", target: "etcd" };
const HUB_BROADCAST: Series = { workload: "broadcast", target: "hub" };
const REDIS_BROADCAST: Series = { workload: "broadcast", target: "redis" };
const DENO_BROADCAST: Series = { workload: "broadcast", target: "fanout" };
const HUB_STORM: Series = { workload: "storm", target: "hub" };
const LINE_STORM: Series = { workload: "storm", target: "line" };
const HUB_MEMORY: Series = { workload: "memory", target: "hub" };
const HUB_HOLD: Series = { workload: "hold", target: "hub" };

/** The storm and memory goals are set at this many nodes (issue 10). */
const FAN_OUT_GOAL_NODES = 10_000;

/** The hold goal: this many admitted on one hub, each answering, all pushed the consensus. */
const HOLD_GOAL_NODES = 50_000;

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

/** A goal that could not be checked, and why. */
function notMeasured(goal: string, note: string): GoalResult {
  return { goal, status: "not measured", measured: NaN, shown: "-", note };
}

/**
 * Hub CPU per vote at 16 in flight: the cores the hub used in the counted
 * window ÷ the votes it answered per second, per repetition, then the median.
 */
function cpuPerVoteGoal(measurements: readonly Measurement[]): GoalResult {
  const goal = "ingest, 16 in flight, 1,000 nodes: hub CPU per vote ≤ 5 µs";
  const runs = measurements.filter((m) =>
    m.workload === HUB_16.workload && m.target === HUB_16.target && m.nodes === 1000 &&
    m.cpu !== undefined && Number.isFinite(m.value) && m.value > 0
  );
  if (runs.length === 0) return notMeasured(goal, "no hub run with CPU figures at 1000 nodes");
  const perVote = runs.map((m) => m.cpu!.target / m.value * 1e6).sort((a, b) => a - b);
  const middle = perVote.length % 2 === 1
    ? perVote[(perVote.length - 1) / 2]!
    : (perVote[perVote.length / 2 - 1]! + perVote[perVote.length / 2]!) / 2;
  const figure = figureOf(measurements, HUB_16, 1000)!;
  return {
    goal,
    status: middle <= 5 ? "pass" : "fail",
    measured: middle,
    shown: `${middle.toFixed(2)} µs`,
    note: `hub ${rate(figure.median)} on ${(figure.cpu?.target ?? NaN).toFixed(2)} cores${
      figure.cpu ? `, load generator ${figure.cpu.load.toFixed(2)}` : ""
    } (median of ${runs.length} runs)`,
  };
}

/**
 * The connect storm at 10,000: every node admitted, in at most twice the time
 * the line server takes to answer one line on as many fresh connections.
 */
function stormGoal(measurements: readonly Measurement[]): GoalResult {
  const goal = "connect storm, 10,000 nodes: all admitted, ≤ 2 × the line server's time";
  const hub = figureOf(measurements, HUB_STORM, FAN_OUT_GOAL_NODES);
  if (hub && !Number.isFinite(hub.median)) {
    // The hub was run and did not admit everyone: that fails the goal.
    return { goal, status: "fail", measured: NaN, shown: "-", note: hub.errors.join("; ") };
  }
  const result = ratioGoal(
    measurements,
    goal,
    HUB_STORM,
    LINE_STORM,
    FAN_OUT_GOAL_NODES,
    2,
    "at most",
    (top, bottom) =>
      `hub ${(top / 1000).toFixed(2)} s, line server ${(bottom / 1000).toFixed(2)} s`,
    hub
      ? `the last presence push arrived after ${
        ((hub.detail.settledMs ?? NaN) / 1000).toFixed(2)
      } s`
      : "",
  );
  if (result.status === "not measured" && !hub) return { ...result, note: "full mode only" };
  if (hub && hub.errors.length > 0) {
    // "All admitted" holds for every repetition, not for the median one.
    return {
      ...result,
      status: "fail",
      note: `${hub.errors.length} of ${hub.values.length} repetitions did not admit all (${
        hub.errors.join("; ")
      }); the ratio is over the others: ${result.note}`,
    };
  }
  return result;
}

/** Memory per idle admitted node at 10,000, after a forced collection; the figure without one in the note. */
function memoryGoal(measurements: readonly Measurement[]): GoalResult {
  const goal = "memory per idle admitted node, 10,000 nodes, after a forced GC ≤ 16 KB";
  const memory = figureOf(measurements, HUB_MEMORY, FAN_OUT_GOAL_NODES);
  if (!memory || !Number.isFinite(memory.median)) {
    return notMeasured(goal, memory ? memory.errors.join("; ") : "full mode only");
  }
  const others = (["line", "redis"] as const).flatMap((target) => {
    const figure = figureOf(measurements, { workload: "memory", target }, FAN_OUT_GOAL_NODES);
    if (!figure || !Number.isFinite(figure.median)) return [];
    const name = target === "line" ? "line server" : "Redis (no GC)";
    return [
      `${name} ${figure.median.toFixed(1)} KB (${
        (figure.detail.noGcKbPerNode ?? NaN).toFixed(1)
      } without GC)`,
    ];
  });
  const partial = memory.errors.length > 0
    ? `${
      memory.values.length - memory.errors.length
    } of ${memory.values.length} repetitions measured (${memory.errors.length} did not admit all); `
    : "";
  return {
    goal,
    status: memory.median <= 16 ? "pass" : "fail",
    measured: memory.median,
    shown: `${memory.median.toFixed(1)} KB`,
    note: `${partial}without a forced GC ${
      (memory.detail.noGcKbPerNode ?? NaN).toFixed(1)
    } KB; RSS ${((memory.detail.rssBeforeKb ?? NaN) / 1024).toFixed(0)} MB before the storm, ${
      ((memory.detail.rssNoGcKb ?? NaN) / 1024).toFixed(0)
    } MB idle, ${((memory.detail.rssAfterKb ?? NaN) / 1024).toFixed(0)} MB after GC${
      others.length > 0 ? `; ${others.join(", ")}` : ""
    }`,
  };
}

/** What a hold run says, in words. */
function holdNote(figure: Figure): string {
  const detail = figure.detail;
  const refused = (detail.failed ?? 0) > 0
    ? ` (${detail.failed} not let in, ${detail.connectFailed ?? "?"} of them could not connect)`
    : "";
  return `${detail.admitted ?? "-"} admitted${refused}, ${
    detail.alive ?? "-"
  } answered a ping after the hold; consensus pushed to all ${
    Number.isFinite(detail.broadcastMs)
      ? `after ${(detail.broadcastMs ?? NaN).toFixed(0)} ms`
      : "- failed"
  }; RSS ${((detail.rssNoGcKb ?? NaN) / 1024).toFixed(0)} MB idle, ${
    ((detail.rssAfterKb ?? NaN) / 1024).toFixed(0)
  } MB after GC; all in after ${((detail.stormMs ?? NaN) / 1000).toFixed(1)} s${
    figure.errors.length > 0 ? `; ${figure.errors.join("; ")}` : ""
  }`;
}

/** Whether a hold run kept every node: admitted, answering, and pushed the consensus. */
function heldAll(figure: Figure, nodes: number): boolean {
  return figure.median >= nodes && (figure.detail.alive ?? 0) >= nodes &&
    Number.isFinite(figure.detail.broadcastMs);
}

/**
 * The hold goal at 50,000, and, when the open-file limit made the run
 * smaller, the smaller run as a line of its own, labelled as such.
 */
function holdGoals(measurements: readonly Measurement[], hold: HoldFit | undefined): GoalResult[] {
  const goal = "hold: 50,000 of 50,000 admitted on one hub, each answers, consensus pushed to all";
  if (!hold) return [notMeasured(goal, "full mode only (or --hold-nodes N)")];
  const results: GoalResult[] = [];
  const asked = figureOf(measurements, HUB_HOLD, HOLD_GOAL_NODES);
  if (hold.asked !== HOLD_GOAL_NODES) {
    results.push(notMeasured(goal, `the hold asked for ${hold.asked} nodes (--hold-nodes)`));
  } else if (hold.reason || !asked) {
    results.push(notMeasured(goal, hold.reason ?? "no hold run"));
  } else {
    results.push({
      goal,
      status: heldAll(asked, HOLD_GOAL_NODES) ? "pass" : "fail",
      measured: asked.median,
      shown: `${asked.median} admitted`,
      note: holdNote(asked),
    });
  }
  if (hold.held !== HOLD_GOAL_NODES && hold.held > 0) {
    const held = figureOf(measurements, HUB_HOLD, hold.held);
    const label = `hold at ${hold.held.toLocaleString("en-US")} (${
      hold.reason ? "the largest count the open-file limit allows" : "as asked"
    }; not the 50,000 goal): all admitted, each answers, consensus pushed to all`;
    results.push(
      !held || !Number.isFinite(held.median)
        ? notMeasured(label, held ? held.errors.join("; ") : "no hold run")
        : {
          goal: label,
          status: heldAll(held, hold.held) ? "pass" : "fail",
          measured: held.median,
          shown: `${held.median} admitted`,
          note: holdNote(held),
        },
    );
  }
  return results;
}

/**
 * The broadcast at 50,000 (the hold's round, deciding vote to the last
 * node's push): the goal is that it is measured; no Redis figure there.
 */
function broadcastAtHoldGoal(
  measurements: readonly Measurement[],
  hold: HoldFit | undefined,
): GoalResult {
  const goal = "broadcast, 50,000 nodes: measured (deciding vote to the last node's push)";
  const figure = figureOf(measurements, HUB_HOLD, HOLD_GOAL_NODES);
  const ms = figure?.detail.broadcastMs ?? NaN;
  const smaller = hold && hold.held !== HOLD_GOAL_NODES
    ? figureOf(measurements, HUB_HOLD, hold.held)
    : undefined;
  const smallerNote = smaller && Number.isFinite(smaller.detail.broadcastMs)
    ? `; at ${smaller.nodes.toLocaleString("en-US")} held nodes: ${
      (smaller.detail.broadcastMs ?? NaN).toFixed(0)
    } ms (first node after ${(smaller.detail.broadcastFirstMs ?? NaN).toFixed(1)} ms)`
    : "";
  if (!Number.isFinite(ms)) {
    return notMeasured(
      goal,
      `${hold?.reason ?? (figure ? figure.errors.join("; ") : "full mode only")}${smallerNote}`,
    );
  }
  return {
    goal,
    status: "pass",
    measured: ms,
    shown: `${ms.toFixed(0)} ms`,
    note: `first node after ${
      (figure!.detail.broadcastFirstMs ?? NaN).toFixed(1)
    } ms; Redis is not run at 50,000${smallerNote}`,
  };
}

/**
 * Checks every goal.
 *
 * @param measurements Everything measured.
 * @param hold The hold as asked and as run (undefined when not run).
 * @returns One result per goal, in the issue's order.
 */
export function checkGoals(
  measurements: readonly Measurement[],
  hold: HoldFit | undefined,
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
  results.push(cpuPerVoteGoal(measurements));
  results.push(ratioGoal(
    measurements,
    "ingest, 16 in flight, 1,000 nodes ≥ 0.3 × Deno line server",
    HUB_16,
    LINE_16,
    1000,
    0.3,
    "at least",
    rates("hub", "line server"),
    limitNote(measurements, HUB_16, LINE_16, 1000),
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
  // of the time is the fan-out, one socket write per node. The minimal Deno
  // fan-out server says how much of the distance to Redis is the runtime's.
  const fanOut = (nodes: number) => {
    const hub = figureOf(measurements, HUB_BROADCAST, nodes);
    const redis = figureOf(measurements, REDIS_BROADCAST, nodes);
    if (!hub || !redis) return "";
    const first = `first node after ${(hub.detail.firstMs ?? NaN).toFixed(1)} ms on the hub, ${
      (redis.detail.firstMs ?? NaN).toFixed(1)
    } ms on Redis: the rest is the fan-out`;
    const deno = figureOf(measurements, DENO_BROADCAST, nodes);
    if (!deno) return first;
    return `${first}; the minimal Deno fan-out server ${deno.median.toFixed(1)} ms (${
      pairedRatio(measurements, DENO_BROADCAST, REDIS_BROADCAST, nodes).toFixed(2)
    }× Redis; hub ${
      pairedRatio(measurements, HUB_BROADCAST, DENO_BROADCAST, nodes).toFixed(2)
    }× it)`;
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
  results.push(broadcastAtHoldGoal(measurements, hold));
  results.push(...holdGoals(measurements, hold));
  results.push(stormGoal(measurements));
  results.push(memoryGoal(measurements));
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
