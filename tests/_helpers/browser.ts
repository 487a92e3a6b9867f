/**
 * A real headless Chromium for tests of the web pages, driven with
 * Playwright. Missing, it skips the test with a line saying what to install;
 * with CI=true a missing browser fails instead.
 *
 * @module
 */

import { type Browser, chromium } from "playwright-core";

/** Debian's headless Chromium (`apt-get install chromium-headless-shell`): the binary, not the wrapper script, whose PID does not own the browser. */
export const CHROMIUM = "/usr/lib/chromium/chromium-headless-shell";

/** Whether the browser is installed; without it (and not in CI), says what to install. */
export function hasBrowser(): boolean {
  try {
    Deno.statSync(CHROMIUM);
    return true;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium-headless-shell`);
    }
    console.log(`skipped: no browser; install it with apt-get install chromium-headless-shell`);
    return false;
  }
}

/**
 * Launches the browser; `await using` closes it.
 *
 * @param args More command-line switches of Chromium.
 * @returns The browser.
 */
export async function launchBrowser(args: string[] = []): Promise<Browser & AsyncDisposable> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", ...args],
    timeout: 20_000,
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

/**
 * The directory where tests save screenshots for a person to look at
 * (printed once), under the system's temporary directory.
 *
 * @returns Its path.
 */
export function artifactsDirectory(): string {
  const directory = `${Deno.env.get("TMPDIR") ?? "/tmp"}/consensus-test-artifacts`;
  Deno.mkdirSync(directory, { recursive: true });
  return directory;
}
