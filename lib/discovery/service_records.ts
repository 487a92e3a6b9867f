/**
 * DNS-SD records of a hub (RFC 6763 over multicast DNS, RFC 6762), pure:
 * what a hub announces and answers, in the record shapes of `dns-packet`
 * (the encoder under `npm:multicast-dns`). No sockets here.
 *
 * A hub is one service instance of type `_consensus._tcp`:
 * - PTR `_consensus._tcp.local` → `INSTANCE._consensus._tcp.local`
 * - SRV `INSTANCE._consensus._tcp.local` → its port and a target host name
 *   unique to the hub (`LABEL-ID.local`), so two hubs on one machine never
 *   share a target
 * - A `LABEL-ID.local` → each IPv4 address it can be joined at
 * - TXT `INSTANCE._consensus._tcp.local` → `v`, `id`, `tls`, `q`, and
 *   `tls-port` and `cluster` when they apply (see PROTOCOL.md)
 *
 * @module
 */

import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import { findUnsafeCharacter } from "../protocol/text_safety.ts";

/** The DNS-SD service type of a hub. */
export const SERVICE_TYPE = "_consensus._tcp.local";

/** The DNS-SD meta-query name that lists the service types on a link. */
export const SERVICE_TYPES_NAME = "_services._dns-sd._udp.local";

/** Time to live of every record, in seconds (RFC 6762 §10 advises 120 s for host records). */
export const RECORD_TTL = 120;

/** Longest DNS label, in bytes (RFC 1035). */
const MAX_LABEL_BYTES = 63;

/** Longest character-string in a TXT record, in bytes. */
const MAX_TXT_BYTES = 255;

/** What a hub tells the LAN about itself. */
export interface HubAdvert {
  /** Instance name, e.g. `lab [3f9a1c]`: unique per hub (see {@linkcode instanceName}). */
  instance: string;
  /** The hub's id: a few hex digits chosen at start. */
  id: string;
  /** Host name of the SRV target, e.g. `lab-3f9a1c.local`. */
  target: string;
  /** The port nodes join at. */
  port: number;
  /** IPv4 addresses the hub can be joined at. */
  addresses: string[];
  /** Whether the port speaks TLS. */
  tls: boolean;
  /** A second port that speaks TLS, when the main one is plain. */
  tlsPort?: number | undefined;
  /** The gate question. */
  question: string;
  /** The cluster's election name, when the hub belongs to one. */
  cluster?: string | undefined;
}

/** One DNS resource record, in the shape `dns-packet` encodes and decodes. */
export interface DnsRecord {
  name: string;
  type: string;
  ttl?: number;
  /** Cache-flush bit: set on records only this hub owns (SRV, TXT, A). */
  flush?: boolean;
  // deno-lint-ignore no-explicit-any
  data?: any;
}

/** One question of a query. */
export interface DnsQuestion {
  name: string;
  type: string;
}

/**
 * Makes an instance name: the base (the hub's `--name` or the host name)
 * and the hub id in brackets, cut to fit one DNS label. Dots become dashes,
 * because the encoder under us does not escape them, and so do control
 * characters, which no terminal should receive.
 *
 * @param base The hub's name or the host name.
 * @param id The hub id.
 * @returns For example `lab [3f9a1c]`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(instanceName("lab.example", "3f9a1c"), "lab-example [3f9a1c]");
 * ```
 */
export function instanceName(base: string, id: string): string {
  const suffix = ` [${id}]`;
  const clean =
    [...base].map((character) =>
      character === "." || findUnsafeCharacter(character) ? "-" : character
    ).join("").trim() || "consensus";
  return `${cutToBytes(clean, MAX_LABEL_BYTES - byteLength(suffix))}${suffix}`;
}

/**
 * Makes the SRV target host name of a hub: letters, digits and dashes of the
 * base, then the id, under `.local`.
 *
 * @param base The hub's name or the host name.
 * @param id The hub id.
 * @returns For example `lab-3f9a1c.local`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(targetHost("Büro PC", "3f9a1c"), "b-ro-pc-3f9a1c.local");
 * ```
 */
export function targetHost(base: string, id: string): string {
  const label = base.toLowerCase().replace(/[^a-z0-9-]+/gu, "-").replace(/^-+|-+$/gu, "")
    .slice(0, MAX_LABEL_BYTES - id.length - 1);
  return `${label ? `${label}-` : ""}${id}.local`;
}

/**
 * The records of a hub.
 *
 * @param advert The hub.
 * @param ttl Time to live; 0 says goodbye.
 * @returns The PTR, SRV, TXT and A records.
 */
export function hubRecords(
  advert: HubAdvert,
  ttl: number = RECORD_TTL,
): { ptr: DnsRecord; srv: DnsRecord; txt: DnsRecord; a: DnsRecord[] } {
  const full = `${advert.instance}.${SERVICE_TYPE}`;
  return {
    ptr: { name: SERVICE_TYPE, type: "PTR", ttl, data: full },
    srv: {
      name: full,
      type: "SRV",
      ttl,
      flush: true,
      data: { priority: 0, weight: 0, port: advert.port, target: advert.target },
    },
    txt: { name: full, type: "TXT", ttl, flush: true, data: encodeTxt(advert) },
    a: advert.addresses.map((address) => ({
      name: advert.target,
      type: "A",
      ttl,
      flush: true,
      data: address,
    })),
  };
}

