/**
 * Which network interfaces mDNS uses, and which addresses a hub announces
 * on each, pure apart from reading one environment variable.
 *
 * By default every non-loopback IPv4 interface: a hub is announced where
 * other machines can reach it, and a hub listening on loopback only is not
 * announced at all. `CONSENSUS_MDNS_INTERFACE=ADDRESS` pins mDNS to one
 * interface by its address, for a machine with several networks, and for
 * tests (`127.0.0.1` keeps every packet on the machine).
 *
 * @module
 */

import type { InterfaceAddress } from "../cli/network_addresses.ts";

/** The environment variable that pins mDNS to one interface, by its IPv4 address. */
export const INTERFACE_VARIABLE = "CONSENSUS_MDNS_INTERFACE";

/**
 * The interfaces to send and receive mDNS on, by IPv4 address.
 *
 * @param interfaces The machine's interfaces, or `undefined` when they cannot be listed.
 * @param pinned The pinned interface's address, if any.
 * @returns Addresses: the pinned one, or every non-loopback IPv4 address once.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const interfaces = [
 *   { family: "IPv4", address: "127.0.0.1", name: "lo" },
 *   { family: "IPv6", address: "fe80::1", name: "eth0" },
 *   { family: "IPv4", address: "192.168.1.20", name: "eth0" },
 * ] as const;
 * assertEquals(multicastInterfaces(interfaces, undefined), ["192.168.1.20"]);
 * assertEquals(multicastInterfaces(interfaces, "127.0.0.1"), ["127.0.0.1"]);
 * ```
 */
export function multicastInterfaces(
  interfaces: readonly InterfaceAddress[] | undefined,
  pinned: string | undefined,
): string[] {
  if (pinned !== undefined) return [pinned];
  const addresses = (interfaces ?? [])
    .filter(({ family, address }) => family === "IPv4" && !address.startsWith("127."))
    .map(({ address }) => address);
  return [...new Set(addresses)];
}

/**
 * The address a hub announces on one interface: the interface's own when the
 * hub listens on every interface, or its listening address when that is the
 * interface's; otherwise none (the hub cannot be reached there).
 *
 * @param listenHost The hub's `--host`.
 * @param interfaceAddress The interface, by address.
 * @returns The address to put in the A record, or `undefined`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(announcedAddress("0.0.0.0", "192.168.1.20"), "192.168.1.20");
 * assertEquals(announcedAddress("127.0.0.1", "192.168.1.20"), undefined);
 * ```
 */
export function announcedAddress(listenHost: string, interfaceAddress: string): string | undefined {
  if (listenHost === "0.0.0.0" || listenHost === "::") return interfaceAddress;
  return listenHost === interfaceAddress ? interfaceAddress : undefined;
}

/**
 * Reads the pinned interface from the environment.
 *
 * @returns Its address, or `undefined` when none is pinned (or the variable cannot be read).
 * @throws {RangeError} When the variable is not an IPv4 address.
 */
export function pinnedInterface(): string | undefined {
  let value: string | undefined;
  try {
    value = Deno.env.get(INTERFACE_VARIABLE)?.trim();
  } catch {
    return undefined;
  }
  if (!value) return undefined;
  if (!/^(\d{1,3})(\.\d{1,3}){3}$/u.test(value) || value.split(".").some((part) => +part > 255)) {
    throw new RangeError(
      `Invalid ${INTERFACE_VARIABLE} "${value}": give the IPv4 address of an interface`,
    );
  }
  return value;
}
