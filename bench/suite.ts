/**
 * The benchmark's schedule: for each repetition, each workload and each node
 * count, every target in turn (the order rotates from one repetition to the
 * next), always driven by the same load generator. A fresh hub is started
 * for every measurement; the anchors are started once, except for the
 * fan-out runs, where memory is measured (each gets a fresh process). One
 * fan-out run yields three figures: the connect storm, the memory per idle
 * node it left, and the broadcast on the same clients.
 *
 * @module
 */

import { clusterRepetition } from "./cluster.ts";
import { type CpuShare, cpuWindow } from "./cpu.ts";
import type { Job, JobControl, ResultOf } from "./jobs.ts";
import type { LoadRunner } from "./load_runner.ts";
import { type BenchPlan, FD_MARGIN, type HoldFit } from "./plan.ts";
import { type DenoServer, startDenoTarget } from "./targets/deno_line.ts";
import { PROGRAM_FLAGS, PROJECT_ROOT, startHubTarget } from "./targets/hub.ts";
import { startRedisTarget } from "./targets/redis.ts";
import type { EtcdClusterTarget } from "./targets/etcd.ts";
import type { Target } from "./targets/target.ts";
import type { Wire } from "./wire.ts";

/** Board tabs open during the `hub-boards` ingest run. */
export const BOARD_TABS = 10;

/** The workloads, as keys of measurements. */
export type WorkloadKey =
  | "ingest-1"
  | "ingest-16"
  | "ingest-durable"
  | "broadcast"
  | "storm"
  | "memory"
  | "hold"
  | "startup"
  | "cluster-ingest-1"
  | "cluster-ingest-16"
  | "cluster-push"
  | "cluster-txn";

/** The targets, as keys of measurements. */
export type TargetKey =
  | "hub"
  | "hub-durable"
  | "hub-boards"
  | "redis"
  | "line"
  | "fanout"
  | "etcd"
  | "join"
  | "minimal"
  | "hubs-1"
  | "hubs-3"
  | "etcd-txn-1"
  | "etcd-txn-64";

/** One figure of one target in one repetition. */
export interface Measurement {
  workload: WorkloadKey;
  /** Admitted nodes (clients); for etcd, the put loops are capped (see `detail.concurrency`). */
  nodes: number;
  target: TargetKey;
  /** From 1. */
  rep: number;
  /** The figure, NaN when the run failed. */
  value: number;
  /** Its unit: `req/s`, `ms`, `KB/node`, ... */
  unit: string;
  /** CPU in the counted window, where there is one. */
  cpu?: CpuShare;
  /** Further numbers (setup time, RSS, counts). */
  detail?: Record<string, number>;
  /** Why it failed. */
  error?: string;
}

/** The long-lived anchors and what the suite needs around them. */
export interface SuiteContext {
  plan: BenchPlan;
  runner: LoadRunner;
  /** Scratch folder of this run (logs, journals), removed at the end. */
  tempDir: string;
  /** Redis, when present. */
  redis: Target | undefined;
  /** The Deno line server. */
  line: Target;
  /** etcd, when present. */
  etcd: Target | undefined;
  /** The 3-member etcd of the cluster workloads, when present and asked for. */
  etcdCluster?: EtcdClusterTarget | undefined;
  /** Prints a progress line. */
  log(line: string): void;
  /** Set on Ctrl-C: no new measurement starts. */
  signal: AbortSignal;
  /** The hold as it fits the open-file limit; left out: `plan.holdNodes` as asked. */
  hold?: HoldFit | undefined;
}

/**
 * Bound on letting the held nodes in, per node (240 s for 10,000): a hub
 * that pushes a `joined` line per admission does work that grows with the
 * square of the nodes.
 */
const HOLD_TIMEOUT_MS_PER_NODE = 24;

/** Bound on the hold's broadcast round (its floor(N/2) votes, then the push to all). */
const HOLD_ROUND_TIMEOUT_MS = 120_000;

/**
 * Size of the Redis message: a little longer than the hub's text consensus
 * push (90 bytes at 100 nodes, seen with strace), so Redis moves no fewer bytes.
 */
const BROADCAST_PAYLOAD_BYTES = 96;

let logCounter = 0;

/**
 * A fresh log file name in the run's scratch folder.
 *
 * @param context The suite.
 * @param name What logs there.
 * @returns The path.
 */
