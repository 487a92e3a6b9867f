/**
 * install.sh against a local web server that serves fake release files: it
 * installs only what matches SHA256SUMS, and says clearly when it cannot.
 * Run with `sh` (dash on Debian), so it stays POSIX.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";

const INSTALL_SH = new URL("../../install.sh", import.meta.url).pathname;
/** What the fake binary prints: the installed file really runs. */
const FAKE_VERSION = "consensus 9.9.9 (fake release)";
const FAKE_BINARY = `#!/bin/sh\necho "${FAKE_VERSION}"\n`;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A web server on 127.0.0.1 serving some files, remembering what was asked. */
function releaseServer(files: Record<string, string>) {
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const name = new URL(request.url).pathname.replace(/^\/releases\//u, "");
    requested.push(name);
    const body = files[name];
    return body === undefined ? new Response("not found", { status: 404 }) : new Response(body);
  });
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/releases`,
    requested,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Runs install.sh with `sh`, a fresh HOME and the given environment. */
async function install(home: string, env: Record<string, string>, args: string[] = []) {
  const result = await new Deno.Command("sh", {
    args: [INSTALL_SH, ...args],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home, ...env },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The release file install.sh should pick on this machine. */
function thisMachine(): string {
  const os = Deno.build.os === "darwin" ? "macos" : Deno.build.os;
  return `consensus-${os}-${Deno.build.arch === "aarch64" ? "arm64" : "x64"}`;
}

Deno.test({
  name: "install.sh against a local release",
  // The script is for Linux and macOS; install.ps1 is Windows's.
  ignore: Deno.build.os === "windows",
  fn: async (t) => {
    const home = await Deno.makeTempDir({ prefix: "consensus-install-" });
    const good = {
      "consensus-linux-x64": FAKE_BINARY,
      "consensus-macos-arm64": FAKE_BINARY,
      [thisMachine()]: FAKE_BINARY,
    };
    const sums = async (files: Record<string, string>) =>
      (await Promise.all(
        Object.entries(files).map(async ([name, body]) => `${await sha256(body)}  ${name}`),
      )).join("\n") + "\n";
    try {
      await t.step("the right checksum: installed in ~/.local/bin, and it runs", async () => {
        await using server = releaseServer({ ...good, SHA256SUMS: await sums(good) });
        const result = await install(home, { CONSENSUS_BASE_URL: server.baseUrl });
        assertEquals(result.code, 0, result.stderr);
        assertEquals(server.requested, ["SHA256SUMS", thisMachine()]);
        const installed = `${home}/.local/bin/consensus`;
        const run = await new Deno.Command(installed, { stdout: "piped" }).output();
        assertEquals(new TextDecoder().decode(run.stdout).trim(), FAKE_VERSION);
        assert(result.stdout.includes(`Installed ${thisMachine()} as ${installed}`), result.stdout);
        // The directory is not on the test's PATH: the script says how to add it.
        assert(result.stdout.includes(`export PATH="${home}/.local/bin:$PATH"`), result.stdout);
      });

      await t.step("--dir, and the system and CPU given by the environment", async () => {
        await using server = releaseServer({ ...good, SHA256SUMS: await sums(good) });
        const result = await install(home, {
          CONSENSUS_BASE_URL: server.baseUrl,
          CONSENSUS_OS: "macos",
          CONSENSUS_ARCH: "arm64",
        }, ["--dir", `${home}/bin`]);
        assertEquals(result.code, 0, result.stderr);
        assertEquals(server.requested, ["SHA256SUMS", "consensus-macos-arm64"]);
        assertEquals(await Deno.readTextFile(`${home}/bin/consensus`), FAKE_BINARY);
      });

      await t.step(
        "a wrong checksum: refused, with a clear message, nothing installed",
        async () => {
          const tampered = { ...good, "consensus-linux-x64": `${FAKE_BINARY}echo tampered\n` };
          await using server = releaseServer({ ...tampered, SHA256SUMS: await sums(good) });
          const result = await install(home, {
            CONSENSUS_BASE_URL: server.baseUrl,
            CONSENSUS_OS: "linux",
            CONSENSUS_ARCH: "x64",
          }, ["--dir", `${home}/refused`]);
          assertEquals(result.code, 1);
          assert(
            result.stderr.includes("checksum mismatch for consensus-linux-x64") &&
              result.stderr.includes("Nothing was installed."),
            result.stderr,
          );
          assertEquals(await exists(`${home}/refused`), false);
        },
      );

      await t.step("a binary SHA256SUMS does not list: refused", async () => {
        await using server = releaseServer({ ...good, SHA256SUMS: "" });
        const result = await install(home, {
          CONSENSUS_BASE_URL: server.baseUrl,
          CONSENSUS_OS: "linux",
          CONSENSUS_ARCH: "x64",
        }, ["--dir", `${home}/unlisted`]);
        assertEquals(result.code, 1);
        assert(result.stderr.includes("SHA256SUMS has no line for consensus-linux-x64"));
        assertEquals(await exists(`${home}/unlisted`), false);
      });

      await t.step("a release without the files: says which download failed", async () => {
        await using server = releaseServer({});
        const result = await install(home, {
          CONSENSUS_BASE_URL: server.baseUrl,
          CONSENSUS_OS: "linux",
          CONSENSUS_ARCH: "x64",
        }, ["--dir", `${home}/missing`]);
        assertEquals(result.code, 1);
        assert(
          result.stderr.includes(`cannot download ${server.baseUrl}/SHA256SUMS`),
          result.stderr,
        );
        assertEquals(await exists(`${home}/missing`), false);
      });

      await t.step("an unknown system or CPU: says so, downloads nothing", async () => {
        await using server = releaseServer({ ...good, SHA256SUMS: await sums(good) });
        const system = await install(home, {
          CONSENSUS_BASE_URL: server.baseUrl,
          CONSENSUS_OS: "plan9",
        });
        assertEquals(system.code, 1);
        assert(system.stderr.includes(`no consensus binary for the system "plan9"`), system.stderr);
        const cpu = await install(home, {
          CONSENSUS_BASE_URL: server.baseUrl,
          CONSENSUS_OS: "linux",
          CONSENSUS_ARCH: "riscv64",
        });
        assertEquals(cpu.code, 1);
        assert(cpu.stderr.includes(`no consensus binary for the CPU "riscv64" on linux`));
        const windows = await install(home, { CONSENSUS_OS: "MINGW64_NT-10.0" });
        assert(windows.stderr.includes("use install.ps1"), windows.stderr);
        assertEquals(server.requested, []);
      });

      await t.step("no release to download from: says what to set", async () => {
        const result = await install(home, { CONSENSUS_OS: "linux", CONSENSUS_ARCH: "x64" });
        assertEquals(result.code, 1);
        assert(result.stderr.includes("set CONSENSUS_REPOSITORY=OWNER/REPO"), result.stderr);
      });
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
