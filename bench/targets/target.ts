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
  /**
   * Asks it for a full garbage collection (SIGUSR2, for a Deno process
   * started with `--v8-flags=--expose-gc`); absent for a target without a
   * garbage collector (Redis). It returns at once: the collection runs on
   * the target's own event loop, so wait a little before reading memory.
   */
  collectGarbage?(): void;
}

/**
 * The V8 flag that gives a Deno target `gc()`, which it runs on SIGUSR2.
 * V8 only adds that global function: the heap limits and the collector's
 * own schedule stay as without it.
 */
export const EXPOSE_GC_FLAG = "--v8-flags=--expose-gc";

/**
 * Makes a Deno target that was started with {@linkcode EXPOSE_GC_FLAG} able
 * to collect its garbage on request.
 *
 * @param target The started target.
 * @returns The same target with {@linkcode Target.collectGarbage}.
 */
export function withGarbageCollection<T extends Target>(target: T): T {
  return { ...target, collectGarbage: () => target.process.signal("SIGUSR2") };
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
