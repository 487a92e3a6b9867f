/**
 * The printed tables and the JSON file of a run.
 *
 * @module
 */

import type { GoalResult } from "./goals.ts";
import type { BenchPlan } from "./plan.ts";
import { figureOf, nodeCounts, pairedRatio, type Series } from "./summary.ts";
import { formatNumber, type Measurement } from "./suite.ts";

/** A column of figures. */
interface Column extends Series {
  label: string;
}

/** A column of ratios (paired by repetition, median). */
interface RatioColumn {
  label: string;
  top: Series;
  bottom: Series;
}

/** One table. */
interface Section {
  title: string;
  columns: Column[];
  ratios: RatioColumn[];
  /** Show the CPU table under it (throughput runs). */
  cpu: boolean;
  /** Show a detail field instead of the figure (e.g. settledMs), per column. */
  detail?: string;
}

const HUB_1 = { workload: "ingest-1", target: "hub" } as const;

/** The cluster tables: votes/s against etcd's own rate, etcd's CPU, the push. */
function clusterSections(): Section[] {
  const txn1 = { workload: "cluster-txn", target: "etcd-txn-1" } as const;
  const txn64 = { workload: "cluster-txn", target: "etcd-txn-64" } as const;
  const ingest = (inFlight: 1 | 16): Section => {
    const workload = inFlight === 1 ? "cluster-ingest-1" : "cluster-ingest-16";
    const one = { workload, target: "hubs-1" } as const;
    const three = { workload, target: "hubs-3" } as const;
    return {
      title: `Cluster votes over a 3-member etcd, ${inFlight} in flight per node (replies/s)`,
      columns: [
        { label: "1 hub", ...one },
        { label: "3 hubs", ...three },
        { label: "etcd txn, 1 in flight", ...txn1 },
        { label: "etcd txn, 64 in flight", ...txn64 },
      ],
      ratios: [
        { label: "1 hub÷txn1", top: one, bottom: txn1 },
        { label: "3 hubs÷txn1", top: three, bottom: txn1 },
        { label: "3 hubs÷txn64", top: three, bottom: txn64 },
      ],
      cpu: true,
    };
  };
  return [
    ingest(1),
    ingest(16),
    ...([
      ["CPU of the 3 etcd members in the counted window (cores)", "etcdCores"],
      ["etcd writes committed per second (the hubs' appends)", "etcdWritesPerSecond"],
      ["votes per etcd write (what batching achieved)", "votesPerWrite"],
    ] as const).map(([what, detail]): Section => ({
      title: `Cluster votes: ${what}`,
      columns: [
        { label: "1 hub, 1 in flight", workload: "cluster-ingest-1", target: "hubs-1" },
        { label: "3 hubs, 1 in flight", workload: "cluster-ingest-1", target: "hubs-3" },
        { label: "1 hub, 16 in flight", workload: "cluster-ingest-16", target: "hubs-1" },
        { label: "3 hubs, 16 in flight", workload: "cluster-ingest-16", target: "hubs-3" },
      ],
      ratios: [],
      cpu: false,
      detail,
    })),
    {
      title: "Cluster consensus push: deciding vote to the last node on every hub (ms)",
      columns: [
        { label: "1 hub", workload: "cluster-push", target: "hubs-1" },
        { label: "3 hubs", workload: "cluster-push", target: "hubs-3" },
      ],
      ratios: [],
      cpu: false,
    },
    {
      title: "Cluster consensus push: the slowest round of each repetition (ms)",
      columns: [
        { label: "1 hub", workload: "cluster-push", target: "hubs-1" },
        { label: "3 hubs", workload: "cluster-push", target: "hubs-3" },
      ],
      ratios: [],
      cpu: false,
      detail: "maxMs",
    },
  ];
}