export function logPath(context: SuiteContext, name: string): string {
  return `${context.tempDir}/${name}-${++logCounter}.log`;
}

/**
 * The items, rotated left: the order of the targets changes from one repetition to the next.
 *
 * @param items In their first order.
 * @param by Steps (the repetition, from 0).
 * @returns A new array.
 */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a fresh hub for one measurement, runs `body`, and always stops it. */
async function withHub<T>(
  context: SuiteContext,
  options: {
    rule: "plurality" | "majority";
    allowChange: boolean;
    durable?: boolean;
    /** Board tabs to keep open (in this process) while the body runs. */
    boards?: number;
    /** `--max-connections`, when more than the hub's default are held. */
    maxConnections?: number;
  },
  body: (hub: Target, boards: BoardTabs | undefined) => Promise<T>,
): Promise<T> {
  const dataDir = options.durable
    ? await Deno.makeTempDir({ dir: context.tempDir, prefix: "journal-" })
    : undefined;
  const hub = await startHubTarget({
    rule: options.rule,
    allowChange: options.allowChange,
    ...(dataDir ? { dataDir } : {}),
    logPath: logPath(context, "hub"),
    board: (options.boards ?? 0) > 0,
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
  });
  let boards: BoardTabs | undefined;
  let succeeded = false;
  try {
    if (options.boards) boards = await openBoardTabs(hub.host, hub.boardPort!, options.boards);
    const result = await body(hub, boards);
    succeeded = true;
    return result;
  } finally {
    boards?.close();
    await hub.stop();
    // A failed run's log stays in the scratch folder: with --keep, it says why.
    if (succeeded) await Deno.remove(hub.process.logPath).catch(() => {});
    if (dataDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** Board tabs: WebSockets on the board feed that read every update, as a browser tab would. */
interface BoardTabs {
  /** Updates received so far, over all tabs. */
  readonly updates: () => number;
  close(): void;
}

async function openBoardTabs(host: string, port: number, count: number): Promise<BoardTabs> {
  let updates = 0;
  const sockets = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`ws://${host}:${port}/ws/board`);
        const timer = setTimeout(() => reject(new Error("a board tab did not open")), 10_000);
        socket.onmessage = (event) => {
          // Parsed, as the page does, so that the tab costs what a real one costs to feed.
          JSON.parse(String(event.data));
          updates++;
        };
        socket.onopen = () => {
          clearTimeout(timer);
          resolve(socket);
        };
        socket.onerror = () => {
          clearTimeout(timer);
          reject(new Error("a board tab failed"));
        };
      })),
  );
  return {
    updates: () => updates,
    close() {
      for (const socket of sockets) socket.close();
    },
  };
}

async function runWithCpu<J extends Job>(
  context: SuiteContext,
  target: Target,
  job: J,
  onHold?: Parameters<typeof cpuWindow>[2],
): Promise<{ result: ResultOf<J>; cpu: CpuShare | undefined }> {
  const window = cpuWindow(context.runner.pid, target.process.pid, onHold);
  const control: JobControl = window.control;
  const result = await context.runner.run(job, control);
  return { result, cpu: window.share() };
}

/**
 * Runs one measurement, recording a failure instead of throwing, and prints its line.
 *
 * @param context The suite.
 * @param results Where it goes.
 * @param base What it is.
 * @param body Measures.
 * @param took Shown duration, when the body ran earlier.
 */
export async function measure(
  context: SuiteContext,
  results: Measurement[],
  base: Omit<Measurement, "value" | "error">,
  body: () => Promise<Omit<Measurement, "workload" | "nodes" | "target" | "rep" | "unit">>,
  took?: string,
): Promise<void> {
  if (context.signal.aborted) return;
  const started = performance.now();
  let measurement: Measurement;
  try {
    measurement = { ...base, ...await body() };
  } catch (error) {
    measurement = { ...base, value: NaN, error: (error as Error).message };
  }
  results.push(measurement);
  const seconds = took ?? ((performance.now() - started) / 1000).toFixed(1);
  const shown = measurement.error
    ? `FAILED: ${measurement.error.split("\n")[0]}`
    : `${formatNumber(measurement.value)} ${measurement.unit}`;
  const cpu = measurement.cpu
    ? `  cpu load ${measurement.cpu.load.toFixed(2)} target ${
      measurement.cpu.target.toFixed(2)
    } other ${measurement.cpu.other.toFixed(2)}`
    : "";
  context.log(
    `  rep ${base.rep} ${base.workload.padEnd(14)} ${String(base.nodes).padStart(6)} ${
      base.target.padEnd(11)
    } ${shown}${cpu} (${seconds} s)`,
  );
}

