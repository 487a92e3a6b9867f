/**
 * How many presence lines (joined, left, resumed) a node is sent: one per
 * change while changes are few, and one summary a second while many arrive
 * at once. Without it, N nodes arriving together cost every node N lines,
 * the hub N²/2 lines in all. Pure: the caller gives the time and runs the timer.
 *
 * The rule (PROTOCOL.md, "Presence at scale"): a change is sent on its own
 * line unless `linesPerWindow` lines were already sent in the last
 * `windowMs`; from then on, changes are only counted, and every `windowMs`
 * one summary says how many there were. When a window counts no more than
 * `linesPerWindow` changes, its summary is the last, and changes are sent
 * one by one again.
 *
 * @module
 */

/** The kinds of change a summary counts. */
export type PresenceChange = "joined" | "left" | "resumed";

/** Changes counted since the last summary. */
export interface PresenceCounts {
  joined: number;
  left: number;
  resumed: number;
}

/** Options for {@linkcode PresencePacer}. */
export interface PresencePacerOptions {
  /**
   * Lines sent one by one within any window before summaries take over.
   * @default {10}
   */
  linesPerWindow?: number;
  /**
   * The window, and the time between two summaries, in milliseconds.
   * @default {1000}
   */
  windowMs?: number;
}

/**
 * Decides, change by change, whether it goes out on its own line or into the next summary.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const pacer = new PresencePacer({ linesPerWindow: 2, windowMs: 1000 });
 * assertEquals(pacer.offer("joined", 0), true);
 * assertEquals(pacer.offer("joined", 10), true);
 * assertEquals(pacer.offer("joined", 20), false); // a third within a second: counted
 * assertEquals(pacer.offer("left", 30), false);
 * assertEquals(pacer.summarising, true);
 * assertEquals(pacer.tick(), { joined: 1, left: 1, resumed: 0 });
 * assertEquals(pacer.summarising, false); // two changes in that window: few again
 * assertEquals(pacer.offer("joined", 2000), true);
 * ```
 */
export class PresencePacer {
  readonly #limit: number;
  readonly #windowMs: number;
  /** When the last lines were sent, oldest first, at most `#limit` of them. */
  #sentAt: number[] = [];
  #counts: PresenceCounts | undefined;

  /**
   * Creates a pacer.
   *
   * @param options See {@linkcode PresencePacerOptions}.
   */
  constructor(options: PresencePacerOptions = {}) {
    this.#limit = options.linesPerWindow ?? 10;
    this.#windowMs = options.windowMs ?? 1000;
  }

  /** The time between two summaries, in milliseconds. */
  get windowMs(): number {
    return this.#windowMs;
  }

  /** Whether changes are being counted for a summary rather than sent. */
  get summarising(): boolean {
    return this.#counts !== undefined;
  }

  /**
   * Offers a change.
   *
   * @param change What happened.
   * @param now The time, in milliseconds.
   * @returns `true` when it goes out on its own line now; `false` when it is
   * counted (the caller then runs {@linkcode PresencePacer.tick} every window
   * while {@linkcode PresencePacer.summarising}).
   */
  offer(change: PresenceChange, now: number): boolean {
    if (!this.#counts) {
      const full = this.#sentAt.length >= this.#limit;
      if (!full || now - this.#sentAt[0]! >= this.#windowMs) {
        if (full) this.#sentAt.shift();
        this.#sentAt.push(now);
        return true;
      }
      this.#counts = { joined: 0, left: 0, resumed: 0 };
    }
    this.#counts[change]++;
    return false;
  }

  /**
   * Ends a window while summarising.
   *
   * @returns The changes counted since the last summary (none: `undefined`).
   * When they were no more than the window allows, this is the last summary
   * and the next change is sent on its own line.
   */
  tick(): PresenceCounts | undefined {
    const counts = this.#counts;
    if (!counts) return undefined;
    const total = counts.joined + counts.left + counts.resumed;
    if (total <= this.#limit) {
      this.#counts = undefined;
      // The window that starts now is a fresh one.
      this.#sentAt = [];
    } else {
      this.#counts = { joined: 0, left: 0, resumed: 0 };
    }
    return total === 0 ? undefined : counts;
  }
}
