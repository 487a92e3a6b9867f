/**
 * The error `consensus audit` ends with when the record does not hold: a
 * small module of its own, so that mapping errors to exit codes loads
 * nothing of the audit itself.
 *
 * @module
 */

/** The record does not hold; the message lists the problems. */
export class AuditFailedError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "AuditFailedError";
  }
}
