/**
 * Tests that need a system tool (tmux, nc, sqlite3, zsh, ...) run when it is
 * installed, and are skipped with a line saying what to install when it is
 * not. On a Linux CI machine (`CI=true`), where every such tool is installed
 * from Debian, a missing one is a failure instead: a skipped test there would
 * hide that nothing was tested.
 *
 * @module
 */

const reported = new Set<string>();

/**
 * Whether a tool is on the PATH.
 *
 * @param name The program's name, e.g. `nc`.
 * @returns `true` when an executable file of that name is found.
 */
export function hasTool(name: string): boolean {
  const windows = Deno.build.os === "windows";
  const directories = (Deno.env.get("PATH") ?? "").split(windows ? ";" : ":");
  const names = windows ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  return directories.some((directory) =>
    directory !== "" && names.some((file) => {
      try {
        const info = Deno.statSync(`${directory}/${file}`);
        return info.isFile && (windows || ((info.mode ?? 0o111) & 0o111) !== 0);
      } catch {
        return false;
      }
    })
  );
}

/**
 * Decides whether tests that need a tool run. Use it as `ignore:
 * !requireTool("nc", "netcat-openbsd")`. When the tool is missing it prints
 * one line saying what to install; with `CI=true` on Linux it also registers a
 * failing test that says so.
 *
 * @param name The program's name, e.g. `nc`.
 * @param debianPackage The Debian package that installs it, e.g. `netcat-openbsd`.
 * @returns `true` when the tool is there and the tests can run.
 */
export function requireTool(name: string, debianPackage: string): boolean {
  if (hasTool(name)) return true;
  const message =
    `${name} is not installed: install ${debianPackage} (apt-get install -y ${debianPackage})`;
  if (reported.has(name)) return false;
  reported.add(name);
  if (Deno.env.get("CI") === "true" && Deno.build.os === "linux") {
    Deno.test(`${name} is installed`, () => {
      throw new Error(message);
    });
  } else {
    console.error(`SKIP tests that need ${name}: ${message}`);
  }
  return false;
}

/**
 * A `Deno.test` for tests that all need one tool: each is ignored, with the
 * line saying what to install, when the tool is missing.
 *
 * @param name The program's name, e.g. `tmux`.
 * @param debianPackage The Debian package that installs it.
 * @returns A function that registers a test by name, as `Deno.test(name, fn)` does.
 */
export function testNeeding(
  name: string,
  debianPackage: string,
): (testName: string, fn: (t: Deno.TestContext) => void | Promise<void>) => void {
  const ignore = !requireTool(name, debianPackage);
  return (testName, fn) => Deno.test({ name: testName, ignore, fn });
}
