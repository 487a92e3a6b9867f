/**
 * The browser's table of hubs: records expire with their TTL, goodbyes remove
 * at once, missing records are asked for, and hostile packets neither crash
 * it nor grow it without bound.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { HubSightings } from "../../lib/discovery/hub_sightings.ts";
import { announcement, type HubAdvert, hubRecords } from "../../lib/discovery/service_records.ts";

const advert = (id: string, port = 7337): HubAdvert => ({
  instance: `lab [${id}]`,
  id,
  target: `lab-${id}.local`,
  port,
  addresses: ["10.0.0.7"],
  tls: false,
  question: "Q?",
});

const all = (hub: HubAdvert, ttl?: number) => {
  const { answers, additionals } = announcement(hub, ttl);
  return [...answers, ...additionals];
};

Deno.test("records expire with their TTL unless refreshed", () => {
  const table = new HubSightings();
  table.record(all(advert("a")), 0);
  assertEquals(table.hubs(119_000).length, 1);
  assertEquals(table.hubs(120_000).length, 0);
  table.record(all(advert("b")), 0);
  table.record(all(advert("b")), 100_000);
  assertEquals(table.hubs(150_000).map((hub) => [hub.id, hub.seenAt]), [["b", 100_000]]);
});

Deno.test("a goodbye removes one hub and leaves the others", () => {
  const table = new HubSightings();
  table.record([...all(advert("a")), ...all(advert("b", 7338))], 0);
  assertEquals(table.hubs(1).map((hub) => hub.id), ["a", "b"]);
  table.record(all(advert("a"), 0), 2);
  assertEquals(table.hubs(3).map((hub) => hub.id), ["b"]);
});

Deno.test("a hub announced without its SRV is not listed, and its records are asked for", () => {
  const table = new HubSightings();
  const { ptr, srv, txt, a } = hubRecords(advert("a"));
  table.record([ptr], 0);
  assertEquals(table.hubs(1), []);
  assertEquals(table.unresolved(1), [
    { name: srv.name.toLowerCase(), type: "SRV" },
    { name: txt.name.toLowerCase(), type: "TXT" },
  ]);
  table.record([srv, txt], 2);
  assertEquals(table.unresolved(3), [{ name: "lab-a.local", type: "A" }]);
  assertEquals(table.hubs(3)[0]?.addresses, []);
  table.record(a, 4);
  assertEquals(table.unresolved(5), []);
  assertEquals(table.hubs(5)[0]?.addresses, ["10.0.0.7"]);
});

Deno.test("names are matched without regard to case, and shown as the hub wrote them", () => {
  const table = new HubSightings();
  const { ptr, srv, txt, a } = hubRecords(advert("A1"));
  table.record([ptr, { ...srv, name: srv.name.toUpperCase() }, txt, ...a], 0);
  assertEquals(table.hubs(1).map((hub) => hub.instance), ["lab [A1]"]);
});

Deno.test("malformed records are ignored, and a flood cannot grow the table past its cap", () => {
  const table = new HubSightings({ maxEntries: 10 });
  const { srv } = hubRecords(advert("a"));
  table.record([
    // deno-lint-ignore no-explicit-any
    null as any,
    { name: "_consensus._tcp.local", type: "PTR", ttl: 120, data: 42 },
    { name: "_consensus._tcp.local", type: "PTR", ttl: 120, data: "._consensus._tcp.local" },
    { ...srv, data: { port: 70000, target: "x.local" } },
    { ...srv, data: { port: 7337, target: "" } },
    { ...srv, data: null },
    { name: srv.name, type: "TXT", ttl: 120, data: "not a list" },
    { name: "x.local", type: "A", ttl: 120, data: { not: "an address" } },
  ], 0);
  assertEquals(table.hubs(1), []);
  for (let index = 0; index < 1000; index++) {
    table.record(all(advert(`f${index}`)), 0);
  }
  assertEquals(table.hubs(1).length, 10);
});