const SECTIONS: Section[] = [
  {
    title: "Vote ingest, 1 request in flight per node (replies/s)",
    columns: [
      { label: "hub (text)", ...HUB_1 },
      { label: "hub, 10 boards open", workload: "ingest-1", target: "hub-boards" },
      { label: "Redis INCR", workload: "ingest-1", target: "redis" },
      { label: "Deno line server", workload: "ingest-1", target: "line" },
    ],
    ratios: [
      { label: "hub÷Redis", top: HUB_1, bottom: { workload: "ingest-1", target: "redis" } },
      { label: "hub÷line", top: HUB_1, bottom: { workload: "ingest-1", target: "line" } },
      { label: "boards÷hub", top: { workload: "ingest-1", target: "hub-boards" }, bottom: HUB_1 },
    ],
    cpu: true,
  },
  {
    title: "Vote ingest, 16 requests in flight per node (replies/s)",
    columns: [
      { label: "hub (JSON)", workload: "ingest-16", target: "hub" },
      { label: "Redis INCR", workload: "ingest-16", target: "redis" },
      { label: "Deno line server", workload: "ingest-16", target: "line" },
    ],
    ratios: [
      {
        label: "hub÷Redis",
        top: { workload: "ingest-16", target: "hub" },
        bottom: { workload: "ingest-16", target: "redis" },
      },
      {
        label: "hub÷line",
        top: { workload: "ingest-16", target: "hub" },
        bottom: { workload: "ingest-16", target: "line" },
      },
    ],
    cpu: true,
  },
  {
    title: "Durable ingest (SQLite journal, group commit), 1 in flight (replies/s)",
    columns: [
      { label: "hub durable", workload: "ingest-durable", target: "hub-durable" },
      { label: "hub in memory", ...HUB_1 },
      { label: "etcd put (≤256 conns)", workload: "ingest-durable", target: "etcd" },
    ],
    ratios: [
      {
        label: "durable÷memory",
        top: { workload: "ingest-durable", target: "hub-durable" },
        bottom: HUB_1,
      },
      {
        label: "durable÷etcd",
        top: { workload: "ingest-durable", target: "hub-durable" },
        bottom: { workload: "ingest-durable", target: "etcd" },
      },
    ],
    cpu: true,
  },
  {
    title: "Consensus broadcast: deciding vote to the last node's push (ms)",
    columns: [
      { label: "hub", workload: "broadcast", target: "hub" },
      { label: "Redis PUBLISH", workload: "broadcast", target: "redis" },
      { label: "Deno fan-out server", workload: "broadcast", target: "fanout" },
    ],
    ratios: [{
      label: "hub÷Redis",
      top: { workload: "broadcast", target: "hub" },
      bottom: { workload: "broadcast", target: "redis" },
    }, {
      label: "hub÷Deno",
      top: { workload: "broadcast", target: "hub" },
      bottom: { workload: "broadcast", target: "fanout" },
    }],
    cpu: false,
  },
  {
    title: "Connect storm: all connect at once, time until all are in (ms)",
    columns: [
      { label: "hub (admitted)", workload: "storm", target: "hub" },
      { label: "Redis (PONG)", workload: "storm", target: "redis" },
      { label: "Deno line server", workload: "storm", target: "line" },
    ],
    ratios: [{
      label: "hub÷line",
      top: { workload: "storm", target: "hub" },
      bottom: { workload: "storm", target: "line" },
    }],
    cpu: false,
  },
  {
    title: "Connect storm: until the last presence push (`joined` or summary) arrived too (ms)",
    columns: [{ label: "hub", workload: "storm", target: "hub" }],
    ratios: [],
    cpu: false,
    detail: "settledMs",
  },
  {
    title: "Memory per idle connected node, after a forced GC (KB of RSS; Redis has no GC)",
    columns: [
      { label: "hub (admitted)", workload: "memory", target: "hub" },
      { label: "Redis", workload: "memory", target: "redis" },
      { label: "Deno line server", workload: "memory", target: "line" },
    ],
    ratios: [{
      label: "hub÷Redis",
      top: { workload: "memory", target: "hub" },
      bottom: { workload: "memory", target: "redis" },
    }],
    cpu: false,
  },
  {
    title: "Memory per idle connected node, without a forced GC (KB of RSS)",
    columns: [
      { label: "hub (admitted)", workload: "memory", target: "hub" },
      { label: "Redis", workload: "memory", target: "redis" },
      { label: "Deno line server", workload: "memory", target: "line" },
    ],
    ratios: [],
    cpu: false,
    detail: "noGcKbPerNode",
  },
  ...clusterSections(),
  {
    title: "Start-up: spawn to exit (ms)",
    columns: [
      { label: "consensus join --vote", workload: "startup", target: "join" },
      { label: "minimal script", workload: "startup", target: "minimal" },
    ],
    ratios: [{
      label: "join÷minimal",
      top: { workload: "startup", target: "join" },
      bottom: { workload: "startup", target: "minimal" },
    }],
    cpu: false,
  },
];

