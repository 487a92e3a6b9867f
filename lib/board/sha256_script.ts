/**
 * SHA-256, HMAC and PBKDF2 in plain browser JavaScript, for the phone page
 * when WebCrypto's `crypto.subtle` is missing: browsers offer it only in a
 * secure context (https, or the hub's own machine), and a phone on the LAN
 * opens the page over plain http. The proof is the same either way, so the
 * answer still never leaves the phone.
 *
 * @module
 */

/** Defines `sha256(bytes)`, `hmacSha256(key, message)` and `pbkdf2Sha256(password, salt, iterations)` (32 bytes). */
export const SHA256_SCRIPT = `
var SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);
var SHA256_IV = new Uint32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
]);
var sha256Words = new Uint32Array(64);

function sha256Compress(state, bytes, offset) {
  var w = sha256Words;
  var i;
  for (i = 0; i < 16; i++) {
    var at = offset + i * 4;
    w[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
  }
  for (i = 16; i < 64; i++) {
    var x = w[i - 15], y = w[i - 2];
    var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  var a = state[0], b = state[1], c = state[2], d = state[3];
  var e = state[4], f = state[5], g = state[6], h = state[7];
  for (i = 0; i < 64; i++) {
    var t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
      ((e & f) ^ (~e & g)) + SHA256_K[i] + w[i]) | 0;
    var t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
      ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  state[0] += a; state[1] += b; state[2] += c; state[3] += d;
  state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

// Hashes bytes that follow prefixBytes already folded into state (HMAC's padded key).
function sha256From(start, prefixBytes, bytes) {
  var state = new Uint32Array(start);
  var total = prefixBytes + bytes.length;
  var padded = new Uint8Array(((bytes.length + 8) >> 6) * 64 + 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  var bits = total * 8;
  var end = padded.length;
  padded[end - 5] = Math.floor(bits / 0x100000000) & 0xff;
  padded[end - 4] = (bits >>> 24) & 0xff;
  padded[end - 3] = (bits >>> 16) & 0xff;
  padded[end - 2] = (bits >>> 8) & 0xff;
  padded[end - 1] = bits & 0xff;
  for (var offset = 0; offset < padded.length; offset += 64) sha256Compress(state, padded, offset);
  var out = new Uint8Array(32);
  for (var i = 0; i < 8; i++) {
    out[i * 4] = state[i] >>> 24; out[i * 4 + 1] = state[i] >>> 16;
    out[i * 4 + 2] = state[i] >>> 8; out[i * 4 + 3] = state[i];
  }
  return out;
}

function sha256(bytes) { return sha256From(SHA256_IV, 0, bytes); }

// The states after the inner and outer padded keys, computed once per key.
function hmacSha256States(key) {
  if (key.length > 64) key = sha256(key);
  var inner = new Uint8Array(64), outer = new Uint8Array(64);
  for (var i = 0; i < 64; i++) {
    inner[i] = (key[i] || 0) ^ 0x36;
    outer[i] = (key[i] || 0) ^ 0x5c;
  }
  var innerState = new Uint32Array(SHA256_IV), outerState = new Uint32Array(SHA256_IV);
  sha256Compress(innerState, inner, 0);
  sha256Compress(outerState, outer, 0);
  return { inner: innerState, outer: outerState };
}

function hmacWithStates(states, message) {
  return sha256From(states.outer, 64, sha256From(states.inner, 64, message));
}

function hmacSha256(key, message) { return hmacWithStates(hmacSha256States(key), message); }

function pbkdf2Sha256(password, salt, iterations) {
  var states = hmacSha256States(password);
  var first = new Uint8Array(salt.length + 4);
  first.set(salt);
  first[salt.length + 3] = 1;
  var u = hmacWithStates(states, first);
  var result = new Uint8Array(u);
  for (var round = 1; round < iterations; round++) {
    u = hmacWithStates(states, u);
    for (var i = 0; i < 32; i++) result[i] ^= u[i];
  }
  return result;
}
`;
