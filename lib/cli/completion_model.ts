/**
 * What a shell needs to complete the program's command line, read from the
 * option declarations the parser uses and the help text a person reads: the
 * declarations say which options exist and which take a value; the help's
 * option lines give each one its description and its value's placeholder
 * (`FILE`, `DIR`, `grant|deny`). Nothing here is written twice.
 *
 * @module
 */

import { COMMON_OPTIONS, type OptionSpec } from "./args.ts";
import type { ValueKind } from "./commands.ts";

/** One option as a help text documents it. */
export interface DocumentedOption {
  /** Its one-letter alias, when the help shows one (`-h, --help`). */
  short?: string;
  /** What its value is called, e.g. `FILE` (absent for a flag). */
  placeholder?: string;
  /** Its description, its lines joined. */
  description: string;
}

/** One option, ready to be written into a completion script. */
export interface CompletionOption {
  /** Its long name, without `--`. */
  long: string;
  /** Its one-letter alias, without `-`. */
  short?: string;
  /** May be given several times. */
  repeatable: boolean;
  /** What its value is (`none` for a flag). */
  value: ValueKind;
  /** What the help says about it. */
  description: string;
}

/** One command, ready to be written into a completion script. */
export interface CompletionCommand {
  name: string;
  summary: string;
  /** What its argument is. */
  argument: ValueKind;
  options: CompletionOption[];
}

/** Everything a completion script is made from. */
export interface CompletionModel {
  /** The program's name as typed. */
  program: string;
  /** The commands, in the overview's order. */
  commands: CompletionCommand[];
  /** Options accepted with no command. */
  programOptions: CompletionOption[];
}

// An option line: two spaces, an optional `-x, `, `--name`, an optional
// placeholder, then (after two spaces or more) the description.
const OPTION_LINE = /^ {2}(?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)(?: (\S+))?(?: {2,}(\S.*))?$/u;

/**
 * Reads the option lines of a help text.
 *
 * @param usage A command's `--help` text.
 * @returns Each documented option by long name, with its description's
 * lines joined (it may start on the next line, after a long placeholder).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const usage = "Options:\n  --tls-ca FILE   trust this CA\n  --negotiate grant|deny\n" +
 *   "                  grant or deny\n  -h, --help      show this help";
 * assertEquals(Object.fromEntries(documentedOptions(usage)), {
 *   "tls-ca": { placeholder: "FILE", description: "trust this CA" },
 *   negotiate: { placeholder: "grant|deny", description: "grant or deny" },
 *   help: { short: "h", description: "show this help" },
 * });
 * ```
 */
export function documentedOptions(usage: string): Map<string, DocumentedOption> {
  const lines = usage.split("\n");
  const found = new Map<string, DocumentedOption>();
  lines.forEach((line, index) => {
    const match = OPTION_LINE.exec(line);
    if (!match) return;
    const [, short, long, placeholder, first] = match;
    // The description goes on over the lines indented further that follow.
    const more: string[] = [];
    for (let next = index + 1; /^ {4,}\S/u.test(lines[next] ?? ""); next++) {
      more.push(lines[next]!.trim());
    }
    const option: DocumentedOption = {
      description: [...(first === undefined ? [] : [first]), ...more].join(" "),
    };
    if (short !== undefined) option.short = short;
    if (placeholder !== undefined) option.placeholder = placeholder;
    found.set(long!, option);
  });
  return found;
}

/**
 * What an option's value is, from its placeholder: `FILE` and `DIR` are
 * paths, lower-case words separated by `|` are the only choices, anything
 * else is free text.
 *
 * @param placeholder The placeholder in the help, if any.
 * @returns The kind of value.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(valueKindOf("grant|deny"), { kind: "choices", choices: ["grant", "deny"] });
 * assertEquals(valueKindOf("PIN|all"), { kind: "any" });
 * ```
 */
export function valueKindOf(placeholder: string | undefined): ValueKind {
  if (placeholder === "FILE") return { kind: "file" };
  if (placeholder === "DIR") return { kind: "directory" };
  if (placeholder !== undefined && /^[a-z]+(?:\|[a-z]+)*$/u.test(placeholder)) {
    return { kind: "choices", choices: placeholder.split("|") };
  }
  return { kind: "any" };
}

/**
 * A command's options for completion: those its parser declares (and the
 * common ones), each with what its help says about it.
 *
 * @param options The command's option declarations.
 * @param usage Its help text.
 * @returns One entry per declared option, in declaration order.
 */
export function completionOptions(options: OptionSpec, usage: string): CompletionOption[] {
  const documented = documentedOptions(usage);
  const declared: OptionSpec = { ...options, ...COMMON_OPTIONS };
  return Object.entries(declared).map(([long, declaration]) => {
    const help = documented.get(long);
    const option: CompletionOption = {
      long,
      repeatable: declaration.multiple === true,
      value: declaration.type === "boolean" ? { kind: "none" } : valueKindOf(help?.placeholder),
      description: help?.description ?? "",
    };
    if (declaration.short !== undefined) option.short = declaration.short;
    return option;
  });
}