/**
 * Formats a figure for progress lines and tables: 3 significant digits, k and M.
 *
 * @param value The number.
 * @returns The text.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "-";
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Ingest run of one target: the hub is fresh, the anchors long-lived. */
async function ingest(
  context: SuiteContext,
  results: Measurement[],
  rep: number,
  nodes: number,
  target: TargetKey,
  inFlight: number,
): Promise<void> {
  const { plan } = context;
  const workload: WorkloadKey = target === "hub-durable" || target === "etcd"
    ? "ingest-durable"
    : inFlight === 1
    ? "ingest-1"
    : "ingest-16";
  const job = (wire: Wire, server: Target) => ({
    kind: "ingest" as const,
    wire,
    host: server.host,
    port: server.port,
    nodes,
    inFlight,
    warmupMs: plan.warmupMs,
    measureMs: plan.measureMs,
    setupTimeoutMs: plan.setupTimeoutMs,
  });
  const base = { workload, nodes, target, rep, unit: "req/s" };
  await measure(context, results, base, async () => {
    if (target === "hub" || target === "hub-durable" || target === "hub-boards") {
      return await withHub(
        context,
        {
          rule: "plurality",
          allowChange: true,
          durable: target === "hub-durable",
          boards: target === "hub-boards" ? BOARD_TABS : 0,
        },
        async (hub, boards) => {
          const before = boards?.updates() ?? 0;
          const { result, cpu } = await runWithCpu(
            context,
            hub,
            job(inFlight === 1 ? "hub-text" : "hub-json", hub),
          );
          if (result.errors > 0) throw new Error(`${result.errors} votes refused`);
          return {
            value: result.perSecond,
            ...(cpu ? { cpu } : {}),
            detail: {
              setupMs: result.setupMs,
              ...(boards ? { boardUpdates: boards.updates() - before } : {}),
            },
          };
        },
      );
    }
    if (target === "etcd") {
      const etcd = context.etcd!;
      const concurrency = Math.min(nodes, plan.etcdMaxConcurrency);
      const { result, cpu } = await runWithCpu(context, etcd, {
        kind: "etcd-put",
        url: `http://${etcd.host}:${etcd.port}`,
        concurrency,
        warmupMs: plan.warmupMs,
        measureMs: plan.measureMs,
      });
      if (result.errors > 0 && result.puts === 0) throw new Error(`${result.errors} puts failed`);
      return {
        value: result.perSecond,
        ...(cpu ? { cpu } : {}),
        detail: { concurrency, errors: result.errors },
      };
    }
    const server = target === "redis" ? context.redis! : context.line;
    const { result, cpu } = await runWithCpu(
      context,
      server,
      job(target === "redis" ? "redis" : "line", server),
    );
    if (result.errors > 0) throw new Error(`${result.errors} requests refused`);
    return {
      value: result.perSecond,
      ...(cpu ? { cpu } : {}),
      detail: { setupMs: result.setupMs },
    };
  });
}

/** What one run yields for each of several workloads. */
type Figures = Partial<
  Record<WorkloadKey, Omit<Measurement, "workload" | "nodes" | "target" | "rep" | "unit">>
>;

/**
 * Runs one job that yields several figures (a storm, the memory it left,
 * a broadcast) and records each; a failure is recorded for all of them.
 */
