/**
 * The hub under test: `consensus serve` started with `deno run`, exactly as
 * an operator would, on a free loopback port.
 *
 * @module
 */

import denoConfig from "../../deno.json" with { type: "json" };
import { GATE_ANSWER, GATE_QUESTION } from "../wire.ts";
import { startProcess } from "../processes.ts";
import {
  awaitListening,
  EXPOSE_GC_FLAG,
  LOOPBACK,
  type Target,
  withGarbageCollection,
} from "./target.ts";

/** The project's root folder (where main.ts is). */
export const PROJECT_ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The runtime flags of the compile tasks in deno.json (permissions, and V8's
 * young-generation cap): the hub runs as the released binary does.
 */
export const PROGRAM_FLAGS: readonly string[] = denoConfig.tasks["compile:linux-x64"]
  .split(/\s+/u)
  .filter((word) => word.startsWith("--allow-") || word.startsWith("--v8-flags="));

/**
 * The program's flags with V8's `gc()` exposed as well: Deno takes one
 * `--v8-flags`, so the program's own V8 flags and this one share it.
 *
 * @param flags The program's runtime flags.
 * @returns The flags, `--expose-gc` added to its V8 flags.
 */
export function withExposedGc(flags: readonly string[]): string[] {
  const exposed = EXPOSE_GC_FLAG.slice("--v8-flags=".length);
  return flags.some((flag) => flag.startsWith("--v8-flags="))
    ? flags.map((flag) => flag.startsWith("--v8-flags=") ? `${flag},${exposed}` : flag)
    : [...flags, EXPOSE_GC_FLAG];
}

/** Connections from one address allowed at the gate at once: more than any storm here. */
export const MAX_PENDING = 20_000;

/** Options for {@linkcode startHubTarget}. */
export interface HubTargetOptions {
  /** `plurality` (ingest: nothing decides mid-run) or `majority` (broadcast). */
  rule: "plurality" | "majority";
  /**
   * Serve an election kept in etcd (`--cluster URLS --election NAME`)
   * instead of a journal of its own; `dataDir` is then left out.
   */
  cluster?: { clientUrls: readonly string[]; election: string };
  /** Let nodes change their vote, so that every vote of the ingest run is recorded. */
  allowChange: boolean;
  /** A directory for the durable journal; `:memory:` when left out. */
  dataDir?: string;
  /** Where its output goes. */
  logPath: string;
  /** Also serve the web board (public, on a free loopback port). */
  board?: boolean;
  /**
   * Connections allowed at once (`--max-connections`), raised only for the
   * hold past the hub's default.
   * @default {20000}
   */
  maxConnections?: number;
}

/** A hub target, with its web board's port when it serves one. */
export interface HubTarget extends Target {
  /** The web board's port, when started with `board`. */
  boardPort?: number;
}

/**
 * Starts a hub and waits for its "listening on" line.
 *
 * @param options See {@linkcode HubTargetOptions}.
 * @returns The running hub.
 */
export async function startHubTarget(options: HubTargetOptions): Promise<HubTarget> {
  const args = [
    "run",
    // With V8's gc() exposed, so that the memory reading can collect garbage first (SIGUSR2).
    ...withExposedGc(PROGRAM_FLAGS),
    "main.ts",
    "serve",
    "--host",
    LOOPBACK,
    "--port",
    "0",
    ...(options.cluster
      ? ["--cluster", options.cluster.clientUrls.join(","), "--election", options.cluster.election]
      : ["--data", options.dataDir ?? ":memory:"]),
    "--riddle",
    GATE_QUESTION,
    "--answer",
    GATE_ANSWER,
    "--rule",
    options.rule,
    ...(options.allowChange ? ["--allow-change"] : []),
    // Every benchmark node comes from 127.0.0.1: the per-address limit at the
    // gate (64 by default, against floods from one stranger) would refuse a
    // storm of thousands. The total stays at its default.
    "--max-pending",
    String(MAX_PENDING),
    ...(options.maxConnections === undefined
      ? []
      : ["--max-connections", String(options.maxConnections)]),
    ...(options.board ? ["--board", `${LOOPBACK}:0`, "--board-public"] : []),
  ];
  const process = startProcess({
    name: "hub",
    command: Deno.execPath(),
    args,
    cwd: PROJECT_ROOT,
    logPath: options.logPath,
  });
  const hub = withGarbageCollection(await awaitListening("hub", process));
  if (!options.board) return hub;
  try {
    const match = await process.waitForLog(/board: +http:\/\/127\.0\.0\.1:(\d+)\//, 10_000);
    return { ...hub, boardPort: Number(match[1]) };
  } catch (error) {
    await hub.stop();
    throw error;
  }
}
