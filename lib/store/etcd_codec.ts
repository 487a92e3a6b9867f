/**
 * Pure conversions for etcd's v3 JSON gateway: keys and values travel as
 * standard base64 of their bytes, 64-bit integers as decimal strings (and are
 * left out when zero).
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
/** Bytes per `String.fromCharCode` call: spreading a large array would overflow the stack. */
const CHUNK = 0x8000;

/**
 * Encodes bytes as standard base64.
 *
 * @param bytes The bytes.
 * @returns Their base64 text.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/**
 * Decodes standard base64.
 *
 * @param text Base64 text.
 * @returns The bytes.
 */
export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/**
 * Encodes text (a key or a value) for the gateway.
 *
 * @example
 * ```ts
 * import { encodeText } from "./etcd_codec.ts";
 * console.assert(encodeText("a/b") === "YS9i");
 * ```
 *
 * @param text The text.
 * @returns Base64 of its UTF-8 bytes.
 */
export function encodeText(text: string): string {
  return bytesToBase64(encoder.encode(text));
}

/**
 * Decodes a key or value from the gateway; absent means empty.
 *
 * @param base64 What the gateway sent.
 * @returns The text.
 * @throws {TypeError} When the bytes are not UTF-8 (nothing we write).
 */
export function decodeText(base64: string | undefined): string {
  return base64 === undefined ? "" : decoder.decode(base64ToBytes(base64));
}

/**
 * The range end that covers every key starting with `prefix` (etcd's
 * convention: the prefix with its last byte below 0xff incremented).
 *
 * @example
 * ```ts
 * import { prefixRangeEnd } from "./etcd_codec.ts";
 * console.assert(prefixRangeEnd("a/") === "YTA="); // "a0"
 * ```
 *
 * @param prefix The prefix.
 * @returns The range end, base64; `AA==` (every key from `prefix` on) when it has no end.
 */
export function prefixRangeEnd(prefix: string): string {
  const bytes = encoder.encode(prefix);
  for (let index = bytes.length - 1; index >= 0; index--) {
    if (bytes[index]! < 0xff) {
      const end = bytes.slice(0, index + 1);
      end[index]! += 1;
      return bytesToBase64(end);
    }
  }
  return "AA==";
}

/**
 * Reads a 64-bit integer field that must fit a JavaScript number
 * (revisions, versions, counts, TTLs); absent means zero.
 *
 * @example
 * ```ts
 * import { int64ToNumber } from "./etcd_codec.ts";
 * console.assert(int64ToNumber("42") === 42 && int64ToNumber(undefined) === 0);
 * ```
 *
 * @param field What the gateway sent.
 * @returns The number.
 * @throws {RangeError} When it is not a safe integer.
 */
export function int64ToNumber(field: string | number | undefined): number {
  if (field === undefined) return 0;
  const value = Number(field);
  if (!Number.isSafeInteger(value)) throw new RangeError(`Cannot read etcd integer "${field}"`);
  return value;
}

/**
 * Reads a 64-bit identifier (a lease ID), which may exceed 2^53.
 *
 * @param field What the gateway sent.
 * @returns The identifier; 0n when absent.
 */
export function int64ToBigInt(field: string | number | undefined): bigint {
  return field === undefined ? 0n : BigInt(field);
}
