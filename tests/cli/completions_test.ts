/**
 * `consensus completions`: the scripts complete what the program accepts,
 * loaded into the real shells; and the declarations they are made from agree
 * with the help a person reads and with the commands `main.ts` runs.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { COMMON_OPTIONS } from "../../lib/cli/args.ts";
import { COMMANDS, PROGRAM_OPTIONS, SHELLS } from "../../lib/cli/commands.ts";
import { documentedOptions } from "../../lib/cli/completion_model.ts";
import { completionModel } from "../../lib/cli/completions.ts";
import { MAIN_USAGE } from "../../lib/cli/main_usage.ts";
import { runCli } from "../_helpers/cli.ts";
import { requireTool } from "../_helpers/tools.ts";

/** The scripts are for the shells of Linux and macOS. */
const ON_WINDOWS = Deno.build.os === "windows";
const HAS_ZSH = !ON_WINDOWS && requireTool("zsh", "zsh");
const HAS_FISH = !ON_WINDOWS && requireTool("fish", "fish");

/** Writes `consensus completions SHELL`'s output to a file and returns its path. */
async function scriptFile(shell: string, directory: string): Promise<string> {
  const result = await runCli(["completions", shell]);
  assertEquals(result.code, 0, result.stderr);
  const path = `${directory}/consensus.${shell}`;
  await Deno.writeTextFile(path, result.stdout);
  return path;
}

