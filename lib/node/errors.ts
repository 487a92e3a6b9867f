/**
 * Failures a node can meet, each a condition the front ends catch and the
 * program maps to its own exit code (see `lib/cli/exit_codes.ts`).
 *
 * @module
 */

/** Nothing accepted a connection there, or the name did not resolve. */
export class HubUnreachableError extends Error {
  /** Creates the error; `cause` keeps the network error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HubUnreachableError";
  }
}

/** Something answered, but it is not a consensus hub. */
export class NotAHubError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "NotAHubError";
  }
}

/** The hub did not accept the gate answer. */
export class GateRefusedError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "GateRefusedError";
  }
}

/** The hub refused a request (a vote for a missing option, an unknown PIN, ...). */
export class RequestRefusedError extends Error {
  /** The hub's error code, e.g. `already-voted`. */
  readonly code: string;

  /** Creates the error from the hub's refusal. */
  constructor(code: string, message: string) {
    super(message);
    this.name = "RequestRefusedError";
    this.code = code;
  }
}

/** The connection ended before the work was done. */
export class ConnectionLostError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ConnectionLostError";
  }
}

/** The time given with `--timeout` ran out. */
export class TimeoutError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}

/** The ballot waited on closed without a decision (a tie, a quorum not met, ...). */
export class NoDecisionError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "NoDecisionError";
  }
}
