/**
 * The gate without the secret on the wire: both sides derive a key from the
 * answer (PBKDF2 with the hub's salt), then each proves it holds the key with
 * an HMAC over two fresh nonces, one from each side. A recorded exchange is
 * useless on another connection, since the hub's nonce differs each time; and
 * the node checks the hub's proof, so a hub that does not know the answer is
 * found out.
 *
 * @module
 */

/** What the hub sends so a node can prove it knows the answer. */
export interface GateChallenge {
  /** Key derivation, always `pbkdf2-sha256` in protocol 1. */
  kdf: "pbkdf2-sha256";
  /** The hub's salt, base64 (the same for every connection of one hub run). */
  salt: string;
  /** PBKDF2 iterations. */
  iterations: number;
  /** A fresh random value for this connection, base64; used once. */
  nonce: string;
}

const encoder = new TextEncoder();

/**
 * Puts an answer in the form both sides compare: Unicode-normalised,
 * trimmed, case-folded.
 *
 * @param answer As typed.
 * @returns The canonical form.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(normalizeAnswer("  KeyBoard "), "keyboard");
 * ```
 */
export function normalizeAnswer(answer: string): string {
  return answer.normalize("NFKC").trim().toLowerCase();
}

/**
 * Makes random bytes, base64.
 *
 * @param length How many bytes.
 * @returns Base64 text.
 */
export function randomBase64(length = 16): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(length)));
}

/**
 * Derives the gate key from an answer.
 *
 * @param answer The answer as typed (normalised here).
 * @param salt The hub's salt, base64.
 * @param iterations PBKDF2 iterations.
 * @returns An HMAC-SHA-256 key.
 */
export async function deriveGateKey(
  answer: string,
  salt: string,
  iterations: number,
): Promise<CryptoKey> {
  const password = await crypto.subtle.importKey(
    "raw",
    encoder.encode(normalizeAnswer(answer)),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: fromBase64(salt), iterations },
    password,
    256,
  );
  return await crypto.subtle.importKey("raw", bits, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/**
 * Computes a proof: the node's (`node`) or the hub's (`hub`). The role is
 * part of what is signed, so one side's proof never passes as the other's.
 *
 * @param key From {@linkcode deriveGateKey}.
 * @param role Who proves.
 * @param hubNonce The hub's nonce for this connection.
 * @param nodeNonce The node's nonce.
 * @returns The proof, base64.
 */
export async function computeProof(
  key: CryptoKey,
  role: "node" | "hub",
  hubNonce: string,
  nodeNonce: string,
): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", key, proofMessage(role, hubNonce, nodeNonce));
  return toBase64(new Uint8Array(signature));
}

/**
 * Checks a proof in constant time.
 *
 * @param key From {@linkcode deriveGateKey}.
 * @param role Who claims to prove.
 * @param hubNonce The hub's nonce for this connection.
 * @param nodeNonce The node's nonce.
 * @param proof The proof received, base64.
 * @returns Whether it is right.
 */
export async function verifyProof(
  key: CryptoKey,
  role: "node" | "hub",
  hubNonce: string,
  nodeNonce: string,
  proof: string,
): Promise<boolean> {
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = fromBase64(proof);
  } catch {
    return false;
  }
  return await crypto.subtle.verify(
    "HMAC",
    key,
    signature,
    proofMessage(role, hubNonce, nodeNonce),
  );
}

/**
 * Formats a challenge as the text line the hub sends before its question.
 *
 * @param challenge The challenge.
 * @returns For example `# challenge pbkdf2-sha256 SALT 100000 NONCE`.
 */
export function formatChallengeLine(challenge: GateChallenge): string {
  return `# challenge ${challenge.kdf} ${challenge.salt} ${challenge.iterations} ${challenge.nonce}`;
}

/**
 * Reads a challenge line.
 *
 * @param line A line from the hub.
 * @returns The challenge, or `undefined` when the line is not one.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseChallengeLine("# challenge pbkdf2-sha256 c2FsdA== 1000 bm9uY2U="), {
 *   kdf: "pbkdf2-sha256",
 *   salt: "c2FsdA==",
 *   iterations: 1000,
 *   nonce: "bm9uY2U=",
 * });
 * ```
 */
export function parseChallengeLine(line: string): GateChallenge | undefined {
  const match = /^# challenge pbkdf2-sha256 ([A-Za-z0-9+/=]+) (\d{1,9}) ([A-Za-z0-9+/=]+)$/u.exec(
    line,
  );
  if (!match) return undefined;
  return { kdf: "pbkdf2-sha256", salt: match[1]!, iterations: Number(match[2]), nonce: match[3]! };
}

function proofMessage(
  role: "node" | "hub",
  hubNonce: string,
  nodeNonce: string,
): Uint8Array<ArrayBuffer> {
  return encoder.encode(`consensus/1 gate ${role}\n${hubNonce}\n${nodeNonce}`);
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
