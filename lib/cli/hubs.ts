/**
 * `consensus hubs`: lists the hubs that answer on the LAN (DNS-SD service
 * `_consensus._tcp` over multicast DNS).
 *
 * @module
 */

import type { DiscoveredHub } from "../discovery/hub_sightings.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import { type OptionSpec, parseCommandArgs, parseSeconds } from "./args.ts";
import { findLanHubs, joinAddressOf } from "./lan_hubs.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus hubs`. */
export const HUBS_USAGE = `Usage: consensus hubs [options]

Lists the hubs that answer on the LAN: they announce themselves with DNS-SD over multicast
DNS as _consensus._tcp (see consensus serve --no-announce).

Options:
  --timeout SECONDS    how long to listen for answers (default 2)
  --json               print one JSON object: {"hubs": [...]}
  -h, --help           show this help

Environment:
  CONSENSUS_MDNS_INTERFACE=ADDRESS   ask on this interface only (by its IPv4 address)`;

/** Options of `consensus hubs`. */
export const HUBS_OPTIONS = {
  timeout: { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

/**
 * Runs `consensus hubs`.
 *
 * @param args Arguments after `hubs`.
 * @param output Where to print.
 * @throws {UsageError} On a mistake.
 */
export async function hubs(args: string[], output: Output = STANDARD_OUTPUT): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, HUBS_OPTIONS, HUBS_USAGE);
  if (values.help) {
    output.out(HUBS_USAGE);
    return;
  }
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}"`, HUBS_USAGE);
  }
  const timeoutMs = typeof values.timeout === "string"
    ? parseSeconds(values.timeout, "timeout", HUBS_USAGE)
    : 2000;
  const found = await findLanHubs(timeoutMs, output);
  const now = Date.now();
  if (values.json === true) {
    output.out(JSON.stringify({ hubs: found.map((hub) => hubJson(hub, now)) }));
    return;
  }
  for (const line of hubTable(found, now, timeoutMs)) output.out(line);
}

/**
 * One hub as `--json` prints it.
 *
 * @param hub The hub.
 * @param now The time (ms).
 * @returns The object.
 */
export function hubJson(hub: DiscoveredHub, now: number): Record<string, unknown> {
  return {
    name: hub.instance,
    id: hub.id ?? null,
    join: joinAddressOf(hub),
    addresses: hub.addresses,
    port: hub.port,
    tls: hub.tls,
    tlsPort: hub.tlsPort ?? null,
    question: hub.question ?? null,
    cluster: hub.cluster ?? null,
    version: hub.version ?? null,
    host: hub.host,
    seenSecondsAgo: Math.max(0, Math.round((now - hub.seenAt) / 100) / 10),
  };
}

/**
 * The hubs as a table for a person (pure).
 *
 * @param found The hubs.
 * @param now The time (ms).
 * @param timeoutMs How long it listened, for the empty case.
 * @returns The lines.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(hubTable([], 0, 2000), ["no hub answered within 2 s"]);
 * ```
 */
export function hubTable(
  found: readonly DiscoveredHub[],
  now: number,
  timeoutMs: number,
): string[] {
  if (found.length === 0) return [`no hub answered within ${timeoutMs / 1000} s`];
  const rows = [
    ["NAME", "ADDRESSES", "PORT", "TLS", "QUESTION", "SEEN"],
    ...found.map((hub) => [
      safe(hub.instance),
      hub.addresses.map(safe).join(","),
      String(hub.port),
      hub.tls ? "yes" : hub.tlsPort !== undefined ? `port ${hub.tlsPort}` : "no",
      safe(hub.question ?? ""),
      `${Math.max(0, Math.round((now - hub.seenAt) / 100) / 10)} s ago`,
    ]),
  ];
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => [...row[column]!].length))
  );
  return rows.map((row) =>
    row.map((cell, column) =>
      column === row.length - 1 ? cell : cell + " ".repeat(widths[column]! - [...cell].length)
    ).join("  ").trimEnd()
  );
}
