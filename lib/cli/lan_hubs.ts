/**
 * Finding hubs on the LAN from the command line, shared by `consensus hubs`,
 * `consensus join` without an address and plain `consensus`: where to ask,
 * how to show a hub, and which one to join.
 *
 * @module
 */

import { browseHubs } from "../discovery/browser.ts";
import type { DiscoveredHub } from "../discovery/hub_sightings.ts";
import { multicastInterfaces, pinnedInterface } from "../discovery/mdns_interfaces.ts";
import { HubUnreachableError } from "../node/errors.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import { machineInterfaces } from "./network_addresses.ts";
import type { Output } from "./runtime.ts";
import { SeveralHubsError } from "./several_hubs_error.ts";

/** How long `join` without an address and plain `consensus` listen for hubs. */
export const QUICK_LOOK_MS = 1000;

/**
 * Asks the LAN for hubs (on the pinned interface, or every non-loopback one).
 *
 * @param timeoutMs How long to listen.
 * @param output Where a warning goes (a failed send).
 * @returns The hubs that answered, with at least one address.
 * @throws {RangeError} When `CONSENSUS_MDNS_INTERFACE` is not an IPv4 address.
 */
export async function findLanHubs(timeoutMs: number, output: Output): Promise<DiscoveredHub[]> {
  const interfaces = multicastInterfaces(machineInterfaces(), pinnedInterface());
  if (interfaces.length === 0) {
    output.err(
      "warning: no network interface to look on (none but loopback); " +
        "CONSENSUS_MDNS_INTERFACE=127.0.0.1 looks on this machine only",
    );
  }
  const hubs = await browseHubs({
    interfaces,
    timeoutMs,
    onWarning: (message) => output.err(`warning: ${message}`),
  });
  return hubs.filter((hub) => hub.addresses.length > 0);
}

/**
 * The address to join a hub at, as `consensus join` takes it.
 *
 * @param hub The hub.
 * @returns For example `192.168.1.20:7337` or `tls://192.168.1.20:7443`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const hub = {
 *   instance: "lab [3f9a1c]", id: "3f9a1c", host: "lab-3f9a1c.local", addresses: ["10.0.0.7"],
 *   port: 7337, tls: false, tlsPort: 7443, question: "Q?", cluster: undefined, version: "1",
 *   seenAt: 0,
 * };
 * assertEquals(joinAddressOf(hub), "tls://10.0.0.7:7443");
 * ```
 */
export function joinAddressOf(hub: DiscoveredHub): string {
  const address = hub.addresses[0] ?? hub.host;
  if (hub.tls) return `tls://${address}:${hub.port}`;
  if (hub.tlsPort !== undefined) return `tls://${address}:${hub.tlsPort}`;
  return `${address}:${hub.port}`;
}

/**
 * One line about a hub, for a person: name, where to join, the gate question.
 *
 * @param hub The hub.
 * @returns For example `lab [3f9a1c]  10.0.0.7:7337  "What is the join code?"`.
 */
export function describeHub(hub: DiscoveredHub): string {
  const question = hub.question === undefined ? "" : `  "${safe(hub.question)}"`;
  return `${safe(hub.instance)}  ${safe(joinAddressOf(hub))}${question}`;
}

/**
 * Picks the hub to join among those that answered: the only one; at a
 * terminal, the one chosen in a menu; otherwise none.
 *
 * @param hubs The hubs that answered.
 * @param interactive Whether a person is at a terminal.
 * @returns The hub.
 * @throws {HubUnreachableError} When none answered.
 * @throws {SeveralHubsError} When several answered and nobody is at a terminal.
 */
export async function pickHub(
  hubs: readonly DiscoveredHub[],
  interactive: boolean,
): Promise<DiscoveredHub> {
  if (hubs.length === 0) {
    throw new HubUnreachableError(
      `No hub answered on the LAN within ${QUICK_LOOK_MS / 1000} s: give its address, ` +
        "consensus join HOST:PORT (consensus hubs --timeout 5 looks longer)",
    );
  }
  if (hubs.length === 1) return hubs[0]!;
  if (!interactive) {
    throw new SeveralHubsError(
      `${hubs.length} hubs answered on the LAN; give the address of one:\n${
        hubs.map((hub) => `  consensus join ${safe(joinAddressOf(hub))}   # ${safe(hub.instance)}`)
          .join("\n")
      }`,
    );
  }
  // Loaded on demand: the prompt library is big, and a script never needs it.
  const { select } = await import("@inquirer/prompts");
  return await select({
    message: "Several hubs answered: which one?",
    choices: hubs.map((hub) => ({ name: describeHub(hub), value: hub })),
  });
}
