/**
 * Shell completion scripts for bash, zsh and fish, written from a
 * {@linkcode CompletionModel}. Pure: the model in, the script's text out.
 *
 * @module
 */

import type { ValueKind } from "./commands.ts";
import type { CompletionCommand, CompletionModel, CompletionOption } from "./completion_model.ts";

/** A shell we write a completion script for. */
export type Shell = "bash" | "zsh" | "fish";

/**
 * Writes the completion script for one shell.
 *
 * @param shell The shell.
 * @param model The commands and options.
 * @returns The script, ending with a newline.
 *
 * @example
 * ```ts
 * import { ok as assert } from "node:assert/strict";
 * const script = completionScript("bash", {
 *   program: "consensus",
 *   programOptions: [],
 *   commands: [{ name: "join", summary: "join a hub", argument: { kind: "any" }, options: [] }],
 * });
 * assert(script.includes("complete -F _consensus consensus"));
 * ```
 */
export function completionScript(shell: Shell, model: CompletionModel): string {
  const lines = shell === "bash" ? _bash(model) : shell === "zsh" ? _zsh(model) : _fish(model);
  return `${lines.join("\n")}\n`;
}

/** Every spelling of an option: `-h`, `--help`. */
function _spellings(option: CompletionOption): string[] {
  return [...(option.short ? [`-${option.short}`] : []), `--${option.long}`];
}

function _bash({ program, commands, programOptions }: CompletionModel): string[] {
  const fn = `_${program.replaceAll("-", "_")}`;
  // What the word after an option is: a case over the previous word.
  const valueCases = (options: CompletionOption[]) =>
    options.filter((option) => option.value.kind !== "none").map((option) =>
      `        ${_spellings(option).join("|")}) value="${_bashValue(option.value)}" ;;`
    );
  const optionWords = (options: CompletionOption[]) => options.flatMap(_spellings).join(" ");
  const branch = (pattern: string, options: CompletionOption[], argument: ValueKind) => [
    `    ${pattern})`,
    `      options="${optionWords(options)}"`,
    `      argument="${_bashValue(argument)}"`,
    `      case "$prev" in`,
    ...valueCases(options),
    `      esac`,
    `      ;;`,
  ];
  return [
    `# bash completion for ${program}, written by \`${program} completions bash\`.`,
    `# Save it as ~/.local/share/bash-completion/completions/${program} (bash-completion loads it`,
    `# at the first Tab after ${program}), or source it from ~/.bashrc.`,
    `${fn}() {`,
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" command="" options="" argument="" value=""`,
    `  COMPREPLY=()`,
    `  if ((COMP_CWORD > 0)); then prev="\${COMP_WORDS[COMP_CWORD - 1]}"; fi`,
    // bash splits --name=value at the "=": complete the value of the option before it.
    `  if [[ "$cur" == "=" ]]; then`,
    `    cur=""`,
    `  elif [[ "$prev" == "=" ]] && ((COMP_CWORD > 1)); then`,
    `    prev="\${COMP_WORDS[COMP_CWORD - 2]}"`,
    `  fi`,
    // The command is the first word; anything else there is an option of the program itself.
    `  if ((COMP_CWORD > 1)); then command="\${COMP_WORDS[1]}"; fi`,
    `  case "$command" in`,
    ...commands.flatMap((command) => branch(command.name, command.options, command.argument)),
    ...branch("*", programOptions, { kind: "none" }),
    `  esac`,
    `  if [[ -z "$value" && "$cur" != -* && $COMP_CWORD -gt 1 ]]; then value="$argument"; fi`,
    `  if [[ -z "$value" && "$cur" != -* && $COMP_CWORD -eq 1 ]]; then`,
    `    value="words:${commands.map((command) => command.name).join(" ")}"`,
    `  fi`,
    `  case "$value" in`,
    `    file)`,
    `      mapfile -t COMPREPLY < <(compgen -f -- "$cur")`,
    `      compopt -o filenames 2>/dev/null`,
    `      ;;`,
    `    directory)`,
    `      mapfile -t COMPREPLY < <(compgen -d -- "$cur")`,
    `      compopt -o filenames 2>/dev/null`,
    `      ;;`,
    `    words:*) mapfile -t COMPREPLY < <(compgen -W "\${value#words:}" -- "$cur") ;;`,
    `    "") mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur") ;;`,
    `  esac`,
    `}`,
    `complete -F ${fn} ${program}`,
  ];
}

/** How the bash script names a kind of value (`any` and `none` complete nothing). */
function _bashValue(value: ValueKind): string {
  return value.kind === "choices" ? `words:${value.choices.join(" ")}` : value.kind;
}

