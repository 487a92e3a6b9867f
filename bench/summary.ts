/**
 * From raw measurements to figures: the median of the repetitions per
 * workload, node count and target, and ratios paired by repetition.
 *
 * @module
 */

import type { CpuShare } from "./cpu.ts";
import { median, range } from "./stats.ts";
import type { Measurement, TargetKey, WorkloadKey } from "./suite.ts";

/** A workload and target, the unit a figure is kept under. */
export interface Series {
  workload: WorkloadKey;
  target: TargetKey;
}

/** The figure of one series at one node count. */
export interface Figure extends Series {
  nodes: number;
  unit: string;
  /** Median of the repetitions that succeeded. */
  median: number;
  min: number;
  max: number;
  /** One per repetition (NaN for a failed one). */
  values: number[];
  /** Median CPU shares over the repetitions, when measured. */
  cpu?: CpuShare;
  /** Median of each detail field over the repetitions. */
  detail: Record<string, number>;
  /** Errors of failed repetitions. */
  errors: string[];
}

/**
 * The figure of a series at a node count.
 *
 * @param measurements Everything measured.
 * @param series Which one.
 * @param nodes At how many nodes.
 * @returns The figure, or undefined when never measured.
 */
export function figureOf(
  measurements: readonly Measurement[],
  series: Series,
  nodes: number,
): Figure | undefined {
  const mine = measurements.filter((m) =>
    m.workload === series.workload && m.target === series.target && m.nodes === nodes
  );
  if (mine.length === 0) return undefined;
  const values = mine.map((m) => m.value);
  const [min, max] = range(values);
  const withCpu = mine.filter((m) => m.cpu !== undefined);
  const detailKeys = new Set(mine.flatMap((m) => Object.keys(m.detail ?? {})));
  const detail: Record<string, number> = {};
  for (const key of detailKeys) {
    detail[key] = median(mine.map((m) => m.detail?.[key] ?? NaN));
  }
  return {
    ...series,
    nodes,
    unit: mine[0]!.unit,
    median: median(values),
    min,
    max,
    values,
    ...(withCpu.length > 0
      ? {
        cpu: {
          load: median(withCpu.map((m) => m.cpu!.load)),
          target: median(withCpu.map((m) => m.cpu!.target)),
          other: median(withCpu.map((m) => m.cpu!.other)),
        },
      }
      : {}),
    detail,
    errors: mine.flatMap((m) => m.error ? [`rep ${m.rep}: ${m.error}`] : []),
  };
}

/**
 * The ratio of two series at a node count, paired by repetition (both ran
 * in the same repetition, close in time), then the median of those ratios.
 *
 * @param measurements Everything measured.
 * @param numerator Top series (the hub, usually).
 * @param denominator Bottom series (the anchor).
 * @param nodes At how many nodes.
 * @returns The median ratio, or NaN when no repetition has both.
 */
export function pairedRatio(
  measurements: readonly Measurement[],
  numerator: Series,
  denominator: Series,
  nodes: number,
): number {
  const valueAt = (series: Series, rep: number) =>
    measurements.find((m) =>
      m.workload === series.workload && m.target === series.target && m.nodes === nodes &&
      m.rep === rep
    )?.value ?? NaN;
  const reps = [...new Set(measurements.map((m) => m.rep))];
  return median(reps.map((rep) => valueAt(numerator, rep) / valueAt(denominator, rep)));
}

/**
 * Node counts at which a series was measured, ascending.
 *
 * @param measurements Everything measured.
 * @param workloads Which workloads.
 * @returns The counts.
 */
export function nodeCounts(
  measurements: readonly Measurement[],
  workloads: readonly WorkloadKey[],
): number[] {
  return [
    ...new Set(measurements.filter((m) => workloads.includes(m.workload)).map((m) => m.nodes)),
  ].sort((a, b) => a - b);
}
