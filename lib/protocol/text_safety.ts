/**
 * Keeps what one node sends from reaching another node's terminal raw.
 *
 * The hub refuses names and node info that contain such characters (see
 * {@linkcode findUnsafeCharacter}), and every front end escapes text from the
 * hub before printing it (see {@linkcode escapeForTerminal}), so that a hub of
 * another team cannot disturb our terminal either.
 *
 * @module
 */

// C0 controls (tab included), DEL, C1 controls, and the Unicode bidirectional
// controls that can make text display in another order than it is stored
// (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069), plus line and
// paragraph separators that some terminals treat as line ends.
// Built from a string: a literal would trip the linter's control-character rule, which is
// exactly what this pattern is for.
/** The unsafe characters as a regular-expression class (the web pages show them escaped too). */
export const UNSAFE_CLASS =
  "[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]";
const UNSAFE = new RegExp(UNSAFE_CLASS, "u");
const UNSAFE_GLOBAL = new RegExp(UNSAFE_CLASS, "gu");

/**
 * Finds the first character that must not reach a terminal raw.
 *
 * @param text Text received from a peer.
 * @returns The character's code point written as `U+001B`, or `undefined`
 * when the text is safe.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(findUnsafeCharacter("bob\x1b[2J"), "U+001B");
 * assertEquals(findUnsafeCharacter("bob"), undefined);
 * ```
 */
export function findUnsafeCharacter(text: string): string | undefined {
  const match = UNSAFE.exec(text);
  if (!match) return undefined;
  return codePointName(match[0]);
}

/**
 * Replaces every unsafe character with a visible escape such as `\x1b` or
 * `\u202e`, so the text can be printed to a terminal as it is.
 *
 * @param text Text that came from the network.
 * @returns The same text with unsafe characters escaped.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(escapeForTerminal("a\x07b"), "a\\x07b");
 * ```
 */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE_GLOBAL, (character) => {
    const code = character.codePointAt(0)!;
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

function codePointName(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
