/**
 * The gate: a question only members can answer, asked before anything else.
 *
 * @module
 */

/** What the gate asks and what it accepts. */
export interface GateOptions {
  /** The question, e.g. the report's riddle. */
  question: string;
  /** The answer; compared after trimming and case folding. */
  answer: string;
}

/** Question asked when the operator gives only a join code. */
export const JOIN_CODE_QUESTION = "What is the join code?";

/**
 * Checks answers to the gate question.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * const gate = new Gate({ question: "What has keys but can't open locks?", answer: "keyboard" });
 * assert(gate.accepts("  KeyBoard "));
 * assert(!gate.accepts("piano"));
 * ```
 */
export class Gate {
  /** The question nodes are asked. */
  readonly question: string;
  readonly #answer: string;

  /** Creates a gate; see {@linkcode GateOptions}. */
  constructor(options: GateOptions) {
    if (normalize(options.answer) === "") {
      throw new RangeError("Cannot create gate: the answer is empty");
    }
    this.question = options.question;
    this.#answer = normalize(options.answer);
  }

  /**
   * Says whether an answer opens the gate.
   *
   * @param answer What the node sent.
   * @returns Whether it matches, ignoring case and surrounding spaces.
   */
  accepts(answer: string): boolean {
    return normalize(answer) === this.#answer;
  }
}

/**
 * Makes a random join code such as `k7mq-3xpd`, for a hub started without a
 * riddle, so that a hub is never open by default. The alphabet leaves out
 * characters that read alike (0/o, 1/l/i).
 *
 * @returns A code of 8 characters in two groups.
 */
export function createJoinCode(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const characters = [...bytes].map((byte) => alphabet[byte % alphabet.length]);
  return `${characters.slice(0, 4).join("")}-${characters.slice(4).join("")}`;
}

function normalize(answer: string): string {
  return answer.normalize("NFKC").trim().toLowerCase();
}
