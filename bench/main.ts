/**
 * `deno task bench [--quick]`: measures the hub against Redis, a minimal
 * Deno line server and etcd on loopback, with one load generator for all,
 * prints the tables and the goals, and writes bench-results/latest.json.
 *
 * Options:
 *   --quick            small node counts and short windows (about a minute and a half)
 *   --reps N           repetitions (at least 3; default 3)
 *   --only GROUPS      some of: ingest,pipelined,fanout,startup,hold,cluster (all but
 *                      cluster by default: cluster needs a 3-member etcd and takes minutes)
 *   --hold-nodes N     hold N nodes on one hub (full mode: 50,000; in quick mode, only when given)
 *   --spread-above N   spread the load generator's connections over 127.0.0.x source addresses
 *                      past N nodes in one run (default 25,000; lower it to try the path)
 *   --loadgen MODE     child (default: its own process) or inproc (this process)
 *   --out FILE         where the JSON goes (default bench-results/latest.json)
 *   --keep             keep the scratch folder (logs) for a look afterwards
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkGoals } from "./goals.ts";
import { childRunner, inProcessRunner, type LoadMode, type LoadRunner } from "./load_runner.ts";
import { FD_MARGIN, fitHold, planFor } from "./plan.ts";
import { findProgram, readFdLimit, readHardFdLimit, stopAll } from "./processes.ts";
import {
  collectFigures,
  renderGoals,
  renderTables,
  type RunRecord,
  writeRecord,
} from "./report.ts";
import {
  DEFAULT_GROUPS,
  type Measurement,
  runSuite,
  WORKLOAD_GROUPS,
  type WorkloadGroup,
} from "./suite.ts";
import { startDenoTarget } from "./targets/deno_line.ts";
import { type EtcdClusterTarget, startEtcdClusterTarget, startEtcdTarget } from "./targets/etcd.ts";
import { PROJECT_ROOT } from "./targets/hub.ts";
import { startRedisTarget } from "./targets/redis.ts";
import type { Target } from "./targets/target.ts";

/** The bench's own settings, from its arguments. */
interface BenchArgs {
  quick: boolean;
  reps: number | undefined;
  holdNodes: number | undefined;
  spreadAbove: number | undefined;
  groups: WorkloadGroup[];
  loadMode: LoadMode;
  out: string;
  keep: boolean;
}

function parseBenchArgs(args: string[]): BenchArgs {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: "boolean" },
      reps: { type: "string" },
      "hold-nodes": { type: "string" },
      "spread-above": { type: "string" },
      only: { type: "string" },
      loadgen: { type: "string" },
      out: { type: "string" },
      keep: { type: "boolean" },
    },
    strict: true,
  });
  const groups = values.only === undefined
    ? [...DEFAULT_GROUPS]
    : values.only.split(",").map((group) => group.trim());
  for (const group of groups) {
    if (!WORKLOAD_GROUPS.includes(group as WorkloadGroup)) {
      throw new TypeError(
        `Cannot run group "${group}": use some of ${WORKLOAD_GROUPS.join(",")}`,
      );
    }
  }
  const loadMode = values.loadgen ?? "child";
  if (loadMode !== "child" && loadMode !== "inproc") {
    throw new TypeError(`Cannot run the load generator "${loadMode}": use child or inproc`);
  }
  const count = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`Cannot use --${name} ${text}: give a whole number of at least 1`);
    }
    return value;
  };
  return {
    quick: values.quick === true,
    reps: values.reps === undefined ? undefined : Number(values.reps),
    holdNodes: count("hold-nodes", values["hold-nodes"]),
    spreadAbove: count("spread-above", values["spread-above"]),
    groups: groups as WorkloadGroup[],
    loadMode,
    out: values.out ?? `${PROJECT_ROOT}bench-results/latest.json`,
    keep: values.keep === true,
  };
}

