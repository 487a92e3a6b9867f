/**
 * The `consensus` program: argv to a command, errors to exit codes. The only
 * place that calls `Deno.exit`.
 *
 * @module
 */

import { errorCodeFor, EXIT, exitCodeFor } from "./lib/cli/exit_codes.ts";
import { MAIN_USAGE } from "./lib/cli/main_usage.ts";
import { collectGarbageOnSignal, onShutdownSignal, STANDARD_OUTPUT } from "./lib/cli/runtime.ts";
import { UsageError } from "./lib/cli/usage_error.ts";
import { versionText } from "./lib/version.ts";

// Each command is loaded when it runs: a node that votes and exits should not
// pay for loading the hub, SQLite or the X.509 library.

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--version" || command === "-V") {
    STANDARD_OUTPUT.out(versionText());
    return EXIT.ok;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    STANDARD_OUTPUT.out(MAIN_USAGE);
    return EXIT.ok;
  }
  const shutdown = onShutdownSignal();
  try {
    if (command === "serve") {
      const { parseServeArgs, readOperatorCommands, SERVE_USAGE, startServing } = await import(
        "./lib/cli/serve.ts"
      );
      const { dropFileAccess } = await import("./lib/cli/lockdown.ts");
      const settings = parseServeArgs(rest);
      if (settings === "help") {
        STANDARD_OUTPUT.out(SERVE_USAGE);
        return EXIT.ok;
      }
      const running = await startServing(settings);
      collectGarbageOnSignal();
      // The journal is open and the TLS files are read: no more file access.
      dropFileAccess();
      // The operator's commands; the loop ends by itself when stdin closes.
      const ended = Promise.withResolvers<void>();
      readOperatorCommands(running.hub, Deno.stdin, STANDARD_OUTPUT, ended.resolve).catch(
        () => {},
      );
      // A clean stop (a signal, or `end` typed) ends the meeting.
      await Promise.race([shutdown.signal, ended.promise]);
      await running.end();
    } else if (command === "audit") {
      const { audit } = await import("./lib/cli/audit.ts");
      await audit(rest);
    } else if (command === "results") {
      const { results } = await import("./lib/cli/results.ts");
      await results(rest);
    } else if (command === "certs") {
      const { certs } = await import("./lib/cli/certs.ts");
      await certs(rest);
    } else if (command === "completions") {
      const { completions } = await import("./lib/cli/completions.ts");
      await completions(rest);
    } else if (command === "conformance") {
      // Ctrl-C stops the checker at once: it keeps nothing that needs a clean end.
      shutdown.dispose();
      const { conformance } = await import("./lib/cli/conformance.ts");
      return await conformance(rest);
    } else if (command === "hubs") {
      const { hubs } = await import("./lib/cli/hubs.ts");
      await hubs(rest);
    } else if (command === "join") {
      shutdown.dispose();
      const { join } = await import("./lib/cli/join.ts");
      await join(rest);
    } else {
      const { auto } = await import("./lib/cli/auto.ts");
      await auto(args, STANDARD_OUTPUT, shutdown.signal);
    }
    return EXIT.ok;
  } catch (error) {
    return report(error, args.includes("--json"));
  } finally {
    shutdown.dispose();
  }
}

function report(error: unknown, json: boolean): number {
  const code = exitCodeFor(error);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    STANDARD_OUTPUT.err(`consensus: ${message}\n\n${error.usage}`);
  } else if (error instanceof Deno.errors.AddrInUse) {
    STANDARD_OUTPUT.err(`consensus: Cannot start the hub: the port is taken (${message})`);
  } else {
    STANDARD_OUTPUT.err(`consensus: ${message}`);
  }
  if (json && !(error instanceof UsageError)) {
    STANDARD_OUTPUT.out(
      JSON.stringify({ error: { code: errorCodeFor(error), message, exitCode: code } }),
    );
  }
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
