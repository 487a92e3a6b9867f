/**
 * Where a hub keeps its journal when `--data` is not given: a per-user
 * directory, as each system expects it.
 *
 * @module
 */

/**
 * The default data directory.
 *
 * @param env Reads an environment variable (injectable for tests).
 * @param os The operating system.
 * @returns `$XDG_DATA_HOME/consensus` or `~/.local/share/consensus` on Linux,
 * `~/Library/Application Support/consensus` on macOS, `%LOCALAPPDATA%\consensus` on Windows.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const env = (name: string) => ({ HOME: "/home/ada" } as Record<string, string>)[name];
 * assertEquals(defaultDataDirectory(env, "linux"), "/home/ada/.local/share/consensus");
 * ```
 */
export function defaultDataDirectory(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
  os: typeof Deno.build.os = Deno.build.os,
): string {
  if (os === "windows") {
    const base = env("LOCALAPPDATA") ?? `${env("USERPROFILE") ?? "."}\\AppData\\Local`;
    return `${base}\\consensus`;
  }
  const home = env("HOME") ?? ".";
  if (os === "darwin") return `${home}/Library/Application Support/consensus`;
  return `${env("XDG_DATA_HOME") ?? `${home}/.local/share`}/consensus`;
}
