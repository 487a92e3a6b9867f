/**
 * A pause that ends early, without an error, when a signal aborts: retry
 * loops back off with it and still stop at once.
 *
 * @module
 */

/**
 * Waits `ms` milliseconds, or less when `signal` aborts.
 *
 * @example
 * ```ts
 * import { abortableSleep } from "./abortable_sleep.ts";
 * await abortableSleep(10_000, AbortSignal.abort()); // returns at once
 * ```
 *
 * @param ms How long.
 * @param signal Ends the wait early.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
