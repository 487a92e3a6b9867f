/**
 * PINs: short numbers that name admitted nodes. Chosen by the fold, from the
 * PINs in use and a random seed carried by the command, so every copy of the
 * state picks the same one.
 *
 * @module
 */

/**
 * How many PINs have a given number of digits (3 digits: 100-999, 900 PINs).
 *
 * @param width Number of digits.
 * @returns How many PINs have that many digits.
 */
export function pinCapacity(width: number): number {
  return 9 * 10 ** (width - 1);
}

/**
 * Chooses a free PIN. PINs have 3 digits while fewer than half of those are
 * in use, then 4, and so on: short to type, yet a random guess rarely hits a
 * node. The search starts at a place given by the seed and walks up (wrapping
 * round), so it needs no randomness of its own.
 *
 * @param inUse PINs taken now.
 * @param usedByWidth How many PINs in use have each number of digits.
 * @param seed A random 32-bit number.
 * @returns A PIN not in `inUse`.
 *
 * @example
 * ```ts
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(choosePin(new Set([100]), new Map([[3, 1]]), 0), 101);
 * ```
 */
export function choosePin(
  inUse: { has(pin: number): boolean },
  usedByWidth: ReadonlyMap<number, number>,
  seed: number,
): number {
  let width = 3;
  while ((usedByWidth.get(width) ?? 0) * 2 >= pinCapacity(width)) width++;
  const low = 10 ** (width - 1);
  const capacity = pinCapacity(width);
  const start = Math.abs(Math.trunc(seed)) % capacity;
  for (let step = 0; step < capacity; step++) {
    const pin = low + (start + step) % capacity;
    if (!inUse.has(pin)) return pin;
  }
  // Unreachable: fewer than half of this width's PINs are in use.
  throw new RangeError("Cannot choose a PIN: every PIN is in use");
}

/**
 * A random seed for {@linkcode choosePin}, from the system's secure source.
 *
 * @returns A number in [0, 2^32).
 */
export function randomPinSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}
