/**
 * What a browser has heard about hubs, pure: fed with the records of mDNS
 * responses and the time, it tells which hubs are there now. Records expire
 * with their TTL, and a TTL of 0 (a goodbye) removes them at once.
 *
 * Everything here comes from the network: sizes are capped, and values are
 * kept as received (the front ends escape them before printing).
 *
 * @module
 */

import { decodeTxt, type DnsQuestion, type DnsRecord, SERVICE_TYPE } from "./service_records.ts";

/** A hub heard on the LAN. */
export interface DiscoveredHub {
  /** Instance name, e.g. `lab [3f9a1c]`. */
  instance: string;
  /** The hub id from its TXT record, when it gave one. */
  id: string | undefined;
  /** SRV target host name. */
  host: string;
  /** IPv4 addresses it can be joined at (empty until its A records arrive). */
  addresses: string[];
  /** Port to join at. */
  port: number;
  /** Whether the port speaks TLS. */
  tls: boolean;
  /** A second port that speaks TLS, when the hub has one. */
  tlsPort: number | undefined;
  /** The gate question, as the hub gave it. */
  question: string | undefined;
  /** Its cluster's election name, when it has one. */
  cluster: string | undefined;
  /** Protocol version from its TXT record. */
  version: string | undefined;
  /** When a record of it was last received (ms since the epoch). */
  seenAt: number;
}

/** Options for {@linkcode HubSightings}. */
export interface HubSightingsOptions {
  /**
   * Most records of each kind kept: a noisy or hostile LAN cannot grow the table past it.
   * @default {512}
   */
  maxEntries?: number;
}

interface Timed<T> {
  value: T;
  expiresAt: number;
}

const SUFFIX = `.${SERVICE_TYPE}`;

/**
 * The table of hubs heard so far.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { announcement } from "./service_records.ts";
 * const advert = {
 *   instance: "lab [3f9a1c]", id: "3f9a1c", target: "lab-3f9a1c.local", port: 7337,
 *   addresses: ["192.168.1.20"], tls: false, question: "What is the join code?",
 * };
 * const table = new HubSightings();
 * const { answers, additionals } = announcement(advert);
 * table.record([...answers, ...additionals], 1000);
 * assertEquals(table.hubs(2000).map((hub) => hub.addresses), [["192.168.1.20"]]);
 * const goodbye = announcement(advert, 0);
 * table.record([...goodbye.answers, ...goodbye.additionals], 3000);
 * assertEquals(table.hubs(3000), []);
 * ```
 */
export class HubSightings {
  #max: number;
  #instances = new Map<string, Timed<{ seenAt: number; instance: string }>>();
  #services = new Map<string, Timed<{ port: number; target: string }>>();
  #texts = new Map<string, Timed<Record<string, string>>>();
  #addresses = new Map<string, Map<string, number>>();

  /**
   * Creates an empty table.
   *
   * @param options See {@linkcode HubSightingsOptions}.
   */
  constructor(options: HubSightingsOptions = {}) {
    this.#max = options.maxEntries ?? 512;
  }

