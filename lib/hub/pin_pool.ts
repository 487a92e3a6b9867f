/**
 * Hands out short random PINs, unique among connected nodes.
 *
 * @module
 */

/**
 * PINs are 3 digits (100-999) while fewer than half of those are in use, then
 * 4 digits, and so on: short for the meetings the report had in mind, and
 * never a long search for a free one on a hub with thousands of nodes.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * const pool = new PinPool();
 * const pin = pool.allocate();
 * assert(pin >= 100 && pin <= 999);
 * pool.release(pin);
 * ```
 */
export class PinPool {
  readonly #used = new Set<number>();
  /** In-use count per number of digits. */
  readonly #usedByWidth = new Map<number, number>();
  readonly #random: () => number;

  /**
   * Creates an empty pool.
   *
   * @param random Source of numbers in [0, 1); tests may pass a seeded one.
   */
  constructor(random: () => number = secureRandom) {
    this.#random = random;
  }

  /**
   * Takes a free PIN.
   *
   * @returns A PIN no connected node has.
   */
  allocate(): number {
    let width = 3;
    while ((this.#usedByWidth.get(width) ?? 0) * 2 >= capacity(width)) width++;
    const low = 10 ** (width - 1);
    for (;;) {
      const pin = low + Math.floor(this.#random() * capacity(width));
      if (this.#used.has(pin)) continue;
      this.#used.add(pin);
      this.#usedByWidth.set(width, (this.#usedByWidth.get(width) ?? 0) + 1);
      return pin;
    }
  }

  /**
   * Marks a PIN as taken (a node known from the journal after a restart).
   *
   * @param pin The PIN.
   */
  reserve(pin: number): void {
    if (this.#used.has(pin)) return;
    this.#used.add(pin);
    const width = String(pin).length;
    this.#usedByWidth.set(width, (this.#usedByWidth.get(width) ?? 0) + 1);
  }

  /**
   * Gives a PIN back once its node has left.
   *
   * @param pin The PIN.
   */
  release(pin: number): void {
    if (!this.#used.delete(pin)) return;
    const width = String(pin).length;
    this.#usedByWidth.set(width, (this.#usedByWidth.get(width) ?? 1) - 1);
  }

  /** PINs in use. */
  get size(): number {
    return this.#used.size;
  }
}

function capacity(width: number): number {
  return 9 * 10 ** (width - 1);
}

function secureRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}
