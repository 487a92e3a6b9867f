/**
 * Plain `consensus`: the report's original design. It joins the hub already
 * on this machine's port; when the port is free, it looks on the LAN for
 * about a second and joins the hub it finds there; only when there is none
 * does it start a hub. When something else holds the port, it says so.
 *
 * @module
 */

import { parseCommandArgs } from "./args.ts";
import { JOIN_OPTIONS, joinAt, parseHubAddress } from "./join.ts";
import { isInteractive, type Output, STANDARD_OUTPUT } from "./runtime.ts";
import type { DiscoveredHub } from "../discovery/hub_sightings.ts";
import { pinnedInterface } from "../discovery/mdns_interfaces.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import { findLanHubs, joinAddressOf, pickHub, QUICK_LOOK_MS } from "./lan_hubs.ts";
import { SERVE_OPTIONS, settingsFrom, startServing } from "./serve.ts";
import { dropFileAccess } from "./lockdown.ts";
import { MAIN_USAGE } from "./main_usage.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Runs plain `consensus`.
 *
 * @param args All arguments.
 * @param output Where to print.
 * @param stop Resolves when the hub should stop.
 * @returns When the chosen role is done.
 */
export async function auto(
  args: string[],
  output: Output = STANDARD_OUTPUT,
  stop: Promise<void>,
): Promise<void> {
  const options = { ...JOIN_OPTIONS, ...SERVE_OPTIONS } as const;
  const { values, positionals } = parseCommandArgs(args, options, MAIN_USAGE);
  if (values.help) {
    output.out(MAIN_USAGE);
    return;
  }
  if (positionals.length > 0) {
    throw new UsageError(`Unknown command "${positionals[0]}"`, MAIN_USAGE);
  }
  const settings = settingsFrom(values, MAIN_USAGE);
  if (portIsFree(settings.host, settings.port)) {
    const lan = await lookOnLan(settings.host, output);
    if (lan.hub) {
      output.err(
        `role: node (port ${settings.port} is free here; joining hub "${
          safe(lan.hub.instance)
        }" found on the LAN at ${safe(joinAddressOf(lan.hub))})`,
      );
      const { host, port, tls } = parseHubAddress(joinAddressOf(lan.hub), values, MAIN_USAGE);
      await joinAt(host, port, values, output, tls);
      return;
    }
    const running = await startServing(settings, output);
    dropFileAccess();
    output.out(`role: hub (port ${running.address.port} was free; ${lan.why})`);
    await stop;
    await running.end();
    return;
  }
  const host = settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host;
  output.err(
    `role: node (port ${settings.port} is taken; joining the hub on ${host}:${settings.port})`,
  );
  await joinAt(host, settings.port, values, output);
}

/**
 * Looks for a hub on the LAN, unless the hub would listen on loopback only
 * (`--host 127.0.0.1` keeps the whole run on this machine) and no mDNS
 * interface is pinned.
 */
async function lookOnLan(
  host: string,
  output: Output,
): Promise<{ hub: DiscoveredHub | undefined; why: string }> {
  const loopbackOnly = /^(127\.|::1$|localhost$)/u.test(host);
  if (loopbackOnly && pinnedInterface() === undefined) {
    return { hub: undefined, why: `the LAN is not searched with --host ${host}` };
  }
  const found = await findLanHubs(QUICK_LOOK_MS, output);
  if (found.length === 0) return { hub: undefined, why: "no hub answered on the LAN" };
  return { hub: await pickHub(found, isInteractive()), why: "" };
}

/** Probes the port before anything else, so a node never touches the hub's data directory. */
function portIsFree(host: string, port: number): boolean {
  try {
    Deno.listen({ hostname: host, port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}