async function measureMany(
  context: SuiteContext,
  results: Measurement[],
  base: { nodes: number; target: TargetKey; rep: number },
  units: Partial<Record<WorkloadKey, string>>,
  body: () => Promise<Figures>,
): Promise<void> {
  if (context.signal.aborted) return;
  let figures: Figures | undefined;
  let failure: string | undefined;
  const started = performance.now();
  try {
    figures = await body();
  } catch (error) {
    failure = (error as Error).message;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  for (const [workload, unit] of Object.entries(units) as [WorkloadKey, string][]) {
    await measure(context, results, { ...base, workload, unit }, () => {
      const figure = figures?.[workload];
      if (!figure) throw new Error(failure ?? "not measured");
      return Promise.resolve(figure);
    }, seconds);
  }
}

/**
 * The fan-out workloads on a fresh process of the target: RSS before; N
 * clients get in at once (the connect storm); RSS while they idle (memory per
 * node); then, on the hub, Redis and the Deno fan-out server, the broadcast
 * rounds on the same clients. The fan-out server gives only its broadcast:
 * the line server is the Deno anchor of the storm and of memory.
 */
async function fanOut(
  context: SuiteContext,
  results: Measurement[],
  rep: number,
  nodes: number,
  target: "hub" | "redis" | "line" | "fanout",
): Promise<void> {
  const { plan } = context;
  const run = async (server: Target): Promise<Figures> => {
    await sleep(plan.settleMs);
    const before = server.process.rssKb();
    let idle: IdleMemory | undefined;
    const readMemory = async () => {
      idle = await readIdleMemory(server, plan);
    };
    const memory = (admitted: number) => memoryFigure(before, idle, admitted);
    if (target === "line") {
      const { result } = await runWithCpu(context, server, {
        kind: "storm",
        wire: "line",
        host: server.host,
        port: server.port,
        spreadAbove: plan.spreadAbove,
        nodes,
        timeoutMs: plan.setupTimeoutMs,
        holdMs: 0,
      }, readMemory);
      if (result.admitted < nodes) {
        throw new Error(`${result.admitted} of ${nodes} got in (${result.failed} failed)`);
      }
      return {
        storm: { value: result.stormMs, detail: { settledMs: result.settledMs } },
        memory: memory(result.admitted),
      };
    }
    const { result } = await runWithCpu(context, server, {
      kind: "broadcast",
      wire: target === "hub" ? "hub-text" : target,
      host: server.host,
      port: server.port,
      spreadAbove: plan.spreadAbove,
      nodes,
      rounds: plan.broadcastRounds,
      payloadBytes: BROADCAST_PAYLOAD_BYTES,
      setupTimeoutMs: plan.setupTimeoutMs,
      roundTimeoutMs: 30_000,
    }, readMemory);
    const middle = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return {
      storm: { value: result.stormMs, detail: { settledMs: result.settledMs } },
      memory: memory(result.admitted),
      broadcast: {
        value: middle(result.latenciesMs),
        detail: {
          minMs: Math.min(...result.latenciesMs),
          maxMs: Math.max(...result.latenciesMs),
          firstMs: middle(result.firstMs),
        },
      },
    };
  };
  const units: Partial<Record<WorkloadKey, string>> = target === "line"
    ? { storm: "ms", memory: "KB/node" }
    : target === "fanout"
    ? { broadcast: "ms" }
    : { storm: "ms", memory: "KB/node", broadcast: "ms" };
  await measureMany(context, results, { nodes, target, rep }, units, () =>
    target === "hub"
      // Majority, votes final: the broadcast rounds decide with floor(N/2) + 1 votes.
      ? withHub(context, { rule: "majority", allowChange: false }, run)
      : withFresh(context, target, run));
}

/** Memory of an idle target, as it is and after a forced garbage collection. */
interface IdleMemory {
  /** VmRSS without a forced collection, KiB. */
  noGcKb: number;
  /** VmRSS after one (the same reading for a target without a collector), KiB. */
  afterGcKb: number;
}

/**
 * Reads a target's memory while its nodes idle: once as it is, then after
 * asking it for a full garbage collection (the hub and the line server;
 * Redis has no collector, so its figure is the same twice).
 */
async function readIdleMemory(server: Target, plan: BenchPlan): Promise<IdleMemory> {
  // Let the last writes and the garbage of the storm settle first.
  await sleep(plan.settleMs);
  const noGcKb = server.process.rssKb();
  if (!server.collectGarbage) return { noGcKb, afterGcKb: noGcKb };
  server.collectGarbage();
  await sleep(plan.gcSettleMs);
  return { noGcKb, afterGcKb: server.process.rssKb() };
}

/** The memory figure: KB per node after a forced collection, the reading without one in detail. */
function memoryFigure(
  beforeKb: number,
  idle: IdleMemory | undefined,
  admitted: number,
): { value: number; detail: Record<string, number> } {
  const noGcKb = idle?.noGcKb ?? NaN;
  const afterGcKb = idle?.afterGcKb ?? NaN;
  return {
    value: (afterGcKb - beforeKb) / admitted,
    detail: {
      rssBeforeKb: beforeKb,
      rssAfterKb: afterGcKb,
      rssNoGcKb: noGcKb,
      noGcKbPerNode: (noGcKb - beforeKb) / admitted,
      admitted,
    },
  };
}

/**
 * Holding many admitted nodes on one hub: they get in at most 256 at a time
 * (capacity, not a storm: the gate timeout must not be what fails it), idle
 * for a while (the suite reads memory, before and after a collection), each
 * answers a ping, then one broadcast round (rule majority: floor(N/2) vote
 * A, one more decides) times the consensus push to all of them.
 */
async function hold(context: SuiteContext, results: Measurement[], nodes: number): Promise<void> {
  const base = { workload: "hold" as const, nodes, target: "hub" as const, rep: 1, unit: "nodes" };
  const { plan } = context;
  await measure(
    context,
    results,
    base,
    () =>
      withHub(context, {
        rule: "majority",
        allowChange: false,
        maxConnections: Math.max(20_000, nodes + FD_MARGIN),
      }, async (hub) => {
        await sleep(plan.settleMs);
        const before = hub.process.rssKb();
        let idle: IdleMemory | undefined;
        const { result } = await runWithCpu(context, hub, {
          kind: "storm",
          wire: "hub-text",
          host: hub.host,
          port: hub.port,
          spreadAbove: plan.spreadAbove,
          nodes,
          concurrency: 256,
          timeoutMs: Math.max(240_000, nodes * HOLD_TIMEOUT_MS_PER_NODE),
          holdMs: plan.holdMs,
          broadcastTimeoutMs: HOLD_ROUND_TIMEOUT_MS,
        }, async () => {
          idle = await readIdleMemory(hub, plan);
        });
        const memory = memoryFigure(before, idle, Math.max(1, result.admitted));
        return {
          value: result.admitted,
          detail: {
            admitted: result.admitted,
            failed: result.failed,
            connectFailed: result.connectFailed,
            alive: result.alive,
            stormMs: result.stormMs,
            settledMs: result.settledMs,
            broadcastMs: result.broadcastMs ?? NaN,
            broadcastFirstMs: result.broadcastFirstMs ?? NaN,
            ...memory.detail,
          },
          ...(result.broadcastError ? { error: `broadcast: ${result.broadcastError}` } : {}),
        };
      }),
  );
}

/** A fresh Redis, line server or fan-out server for one measurement. */
async function withFresh<T>(
  context: SuiteContext,
  target: "redis" | DenoServer,
  body: (server: Target) => Promise<T>,
): Promise<T> {
  const server = target === "redis"
    ? await startRedisTarget(logPath(context, "redis"), context.tempDir)
    : await startDenoTarget(target, logPath(context, target));
  if (typeof server === "string") throw new Error(server);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

/** Milliseconds from spawning `deno run ... ARGS` until it exits; throws on a failed exit. */
async function timeProgram(args: string[], stop: AbortSignal): Promise<number> {
  const start = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PROGRAM_FLAGS, ...args],
    cwd: PROJECT_ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    // Killed on Ctrl-C too, not only at its own deadline.
    signal: AbortSignal.any([AbortSignal.timeout(30_000), stop]),
  }).output();
  const ms = performance.now() - start;
  if (!output.success) {
    const message = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`deno run ${args.join(" ")} exited with ${output.code}: ${message}`);
  }
  return ms;
}

