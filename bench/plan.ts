/**
 * How much the benchmark does: node counts, windows, repetitions. The quick
 * plan finishes in under a minute; the full one in well under 20 minutes.
 *
 * @module
 */

/** What a run measures and for how long. */
export interface BenchPlan {
  /** `quick` or `full`. */
  mode: "quick" | "full";
  /** Repetitions; the targets are interleaved within each. */
  reps: number;
  /** Admitted nodes (clients) for every workload. */
  nodes: number[];
  /** Admitted nodes of the cluster workloads (spread over 1 or 3 hubs). */
  clusterNodes: number[];
  /** Nodes held on one hub, or undefined to skip. */
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
    };
  }
  return {
    mode,
    reps: repetitions,
    nodes: [100, 1_000, 5_000],
    clusterNodes: [100, 1_000],
    holdNodes: 10_000,
    holdMs: 5_000,
    warmupMs: 1_000,
    measureMs: 3_000,
    broadcastRounds: 5,
    startupRuns: 5,
    etcdMaxConcurrency: 256,
    setupTimeoutMs: 120_000,
    settleMs: 500,
  };
}
