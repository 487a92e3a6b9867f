/**
 * A request that etcd answered with a definite refusal (bad argument, lease
 * not found, ...), as opposed to being unavailable.
 *
 * @module
 */

/**
 * etcd refused a request; retrying it elsewhere would get the same answer.
 *
 * @example
 * ```ts
 * import { EtcdRequestError } from "./etcd_request_error.ts";
 *
 * const error = new EtcdRequestError("Cannot put key", 5, "etcdserver: requested lease not found");
 * console.assert(error.code === 5);
 * ```
 */
export class EtcdRequestError extends Error {
  override readonly name = "EtcdRequestError";
  /** gRPC status code etcd gave (5 = not found, 3 = invalid argument, ...). */
  readonly code: number;

  /**
   * @param action What was attempted, e.g. `Cannot put key "a"`.
   * @param code gRPC status code from etcd's answer.
   * @param detail etcd's message.
   */
  constructor(action: string, code: number, detail: string) {
    super(`${action}: ${detail}`);
    this.code = code;
  }
}
