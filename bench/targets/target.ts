/**
 * What every benchmark target is once started: where it listens and how to
 * stop it.
 *
 * @module
 */

import type { ManagedProcess } from "../processes.ts";

/** A server the load generator can be pointed at. */
export interface Target {
  /** For the table, e.g. "hub" or "Redis". */
  readonly name: string;
  /** Always `127.0.0.1`. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
  /** Its process (for RSS and CPU time). */
  readonly process: ManagedProcess;
  /** Stops it and removes what it left behind. */
  stop(): Promise<void>;
}

/** The only address the benchmark ever uses. */
export const LOOPBACK = "127.0.0.1";

/**
 * Waits for a started process to print where it listens (`listening on
 * 127.0.0.1:PORT`), and makes it a target; stops it if it never does.
 *
 * @param name For the table.
 * @param process The process, just started.
 * @returns The target.
 */
export async function awaitListening(name: string, process: ManagedProcess): Promise<Target> {
  try {
    const match = await process.waitForLog(/listening on 127\.0\.0\.1:(\d+)/, 20_000);
    return {
      name,
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
