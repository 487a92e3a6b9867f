/**
 * Checks on the text a node gives about itself (name, node info), shared by
 * both dialects so that they accept exactly the same things.
 *
 * @module
 */

import type { NodeInfo } from "../election/events.ts";
import { type ErrorReply, type InfoField, refuse } from "./messages.ts";
import { escapeForTerminal, findUnsafeCharacter } from "./text_safety.ts";

/** Longest name, in characters. */
export const MAX_NAME_LENGTH = 32;
/** Longest word of node info, in characters. */
export const MAX_WORD_LENGTH = 64;
/** Most words in one list of node info. */
export const MAX_WORDS = 32;

/**
 * Checks a node name: 1 to 32 characters, no spaces, nothing unsafe for a terminal.
 *
 * @param name The proposed name.
 * @returns The name, or why it is refused.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(validateName("alice"), "alice");
 * assertEquals(typeof validateName("a b"), "object");
 * ```
 */
export function validateName(name: string): string | ErrorReply {
  const trimmed = name.trim();
  if (trimmed === "") return refuse("invalid-text", "Cannot set name: it is empty");
  const unsafe = findUnsafeCharacter(trimmed);
  if (unsafe) {
    return refuse("invalid-text", `Cannot set name: it contains the control character ${unsafe}`);
  }
  if (/\s/u.test(trimmed)) return refuse("invalid-text", "Cannot set name: it contains a space");
  if ([...trimmed].length > MAX_NAME_LENGTH) {
    return refuse("invalid-text", `Cannot set name: longer than ${MAX_NAME_LENGTH} characters`);
  }
  return trimmed;
}

/**
 * Splits one text answer into words: commas and spaces both separate.
 *
 * @param text For example `print, scan` or `print scan`.
 * @returns The words, empty ones dropped.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(splitWords(" print, scan  fax "), ["print", "scan", "fax"]);
 * ```
 */
export function splitWords(text: string): string[] {
  return text.split(/[\s,]+/u).filter((word) => word !== "");
}

/**
 * Checks one list of node info.
 *
 * @param field Which list, for the message.
 * @param words The words.
 * @returns The words, or why they are refused.
 */
export function validateWords(field: InfoField, words: readonly unknown[]): string[] | ErrorReply {
  if (words.length > MAX_WORDS) {
    return refuse("invalid-text", `Cannot set ${field}: more than ${MAX_WORDS} words`);
  }
  const checked: string[] = [];
  for (const word of words) {
    if (typeof word !== "string") {
      return refuse("bad-request", `Cannot set ${field}: every word must be a string`);
    }
    const unsafe = findUnsafeCharacter(word);
    if (unsafe) {
      return refuse(
        "invalid-text",
        `Cannot set ${field}: "${
          escapeForTerminal(word)
        }" contains the control character ${unsafe}`,
      );
    }
    if (word === "" || word === "-" || /[\s,]/u.test(word)) {
      return refuse(
        "invalid-text",
        `Cannot set ${field}: words must be non-empty, not "-", without spaces or commas`,
      );
    }
    if ([...word].length > MAX_WORD_LENGTH) {
      return refuse(
        "invalid-text",
        `Cannot set ${field}: a word is longer than ${MAX_WORD_LENGTH} characters`,
      );
    }
    checked.push(word);
  }
  return checked;
}

/**
 * Checks all three lists of node info; missing lists are empty.
 *
 * @param info Lists by field, as decoded from either dialect.
 * @returns The node info, or the first refusal.
 */
export function validateInfo(
  info: Partial<Record<InfoField, readonly unknown[]>>,
): NodeInfo | ErrorReply {
  const result: NodeInfo = { services: [], capabilities: [], constraints: [] };
  for (const field of ["services", "capabilities", "constraints"] as const) {
    const words = validateWords(field, info[field] ?? []);
    if (!Array.isArray(words)) return words;
    result[field] = words;
  }
  return result;
}