function cell(
  measurements: readonly Measurement[],
  column: Column,
  nodes: number,
  detail?: string,
): string {
  const figure = figureOf(measurements, column, nodes);
  if (!figure) return "";
  if (detail) return formatNumber(figure.detail[detail] ?? NaN);
  if (!Number.isFinite(figure.median)) return "failed";
  const failed = figure.values.filter((value) => !Number.isFinite(value)).length;
  const spread = figure.values.length > 1
    ? ` [${formatNumber(figure.min)}–${formatNumber(figure.max)}]`
    : "";
  return `${formatNumber(figure.median)}${spread}${failed > 0 ? ` (${failed} failed)` : ""}`;
}

function renderTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]!.length))
  );
  const line = (row: string[]) =>
    "  " +
    row.map((text, index) => index === 0 ? text.padStart(widths[0]!) : text.padEnd(widths[index]!))
      .join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * The tables of a run, as text.
 *
 * @param measurements Everything measured.
 * @param plan The plan (for the number of repetitions).
 * @returns The lines to print.
 */
export function renderTables(measurements: readonly Measurement[], plan: BenchPlan): string[] {
  const lines: string[] = [];
  for (const section of SECTIONS) {
    const columns = section.columns.filter((column) =>
      measurements.some((m) => m.workload === column.workload && m.target === column.target)
    );
    if (columns.length === 0) continue;
    const nodes = nodeCounts(measurements, columns.map((column) => column.workload));
    const ratios = section.ratios.filter((ratio) =>
      [ratio.top, ratio.bottom].every((series) =>
        measurements.some((m) => m.workload === series.workload && m.target === series.target)
      )
    );
    const nodesLabel = section.title.startsWith("Start-up") ? "runs" : "nodes";
    lines.push("");
    lines.push(
      `${section.title}; median of ${plan.reps}${section.detail ? "" : " [min–max]"}`,
    );
    const rows = nodes.map((count) => [
      nodesLabel === "runs" ? `${plan.startupRuns}×${plan.reps}` : count.toLocaleString("en-US"),
      ...columns.map((column) => cell(measurements, column, count, section.detail)),
      ...ratios.map((ratio) => {
        const value = pairedRatio(measurements, ratio.top, ratio.bottom, count);
        return Number.isFinite(value) ? `${value.toFixed(2)}×` : "-";
      }),
    ]);
    lines.push(
      ...renderTable(
        [
          nodesLabel,
          ...columns.map((column) => column.label),
          ...ratios.map((ratio) => ratio.label),
        ],
        rows,
      ),
    );
    if (section.cpu) {
      lines.push("  cpu in the counted window, cores (target / load generator / rest of machine):");
      const cpuRows = nodes.map((count) => [
        count.toLocaleString("en-US"),
        ...columns.map((column) => {
          const cpu = figureOf(measurements, column, count)?.cpu;
          return cpu
            ? `${cpu.target.toFixed(2)} / ${cpu.load.toFixed(2)} / ${cpu.other.toFixed(2)}`
            : "";
        }),
      ]);
      lines.push(...renderTable(["nodes", ...columns.map((column) => column.label)], cpuRows));
    }
  }
  const holds = measurements.filter((m) => m.workload === "hold");
  for (const hold of holds) {
    lines.push("");
    lines.push(`Holding ${hold.nodes.toLocaleString("en-US")} admitted nodes on one hub`);
    if (hold.error) lines.push(`  FAILED: ${hold.error}`);
    const detail = hold.detail ?? {};
    if (detail.admitted === undefined) continue;
    lines.push(
      `  admitted ${detail.admitted ?? "-"}, answered a ping after the hold ${
        detail.alive ?? "-"
      }, not let in ${detail.failed ?? "-"} (of which could not connect ${
        detail.connectFailed ?? "-"
      })`,
    );
    lines.push(
      `  all in after ${formatNumber(detail.stormMs ?? NaN)} ms, the last presence push after ${
        formatNumber(detail.settledMs ?? NaN)
      } ms; RSS ${formatNumber((detail.rssBeforeKb ?? NaN) / 1024)} → ${
        formatNumber((detail.rssNoGcKb ?? NaN) / 1024)
      } MB idle (${formatNumber(detail.noGcKbPerNode ?? NaN)} KB/node), ${
        formatNumber((detail.rssAfterKb ?? NaN) / 1024)
      } MB after GC (${
        formatNumber(((detail.rssAfterKb ?? NaN) - (detail.rssBeforeKb ?? NaN)) / hold.nodes)
      } KB/node)`,
    );
    lines.push(
      `  consensus pushed to every node ${
        formatNumber(detail.broadcastMs ?? NaN)
      } ms after the deciding vote (first node ${formatNumber(detail.broadcastFirstMs ?? NaN)} ms)`,
    );
  }
  const failures = measurements.filter((m) => m.error);
  if (failures.length > 0) {
    lines.push("");
    lines.push("Failed runs:");
    for (const m of failures) {
      lines.push(`  rep ${m.rep} ${m.workload} ${m.nodes} ${m.target}: ${m.error!.split("\n")[0]}`);
    }
  }
  return lines;
}