  /**
   * Takes in the records of one response (answers and additional records
   * alike); records of other services are ignored.
   *
   * @param records The records, as `dns-packet` decodes them.
   * @param now The time they arrived (ms).
   */
  record(records: readonly DnsRecord[], now: number): void {
    for (const record of records) {
      if (typeof record?.name !== "string" || typeof record.type !== "string") continue;
      const ttl = typeof record.ttl === "number" && record.ttl > 0 ? record.ttl : 0;
      const expiresAt = now + ttl * 1000;
      const name = record.name.toLowerCase();
      if (record.type === "PTR" && name === SERVICE_TYPE && typeof record.data === "string") {
        const instance = record.data.toLowerCase();
        if (!instance.endsWith(SUFFIX) || instance.length === SUFFIX.length) continue;
        // The key ignores case, as DNS does; the name is shown as the hub wrote it.
        const shown = record.data.slice(0, -SUFFIX.length);
        this.#put(this.#instances, instance, { seenAt: now, instance: shown }, expiresAt, ttl);
      } else if (record.type === "SRV" && name.endsWith(SUFFIX)) {
        const port = record.data?.port;
        const target = record.data?.target;
        if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
        if (typeof target !== "string" || target === "") continue;
        this.#put(this.#services, name, { port, target: target.toLowerCase() }, expiresAt, ttl);
        this.#touch(name, now);
      } else if (record.type === "TXT" && name.endsWith(SUFFIX) && Array.isArray(record.data)) {
        this.#put(this.#texts, name, decodeTxt(record.data), expiresAt, ttl);
        this.#touch(name, now);
      } else if (record.type === "A" && typeof record.data === "string") {
        let addresses = this.#addresses.get(name);
        if (ttl === 0) {
          addresses?.delete(record.data);
          continue;
        }
        if (!addresses) {
          if (this.#addresses.size >= this.#max) continue;
          addresses = new Map();
          this.#addresses.set(name, addresses);
        }
        if (addresses.size < 16 || addresses.has(record.data)) {
          addresses.set(record.data, expiresAt);
        }
      }
    }
  }

  /**
   * The hubs present at a time: announced (PTR) and located (SRV), sorted by name.
   *
   * @param now The time (ms).
   * @returns The hubs.
   */
  hubs(now: number): DiscoveredHub[] {
    this.#expire(now);
    const found: DiscoveredHub[] = [];
    for (const [name, seen] of this.#instances) {
      const service = this.#services.get(name)?.value;
      if (!service) continue;
      const text = this.#texts.get(name)?.value ?? {};
      const tlsPort = Number(text["tls-port"]);
      found.push({
        instance: seen.value.instance,
        id: text.id,
        host: service.target,
        addresses: [...(this.#addresses.get(service.target)?.keys() ?? [])],
        port: service.port,
        tls: text.tls === "yes",
        tlsPort: Number.isInteger(tlsPort) && tlsPort > 0 && tlsPort < 65536 ? tlsPort : undefined,
        question: text.q,
        cluster: text.cluster,
        version: text.v,
        seenAt: seen.value.seenAt,
      });
    }
    return found.sort((a, b) => a.instance.localeCompare(b.instance));
  }

  /**
   * What to ask next: SRV and TXT of hubs announced without them, A of
   * targets without addresses (a responder may leave additional records out).
   *
   * @param now The time (ms).
   * @returns The questions (none when everything is known).
   */
  unresolved(now: number): DnsQuestion[] {
    this.#expire(now);
    const questions: DnsQuestion[] = [];
    for (const name of this.#instances.keys()) {
      const service = this.#services.get(name)?.value;
      if (!service) questions.push({ name, type: "SRV" });
      if (!this.#texts.has(name)) questions.push({ name, type: "TXT" });
      if (service && !this.#addresses.get(service.target)?.size) {
        questions.push({ name: service.target, type: "A" });
      }
    }
    return questions;
  }

  #put<T>(map: Map<string, Timed<T>>, key: string, value: T, expiresAt: number, ttl: number) {
    if (ttl === 0) {
      map.delete(key);
      return;
    }
    if (!map.has(key) && map.size >= this.#max) return;
    map.set(key, { value, expiresAt });
  }

  /** Marks an instance seen when its SRV or TXT record arrives (a refresh without a PTR). */
  #touch(name: string, now: number) {
    const seen = this.#instances.get(name);
    if (seen) seen.value.seenAt = now;
  }

  #expire(now: number) {
    for (const map of [this.#instances, this.#services, this.#texts]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
    for (const [name, addresses] of this.#addresses) {
      for (const [address, expiresAt] of addresses) {
        if (expiresAt <= now) addresses.delete(address);
      }
      if (addresses.size === 0) this.#addresses.delete(name);
    }
  }
}
