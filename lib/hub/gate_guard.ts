/**
 * Slows down and then locks out an address that keeps giving wrong answers,
 * so the gate cannot be guessed online, while one person's typo costs
 * nothing noticeable.
 *
 * @module
 */

import { type Clock, SYSTEM_CLOCK } from "./clock.ts";

/** Options for {@linkcode GateGuard}. */
export interface GateGuardOptions {
  /**
   * Wrong answers from one address, within the window, before it is locked out.
   * @default {20}
   */
  lockoutAfter?: number;
  /**
   * How long a lockout lasts, and how long a wrong answer is remembered, in milliseconds.
   * @default {600000}
   */
  lockoutMs?: number;
  /**
   * Longest pause before a wrong answer is answered, in milliseconds.
   * @default {5000}
   */
  maxDelayMs?: number;
  /** Time source. */
  clock?: Clock;
}

interface Record {
  failures: number;
  /** When the oldest remembered failure is forgotten, or the lockout ends. */
  until: number;
  locked: boolean;
}

/** Counts wrong answers per address. */
export class GateGuard {
  readonly #records = new Map<string, Record>();
  readonly #lockoutAfter: number;
  readonly #lockoutMs: number;
  readonly #maxDelayMs: number;
  readonly #clock: Clock;

  /** Creates a guard; see {@linkcode GateGuardOptions}. */
  constructor(options: GateGuardOptions = {}) {
    this.#lockoutAfter = options.lockoutAfter ?? 20;
    this.#lockoutMs = options.lockoutMs ?? 600_000;
    this.#maxDelayMs = options.maxDelayMs ?? 5000;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
  }

  /**
   * Says whether an address may try the gate now.
   *
   * @param address The peer's address.
   * @returns Milliseconds until it may try again, or 0 when it may now.
   *
   * @example
   * ```ts
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * const guard = new GateGuard({ lockoutAfter: 2 });
   * guard.recordFailure("10.0.0.9");
   * guard.recordFailure("10.0.0.9");
   * assertEquals(guard.lockedFor("10.0.0.9") > 0, true);
   * assertEquals(guard.lockedFor("10.0.0.10"), 0);
   * ```
   */
  lockedFor(address: string): number {
    const record = this.#current(address);
    return record?.locked ? record.until - this.#clock.now() : 0;
  }

  /**
   * Notes a wrong answer.
   *
   * @param address The peer's address.
   * @returns How long to wait before answering it: 0 for the first, then
   * doubling from 250 ms up to the maximum.
   */
  recordFailure(address: string): number {
    const now = this.#clock.now();
    const record = this.#current(address) ?? { failures: 0, until: 0, locked: false };
    record.failures += 1;
    record.until = now + this.#lockoutMs;
    if (record.failures >= this.#lockoutAfter) record.locked = true;
    this.#records.set(address, record);
    this.#forgetOld(now);
    return record.failures <= 1 ? 0 : Math.min(this.#maxDelayMs, 250 * 2 ** (record.failures - 2));
  }

  /**
   * Forgets an address's wrong answers once it gets in (a typo, then the right answer).
   *
   * @param address The peer's address.
   */
  recordSuccess(address: string): void {
    const record = this.#records.get(address);
    if (record && !record.locked) this.#records.delete(address);
  }

  #current(address: string): Record | undefined {
    const record = this.#records.get(address);
    if (record && record.until <= this.#clock.now()) {
      this.#records.delete(address);
      return undefined;
    }
    return record;
  }

  /** Bounds the map: addresses whose failures have expired are dropped now and then. */
  #forgetOld(now: number): void {
    if (this.#records.size < 10_000) return;
    for (const [address, record] of this.#records) {
      if (record.until <= now) this.#records.delete(address);
    }
  }
}
