/**
 * The hub under test: `consensus serve` started with `deno run`, exactly as
 * an operator would, on a free loopback port.
 *
 * @module
 */

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

/** The permission flags of the compile tasks in deno.json. */
export const PROGRAM_FLAGS = ["--allow-net", "--allow-env", "--allow-read", "--allow-write"];

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
    ...PROGRAM_FLAGS,
    // So that the memory reading can collect garbage first (SIGUSR2).
    EXPOSE_GC_FLAG,
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
