/**
 * The phone page's own SHA-256, HMAC and PBKDF2 (for browsers without
 * WebCrypto over plain http) give the same bytes as WebCrypto, so a proof
 * made with them passes the hub's check.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { SHA256_SCRIPT } from "../../lib/board/sha256_script.ts";

type Bytes = Uint8Array<ArrayBuffer>;
const script = new Function(
  `${SHA256_SCRIPT}; return { sha256: sha256, hmacSha256: hmacSha256, pbkdf2Sha256: pbkdf2Sha256 };`,
)() as {
  sha256(bytes: Bytes): Uint8Array;
  hmacSha256(key: Bytes, message: Bytes): Uint8Array;
  pbkdf2Sha256(password: Bytes, salt: Bytes, iterations: number): Uint8Array;
};

const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));

Deno.test("the page's SHA-256 matches WebCrypto for every length around the block size", async () => {
  for (const length of [0, 1, 31, 55, 56, 63, 64, 65, 119, 120, 200, 1000]) {
    const bytes = random(length);
    const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assertEquals(script.sha256(bytes), expected, `length ${length}`);
  }
});

Deno.test("the page's HMAC matches WebCrypto, short and long keys", async () => {
  for (const keyLength of [1, 32, 64, 65, 100]) {
    const key = random(keyLength);
    const message = random(77);
    const imported = await crypto.subtle.importKey(
      "raw",
      key,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const expected = new Uint8Array(await crypto.subtle.sign("HMAC", imported, message));
    assertEquals(script.hmacSha256(key, message), expected, `key of ${keyLength} bytes`);
  }
});

Deno.test("the page's PBKDF2 matches WebCrypto at the hub's iteration count", async () => {
  const password = new TextEncoder().encode("keyboard");
  const salt = random(16);
  const material = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  for (const iterations of [1, 2, 100_000]) {
    const expected = new Uint8Array(
      await crypto.subtle.deriveBits(
        { name: "PBKDF2", hash: "SHA-256", salt, iterations },
        material,
        256,
      ),
    );
    assertEquals(script.pbkdf2Sha256(password, salt, iterations), expected, `${iterations}`);
  }
});
