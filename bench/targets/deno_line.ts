/**
 * Starts the minimal Deno line server ({@link ./deno_line_server.ts}) as its
 * own process.
 *
 * @module
 */

import { startProcess } from "../processes.ts";
import { LOOPBACK, type Target } from "./target.ts";

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
      new URL("./deno_line_server.ts", import.meta.url).pathname,
    ],
    logPath,
  });
  try {
    const match = await process.waitForLog(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
    return {
      name: "Deno line server",
      host: LOOPBACK,
      port: Number(match[1]),
      process,
      // A benchmark does not measure shutdown: SIGKILL at once.
      stop: () => process.stop(0),
    };
  } catch (error) {
    await process.stop();
    throw error;
  }
}
