/**
 * The Redis anchor: Debian's `redis-server`, no persistence, on a free
 * loopback port.
 *
 * @module
 */

import { findProgram, freePort, startProcess } from "../processes.ts";
import { LOOPBACK, type Target } from "./target.ts";

/**
 * Starts Redis, or says why not.
 *
 * @param logPath Where its output goes.
 * @param directory Its working directory (it writes nothing with these settings).
 * @returns The running server, or a message when `redis-server` is absent.
 */
export async function startRedisTarget(
  logPath: string,
  directory: string,
): Promise<Target | string> {
  const program = await findProgram("redis-server");
  if (!program) {
    return "redis-server not found (apt-get install redis-server): the Redis columns are skipped";
  }
  const port = freePort();
  const process = startProcess({
    name: "Redis",
    command: program,
    args: [
      "--bind",
      LOOPBACK,
      "--port",
      String(port),
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--dir",
      directory,
      "--maxclients",
      "15000",
    ],
    logPath,
  });
  try {
    await process.waitForLog(/Ready to accept connections/, 10_000);
  } catch (error) {
    await process.stop();
    throw error;
  }
  // A benchmark does not measure shutdown: SIGKILL at once.
  return { name: "Redis", host: LOOPBACK, port, process, stop: () => process.stop(0) };
}
