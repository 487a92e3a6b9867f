/**
 * CPU accounting for a counted window: how much of a core the load
 * generator, the target and everything else on the machine used. It says
 * which side limited a run, and whether other work on the machine disturbed it.
 *
 * @module
 */

import type { ControlPoint, JobControl } from "./jobs.ts";
import { readCpuSeconds } from "./processes.ts";

/** Cores used in a window (1 = one full core). */
export interface CpuShare {
  /** The load generator. */
  load: number;
  /** The target. */
  target: number;
  /** Everything else on the machine (other tests, the suite itself). */
  other: number;
}

/** Busy CPU seconds of the whole machine, from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n", 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, tick) => sum + tick, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return (total - idle) / 100;
  } catch {
    return NaN;
  }
}

/**
 * A {@linkcode JobControl} that measures CPU between the `window-start` and
 * `window-end` points, and passes other points on.
 *
 * @param loadPid The load generator's process.
 * @param targetPid The target's process, or several (their sum: hubs of one election, etcd members).
 * @param onHold Called at a storm's hold point.
 * @returns The control, and a getter for the share once the window ended.
 */
export function cpuWindow(
  loadPid: number,
  targetPid: number | readonly number[],
  onHold: (point: Extract<ControlPoint, { kind: "hold" }>) => Promise<void> = () =>
    Promise.resolve(),
): { control: JobControl; share(): CpuShare | undefined } {
  const targetPids = typeof targetPid === "number" ? [targetPid] : targetPid;
  let start: [number, number, number, number] | undefined;
  let result: CpuShare | undefined;
  const sample = (): [number, number, number, number] => [
    performance.now(),
    readCpuSeconds(loadPid),
    targetPids.reduce((sum, pid) => sum + readCpuSeconds(pid), 0),
    machineBusySeconds(),
  ];
  return {
    control: {
      at(point) {
        if (point.kind === "window-start") start = sample();
        else if (point.kind === "window-end" && start) {
          const end = sample();
          const seconds = (end[0] - start[0]) / 1000;
          const load = (end[1] - start[1]) / seconds;
          const target = (end[2] - start[2]) / seconds;
          const machine = (end[3] - start[3]) / seconds;
          result = { load, target, other: Math.max(0, machine - load - target) };
        } else if (point.kind === "hold") return onHold(point);
        return Promise.resolve();
      },
    },
    share: () => result,
  };
}
