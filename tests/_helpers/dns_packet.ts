/**
 * The DNS wire encoding under `npm:multicast-dns` (`npm:dns-packet`, which is
 * untyped), typed for the tests that check our records as they cross the
 * network.
 *
 * @module
 */

import dnsPacketModule from "dns-packet";
import type { DnsQuestion, DnsRecord } from "../../lib/discovery/service_records.ts";

/** A decoded packet: the sections the tests read. */
export interface DecodedPacket {
  id: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  additionals: DnsRecord[];
}

/** `dns-packet`'s encoder and decoder. */
export const dnsPacket = dnsPacketModule as unknown as {
  encode(packet: object): Uint8Array;
  decode(bytes: Uint8Array): DecodedPacket;
};
