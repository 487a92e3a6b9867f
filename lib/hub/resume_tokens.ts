/**
 * Resume tokens: a secret each admitted node gets, so that after a dropped
 * connection (or a restart of the hub) it comes back as itself. Only the
 * token's hash is recorded, so the journal gives nobody a way in.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Makes a new token: 128 random bits, base64url.
 *
 * @returns The token, 22 characters.
 */
export function createResumeToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/u,
    "",
  );
}

/**
 * Hashes a token for the record.
 *
 * @param token The token.
 * @returns SHA-256 of it, hex.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(hashResumeToken("abc").length, 64);
 * ```
 */
export function hashResumeToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