function _zsh({ program, commands, programOptions }: CompletionModel): string[] {
  const fn = `_${program.replaceAll("-", "_")}`;
  const quote = _zshQuote;
  const argumentsCall = (options: CompletionOption[], argument: ValueKind) => {
    const specs = options.map(_zshOptionSpec);
    if (argument.kind !== "none") specs.push(quote(`1:argument:${_zshAction(argument)}`));
    return [
      `  _arguments -s -S \\`,
      ...specs.map((spec, index) => `    ${spec}${index < specs.length - 1 ? " \\" : ""}`),
    ];
  };
  return [
    `#compdef ${program}`,
    `# zsh completion for ${program}, written by \`${program} completions zsh\`.`,
    `# Save it as _${program} in a directory of $fpath (before compinit runs), or source it.`,
    ...commands.flatMap((command) => [
      `${fn}_${command.name}() {`,
      ...argumentsCall(command.options, command.argument),
      `}`,
    ]),
    `${fn}_program() {`,
    ...argumentsCall(programOptions, { kind: "none" }),
    `}`,
    `${fn}() {`,
    `  local -a commands`,
    `  commands=(`,
    ...commands.map((command) => `    ${quote(`${command.name}:${_zshEscape(command.summary)}`)}`),
    `  )`,
    `  if ((CURRENT > 2)); then`,
    `    case $words[2] in`,
    `      ${commands.map((command) => command.name).join("|")})`,
    `        local command=$words[2]`,
    `        shift words`,
    `        ((CURRENT--))`,
    `        ${fn}_$command`,
    `        return`,
    `        ;;`,
    `    esac`,
    `  elif [[ $words[CURRENT] != -* ]]; then`,
    `    _describe -t commands command commands`,
    `    return`,
    `  fi`,
    `  ${fn}_program`,
    `}`,
    // Loaded by compinit from $fpath, the file's body is the function; sourced, it registers.
    `if [[ $zsh_eval_context[-1] == loadautofunc ]]; then`,
    `  ${fn} "$@"`,
    `else`,
    `  compdef ${fn} ${program}`,
    `fi`,
  ];
}

/** `_arguments` wants `[`, `]`, `:` and `\` in a description escaped. */
function _zshEscape(text: string): string {
  return text.replace(/[[\]:\\]/gu, (character) => `\\${character}`);
}

function _zshAction(value: ValueKind): string {
  switch (value.kind) {
    case "file":
      return "_files";
    case "directory":
      return "_files -/";
    case "choices":
      return `(${value.choices.join(" ")})`;
    default:
      return " ";
  }
}

/** Single quotes for zsh: a quote inside is closed, escaped and reopened. */
function _zshQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function _zshOptionSpec(option: CompletionOption): string {
  const quote = _zshQuote;
  const description = `[${_zshEscape(option.description)}]`;
  const value = option.value.kind === "none" ? "" : `:${option.long}:${_zshAction(option.value)}`;
  const equals = option.value.kind === "none" ? "" : "=";
  const repeat = option.repeatable ? "*" : "";
  if (option.short) {
    // Either spelling, and not both: `(-h --help)'{-h,--help}'[...]`.
    return `${quote(`(${_spellings(option).join(" ")})`)}{${
      _spellings(option).map((spelling) => `${repeat}${spelling}${equals}`).join(",")
    }}${quote(`${description}${value}`)}`;
  }
  return quote(`${repeat}--${option.long}${equals}${description}${value}`);
}

function _fish({ program, commands, programOptions }: CompletionModel): string[] {
  const quote = (text: string) => `'${text.replace(/['\\]/gu, (character) => `\\${character}`)}'`;
  const complete = (condition: string, rest: string) =>
    `complete -c ${program} -n ${quote(condition)} ${rest}`;
  const option = (condition: string, option: CompletionOption) =>
    complete(
      condition,
      [
        ...(option.short ? [`-s ${option.short}`] : []),
        `-l ${option.long}`,
        _fishValue(option.value),
        `-d ${quote(option.description)}`,
      ].filter((part) => part !== "").join(" "),
    );
  const noCommand = "__fish_use_subcommand";
  return [
    `# fish completion for ${program}, written by \`${program} completions fish\`.`,
    `# Save it as ~/.config/fish/completions/${program}.fish`,
    `complete -c ${program} -f`,
    ...commands.map((command) =>
      complete(noCommand, `-a ${command.name} -d ${quote(command.summary)}`)
    ),
    ...programOptions.map((each) => option(noCommand, each)),
    ...commands.flatMap((command) => {
      const condition = `__fish_seen_subcommand_from ${command.name}`;
      const argument = _fishArgument(command);
      return [
        ...command.options.map((each) => option(condition, each)),
        ...(argument ? [complete(condition, argument)] : []),
      ];
    }),
  ];
}

/** The flags that say what an option's value is. */
function _fishValue(value: ValueKind): string {
  switch (value.kind) {
    case "none":
      return "";
    case "file":
      return "-r -F";
    case "directory":
      return "-x -a '(__fish_complete_directories)'";
    case "choices":
      return `-x -a '${value.choices.join(" ")}'`;
    default:
      return "-x";
  }
}

/** The completion of a command's argument, if it has one worth completing. */
function _fishArgument(command: CompletionCommand): string | undefined {
  const { argument } = command;
  if (argument.kind === "directory") return "-a '(__fish_complete_directories)'";
  if (argument.kind === "choices") return `-a '${argument.choices.join(" ")}'`;
  if (argument.kind === "file") return "-F";
  return undefined;
}
