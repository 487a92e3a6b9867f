/**
 * Argument parsing shared by the commands: GNU-style long options, strict,
 * with every mistake turned into a {@linkcode UsageError}.
 *
 * It is written here rather than taken from `node:util`'s `parseArgs`: loading
 * Node's compatibility layer for it cost every start of the program about
 * 20 ms, a fifth of what a node that votes and exits takes.
 *
 * @module
 */

import { UsageError } from "./usage_error.ts";

/** One option: a flag (`boolean`) or one that takes a value (`string`), possibly repeated. */
export interface OptionDeclaration {
  type: "boolean" | "string";
  /** A one-letter alias, e.g. `h` for `-h`. */
  short?: string;
  /** May be given several times; the values are collected in an array. */
  multiple?: boolean;
}

/** Option declarations by long name. */
export type OptionSpec = Record<string, OptionDeclaration>;

/** Options every command has. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpec;

/**
 * Parses a command's arguments strictly: `--name value`, `--name=value`,
 * `--flag`, `-h`, positionals, and `--` before positionals that start with `-`.
 *
 * @param args The arguments after the command name.
 * @param options The command's options.
 * @param usage The command's help text, for errors.
 * @returns The values and positionals (a repeated option's values as an array).
 * @throws {UsageError} On an unknown option, a missing value, or a value given to a flag.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const parsed = parseCommandArgs(["hub:1", "--vote=A", "--wait"], {
 *   vote: { type: "string" },
 *   wait: { type: "boolean" },
 * }, "usage");
 * assertEquals(parsed, { values: { vote: "A", wait: true }, positionals: ["hub:1"] });
 * ```
 */
export function parseCommandArgs(
  args: string[],
  options: OptionSpec,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const declared: OptionSpec = { ...COMMON_OPTIONS, ...options };
  const byShort = new Map(
    Object.entries(declared).filter(([, option]) => option.short).map((
      [name, option],
    ) => [option.short!, name]),
  );
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const long = arg.startsWith("--");
    const key = long ? arg.slice(2, equals < 0 ? undefined : equals) : arg.slice(1);
    const name = long ? key : byShort.get(key);
    const option = name === undefined ? undefined : declared[name];
    if (name === undefined || option === undefined) {
      throw new UsageError(`Unknown option ${long ? `--${key}` : `-${key}`}`, usage);
    }
    if (option.type === "boolean") {
      if (long && equals >= 0) throw new UsageError(`Option --${name} takes no value`, usage);
      values[name] = true;
      continue;
    }
    let value: string | undefined;
    if (long && equals >= 0) value = arg.slice(equals + 1);
    else {
      value = args[index + 1];
      if (value === undefined || (value.startsWith("-") && value !== "-" && !/^-\d/u.test(value))) {
        throw new UsageError(`Option --${name} needs a value`, usage);
      }
      index++;
    }
    if (option.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return { values: values as Record<string, string | boolean | undefined>, positionals };
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
