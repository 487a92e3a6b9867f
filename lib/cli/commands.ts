/**
 * The program's commands, declared once: the overview in `--help` and the
 * shell completion scripts are both made from this list, so neither can
 * forget a command. Each entry loads its command's help text and option
 * declarations only when asked, so `--help` loads nothing else.
 *
 * @module
 */

import type { OptionSpec } from "./args.ts";

/** What a command's argument or an option's value is, so a shell can complete it. */
export type ValueKind =
  | { kind: "none" }
  | { kind: "any" }
  | { kind: "file" }
  | { kind: "directory" }
  | { kind: "choices"; choices: readonly string[] };

/** A command's help text and the option declarations its parser uses. */
export interface CommandHelp {
  /** Its `--help` text. */
  usage: string;
  /** Its options (without {@linkcode COMMON_OPTIONS}, which every command has). */
  options: OptionSpec;
}

/** One command of the program. */
export interface CommandDeclaration {
  /** The word typed after `consensus`. */
  name: string;
  /** Its argument as the overview shows it, e.g. `HOST[:PORT]` (empty when it takes none). */
  synopsis: string;
  /** One line for the overview. */
  summary: string;
  /** What its argument is. */
  argument: ValueKind;
  /** Loads its help text and options. */
  load(): Promise<CommandHelp>;
}

/** The shells `consensus completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** Options of the program itself, before any command. */
export const PROGRAM_OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const satisfies OptionSpec;

/** Every command, in the order the overview lists them. */
export const COMMANDS: readonly CommandDeclaration[] = [
  {
    name: "serve",
    synopsis: "",
    summary: "start a hub",
    argument: { kind: "none" },
    load: async () => {
      const { SERVE_OPTIONS, SERVE_USAGE } = await import("./serve.ts");
      return { usage: SERVE_USAGE, options: SERVE_OPTIONS };
    },
  },
  {
    name: "join",
    synopsis: "[HOST[:PORT]]",
    summary: "join a hub as a node",
    argument: { kind: "any" },
    load: async () => {
      const { JOIN_OPTIONS, JOIN_USAGE } = await import("./join.ts");
      return { usage: JOIN_USAGE, options: JOIN_OPTIONS };
    },
  },
  {
    name: "hubs",
    synopsis: "",
    summary: "list the hubs on the LAN",
    argument: { kind: "none" },
    load: async () => {
      const { HUBS_OPTIONS, HUBS_USAGE } = await import("./hubs.ts");
      return { usage: HUBS_USAGE, options: HUBS_OPTIONS };
    },
  },
  {
    name: "results",
    synopsis: "HOST[:PORT]",
    summary: "closed ballots, from a hub or a data directory",
    argument: { kind: "any" },
    load: async () => {
      const { RESULTS_OPTIONS, RESULTS_USAGE } = await import("./results.ts");
      return { usage: RESULTS_USAGE, options: RESULTS_OPTIONS };
    },
  },
  {
    name: "audit",
    synopsis: "DIR",
    summary: "check the journals of a data directory",
    argument: { kind: "directory" },
    load: async () => {
      const { AUDIT_OPTIONS, AUDIT_USAGE } = await import("./audit.ts");
      return { usage: AUDIT_USAGE, options: AUDIT_OPTIONS };
    },
  },
  {
    name: "conformance",
    synopsis: "HOST:PORT",
    summary: "check a hub against PROTOCOL.md",
    argument: { kind: "any" },
    load: async () => {
      const { CONFORMANCE_OPTIONS, CONFORMANCE_USAGE } = await import("./conformance.ts");
      return { usage: CONFORMANCE_USAGE, options: CONFORMANCE_OPTIONS };
    },
  },
  {
    name: "certs",
    synopsis: "DIR",
    summary: "make a private CA and a hub certificate for TLS",
    argument: { kind: "directory" },
    load: async () => {
      const { CERTS_OPTIONS, CERTS_USAGE } = await import("./certs.ts");
      return { usage: CERTS_USAGE, options: CERTS_OPTIONS };
    },
  },
  {
    name: "completions",
    synopsis: "SHELL",
    summary: "print a shell completion script",
    argument: { kind: "choices", choices: SHELLS },
    load: async () => {
      const { COMPLETIONS_USAGE } = await import("./completions.ts");
      return { usage: COMPLETIONS_USAGE, options: {} };
    },
  },
];

/**
 * The overview's lines for the commands, made from {@linkcode COMMANDS}.
 *
 * @returns One line per command, aligned.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * assert(commandOverview().some((line) => line.startsWith("  hubs               list the hubs")));
 * ```
 */
export function commandOverview(): string[] {
  return COMMANDS.map(({ name, synopsis, summary }) => {
    const left = `${name} ${synopsis}`.trimEnd();
    const right = `${summary} (see consensus ${name} --help)`;
    // As in the option lists: what does not fit the column puts its summary on the next line.
    return left.length < 18
      ? `  ${left.padEnd(19)}${right}`
      : `  ${left}\n${" ".repeat(21)}${right}`;
  });
}
