/**
 * Plain `consensus`: the report's original design. It starts a hub when the
 * port is free and otherwise joins the hub already on it; when something
 * else holds the port, it says so.
 *
 * @module
 */

import { parseCommandArgs } from "./args.ts";
import { JOIN_OPTIONS, joinAt } from "./join.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
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
    const running = await startServing(settings, output);
    dropFileAccess();
    output.out(`role: hub (port ${running.address.port} was free)`);
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
