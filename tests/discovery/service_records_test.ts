/**
 * A hub's DNS-SD records: names that fit and stay unique, answers to the
 * questions a browser (ours, Avahi's, Bonjour's) asks, and TXT keys, checked
 * through the real wire encoding of `dns-packet` without a network.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  announcement,
  answerQuery,
  decodeTxt,
  type DnsRecord,
  encodeTxt,
  type HubAdvert,
  hubRecords,
  instanceName,
  SERVICE_TYPE,
  targetHost,
} from "../../lib/discovery/service_records.ts";
import { HubSightings } from "../../lib/discovery/hub_sightings.ts";
import { dnsPacket } from "../_helpers/dns_packet.ts";

const ADVERT: HubAdvert = {
  instance: "lab [3f9a1c]",
  id: "3f9a1c",
  target: "lab-3f9a1c.local",
  port: 7337,
  addresses: ["192.168.1.20"],
  tls: false,
  question: "What has keys but can't open locks?",
};

/** Encodes a response and decodes it again, as it would cross the network. */
function overTheWire(
  sections: { answers: DnsRecord[]; additionals: DnsRecord[] },
): DnsRecord[] {
  const packet = dnsPacket as unknown as {
    encode(packet: object): Uint8Array;
    decode(bytes: Uint8Array): { answers: DnsRecord[]; additionals: DnsRecord[] };
  };
  const decoded = packet.decode(packet.encode({ type: "response", flags: 0x400, ...sections }));
  return [...decoded.answers, ...decoded.additionals];
}

Deno.test("instance names carry the hub id, fit one DNS label, and keep no dots or controls", () => {
  assertEquals(instanceName("lab", "3f9a1c"), "lab [3f9a1c]");
  assertEquals(instanceName("lab.example.org", "3f9a1c"), "lab-example-org [3f9a1c]");
  assertEquals(instanceName("evil\u001b[2J", "3f9a1c"), "evil-[2J [3f9a1c]");
  assertEquals(instanceName("", "3f9a1c"), "consensus [3f9a1c]");
  const long = instanceName("Besprechungsraum für die große Abstimmung ".repeat(3), "3f9a1c");
  assert(new TextEncoder().encode(long).length <= 63, long);
  assert(long.endsWith(" [3f9a1c]"), long);
  // Two hubs on one machine: same base, different ids, different names and targets.
  assert(instanceName("lab", "000001") !== instanceName("lab", "000002"));
  assert(targetHost("lab", "000001") !== targetHost("lab", "000002"));
  assertEquals(targetHost("Lab PC.local", "3f9a1c"), "lab-pc-local-3f9a1c.local");
  assertEquals(targetHost("", "3f9a1c"), "3f9a1c.local");
});

Deno.test("a PTR question for _consensus._tcp gets the PTR, with SRV, TXT and A as additional records", () => {
  const reply = answerQuery(ADVERT, [{ name: SERVICE_TYPE, type: "PTR" }]);
  assert(reply);
  assertEquals(reply.answers.map((record) => record.type), ["PTR"]);
  assertEquals(reply.additionals.map((record) => record.type), ["SRV", "TXT", "A"]);
  const records = overTheWire(reply);
  const srv = records.find((record) => record.type === "SRV")!;
  assertEquals(srv.name, `lab [3f9a1c].${SERVICE_TYPE}`);
  assertEquals(srv.data.port, 7337);
  assertEquals(srv.data.target, "lab-3f9a1c.local");
  assertEquals(records.find((record) => record.type === "A")!.data, "192.168.1.20");
});

Deno.test("questions for the instance, the target, ANY and the service list are answered; others are not", () => {
  const full = `lab [3f9a1c].${SERVICE_TYPE}`;
  const types = (questions: { name: string; type: string }[]) =>
    answerQuery(ADVERT, questions)?.answers.map((record) => record.type);
  assertEquals(types([{ name: full, type: "SRV" }]), ["SRV"]);
  assertEquals(types([{ name: full, type: "TXT" }]), ["TXT"]);
  assertEquals(types([{ name: full.toUpperCase(), type: "ANY" }]), ["SRV", "TXT"]);
  assertEquals(types([{ name: "LAB-3f9a1c.local", type: "A" }]), ["A"]);
  assertEquals(types([{ name: "_services._dns-sd._udp.local", type: "PTR" }]), ["PTR"]);
  assertEquals(types([{ name: "_http._tcp.local", type: "PTR" }]), undefined);
  assertEquals(types([{ name: "other [1].local", type: "SRV" }]), undefined);
  assertEquals(types([]), undefined);
});

Deno.test("TXT keys: version, id, TLS, question; tls-port and cluster only when they apply", () => {
  assertEquals(decodeTxt(encodeTxt(ADVERT)), {
    v: "1",
    id: "3f9a1c",
    tls: "no",
    q: "What has keys but can't open locks?",
  });
  assertEquals(decodeTxt(encodeTxt({ ...ADVERT, tls: true })).tls, "yes");
  const both = decodeTxt(encodeTxt({ ...ADVERT, tlsPort: 7443, cluster: "board" }));
  assertEquals([both["tls-port"], both.cluster], ["7443", "board"]);
  // A long question is cut to fit one TXT string (255 bytes), never inside a character.
  const long = encodeTxt({ ...ADVERT, question: "ö".repeat(400) });
  const q = long.find((text) => text.startsWith("q="))!;
  assert(new TextEncoder().encode(q).length <= 255);
  assert(!q.includes("\ufffd"));
  // The TXT strings survive the wire as bytes and read back the same.
  const wire = overTheWire({ answers: [hubRecords(ADVERT).txt], additionals: [] });
  assertEquals(decodeTxt(wire[0]!.data).q, ADVERT.question);
});

Deno.test("announcement and goodbye carry the same records, the goodbye with TTL 0", () => {
  const hello = overTheWire(announcement(ADVERT));
  const goodbye = overTheWire(announcement(ADVERT, 0));
  assertEquals(hello.map((record) => record.type), goodbye.map((record) => record.type));
  assert(hello.every((record) => record.ttl === 120));
  assert(goodbye.every((record) => record.ttl === 0));
  // Records only this hub owns set the cache-flush bit; the shared PTR does not.
  assertEquals(
    hello.map((record) => [record.type, record.flush === true]),
    [["PTR", false], ["SRV", true], ["TXT", true], ["A", true]],
  );
});

Deno.test("what a hub announces, a browser reads back as that hub", () => {
  const table = new HubSightings();
  table.record(overTheWire(announcement({ ...ADVERT, tls: true, cluster: "board" })), 5000);
  assertEquals(table.hubs(5000), [{
    instance: "lab [3f9a1c]",
    id: "3f9a1c",
    host: "lab-3f9a1c.local",
    addresses: ["192.168.1.20"],
    port: 7337,
    tls: true,
    tlsPort: undefined,
    question: ADVERT.question,
    cluster: "board",
    version: "1",
    seenAt: 5000,
  }]);
});
