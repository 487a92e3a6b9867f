/**
 * Starts a minimal Deno server as its own process: the line server
 * ({@link ./deno_line_server.ts}) or the fan-out server
 * ({@link ./deno_fanout_server.ts}).
 *
 * @module
 */

import { startProcess } from "../processes.ts";
import { awaitListening, EXPOSE_GC_FLAG, type Target, withGarbageCollection } from "./target.ts";

/** The minimal Deno servers the hub is measured against. */
export type DenoServer = "line" | "fanout";

/**
 * Each server's file, and whether it collects garbage on SIGUSR2 (the line
 * server's memory is compared with the hub's after a collection; the fan-out
 * server's memory is not read, and SIGUSR2 would end it).
 */
const SERVERS: Record<DenoServer, { name: string; file: string; collects: boolean }> = {
  line: { name: "Deno line server", file: "./deno_line_server.ts", collects: true },
  fanout: { name: "Deno fan-out server", file: "./deno_fanout_server.ts", collects: false },
};

/**
 * Starts a minimal Deno server and waits for its port.
 *
 * @param server Which one.
 * @param logPath Where its output goes.
 * @returns The running server.
 */
export async function startDenoTarget(server: DenoServer, logPath: string): Promise<Target> {
  const { name, file, collects } = SERVERS[server];
  const process = startProcess({
    name,
    command: Deno.execPath(),
    args: [
      "run",
      "--allow-net=127.0.0.1",
      // As the hub: the memory reading collects garbage first (SIGUSR2).
      ...(collects ? [EXPOSE_GC_FLAG] : []),
      new URL(file, import.meta.url).pathname,
    ],
    logPath,
  });
  const target = await awaitListening(name, process);
  return collects ? withGarbageCollection(target) : target;
}
