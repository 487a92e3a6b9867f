/**
 * Who may use the hub's web pages: the access token printed at start (unless
 * the board is public) and, for WebSockets, the page's own origin only.
 * Pure, apart from drawing the token.
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";

const encoder = new TextEncoder();

/**
 * Draws a new access token: 128 random bits, URL-safe base64.
 *
 * @returns The token.
 */
export function createAccessToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/u, "");
}

/**
 * Checks the `token` parameter of a request's URL, in constant time.
 *
 * @param url The request's URL.
 * @param token The access token, or `undefined` for a public board.
 * @returns Whether the request may go on.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * assert(hasAccess(new URL("http://h/?token=abc"), "abc"));
 * assert(!hasAccess(new URL("http://h/?token=abd"), "abc"));
 * assert(hasAccess(new URL("http://h/"), undefined));
 * ```
 */
export function hasAccess(url: URL, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = encoder.encode(url.searchParams.get("token") ?? "");
  const expected = encoder.encode(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Whether a WebSocket request comes from one of our own pages: a browser
 * always sends `Origin`, and it must name the host the request was sent to,
 * so that a page elsewhere cannot open a socket with a visitor's browser. A
 * request without `Origin` is not from a browser page (a program that holds
 * the token) and is let through.
 *
 * @param headers The request's headers.
 * @returns Whether the origin is acceptable.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * assert(isSameOrigin(new Headers({ host: "10.0.0.2:8080", origin: "http://10.0.0.2:8080" })));
 * assert(!isSameOrigin(new Headers({ host: "10.0.0.2:8080", origin: "http://evil.example" })));
 * ```
 */
export function isSameOrigin(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin === null) return true;
  const host = headers.get("host");
  if (host === null) return false;
  try {
    const parsed = new URL(origin);
    // Through URL, so that "host:80" and "host" compare equal for http.
    return (parsed.protocol === "http:" || parsed.protocol === "https:") &&
      new URL(`${parsed.protocol}//${host}`).host === parsed.host;
  } catch {
    return false;
  }
}