async function programVersion(command: string, args: string[]): Promise<string> {
  const path = await findProgram(command);
  if (!path) return "absent";
  try {
    const output = await new Deno.Command(path, { args, stdout: "piped", stderr: "null" })
      .output();
    return new TextDecoder().decode(output.stdout).split("\n")[0]!.trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(Deno.args);
  const plan = planFor(args.quick ? "quick" : "full", args.reps);
  if (args.holdNodes !== undefined) plan.holdNodes = args.holdNodes;
  if (args.spreadAbove !== undefined) plan.spreadAbove = args.spreadAbove;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const tempDir = await Deno.makeTempDir({ prefix: "bench_" });
  const abort = new AbortController();
  const log = (line: string) => console.log(line);
  const skipped: string[] = [];
  const notes: string[] = [];
  let runner: LoadRunner | undefined;
  const anchors: Target[] = [];

  // One clean-up, started by Ctrl-C or by the end of the run, whichever
  // comes first, and awaited by both before the process exits.
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    cleaning ??= (async () => {
      await runner?.close().catch(() => {});
      await stopAll();
      if (!args.keep) await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    })();
  const onSignal = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    console.error("\nInterrupted: stopping every process the benchmark started");
    cleanUp().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  try {
    log(
      `consensus bench, ${plan.mode} mode: ${plan.reps} repetitions, nodes ${
        plan.nodes.join(", ")
      }, fan-out nodes ${plan.fanOutNodes.join(", ")}${
        plan.holdNodes ? `, hold ${plan.holdNodes}` : ""
      }${
        args.groups.includes("cluster") ? `, cluster nodes ${plan.clusterNodes.join(", ")}` : ""
      }; windows ${plan.warmupMs} ms warm-up + ${plan.measureMs} ms counted`,
    );
    runner = args.loadMode === "child" ? childRunner(`${tempDir}/load.log`) : inProcessRunner();
    const line = await startDenoTarget("line", `${tempDir}/line.log`);
    anchors.push(line);
    const redis = await startRedisTarget(`${tempDir}/redis.log`, tempDir);
    if (typeof redis === "string") skipped.push(redis);
    else anchors.push(redis);
    let etcd: Target | undefined;
    if (args.groups.includes("ingest")) {
      const started = await startEtcdTarget(`${tempDir}/etcd.log`, `${tempDir}/etcd-data`);
      if (typeof started === "string") skipped.push(started);
      else {
        etcd = started;
        anchors.push(started);
        notes.push(
          `etcd puts run at min(nodes, ${plan.etcdMaxConcurrency}) concurrent HTTP connections (its JSON gateway): ${plan.etcdMaxConcurrency} for 1,000 and 5,000 nodes`,
        );
      }
    }
    let etcdCluster: EtcdClusterTarget | undefined;
    if (args.groups.includes("cluster")) {
      const started = await startEtcdClusterTarget(tempDir);
      if (typeof started === "string") skipped.push(started);
      else {
        etcdCluster = started;
        notes.push(
          "cluster: 3 etcd members and every hub on this one machine; each hub run serves a fresh election on the same etcd cluster",
        );
      }
    }
    for (const message of skipped) log(`skipped: ${message}`);

    // Deno cannot call setrlimit: every process is started through sh with
    // `ulimit -n`, up to the hard limit.
    const fdLimit = readFdLimit(runner.pid === Deno.pid ? line.process.pid : runner.pid);
    const hardFdLimit = await readHardFdLimit();
    const needed = Math.max(...plan.fanOutNodes, ...plan.clusterNodes, plan.holdNodes ?? 0) +
      FD_MARGIN;
    const fdNote =
      `open-file limit of the started processes: ${fdLimit} (raised with ulimit -n up to the hard limit, ${hardFdLimit}); ${needed} needed`;
    log(fdNote);
    notes.push(fdNote);
    const hold = plan.holdNodes === undefined
      ? undefined
      : fitHold(plan.holdNodes, Math.min(hardFdLimit, fdLimit));
    if (hold?.reason) {
      // A skip, not a failure: the run's exit status stays about what ran.
      skipped.push(
        `holding ${hold.asked} nodes: ${hold.reason}; held ${hold.held} instead, the largest count that fits`,
      );
      log(`skipped: ${skipped.at(-1)}`);
    }
    if (args.loadMode === "inproc") {
      notes.push("the load generator ran in the suite's own process (--loadgen inproc)");
    }

    const measurements: Measurement[] = await runSuite({
      plan,
      runner,
      tempDir,
      redis: typeof redis === "string" ? undefined : redis,
      line,
      etcd,
      etcdCluster,
      log,
      signal: abort.signal,
      hold,
    }, args.groups);
    if (abort.signal.aborted) return 130;
    const machine = {
      cpus: navigator.hardwareConcurrency,
      kernel: Deno.osRelease(),
      deno: Deno.version.deno,
      redis: await programVersion("redis-server", ["--version"]),
      etcd: await programVersion("etcd", ["--version"]),
      loadAverageAfter: Deno.loadavg().map((value) => value.toFixed(2)).join(" "),
      fdLimit,
    };
    const goals = checkGoals(measurements, hold);
    const durationSeconds = (performance.now() - started) / 1000;
    for (const text of renderTables(measurements, plan)) log(text);
    for (const text of renderGoals(goals)) log(text);
    const busy = measurements.filter((m) => (m.cpu?.other ?? 0) > 0.25);
    if (busy.length > 0) {
      const note =
        `${busy.length} of ${measurements.length} runs shared the machine with other work (> 0.25 cores besides the target and the load generator): their figures are noisier`;
      notes.push(note);
      log(`\nNote: ${note}`);
    }
    for (const message of skipped) log(`Skipped: ${message}`);
    const record: RunRecord = {
      version: 1,
      startedAt,
      durationSeconds,
      plan,
      machine,
      loadGenerator: args.loadMode,
      skipped,
      notes,
      ...collectFigures(measurements),
      goals,
      measurements,
    };
    await writeRecord(args.out, record);
    log(`\nWrote ${args.out}; took ${durationSeconds.toFixed(1)} s`);
    return measurements.some((m) => m.error) ? 1 : 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await cleanUp();
    if (args.keep) log(`Scratch folder kept: ${tempDir}`);
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    await stopAll();
    code = 1;
  }
  Deno.exit(code);
}