/**
 * Start-up: `consensus join HOST:PORT --answer a --vote A` against a minimal
 * script that connects, sends a line and exits, alternately, on one hub.
 */
async function startup(
  context: SuiteContext,
  results: Measurement[],
  rep: number,
): Promise<void> {
  const times = { join: [] as number[], minimal: [] as number[] };
  const errors: Partial<Record<"join" | "minimal", string>> = {};
  await withHub(context, { rule: "plurality", allowChange: true }, async (hub) => {
    const address = `${hub.host}:${hub.port}`;
    const programs = {
      join: ["main.ts", "join", address, "--answer", "a", "--vote", "A"],
      minimal: ["bench/targets/minimal_client.ts", hub.host, String(hub.port)],
    };
    // One run of each first, not counted: module caches are warm for both.
    if (rep === 1) {
      for (const name of ["join", "minimal"] as const) {
        await timeProgram(programs[name], context.signal).catch((error) =>
          errors[name] = error.message
        );
      }
    }
    for (let run = 0; run < context.plan.startupRuns && !context.signal.aborted; run++) {
      for (const name of rotate(["join", "minimal"] as const, run)) {
        try {
          times[name].push(await timeProgram(programs[name], context.signal));
        } catch (error) {
          errors[name] = (error as Error).message;
        }
      }
    }
  });
  for (const name of ["join", "minimal"] as const) {
    const base = { workload: "startup" as const, nodes: 1, target: name, rep, unit: "ms" };
    await measure(context, results, base, () => {
      if (times[name].length === 0) throw new Error(errors[name] ?? "no run");
      const sorted = [...times[name]].sort((a, b) => a - b);
      return Promise.resolve({
        value: sorted[Math.floor(sorted.length / 2)]!,
        detail: { runs: sorted.length, minMs: sorted[0]!, maxMs: sorted[sorted.length - 1]! },
      });
    });
  }
}

