/**
 * The error a caller of the etcd layer is expected to catch: the cluster
 * could not be reached in time (quorum lost, every endpoint failed, or the
 * call's time bound ran out).
 *
 * @module
 */

/** Options for {@linkcode ClusterUnavailableError}. */
export interface ClusterUnavailableErrorOptions {
  /**
   * Whether a write may have been applied all the same (it reached a member
   * and no answer came in time). Such a write is never "rejected": its outcome
   * is learnt by reading or following the data it would have changed.
   */
  outcomeUnknown: boolean;
  /** What went wrong underneath. */
  cause?: unknown;
}

/**
 * The etcd cluster is unavailable; with {@linkcode ClusterUnavailableError.outcomeUnknown}
 * a write made during the call may still take effect.
 *
 * @example
 * ```ts
 * import { ClusterUnavailableError } from "./cluster_unavailable_error.ts";
 *
 * const error = new ClusterUnavailableError("Cannot reach etcd", { outcomeUnknown: true });
 * console.assert(error.outcomeUnknown && error.message.includes("outcome unknown"));
 * ```
 */
export class ClusterUnavailableError extends Error {
  override readonly name = "ClusterUnavailableError";
  /** Whether a write may have been applied despite this error. */
  readonly outcomeUnknown: boolean;

  /**
   * @param message What could not be done, e.g. `Cannot append to the log`.
   * @param options See {@linkcode ClusterUnavailableErrorOptions}.
   */
  constructor(message: string, options: ClusterUnavailableErrorOptions) {
    super(
      options.outcomeUnknown
        ? `${message} (outcome unknown: the write may still be applied)`
        : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.outcomeUnknown = options.outcomeUnknown;
  }
}
