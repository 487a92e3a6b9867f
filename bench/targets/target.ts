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
