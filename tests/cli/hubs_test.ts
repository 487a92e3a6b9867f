/**
 * How `consensus hubs` shows what the LAN told it: a table a person can read,
 * JSON a script can read, and nothing from the network reaching the terminal raw.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { hubJson, hubTable } from "../../lib/cli/hubs.ts";
import type { DiscoveredHub } from "../../lib/discovery/hub_sightings.ts";

const HUB: DiscoveredHub = {
  instance: "lab [3f9a1c]",
  id: "3f9a1c",
  host: "lab-3f9a1c.local",
  addresses: ["192.168.1.20", "10.0.0.7"],
  port: 7337,
  tls: false,
  tlsPort: undefined,
  question: "What is the join code?",
  cluster: undefined,
  version: "1",
  seenAt: 10_000,
};

Deno.test("the table lines up its columns and says how long ago each hub was heard", () => {
  const other: DiscoveredHub = {
    ...HUB,
    instance: "büro [0a0a0a]",
    id: "0a0a0a",
    addresses: ["192.168.1.21"],
    port: 7443,
    tls: true,
    question: "Passwort?",
    seenAt: 11_500,
  };
  assertEquals(hubTable([HUB, other], 12_000, 2000), [
    "NAME           ADDRESSES              PORT  TLS  QUESTION                SEEN",
    "lab [3f9a1c]   192.168.1.20,10.0.0.7  7337  no   What is the join code?  2 s ago",
    "büro [0a0a0a]  192.168.1.21           7443  yes  Passwort?               0.5 s ago",
  ]);
});

Deno.test("names and questions from the network are escaped before they reach the terminal", () => {
  const hostile = { ...HUB, instance: "x\u001b[2J [1]", question: "\u202eevil" };
  const [, row] = hubTable([hostile], 10_000, 2000);
  assertEquals(row?.startsWith("x\\x1b[2J [1]"), true, row);
  assertEquals(row?.includes("\\u202eevil"), true, row);
});

Deno.test("JSON gives the address to join, TLS or not, and nulls for what the hub did not say", () => {
  assertEquals(hubJson({ ...HUB, question: undefined, id: undefined }, 10_400), {
    name: "lab [3f9a1c]",
    id: null,
    join: "192.168.1.20:7337",
    addresses: ["192.168.1.20", "10.0.0.7"],
    port: 7337,
    tls: false,
    tlsPort: null,
    question: null,
    cluster: null,
    version: "1",
    host: "lab-3f9a1c.local",
    seenSecondsAgo: 0.4,
  });
  assertEquals(hubJson({ ...HUB, tls: true }, 10_000).join, "tls://192.168.1.20:7337");
  assertEquals(hubJson({ ...HUB, tlsPort: 7443 }, 10_000).join, "tls://192.168.1.20:7443");
});
