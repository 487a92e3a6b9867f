/**
 * Time as the hub sees it, behind an interface so that tests can move it by
 * hand: a deadline closes a ballot in a test without waiting in real time.
 *
 * @module
 */

/** A source of time and timers. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `callback` once, `delayMs` from now.
   *
   * @returns A function that cancels the timer.
   */
  setTimer(callback: () => void, delayMs: number): () => void;
}

/** The longest delay `setTimeout` takes; longer timers are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    let timer: ReturnType<typeof setTimeout>;
    const due = Date.now() + delayMs;
    const arm = () => {
      const left = due - Date.now();
      timer = setTimeout(
        left > MAX_TIMER_MS ? arm : callback,
        Math.min(Math.max(left, 0), MAX_TIMER_MS),
      );
    };
    arm();
    return () => clearTimeout(timer);
  },
};

/**
 * A clock that moves only when told to, for tests.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const clock = new ManualClock(1000);
 * let fired = false;
 * clock.setTimer(() => fired = true, 500);
 * clock.advance(499);
 * assertEquals(fired, false);
 * clock.advance(1);
 * assertEquals(fired, true);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #timers: { due: number; callback: () => void; cancelled: boolean }[] = [];

  /** Starts at `start` milliseconds since the epoch. */
  constructor(start: number) {
    this.#now = start;
  }

  /** The current time. */
  now(): number {
    return this.#now;
  }

  /** See {@linkcode Clock.setTimer}. */
  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { due: this.#now + Math.max(0, delayMs), callback, cancelled: false };
    this.#timers.push(timer);
    return () => timer.cancelled = true;
  }

  /**
   * Moves time forward, firing the timers that fall due, in order.
   *
   * @param ms How far.
   */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => !timer.cancelled && timer.due <= target)
        .sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      this.#now = due.due;
      due.cancelled = true;
      due.callback();
    }
    this.#now = target;
    this.#timers = this.#timers.filter((timer) => !timer.cancelled);
  }
}
