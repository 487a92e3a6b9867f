/**
 * `consensus completions bash|zsh|fish`: prints a shell completion script
 * for every command and option, made from the same declarations as the
 * program's help.
 *
 * @module
 */

import { parseCommandArgs } from "./args.ts";
import { COMMANDS, PROGRAM_OPTIONS, SHELLS } from "./commands.ts";
import { type CompletionModel, completionOptions } from "./completion_model.ts";
import { completionScript, type Shell } from "./completion_scripts.ts";
import { MAIN_USAGE } from "./main_usage.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus completions`. */
export const COMPLETIONS_USAGE = `Usage: consensus completions ${SHELLS.join("|")}

Prints a completion script for the shell: every command, option and option value that can be
completed (files, directories, fixed choices). Save it once where the shell looks (printing it
takes a moment, too long for every new shell):

  bash   consensus completions bash > ~/.local/share/bash-completion/completions/consensus
  zsh    consensus completions zsh > ~/.zfunc/_consensus   (with fpath+=(~/.zfunc) before compinit)
  fish   consensus completions fish > ~/.config/fish/completions/consensus.fish

Options:
  -h, --help   show this help`;

/**
 * Reads every command's declarations into what a completion script is made from.
 *
 * @returns The model: commands with their options, and the program's own options.
 */
export async function completionModel(): Promise<CompletionModel> {
  const loaded = await Promise.all(COMMANDS.map(async (command) => ({
    command,
    help: await command.load(),
  })));
  const commands = loaded.map(({ command, help }) => ({
    name: command.name,
    summary: command.summary,
    argument: command.argument,
    options: completionOptions(help.options, help.usage),
  }));
  // With no command, the program takes its own options and those of serve and join.
  const programOptions = [
    ...completionOptions(PROGRAM_OPTIONS, MAIN_USAGE),
    ...commands.filter(({ name }) => name === "serve" || name === "join").flatMap(({ options }) =>
      options
    ),
  ].filter((option, index, all) => all.findIndex(({ long }) => long === option.long) === index);
  return { program: "consensus", commands, programOptions };
}

/**
 * Runs `consensus completions`.
 *
 * @param args Arguments after `completions`.
 * @param output Where to print.
 * @throws {UsageError} When the shell is missing or unknown.
 */
export async function completions(
  args: string[],
  output: Output = STANDARD_OUTPUT,
): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, {}, COMPLETIONS_USAGE);
  if (values.help) {
    output.out(COMPLETIONS_USAGE);
    return;
  }
  const [shell, extra] = positionals;
  if (shell === undefined) throw new UsageError("Missing the shell", COMPLETIONS_USAGE);
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument "${extra}"`, COMPLETIONS_USAGE);
  }
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new UsageError(
      `Unknown shell "${shell}": give ${SHELLS.join(", ")}`,
      COMPLETIONS_USAGE,
    );
  }
  // output.out adds the final newline.
  output.out(completionScript(shell as Shell, await completionModel()).trimEnd());
}
