/**
 * The addresses other machines can use to reach a hub, for its start-up
 * banner, as development servers print their network URL.
 *
 * @module
 */

/** What the banner needs of a network interface (a subset of `Deno.NetworkInterfaceInfo`). */
export interface InterfaceAddress {
  family: "IPv4" | "IPv6";
  address: string;
  /** Interface name, e.g. `eth0`. */
  name: string;
}

/**
 * Picks the addresses a node on another machine can join: every interface
 * but loopback, IPv4 first, without IPv6 link-local addresses (they need a
 * zone to be usable), each once, written as `HOST:PORT`.
 *
 * @param interfaces The machine's interfaces.
 * @param port The hub's port.
 * @returns For example `["192.168.1.20:7337", "[2001:db8::5]:7337"]`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(
 *   joinAddresses([
 *     { family: "IPv4", address: "127.0.0.1", name: "lo" },
 *     { family: "IPv6", address: "fe80::1", name: "eth0" },
 *     { family: "IPv4", address: "192.168.1.20", name: "eth0" },
 *   ], 7337),
 *   ["192.168.1.20:7337"],
 * );
 * ```
 */
export function joinAddresses(interfaces: readonly InterfaceAddress[], port: number): string[] {
  return networkHosts(interfaces).map((host) => `${host}:${port}`);
}

/**
 * The hosts of {@linkcode joinAddresses}, without a port, IPv6 in brackets
 * (as they go in a URL).
 *
 * @param interfaces The machine's interfaces.
 * @returns For example `["192.168.1.20", "[2001:db8::5]"]`.
 */
export function networkHosts(interfaces: readonly InterfaceAddress[]): string[] {
  const usable = interfaces.filter(({ family, address }) =>
    family === "IPv4"
      ? !address.startsWith("127.")
      : address !== "::1" && !/^fe[89ab]/iu.test(address)
  );
  usable.sort((a, b) => (a.family === b.family ? 0 : a.family === "IPv4" ? -1 : 1));
  return [
    ...new Set(
      usable.map(({ family, address }) => family === "IPv6" ? `[${address}]` : address),
    ),
  ];
}

/**
 * Reads this machine's interfaces.
 *
 * @returns The interfaces, or `undefined` when the program may not list them
 * (run without `--allow-sys=networkInterfaces`).
 */
export function machineInterfaces(): InterfaceAddress[] | undefined {
  try {
    return Deno.networkInterfaces();
  } catch {
    return undefined;
  }
}
