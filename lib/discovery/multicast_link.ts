/**
 * One mDNS socket on one interface, over `npm:multicast-dns`: it binds
 * 0.0.0.0:5353 (the library's `interface` option would otherwise also be its
 * bind address, and a socket bound to an interface address receives no
 * multicast) and sends on the interface given.
 *
 * Send errors only reach the send callback (with no multicast route a send
 * fails silently otherwise; Deno reports code `UNKNOWN`): they are turned
 * into the link's warning, given once.
 *
 * @module
 */

import multicastDns from "multicast-dns";
import type { DnsQuestion, DnsRecord } from "./service_records.ts";

/** The standard mDNS port. */
export const MDNS_PORT = 5353;

/** Where a packet came from. */
export interface PacketSource {
  address: string;
  port: number;
}

/** A decoded mDNS packet, in `dns-packet`'s shape (only what is read here). */
export interface DnsPacket {
  id?: number;
  type?: "query" | "response";
  questions?: DnsQuestion[];
  answers?: DnsRecord[];
  additionals?: DnsRecord[];
}

/** Options for {@linkcode openMulticastLink}. */
export interface MulticastLinkOptions {
  /** The interface to use, by its IPv4 address. */
  interfaceAddress: string;
  /** Called for each query received. */
  onQuery?: (packet: DnsPacket, source: PacketSource) => void;
  /** Called for each response received. */
  onResponse?: (packet: DnsPacket, source: PacketSource) => void;
  /** Called once, at the first problem (a send that failed, a bind refused). */
  onWarning?: (message: string) => void;
}

/** An open mDNS socket. */
export interface MulticastLink {
  /** The interface, by address. */
  readonly interfaceAddress: string;
  /** Sends a query to the group; resolves when sent (or failed: see the warning). */
  query(questions: DnsQuestion[]): Promise<void>;
  /**
   * Sends a response, to the group or (for a legacy unicast query) to one source.
   *
   * @param packet The response's sections (and `id` and `questions` for a unicast reply).
   * @param to The source to answer directly, if not the group.
   */
  respond(packet: DnsPacket, to?: PacketSource): Promise<void>;
  /** Closes the socket. */
  close(): Promise<void>;
}

// The library is untyped: this is the part of its interface used here.
interface MulticastDns {
  on(
    event: "query" | "response",
    listener: (packet: DnsPacket, source: PacketSource) => void,
  ): void;
  on(event: "warning" | "error", listener: (error: Error & { code?: string }) => void): void;
  query(query: { questions: DnsQuestion[] }, callback: (error?: Error | null) => void): void;
  respond(
    packet: DnsPacket,
    to: PacketSource | null,
    callback: (error?: Error | null) => void,
  ): void;
  destroy(callback: () => void): void;
}

/**
 * Opens an mDNS socket on one interface.
 *
 * @param options See {@linkcode MulticastLinkOptions}.
 * @returns The link.
 */
export function openMulticastLink(options: MulticastLinkOptions): MulticastLink {
  const { interfaceAddress } = options;
  let warned = false;
  const warn = (error: Error & { code?: string }) => {
    if (warned) return;
    warned = true;
    const code = error.code && error.code !== "UNKNOWN" ? ` (${error.code})` : "";
    options.onWarning?.(
      `mDNS on ${interfaceAddress} failed: ${error.message}${code}; is there a multicast route?`,
    );
  };
  const socket = (multicastDns as unknown as (options: object) => MulticastDns)({
    interface: interfaceAddress,
    bind: "0.0.0.0",
    port: MDNS_PORT,
  });
  socket.on("warning", (error) => {
    // A packet that cannot be decoded comes as a warning without a code: any
    // program on the LAN may send one, and it is dropped like any bad input.
    if (error.code !== undefined) warn(error);
  });
  socket.on("error", warn);
  if (options.onQuery) socket.on("query", options.onQuery);
  if (options.onResponse) socket.on("response", options.onResponse);
  let closed = false;
  const sent = (error?: Error | null) => {
    if (error) warn(error);
  };
  return {
    interfaceAddress,
    query(questions) {
      if (closed) return Promise.resolve();
      return new Promise((resolve) =>
        socket.query({ questions }, (error) => {
          sent(error);
          resolve();
        })
      );
    },
    respond(packet, to) {
      if (closed) return Promise.resolve();
      return new Promise((resolve) =>
        socket.respond(packet, to ?? null, (error) => {
          sent(error);
          resolve();
        })
      );
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise((resolve) => socket.destroy(() => resolve()));
    },
  };
}
