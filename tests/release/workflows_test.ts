/**
 * The GitHub workflows, read as GitHub reads them: valid YAML, every action
 * pinned to a commit, the least permissions, the five binaries built by the
 * compile tasks of deno.json with the same permission flags as the program
 * the README runs; and the release's smoke run, run here on the program.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { parse } from "yaml";
import { VERSION } from "../../lib/version.ts";
import { cliCommand } from "../_helpers/cli.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

// deno-lint-ignore no-explicit-any
type Yaml = any;

async function workflow(name: string): Promise<Yaml> {
  // Strict: duplicate keys and anything YAML 1.2 does not allow are errors.
  return parse(await read(`.github/workflows/${name}`), { strict: true, uniqueKeys: true });
}

const deno = JSON.parse(await read("deno.json"));
const tasks: Record<string, string> = deno.tasks;
const compileTasks = Object.entries(tasks).filter(([name]) => name.startsWith("compile:"));
/** The runtime flags of a task (`--allow-*`, `--v8-flags=`), in order. */
const permissionFlags = (task: string) =>
  task.split(/\s+/u).filter((w) => w.startsWith("--allow-") || w.startsWith("--v8-flags="));
const option = (task: string, name: string) => {
  const words = task.split(/\s+/u);
  return words[words.indexOf(name) + 1];
};
const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

/** Every step of every job. */
function steps(file: Yaml): Yaml[] {
  return Object.values(file.jobs).flatMap((job: Yaml) => job.steps ?? []);
}

Deno.test("every action in every workflow is pinned to a 40-character commit", async () => {
  for (const name of ["ci.yml", "release.yml"]) {
    const file = await workflow(name);
    const uses = steps(file).filter((step) => step.uses).map((step) => step.uses as string);
    assert(uses.length > 0, name);
    for (const action of uses) {
      assert(/^[\w.-]+\/[\w.-]+(?:\/[^@]+)?@[0-9a-f]{40}$/u.test(action), `${name}: ${action}`);
    }
    // Nothing escapes the parse: each `uses:` line of the text is one of those.
    const lines = (await read(`.github/workflows/${name}`)).match(/^\s*(?:- )?uses:/gmu) ?? [];
    assertEquals(lines.length, uses.length, name);
  }
});

Deno.test("least permissions: read everywhere, write only for the job that publishes", async () => {
  const ci = await workflow("ci.yml");
  assertEquals(ci.permissions, { contents: "read" });
  for (const job of Object.values(ci.jobs) as Yaml[]) assertEquals(job.permissions, undefined);
  const release = await workflow("release.yml");
  assertEquals(release.permissions, { contents: "read" });
  const writers = Object.entries(release.jobs).filter(([, job]: [string, Yaml]) => job.permissions);
  assertEquals(writers.map(([name, job]: [string, Yaml]) => [name, job.permissions]), [
    ["publish", { contents: "write" }],
  ]);
  // No checkout leaves the token behind for later steps.
  for (const file of [ci, release]) {
    for (const step of steps(file).filter((each) => /actions\/checkout@/u.test(each.uses ?? ""))) {
      assertEquals(step.with?.["persist-credentials"], false);
    }
  }
});

Deno.test("release: the five targets, each built by its compile task, with the program's permissions", async () => {
  const release = await workflow("release.yml");
  assertEquals(release.on, { push: { tags: ["v*"] } });
  // The five compile tasks: one per target, each output named after its task.
  assertEquals(
    compileTasks.map(([, task]) => option(task, "--target")).sort(),
    [...TARGETS].sort(),
  );
  const names = compileTasks.map(([name]) => name.slice("compile:".length));
  for (const [name, task] of compileTasks) {
    const suffix = name.slice("compile:".length);
    assert(
      [`dist/consensus-${suffix}`, `dist/consensus-${suffix}.exe`].includes(
        option(task, "--output")!,
      ),
      task,
    );
  }
  // release.yml builds exactly those, through the tasks.
  assertEquals([...release.jobs.build.strategy.matrix.name].sort(), [...names].sort());
  assert(
    release.jobs.build.steps.some((step: Yaml) =>
      step.run === 'deno task "compile:${{ matrix.name }}"'
    ),
  );
  // ... so the binaries have the compile tasks' flags: the same for all five, and the same as the
  // program started by `deno task start` and the README's run command.
  const flags = permissionFlags(tasks.start!);
  for (const [name, task] of compileTasks) assertEquals(permissionFlags(task), flags, name);
  const readme = (await read("README.md")).replaceAll("\n", " ");
  assert(readme.includes(`deno run ${flags.join(" ")} main.ts`), "README's run command");
  // The publish job refuses a release without all five files.
  const publish = release.jobs.publish.steps.map((step: Yaml) => step.run ?? "").join("\n");
  for (const [, task] of compileTasks) {
    assert(publish.includes(option(task, "--output")!.slice("dist/".length)), task);
  }
  assert(publish.includes("sha256sum consensus-* install.sh install.ps1 > SHA256SUMS"));
  assert(publish.includes("gh release create"));
});