/** Runs a shell command line in a directory (bounded in time) and returns its output lines. */
async function shell(
  program: string,
  script: string,
  cwd: string,
  timeoutMs = 10_000,
): Promise<string[]> {
  const result = await new Deno.Command(program, {
    args: ["-c", script],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { HOME: cwd },
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 0, stderr);
  return new TextDecoder().decode(result.stdout).split("\n").filter((line) => line !== "");
}

/**
 * Runs `fn` in a fresh directory holding the shell's script, a directory `hub-certs` and a file
 * `hub.pem` to complete, and removes it afterwards.
 */
async function withScript(
  shell: string,
  fn: (script: string, directory: string) => Promise<void>,
): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "consensus-completions-" });
  try {
    const script = await scriptFile(shell, directory);
    await Deno.mkdir(`${directory}/hub-certs`);
    await Deno.writeTextFile(`${directory}/hub.pem`, "");
    await fn(script, directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("bash: the completion function completes commands, options and their values", {
  ignore: ON_WINDOWS,
}, async (t) => {
  await withScript("bash", async (script, directory) => {
    // What bash does at a Tab: COMP_WORDS holds the line's words, COMP_CWORD the one completed.
    const complete = (line: string) => {
      const words = line.split(" ");
      const quoted = words.map((word) => `'${word}'`).join(" ");
      return shell(
        "bash",
        `source '${script}'
         COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}
         "$(complete -p consensus | sed -E 's/.* -F ([^ ]+) .*/\\1/')"
         printf '%s\\n' "\${COMPREPLY[@]}"`,
        directory,
      );
    };
    await t.step("consensus jo -> join", async () => {
      assertEquals(await complete("consensus jo"), ["join"]);
    });
    await t.step("consensus serve --ri -> --riddle", async () => {
      assertEquals(await complete("consensus serve --ri"), ["--riddle"]);
    });
    await t.step("every command from an empty word", async () => {
      assertEquals(await complete("consensus "), COMMANDS.map(({ name }) => name));
    });
    await t.step("the program's own options with no command", async () => {
      assertEquals(await complete("consensus --vers"), ["--version"]);
      assertEquals(await complete("consensus --allow-p"), ["--allow-propose"]);
    });
    await t.step("an option's fixed choices, files and directories", async () => {
      assertEquals(await complete("consensus join hub --negotiate "), ["grant", "deny"]);
      assertEquals(await complete("consensus serve --tls-cert hub."), ["hub.pem"]);
      assertEquals(await complete("consensus serve --data hub"), ["hub-certs"]);
      // bash splits --name=value at the "=" into three words.
      assertEquals(await complete("consensus join hub --negotiate = g"), ["grant"]);
      assertEquals(await complete("consensus serve --tls-cert = hub."), ["hub.pem"]);
      // A value typed freely (a port) is not completed with options.
      assertEquals(await complete("consensus serve --port "), []);
    });
    await t.step("a command's argument: a directory, or a shell", async () => {
      assertEquals(await complete("consensus certs hub"), ["hub-certs"]);
      assertEquals(await complete("consensus completions "), [...SHELLS]);
    });
  });
});

Deno.test("zsh: Tab in an interactive zsh completes commands, options and their values", {
  ignore: !HAS_ZSH,
}, async () => {
  await withScript("zsh", async (script, directory) => {
    await Deno.mkdir(`${directory}/offered`);
    const lines = [
      "consensus jo",
      "consensus serve --ri",
      "consensus join hub --negotiate ",
      "consensus completions ",
      "consensus --vers",
      "consensus certs hub",
    ];
    // zsh completes only at a terminal: the fixture types each line and a Tab in a zsh of its own
    // under zsh's pseudo-terminal module, and writes down what each completion offered.
    const driver = new URL("../_fixtures/zsh_complete.zsh", import.meta.url).pathname;
    await shell(
      "zsh",
      `zsh -f '${driver}' '${directory}/offered' '${script}' ${
        lines.map((line) => `'${line}'`).join(" ")
      }`,
      directory,
      40_000,
    );
    const offered = await Promise.all(lines.map(async (_, index) => {
      const text = await Deno.readTextFile(`${directory}/offered/${index + 1}`).catch(() => "");
      return [...new Set(text.split(/[\n,]/u).filter((word) => word !== ""))];
    }));
    assertEquals(offered, [
      ["join"],
      ["--riddle"],
      ["grant", "deny"],
      [...SHELLS],
      ["--version"],
      ["hub-certs"],
    ]);
  });
});

Deno.test("fish: complete -C completes commands, options and their values", {
  ignore: !HAS_FISH,
}, async () => {
  await withScript("fish", async (script, directory) => {
    const complete = async (line: string) =>
      (await shell("fish", `source '${script}'; complete -C'${line}'`, directory)).map((entry) =>
        entry.split("\t")[0]
      );
    assertEquals(await complete("consensus jo"), ["join"]);
    assertEquals(await complete("consensus serve --ri"), ["--riddle"]);
    assertEquals((await complete("consensus join hub --negotiate ")).sort(), ["deny", "grant"]);
    assertEquals(await complete("consensus certs hub"), ["hub-certs/"]);
    assertEquals((await complete("consensus completions ")).sort(), [...SHELLS].sort());
  });
});

Deno.test("every script names every command and option, and its shell reads it", {
  ignore: ON_WINDOWS,
}, async (t) => {
  const model = await completionModel();
  const directory = await Deno.makeTempDir({ prefix: "consensus-completions-" });
  try {
    for (const name of SHELLS) {
      await t.step(name, async () => {
        const path = await scriptFile(name, directory);
        const script = await Deno.readTextFile(path);
        // fish spells an option `-l name`; bash and zsh `--name`.
        const spelled = (long: string) => name === "fish" ? `-l ${long} ` : `--${long}`;
        for (const command of model.commands) {
          assert(script.includes(command.name), `${name}: ${command.name} missing`);
          for (const option of command.options) {
            assert(
              script.includes(spelled(option.long)),
              `${name}: ${command.name} --${option.long}`,
            );
          }
        }
        for (const option of model.programOptions) {
          assert(script.includes(spelled(option.long)), `${name}: --${option.long}`);
        }
        const reader = name === "zsh" ? HAS_ZSH : name === "fish" ? HAS_FISH : true;
        if (reader) await shell(name, `${name} -n '${path}'`, directory);
      });
    }
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("each command's help documents exactly the options its parser declares", async () => {
  const documented = (usage: string) => [...documentedOptions(usage).keys()].sort();
  for (const command of COMMANDS) {
    const { usage, options } = await command.load();
    assertEquals(
      documented(usage),
      Object.keys({ ...options, ...COMMON_OPTIONS }).sort(),
      `consensus ${command.name} --help`,
    );
  }
  assertEquals(documented(MAIN_USAGE), Object.keys(PROGRAM_OPTIONS).sort());
  // And every option with a description.
  const model = await completionModel();
  for (const command of model.commands) {
    for (const option of command.options) assert(option.description, `--${option.long}`);
  }
});

Deno.test("every declared command runs: its --help is the declared help text", async () => {
  for (const command of COMMANDS) {
    const { usage } = await command.load();
    const result = await runCli([command.name, "--help"]);
    assertEquals(result.code, 0, `${command.name}: ${result.stderr}`);
    assertEquals(result.stdout, `${usage}\n`);
  }
});

Deno.test("completions: a missing or unknown shell is a usage error", async () => {
  const missing = await runCli(["completions"]);
  assertEquals(missing.code, 2);
  assert(missing.stderr.includes("Missing the shell"), missing.stderr);
  const unknown = await runCli(["completions", "tcsh"]);
  assertEquals(unknown.code, 2);
  assert(unknown.stderr.includes(`Unknown shell "tcsh": give bash, zsh, fish`), unknown.stderr);
});

Deno.test("--version: the program's version, Deno's and the build target", async () => {
  const result = await runCli(["--version"]);
  assertEquals(result.code, 0);
  const lines = result.stdout.trimEnd().split("\n");
  assert(/^consensus \d+\.\d+\.\d+$/u.test(lines[0]!), result.stdout);
  assertEquals(lines.slice(1), [`deno ${Deno.version.deno}`, `target ${Deno.build.target}`]);
  assertEquals((await runCli(["-V"])).stdout, result.stdout);
});
