/**
 * Argument parsing shared by the commands, on `node:util`'s `parseArgs`,
 * with every mistake turned into a {@linkcode UsageError}.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage_error.ts";

/** Option declarations, as `parseArgs` takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** Options every command has. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpec;

/**
 * Parses a command's arguments strictly.
 *
 * @param args The arguments after the command name.
 * @param options The command's options.
 * @param usage The command's help text, for errors.
 * @returns The values and positionals.
 * @throws {UsageError} On an unknown option or a missing value.
 */
export function parseCommandArgs<T extends OptionSpec>(
  args: string[],
  options: T,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return {
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
    };
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

/**
 * Reads a port number.
 *
 * @param text The option's value.
 * @param usage For the error.
 * @returns The port, 0 to 65535.
 * @throws {UsageError} When it is not one.
 */
export function parsePort(text: string, usage: string): number {
  const port = Number(text);
  if (!/^\d+$/u.test(text) || port > 65535) {
    throw new UsageError(`Invalid port "${text}": give 0 to 65535`, usage);
  }
  return port;
}

/**
 * Reads `HOST:PORT`, `HOST` or `:PORT` (also `[::1]:PORT`).
 *
 * @param text The address as typed.
 * @param defaultPort Port when none is given.
 * @param usage For the error.
 * @returns Host and port.
 * @throws {UsageError} When it cannot be read.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseHostPort("127.0.0.1:7337", 7337, ""), { host: "127.0.0.1", port: 7337 });
 * assertEquals(parseHostPort("[::1]:80", 7337, ""), { host: "::1", port: 80 });
 * assertEquals(parseHostPort("hub.lan", 7337, ""), { host: "hub.lan", port: 7337 });
 * ```
 */
export function parseHostPort(
  text: string,
  defaultPort: number,
  usage: string,
): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/u.exec(text);
  if (bracketed) {
    return {
      host: bracketed[1]!,
      port: bracketed[2] ? parsePort(bracketed[2], usage) : defaultPort,
    };
  }
  const colon = text.lastIndexOf(":");
  if (colon < 0) return { host: text, port: defaultPort };
  const host = text.slice(0, colon) || "127.0.0.1";
  return { host, port: parsePort(text.slice(colon + 1), usage) };
}

/**
 * Reads a number of seconds.
 *
 * @param text The option's value.
 * @param name The option, for the error.
 * @param usage For the error.
 * @returns Milliseconds.
 * @throws {UsageError} When it is not a positive number.
 */
export function parseSeconds(text: string, name: string, usage: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`Invalid --${name} "${text}": give a number of seconds above 0`, usage);
  }
  return Math.round(seconds * 1000);
}
