/**
 * Starts the minimal Deno line server ({@link ./deno_line_server.ts}) as its
 * own process.
 *
 * @module
 */

import { startProcess } from "../processes.ts";
import { awaitListening, EXPOSE_GC_FLAG, type Target, withGarbageCollection } from "./target.ts";

/**
 * Starts the line server and waits for its port.
 *
 * @param logPath Where its output goes.
 * @returns The running server.
 */
export async function startDenoLineTarget(logPath: string): Promise<Target> {
  const process = startProcess({
    name: "Deno line server",
    command: Deno.execPath(),
    args: [
      "run",
      "--allow-net=127.0.0.1",
      // As the hub: the memory reading collects garbage first (SIGUSR2).
      EXPOSE_GC_FLAG,
      new URL("./deno_line_server.ts", import.meta.url).pathname,
    ],
    logPath,
  });
  return withGarbageCollection(await awaitListening("Deno line server", process));
}
