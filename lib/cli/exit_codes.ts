/**
 * The program's exit codes, documented in README.md; the only place errors
 * become numbers.
 *
 * @module
 */

import {
  ConnectionLostError,
  GateRefusedError,
  HubUnreachableError,
  NoDecisionError,
  NotAHubError,
  RequestRefusedError,
  TimeoutError,
} from "../node/errors.ts";
import { UsageError } from "./usage_error.ts";
import { AuditFailedError } from "./audit_failed_error.ts";
import { SeveralHubsError } from "./several_hubs_error.ts";

/** Exit codes by meaning. */
export const EXIT = {
  /** Done; with `--wait`, consensus was reached. */
  ok: 0,
  /** An unexpected failure. */
  failure: 1,
  /** Wrong arguments; or several hubs answered on the LAN and none was picked. */
  usage: 2,
  /** No hub at that address (none on the LAN), or something else holds the port. */
  unreachable: 3,
  /** The gate answer was wrong. */
  gateRefused: 4,
  /** The hub refused a request: a vote, a PIN, a name. */
  refused: 5,
  /** `--timeout` ran out before the consensus. */
  timeout: 6,
  /** The hub closed the connection before the work was done. */
  connectionLost: 7,
  /** With `--wait`: the ballot closed without a decision. */
  noDecision: 8,
} as const;

/**
 * Maps an error to the exit code that tells a script what happened.
 *
 * @param error What was thrown.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { TimeoutError } from "../node/errors.ts";
 * assertEquals(exitCodeFor(new TimeoutError("late")), 6);
 * ```
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof SeveralHubsError) return EXIT.usage;
  if (error instanceof HubUnreachableError || error instanceof NotAHubError) {
    return EXIT.unreachable;
  }
  if (error instanceof GateRefusedError) return EXIT.gateRefused;
  if (error instanceof RequestRefusedError) return EXIT.refused;
  if (error instanceof TimeoutError) return EXIT.timeout;
  if (error instanceof ConnectionLostError) return EXIT.connectionLost;
  if (error instanceof NoDecisionError) return EXIT.noDecision;
  if (error instanceof AuditFailedError) return EXIT.failure;
  return EXIT.failure;
}

/**
 * A short code for `--json` error output, e.g. `gate-refused`.
 *
 * @param error What was thrown.
 * @returns The code.
 */
export function errorCodeFor(error: unknown): string {
  if (error instanceof RequestRefusedError) return error.code;
  if (error instanceof SeveralHubsError) return "several-hubs";
  const names: Record<number, string> = {
    [EXIT.usage]: "usage",
    [EXIT.unreachable]: error instanceof NotAHubError ? "not-a-hub" : "unreachable",
    [EXIT.gateRefused]: "gate-refused",
    [EXIT.timeout]: "timeout",
    [EXIT.connectionLost]: "connection-lost",
    [EXIT.noDecision]: "no-decision",
  };
  return names[exitCodeFor(error)] ?? "failure";
}
