/**
 * `consensus serve`'s announcement on the LAN: decides where the hub is
 * announced (see lib/discovery/mdns_interfaces.ts), starts the announcer, and
 * describes the outcome for the start-up banner.
 *
 * @module
 */

import type { Announcer } from "../discovery/announcer.ts";
import { machineName } from "../discovery/host_name.ts";
import {
  announcedAddress,
  multicastInterfaces,
  pinnedInterface,
} from "../discovery/mdns_interfaces.ts";
import { type HubAdvert, instanceName, targetHost } from "../discovery/service_records.ts";
import type { InterfaceAddress } from "./network_addresses.ts";

/** How the hub is announced, for the banner. */
export type AnnouncementStatus =
  | { instance: string; id: string; addresses: string[] }
  | { off: string };

/** What the hub's announcement needs to know. */
export interface HubAnnouncementOptions {
  /** `--no-announce` was given. */
  disabled: boolean;
  /** `--name`, if given. */
  name: string | undefined;
  /** The address the hub listens on (`--host`). */
  listenHost: string;
  /** Its port. */
  port: number;
  /** Whether that port speaks TLS. */
  tls: boolean;
  /** A second port that speaks TLS. */
  tlsPort: number | undefined;
  /** The gate question. */
  question: string;
  /** The machine's interfaces, or `undefined` when they cannot be listed. */
  interfaces: readonly InterfaceAddress[] | undefined;
  /** Called once, at the first failure to send. */
  onWarning: (message: string) => void;
}

/** The announcement: its status, and how to stop it (a goodbye). */
export interface HubAnnouncement {
  status: AnnouncementStatus;
  stop(): Promise<void>;
}

/**
 * Starts announcing the hub, unless it was asked not to or cannot be reached
 * from the LAN.
 *
 * @param options See {@linkcode HubAnnouncementOptions}.
 * @returns The announcement.
 * @throws {RangeError} When `CONSENSUS_MDNS_INTERFACE` is not an IPv4 address.
 */
export async function announceHub(options: HubAnnouncementOptions): Promise<HubAnnouncement> {
  const silent = (off: string): HubAnnouncement => ({ status: { off }, stop: async () => {} });
  if (options.disabled) return silent("--no-announce");
  const interfaces = multicastInterfaces(options.interfaces, pinnedInterface());
  if (options.interfaces === undefined && interfaces.length === 0) {
    return silent("the network interfaces cannot be listed");
  }
  if (interfaces.length === 0) return silent("this machine has no network address but loopback");
  const links = interfaces
    .map((interfaceAddress) => ({
      interfaceAddress,
      address: announcedAddress(options.listenHost, interfaceAddress),
    }))
    .filter((link): link is { interfaceAddress: string; address: string } =>
      link.address !== undefined
    );
  if (links.length === 0) {
    return silent(`listening on ${options.listenHost} only, which the LAN cannot reach`);
  }
  const id = [...crypto.getRandomValues(new Uint8Array(3))]
    .map((byte) => byte.toString(16).padStart(2, "0")).join("");
  const base = options.name ?? machineName();
  const advert: Omit<HubAdvert, "addresses"> = {
    instance: instanceName(base, id),
    id,
    target: targetHost(base, id),
    port: options.port,
    tls: options.tls,
    tlsPort: options.tlsPort,
    question: options.question,
  };
  // Loaded only to announce: the multicast stack (Node's dgram under Deno) takes about 80 ms
  // to load, which a hub on loopback or with --no-announce need not pay.
  const { startAnnouncer } = await import("../discovery/announcer.ts");
  const announcer: Announcer = startAnnouncer({
    links: links.map(({ interfaceAddress, address }) => ({
      interfaceAddress,
      advert: { ...advert, addresses: [address] },
    })),
    onWarning: options.onWarning,
  });
  return {
    status: { instance: advert.instance, id, addresses: links.map(({ address }) => address) },
    stop: () => announcer.stop(),
  };
}