/**
 * The goals as text.
 *
 * @param goals From `checkGoals`.
 * @returns The lines to print.
 */
export function renderGoals(goals: readonly GoalResult[]): string[] {
  const lines = ["", "Goals"];
  const width = Math.max(...goals.map((goal) => goal.goal.length));
  for (const goal of goals) {
    const status = goal.status === "pass" ? "PASS" : goal.status === "fail" ? "FAIL" : "n/a ";
    lines.push(`  ${status}  ${goal.goal.padEnd(width)}  ${goal.shown.padStart(9)}  ${goal.note}`);
  }
  return lines;
}

/** Everything a run writes to its JSON file. */
export interface RunRecord {
  version: 1;
  startedAt: string;
  durationSeconds: number;
  plan: BenchPlan;
  machine: Record<string, string | number>;
  loadGenerator: string;
  skipped: string[];
  notes: string[];
  figures: ReturnType<typeof figureOf>[];
  ratios: { section: string; label: string; nodes: number; ratio: number }[];
  goals: GoalResult[];
  measurements: Measurement[];
}

/**
 * Figures and ratios for the JSON file.
 *
 * @param measurements Everything measured.
 * @returns Every figure and every ratio of the tables.
 */
export function collectFigures(
  measurements: readonly Measurement[],
): Pick<RunRecord, "figures" | "ratios"> {
  const figures: RunRecord["figures"] = [];
  const seen = new Set<string>();
  for (const m of measurements) {
    const key = `${m.workload}/${m.target}/${m.nodes}`;
    if (seen.has(key)) continue;
    seen.add(key);
    figures.push(figureOf(measurements, m, m.nodes));
  }
  const ratios: RunRecord["ratios"] = [];
  for (const section of SECTIONS) {
    for (const ratio of section.ratios) {
      for (const nodes of nodeCounts(measurements, [ratio.top.workload])) {
        const value = pairedRatio(measurements, ratio.top, ratio.bottom, nodes);
        if (Number.isFinite(value)) {
          ratios.push({ section: section.title, label: ratio.label, nodes, ratio: value });
        }
      }
    }
  }
  return { figures, ratios };
}

/** Writes JSON, with NaN as null (JSON has no NaN). */
export async function writeRecord(path: string, record: RunRecord): Promise<void> {
  await Deno.mkdir(new URL(".", `file://${path}`).pathname, { recursive: true });
  await Deno.writeTextFile(path, `${JSON.stringify(record, null, 2)}\n`);
}