Deno.test("release: a smoke run on Linux x64 and both macOS, each checking its own target", async () => {
  const release = await workflow("release.yml");
  const runs = release.jobs.smoke.strategy.matrix.include as Yaml[];
  assertEquals(runs.map((run) => run.name), ["linux-x64", "macos-x64", "macos-arm64"]);
  for (const run of runs) {
    assertEquals(option(tasks[`compile:${run.name}`]!, "--target"), run.target, run.name);
  }
  // The tag is checked against the version the binary prints.
  assertEquals(deno.version, VERSION);
});

Deno.test("CI runs the README's commands on Linux and the unit tests on macOS and Windows", async () => {
  const ci = await workflow("ci.yml");
  assertEquals(Object.keys(ci.on).sort(), ["pull_request", "push"]);
  const readme = await read("README.md");
  const linux = ci.jobs.linux.steps.map((step: Yaml) => step.run).filter(Boolean);
  assert(readme.includes("npx -y deno@2.9.6 task test"));
  assert(linux.includes("npx -y deno@2.9.6 task test"));
  assert(linux.includes("npx -y deno@2.9.6 task check"));
  const unit = ci.jobs.unit.strategy.matrix.include as Yaml[];
  assertEquals(unit.map((run) => run.os), ["macos-15", "windows-2025"]);
  // Every folder of unit tests runs on Windows: only the end-to-end ones are left out.
  const folders = [...Deno.readDirSync(new URL("tests/", root))]
    .filter((entry) => entry.isDirectory && !entry.name.startsWith("_"))
    .map((entry) => `tests/${entry.name}/`)
    .filter((folder) =>
      ![
        "tests/board/",
        "tests/cli/",
        "tests/cluster/",
        "tests/conformance/",
        "tests/release/",
      ].includes(folder)
    );
  assertEquals(unit[1].tests.split(" ").sort(), [...folders, "lib/"].sort());
});

Deno.test({
  name: "the release smoke run passes on the program and refuses a binary of another target",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const directory = await Deno.makeTempDir({ prefix: "consensus-smoke-" });
    try {
      // A stand-in for the compiled binary: the program with the compile task's permissions.
      const binary = `${directory}/consensus`;
      const quoted = cliCommand([]).map((word) => `'${word.replaceAll("'", `'\\''`)}'`);
      await Deno.writeTextFile(binary, `#!/bin/sh\nexec ${quoted.join(" ")} "$@"\n`);
      await Deno.chmod(binary, 0o755);
      const smoke = (target: string) =>
        new Deno.Command("sh", {
          args: [new URL(".github/release-smoke.sh", root).pathname, binary, target],
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(40_000),
        }).output();
      const passed = await smoke(Deno.build.target);
      const stdout = new TextDecoder().decode(passed.stdout);
      assertEquals(passed.code, 0, new TextDecoder().decode(passed.stderr));
      assert(stdout.includes(`target ${Deno.build.target}`), stdout);
      assert(stdout.includes("ok vote A"), stdout);
      assert(stdout.includes("served a hub and a node reached a decision on it"), stdout);
      const refused = await smoke("riscv64gc-unknown-linux-gnu");
      assertEquals(refused.code, 1);
      assert(
        new TextDecoder().decode(refused.stderr).includes("is not built for riscv64gc"),
      );
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  },
});
