/**
 * The gate: a question only members can answer, asked before anything else.
 *
 * @module
 */

import type { AnswerCheck } from "./meeting_terms.ts";
import {
  computeProof,
  deriveGateKey,
  type GateChallenge,
  normalizeAnswer,
  randomBase64,
  verifyProof,
} from "../protocol/gate_proof.ts";

/** What the gate asks and what it accepts. */
export interface GateOptions {
  /** The question, e.g. the report's riddle. */
  question: string;
  /** The answer; compared after trimming and case folding. */
  answer: string;
  /**
   * PBKDF2 iterations of the key both sides derive from the answer: what an
   * offline guess of a recorded exchange costs.
   * @default {100000}
   */
  iterations?: number;
}

/** Question asked when the operator gives only a join code. */
export const JOIN_CODE_QUESTION = "What is the join code?";

/**
 * Checks answers to the gate question: a plain answer, or a proof that the
 * node knows it (see `gate_proof.ts`).
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
  readonly #salt = randomBase64();
  readonly #iterations: number;
  #key: Promise<CryptoKey> | undefined;
  readonly #rawAnswer: string;

  /** Creates a gate; see {@linkcode GateOptions}. */
  constructor(options: GateOptions) {
    if (normalizeAnswer(options.answer) === "") {
      throw new RangeError("Cannot create gate: the answer is empty");
    }
    this.question = options.question;
    this.#answer = normalizeAnswer(options.answer);
    this.#rawAnswer = options.answer;
    this.#iterations = options.iterations ?? 100_000;
  }

  /**
   * Says whether a plain answer opens the gate.
   *
   * @param answer What the node sent.
   * @returns Whether it matches, ignoring case and surrounding spaces.
   */
  accepts(answer: string): boolean {
    return normalizeAnswer(answer) === this.#answer;
  }

  /**
   * A fresh challenge for one connection.
   *
   * @returns Salt, iterations and a new nonce.
   */
  challenge(): GateChallenge {
    return {
      kdf: "pbkdf2-sha256",
      salt: this.#salt,
      iterations: this.#iterations,
      nonce: randomBase64(),
    };
  }

  /**
   * Checks a node's proof against the challenge this connection was given,
   * and returns the hub's own proof when it holds.
   *
   * @param challenge The challenge sent on this connection.
   * @param nodeNonce The node's nonce.
   * @param proof The node's proof.
   * @returns The hub's proof, or `undefined` when the node's proof is wrong.
   */
  async answerProof(
    challenge: GateChallenge,
    nodeNonce: string,
    proof: string,
  ): Promise<string | undefined> {
    const key = await this.#gateKey();
    if (!await verifyProof(key, "node", challenge.nonce, nodeNonce, proof)) return undefined;
    return await computeProof(key, "hub", challenge.nonce, nodeNonce);
  }

  #gateKey(): Promise<CryptoKey> {
    // Derived once per hub run, on first use: PBKDF2 is slow on purpose.
    this.#key ??= deriveGateKey(this.#rawAnswer, this.#salt, this.#iterations);
    return this.#key;
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

/**
 * Makes a check of a gate answer that can be stored beside a meeting without
 * revealing the answer: an HMAC under a key derived from it, as slow to guess
 * offline as a recorded gate exchange.
 *
 * @param answer The answer (normalised as the gate does).
 * @param salt A fresh salt by default; the stored one to check an answer.
 * @param iterations PBKDF2 iterations.
 * @returns The check.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * const check = await answerCheck("Keyboard", undefined, 1000);
 * assert(await answerMatches(" keyboard ", check));
 * assert(!await answerMatches("piano", check));
 * ```
 */
export async function answerCheck(
  answer: string,
  salt: string = randomBase64(),
  iterations = 100_000,
): Promise<AnswerCheck> {
  const key = await deriveGateKey(answer, salt, iterations);
  return { salt, iterations, proof: await computeProof(key, "hub", "meeting-terms", salt) };
}

/**
 * Says whether an answer is the one a stored check was made from.
 *
 * @param answer The answer given now.
 * @param check The stored check.
 * @returns Whether they match.
 */
export async function answerMatches(answer: string, check: AnswerCheck): Promise<boolean> {
  const again = await answerCheck(answer, check.salt, check.iterations);
  return again.proof === check.proof;
}
