/**
 * Polls a condition in a test, bounded in time.
 *
 * @module
 */

/**
 * Resolves once `condition` holds, checking every 50 ms.
 *
 * @param condition What to wait for.
 * @param timeoutMs Upper bound.
 * @throws {Error} When it does not hold within `timeoutMs`.
 */
export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
