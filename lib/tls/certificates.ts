/**
 * Certificates for TLS on a LAN: a small private CA and one hub certificate it
 * signs, made in one step with WebCrypto.
 *
 * Why a CA and not one self-signed certificate: rustls (behind `Deno.connectTls`
 * and `Deno.listenTls`) refuses a certificate that is both the trust anchor and
 * the end entity (`CaUsedAsEndEntity`), so the hub presents a leaf
 * (`CA:FALSE`) and nodes trust the CA that signed it.
 *
 * @module
 */

import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  type JsonGeneralName,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from "./x509.ts";

/** Options for {@linkcode createLanCertificates}. */
export interface LanCertificateOptions {
  /**
   * Names and addresses nodes use to reach the hub (`hub.lan`,
   * `192.168.1.20`, `fe80::1`), besides the loopback names that are always
   * included. Each becomes a DNS or IP subjectAltName, decided by parsing it.
   * @default {[]}
   */
  hosts?: readonly string[];
  /**
   * How long the certificates are valid, in days: 1 to 3650.
   * @default {825}
   */
  days?: number;
  /**
   * The moment the validity is counted from; for tests.
   * @default {new Date()}
   */
  now?: Date;
}

/** What {@linkcode createLanCertificates} made, as PEM text. */
export interface LanCertificates {
  /** The private CA's certificate: give it to every node (`--tls-ca`). Not secret. */
  caCertificate: string;
  /** The hub's certificate, signed by the CA (`--tls-cert`). */
  hubCertificate: string;
  /** The hub's private key, PKCS#8 (`--tls-key`). Secret. */
  hubKey: string;
  /** The hub certificate's subjectAltNames, e.g. `["DNS:localhost", "IP:127.0.0.1"]`. */
  names: string[];
  /** End of the validity of both certificates. */
  notAfter: Date;
}

/** Default validity: 825 days, the longest Apple platforms accept for any TLS server certificate. */
export const DEFAULT_DAYS = 825;

/** Longest validity accepted, 10 years. */
export const MAX_DAYS = 3650;

/** Names always in the hub certificate, so a hub can be reached on this machine. */
const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

// Clocks on a LAN drift: a node whose clock is a little behind the machine
// that made the certificates must not see them as "not yet valid".
const CLOCK_SKEW_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;

/**
 * Makes a private CA and a hub certificate signed by it, for TLS on a LAN.
 *
 * Keys are ECDSA P-256. The hub certificate names `localhost`, `127.0.0.1`,
 * `::1` and every given host; it is `CA:FALSE` and for `serverAuth` only.
 *
 * The CA's private key is never returned: it is created non-extractable and
 * dropped when this function returns, so the CA can sign nothing besides this
 * one hub certificate. A stolen `ca.pem` (public anyway) or a copy of this
 * directory lets nobody mint certificates that the nodes would trust. For a
 * new hub certificate, make a new pair and hand out the new CA.
 *
 * @param options See {@linkcode LanCertificateOptions}.
 * @returns The CA certificate, hub certificate and hub key as PEM, with the names and expiry.
 * @throws {TypeError} When a host is empty, has spaces or is neither a DNS name nor an IP address,
 * or `days` is not a number.
 * @throws {RangeError} When `days` is not a whole number from 1 to 3650.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * const made = await createLanCertificates({ hosts: ["hub.lan", "192.168.1.20"], days: 30 });
 * assert(made.caCertificate.startsWith("-----BEGIN CERTIFICATE-----"));
 * assert(made.hubKey.startsWith("-----BEGIN PRIVATE KEY-----"));
 * assert(made.names.includes("DNS:hub.lan") && made.names.includes("IP:192.168.1.20"));
 * ```
 */