/**
 * The unsolicited announcement (or, with TTL 0, the goodbye): every record,
 * the PTR as the answer and the rest as additional records.
 *
 * @param advert The hub.
 * @param ttl Time to live; 0 says goodbye.
 * @returns Answers and additional records of a response.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const advert = {
 *   instance: "lab [3f9a1c]", id: "3f9a1c", target: "lab-3f9a1c.local", port: 7337,
 *   addresses: ["192.168.1.20"], tls: false, question: "What is the join code?",
 * };
 * const goodbye = announcement(advert, 0);
 * assertEquals([...goodbye.answers, ...goodbye.additionals].every((r) => r.ttl === 0), true);
 * ```
 */
export function announcement(
  advert: HubAdvert,
  ttl: number = RECORD_TTL,
): { answers: DnsRecord[]; additionals: DnsRecord[] } {
  const { ptr, srv, txt, a } = hubRecords(advert, ttl);
  return { answers: [ptr], additionals: [srv, txt, ...a] };
}

/**
 * Answers the questions of a query that concern this hub (RFC 6763 §12:
 * a PTR answer carries the SRV, TXT and A records as additional records).
 *
 * @param advert The hub.
 * @param questions The query's questions.
 * @returns The response, or `undefined` when nothing asked concerns the hub.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const advert = {
 *   instance: "lab [3f9a1c]", id: "3f9a1c", target: "lab-3f9a1c.local", port: 7337,
 *   addresses: ["192.168.1.20"], tls: false, question: "What is the join code?",
 * };
 * assertEquals(answerQuery(advert, [{ name: "_http._tcp.local", type: "PTR" }]), undefined);
 * assertEquals(
 *   answerQuery(advert, [{ name: "_consensus._tcp.local", type: "PTR" }])?.answers[0]?.data,
 *   "lab [3f9a1c]._consensus._tcp.local",
 * );
 * ```
 */
export function answerQuery(
  advert: HubAdvert,
  questions: readonly DnsQuestion[],
): { answers: DnsRecord[]; additionals: DnsRecord[] } | undefined {
  const { ptr, srv, txt, a } = hubRecords(advert);
  const answers: DnsRecord[] = [];
  const additionals: DnsRecord[] = [];
  const add = (list: DnsRecord[], records: DnsRecord[]) => {
    for (const record of records) {
      if (!answers.includes(record) && !list.includes(record)) list.push(record);
    }
  };
  for (const question of questions) {
    if (typeof question?.name !== "string" || typeof question.type !== "string") continue;
    const name = question.name.toLowerCase();
    const type = question.type.toUpperCase();
    const any = type === "ANY";
    if (name === SERVICE_TYPES_NAME && (type === "PTR" || any)) {
      add(answers, [{
        name: SERVICE_TYPES_NAME,
        type: "PTR",
        ttl: RECORD_TTL,
        data: SERVICE_TYPE,
      }]);
    } else if (name === SERVICE_TYPE && (type === "PTR" || any)) {
      add(answers, [ptr]);
      add(additionals, [srv, txt, ...a]);
    } else if (name === srv.name.toLowerCase()) {
      if (type === "SRV" || any) add(answers, [srv]);
      if (type === "TXT" || any) add(answers, [txt]);
      add(additionals, a);
    } else if (name === advert.target.toLowerCase() && (type === "A" || any)) {
      add(answers, a);
    }
  }
  const extra = additionals.filter((record) => !answers.includes(record));
  return answers.length === 0 ? undefined : { answers, additionals: extra };
}

/**
 * The TXT strings of a hub (`key=value`, RFC 6763 §6); the gate question is
 * cut to fit one string.
 *
 * @param advert The hub.
 * @returns The strings.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(
 *   encodeTxt({
 *     instance: "x [1]", id: "1", target: "x-1.local", port: 1, addresses: [], tls: true,
 *     question: "Who?",
 *   }),
 *   ["v=1", "id=1", "tls=yes", "q=Who?"],
 * );
 * ```
 */
export function encodeTxt(advert: HubAdvert): string[] {
  const strings = [
    `v=${PROTOCOL_VERSION}`,
    `id=${advert.id}`,
    `tls=${advert.tls ? "yes" : "no"}`,
    `q=${cutToBytes(advert.question, MAX_TXT_BYTES - 2)}`,
  ];
  if (advert.tlsPort !== undefined) strings.push(`tls-port=${advert.tlsPort}`);
  if (advert.cluster !== undefined) {
    strings.push(`cluster=${cutToBytes(advert.cluster, MAX_TXT_BYTES - 8)}`);
  }
  return strings;
}

/**
 * Reads TXT strings into keys and values: keys are case-insensitive, the
 * first of a repeated key wins, and a string without `=` is a key with an
 * empty value (RFC 6763 §6.4-6.5).
 *
 * @param strings The TXT record's strings, as bytes or text.
 * @returns Values by lower-case key.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(decodeTxt(["v=1", "ID=ab", "id=cd", "flag"]), { v: "1", id: "ab", flag: "" });
 * ```
 */
export function decodeTxt(strings: readonly (Uint8Array | string)[]): Record<string, string> {
  const decoder = new TextDecoder();
  const values: Record<string, string> = {};
  for (const item of strings) {
    const text = typeof item === "string" ? item : decoder.decode(item);
    const equals = text.indexOf("=");
    const key = (equals < 0 ? text : text.slice(0, equals)).toLowerCase();
    if (key === "" || Object.hasOwn(values, key)) continue;
    values[key] = equals < 0 ? "" : text.slice(equals + 1);
  }
  return values;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Cuts text to at most `max` UTF-8 bytes without splitting a character. */
function cutToBytes(text: string, max: number): string {
  if (byteLength(text) <= max) return text;
  let out = "";
  for (const character of text) {
    if (byteLength(out + character) > max) break;
    out += character;
  }
  return out;
}