/** Which workloads to run. */
export type WorkloadGroup = "ingest" | "pipelined" | "fanout" | "startup" | "hold" | "cluster";

/** Every group, in the order they run within a repetition. */
export const WORKLOAD_GROUPS: readonly WorkloadGroup[] = [
  "ingest",
  "pipelined",
  "fanout",
  "startup",
  "hold",
  "cluster",
];

/**
 * The groups run without `--only`: all but cluster, which starts a 3-member
 * etcd and a fresh set of hubs for every run (over a minute even in quick mode).
 */
export const DEFAULT_GROUPS: readonly WorkloadGroup[] = WORKLOAD_GROUPS.filter((group) =>
  group !== "cluster"
);

/**
 * Runs the whole schedule.
 *
 * @param context Anchors, runner, plan.
 * @param groups Which workload groups to run.
 * @returns Every measurement, in the order taken.
 */
export async function runSuite(
  context: SuiteContext,
  groups: readonly WorkloadGroup[] = DEFAULT_GROUPS,
): Promise<Measurement[]> {
  const { plan } = context;
  const results: Measurement[] = [];
  const has = (group: WorkloadGroup) => groups.includes(group);
  for (let rep = 1; rep <= plan.reps && !context.signal.aborted; rep++) {
    context.log(`repetition ${rep} of ${plan.reps}`);
    const counts = [...new Set([...plan.nodes, ...plan.fanOutNodes])].sort((a, b) => a - b);
    for (const nodes of counts) {
      const ingesting = plan.nodes.includes(nodes);
      if (has("ingest") && ingesting) {
        // One in flight, in memory and durable, with their anchors, interleaved.
        const targets: TargetKey[] = ["hub", "hub-durable", "hub-boards", "line"];
        if (context.redis) targets.push("redis");
        if (context.etcd) targets.push("etcd");
        for (const target of rotate(targets, rep - 1)) {
          await ingest(context, results, rep, nodes, target, 1);
        }
      }
      if (has("pipelined") && ingesting) {
        const targets: TargetKey[] = ["hub", "line"];
        if (context.redis) targets.push("redis");
        for (const target of rotate(targets, rep - 1)) {
          await ingest(context, results, rep, nodes, target, 16);
        }
      }
      if (has("fanout") && plan.fanOutNodes.includes(nodes)) {
        // Connect storm, memory per idle node and broadcast, on fresh processes.
        const targets: ("hub" | "redis" | "line" | "fanout")[] = ["hub", "line", "fanout"];
        if (context.redis) targets.push("redis");
        for (const target of rotate(targets, rep - 1)) {
          await fanOut(context, results, rep, nodes, target);
        }
      }
    }
    if (has("startup") && !context.signal.aborted) await startup(context, results, rep);
    if (has("cluster") && context.etcdCluster) {
      for (const nodes of plan.clusterNodes) {
        if (context.signal.aborted) break;
        await clusterRepetition(context, context.etcdCluster, results, rep, nodes);
      }
    }
  }
  // Once: holding is a yes-or-no question, and the longest run of all.
  const fit = context.hold ??
    (plan.holdNodes === undefined ? undefined : { asked: plan.holdNodes, held: plan.holdNodes });
  if (has("hold") && fit && !context.signal.aborted) {
    // Not shrunk in silence: the goals and the skipped list say why (from `fit`).
    if (fit.reason) context.log(`not holding ${fit.asked} nodes: ${fit.reason}`);
    if (fit.held > 0) {
      context.log(
        `holding ${fit.held} nodes${fit.reason ? " (the largest count that fits)" : ""}`,
      );
      await hold(context, results, fit.held);
    }
  }
  return results;
}