export async function createLanCertificates(
  options: LanCertificateOptions = {},
): Promise<LanCertificates> {
  // Everything is checked before any key is made, so a mistake costs nothing.
  const days = _checkDays(options.days ?? DEFAULT_DAYS);
  const names = subjectAltNames(options.hosts ?? []);
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const notAfter = new Date(now.getTime() + days * DAY_MS);

  const caKeys = await crypto.subtle.generateKey(ECDSA_P256, false, ["sign", "verify"]);
  const hubKeys = await crypto.subtle.generateKey(ECDSA_P256, true, ["sign", "verify"]);
  // A random id tells apart the CAs of several runs, e.g. in a trust store.
  const caName = `CN=consensus private CA ${_randomHex(4)}`;

  const ca = await X509CertificateGenerator.createSelfSigned({
    serialNumber: _randomSerial(),
    name: caName,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    keys: caKeys,
    extensions: [
      // pathLength 0: even with its key, this CA could not make another CA.
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const hub = await X509CertificateGenerator.create({
    serialNumber: _randomSerial(),
    subject: "CN=consensus hub",
    issuer: ca.subject,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: hubKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      // rustls checks these: a leaf must not be a CA, and must name the host.
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension(names),
      await SubjectKeyIdentifierExtension.create(hubKeys.publicKey),
      // Lets other TLS stacks (OpenSSL, browsers) find the issuer by key id.
      await AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pkcs8 = await crypto.subtle.exportKey("pkcs8", hubKeys.privateKey);
  return {
    caCertificate: `${ca.toString("pem")}\n`,
    hubCertificate: `${hub.toString("pem")}\n`,
    hubKey: `${PemConverter.encode(pkcs8, "PRIVATE KEY")}\n`,
    names: names.map(({ type, value }) => `${type === "dns" ? "DNS" : "IP"}:${value}`),
    notAfter,
  };
}

/**
 * The subjectAltNames of a hub certificate: the loopback names, then each
 * given host as a DNS name or an IP address, without duplicates.
 *
 * @param hosts Host names and addresses, as typed.
 * @returns Names for `SubjectAlternativeNameExtension`, in order.
 * @throws {TypeError} When a host is empty, has spaces or is neither a DNS name nor an IP address.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(subjectAltNames(["Hub.LAN", "10.0.0.2", "0:0::1"]), [
 *   { type: "dns", value: "localhost" },
 *   { type: "ip", value: "127.0.0.1" },
 *   { type: "ip", value: "::1" },
 *   { type: "dns", value: "hub.lan" },
 *   { type: "ip", value: "10.0.0.2" },
 * ]);
 * ```
 */
export function subjectAltNames(hosts: readonly string[]): JsonGeneralName[] {
  if (!Array.isArray(hosts)) {
    throw new TypeError("Cannot create certificates: hosts must be an array of strings");
  }
  const names: JsonGeneralName[] = [];
  const seen = new Set<string>();
  for (const host of [...LOOPBACK_HOSTS, ...hosts]) {
    const name = _classifyHost(host);
    const key = `${name.type}:${name.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    names.push(name);
  }
  return names;
}

const IPV4_OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`, "u");
// Labels of letters, digits and inner hyphens (RFC 1123), at most 63 bytes each.
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/u;

function _classifyHost(host: unknown): JsonGeneralName {
  if (typeof host !== "string" || host.length === 0) {
    throw new TypeError("Cannot create certificates: a host must be a non-empty string");
  }
  if (/\s/u.test(host)) {
    throw new TypeError(`Cannot create certificates: host "${host}" contains spaces`);
  }
  if (IPV4.test(host)) return { type: "ip", value: host };
  if (host.includes(":")) {
    // The URL parser knows IPv6 and gives its canonical form, so that
    // "0:0::1" and "::1" count as one address.
    const bare = host.replace(/^\[(.*)\]$/u, "$1");
    try {
      const canonical = new URL(`http://[${bare}]/`).hostname;
      return { type: "ip", value: canonical.slice(1, -1) };
    } catch {
      throw new TypeError(
        `Cannot create certificates: host "${host}" is not an IP address (give a name or address without a port)`,
      );
    }
  }
  // Trailing dots and case do not change a DNS name; certificates use the plain form.
  const name = host.toLowerCase().replace(/\.$/u, "");
  if (/^[\d.]+$/u.test(name) || !DNS_NAME.test(name)) {
    throw new TypeError(
      `Cannot create certificates: host "${host}" is neither a DNS name nor an IP address`,
    );
  }
  return { type: "dns", value: name };
}

function _checkDays(days: unknown): number {
  if (typeof days !== "number") {
    throw new TypeError("Cannot create certificates: days must be a number");
  }
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new RangeError(
      `Cannot create certificates: days must be a whole number from 1 to ${MAX_DAYS}, got ${days}`,
    );
  }
  return days;
}

function _hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function _randomHex(length: number): string {
  return _hex(crypto.getRandomValues(new Uint8Array(length)));
}

// RFC 5280: a serial is positive and at most 20 bytes. 16 random bytes with
// the top bit cleared (a set bit would read as negative in DER) and the lowest
// bit of the first byte set (so no leading zero byte) keep 126 random bits.
function _randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return _hex(bytes);
}
