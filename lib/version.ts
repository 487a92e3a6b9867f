/**
 * The program's version, in one small module: printing it must not load the hub.
 *
 * @module
 */

/** The program's version, shown by `--version` and in the hub's greeting. */
export const VERSION = "0.1.0";

/** What a binary was built with: the Deno runtime inside it and its target. */
export interface BuildInfo {
  /** Deno's version, e.g. `2.9.6`. */
  deno: string;
  /** The target triple, e.g. `x86_64-unknown-linux-gnu`: in a compiled binary, the one compiled for. */
  target: string;
}

/**
 * What `consensus --version` prints.
 *
 * @param build The runtime's version and target (this process's by default).
 * @returns Three lines: the program's version, Deno's, the target.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(
 *   versionText({ deno: "2.9.6", target: "aarch64-apple-darwin" }),
 *   `consensus ${VERSION}\ndeno 2.9.6\ntarget aarch64-apple-darwin`,
 * );
 * ```
 */
export function versionText(
  build: BuildInfo = { deno: Deno.version.deno, target: Deno.build.target },
): string {
  return `consensus ${VERSION}\ndeno ${build.deno}\ntarget ${build.target}`;
}
