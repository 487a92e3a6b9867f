/**
 * How much the benchmark does: node counts, windows, repetitions, and how
 * large a hold fits the open-file limit. The quick plan finishes in about a
 * minute and a half (each hub run waits 1.2 s for the presence pushes to
 * stop, unless a summary says all are in); the full one in about 18 minutes.
 *
 * @module
 */

/** What a run measures and for how long. */
export interface BenchPlan {
  /** `quick` or `full`. */
  mode: "quick" | "full";
  /** Repetitions; the targets are interleaved within each. */
  reps: number;
  /** Admitted nodes (clients) of the ingest workloads. */
  nodes: number[];
  /** Admitted nodes of the fan-out workloads (connect storm, memory, broadcast). */
  fanOutNodes: number[];
  /** Admitted nodes of the cluster workloads (spread over 1 or 3 hubs). */
  clusterNodes: number[];
  /** Nodes held on one hub, or undefined to skip (see {@linkcode fitHold} for the open-file limit). */
  holdNodes: number | undefined;
  /** How long the held nodes stay idle before each is asked to answer once. */
  holdMs: number;
  /** Load before each counted window. */
  warmupMs: number;
  /** Each counted window. */
  measureMs: number;
  /** Broadcasts per repetition and node count (their median is the repetition's figure). */
  broadcastRounds: number;
  /** `consensus join` runs (and as many minimal-script runs) per repetition. */
  startupRuns: number;
  /** etcd put loops at most (its gateway is HTTP: one connection per loop). */
  etcdMaxConcurrency: number;
  /** Bound on connecting and admitting every node of one run. */
  setupTimeoutMs: number;
  /** Pause before reading a target's memory, before and after a storm (garbage settles). */
  settleMs: number;
  /** Pause after asking a target for a full garbage collection, before reading its memory again. */
  gcSettleMs: number;
  /**
   * Above this many nodes in one run, the load generator spreads its
   * connections over the source addresses 127.0.0.1, 127.0.0.2, ...: Linux
   * gives each source address about 28,000 ephemeral ports towards one
   * target (`ip_local_port_range` 32768-60999).
   */
  spreadAbove: number;
}

/** Source addresses are spread above this many nodes by default: under the ~28,000 ports of one. */
export const SPREAD_ABOVE = 25_000;

/** Open files a process needs beyond one per node (listeners, pipes, the runtime's own). */
export const FD_MARGIN = 100;

/** The hold run that fits the open-file limit. */
export interface HoldFit {
  /** Nodes the plan asked for. */
  asked: number;
  /** Nodes that will be held: `asked` when it fits, else the largest round count that does (0: none). */
  held: number;
  /** Why `asked` cannot be held here, when it cannot. */
  reason?: string;
}

/**
 * Fits the hold to the hard open-file limit: the hub needs one file per node
 * plus a margin, and so does the load generator (each its own process, each
 * raised to the hard limit). Past it, the hold runs at the limit less 1,000,
 * rounded down to a thousand, and says why: a smaller run is never passed
 * off as the asked one.
 *
 * @param asked Nodes to hold.
 * @param hardLimit The hard open-file limit (`ulimit -Hn`); Infinity when unlimited.
 * @returns What will be held, and why not all when not.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { fitHold } from "./plan.ts";
 * deepStrictEqual(fitHold(10_000, 20_000), { asked: 10_000, held: 10_000 });
 * deepStrictEqual(fitHold(50_000, 20_000).held, 19_000);
 * ```
 */
export function fitHold(asked: number, hardLimit: number): HoldFit {
  if (asked + FD_MARGIN <= hardLimit) return { asked, held: asked };
  const held = Math.max(0, Math.floor((hardLimit - 1_000) / 1_000) * 1_000);
  return {
    asked,
    held,
    reason: `the hard open-file limit is ${hardLimit.toLocaleString("en-US")}; ${
      asked.toLocaleString("en-US")
    } nodes need about ${
      (asked + FD_MARGIN).toLocaleString("en-US")
    } in the hub (and as many in the load generator)`,
  };
}

/**
 * The plan for a mode.
 *
 * @param mode `quick` or `full`.
 * @param reps Repetitions, at least 3.
 * @returns The plan.
 * @throws {RangeError} When fewer than 3 repetitions are asked.
 */
export function planFor(mode: "quick" | "full", reps?: number): BenchPlan {
  const repetitions = reps ?? 3;
  if (!Number.isSafeInteger(repetitions) || repetitions < 3) {
    throw new RangeError(`Cannot plan: at least 3 repetitions are needed, got ${reps}`);
  }
  if (mode === "quick") {
    return {
      mode,
      reps: repetitions,
      nodes: [100, 1_000],
      fanOutNodes: [100, 1_000],
      clusterNodes: [100],
      holdNodes: undefined,
      holdMs: 0,
      warmupMs: 100,
      measureMs: 250,
      broadcastRounds: 3,
      startupRuns: 2,
      etcdMaxConcurrency: 256,
      setupTimeoutMs: 30_000,
      settleMs: 100,
      gcSettleMs: 200,
      spreadAbove: SPREAD_ABOVE,
    };
  }
  return {
    mode,
    reps: repetitions,
    nodes: [100, 1_000, 5_000],
    // The storm and memory goals are at 10,000 (issue 10).
    fanOutNodes: [100, 1_000, 5_000, 10_000],
    clusterNodes: [100, 1_000],
    holdNodes: 50_000,
    holdMs: 5_000,
    warmupMs: 1_000,
    measureMs: 3_000,
    broadcastRounds: 5,
    startupRuns: 5,
    etcdMaxConcurrency: 256,
    setupTimeoutMs: 120_000,
    settleMs: 500,
    gcSettleMs: 1_000,
    spreadAbove: SPREAD_ABOVE,
  };
}
