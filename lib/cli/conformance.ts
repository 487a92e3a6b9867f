/**
 * `consensus conformance HOST:PORT`: checks a hub, ours or another team's,
 * against PROTOCOL.md, and prints a table of checks.
 *
 * @module
 */

import { closeAll, type ConformanceContext, leaveAll, newContext } from "../conformance/context.ts";
import { CheckFailure, RunAborted } from "../conformance/expect.ts";
import { Probe } from "../conformance/probe.ts";
import {
  type CheckResult,
  conforms,
  formatResult,
  formatSummary,
  runChecks,
} from "../conformance/runner.ts";
import { TEXT_CHECKS } from "../conformance/text_checks.ts";
import { JSON_CHECKS } from "../conformance/json_checks.ts";
import { GateRefusedError, HubUnreachableError } from "../node/errors.ts";
import { DEFAULT_PORT } from "../protocol/messages.ts";
import { type OptionSpec, parseCommandArgs, parseSeconds } from "./args.ts";
import { EXIT } from "./exit_codes.ts";
import { parseHubAddress } from "./join.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus conformance`. */
export const CONFORMANCE_USAGE =
  `Usage: consensus conformance [tls://]HOST[:PORT] --answer TEXT [options]

Checks a hub, ours or another team's, against PROTOCOL.md (default port ${DEFAULT_PORT}): the text
dialect first (greeting, gate, wrong answers, PINs, every service with its arguments inline and
with the hub's questions, the pushes a second node sees, errors for bad input, resume, exit), then
the JSON dialect when the hub offers it. It joins as several nodes, votes and, when the hub allows
it, proposes and closes a ballot of its own. Prints one row per check: pass, fail (with what was
expected and what came) or skip (an optional part the hub does not offer).

Options:
  --answer TEXT       the gate answer (proved to the hub, as consensus join does)
  --tls-ca FILE       with tls://: trust the hub certificates this CA signed (PEM)
  --json              print one JSON object: {"conforms": ..., "results": [...]}
  --step-timeout S    longest wait for any one line from the hub, in seconds (default 5)
  -h, --help          show this help

Exit codes:
  0 every required check passed   1 a required check failed
  2 usage error                   3 nothing accepts connections there
  4 the hub refused the proof of --answer (the run stops, to spare the address's tries)

Example:
  consensus conformance 127.0.0.1:7337 --answer keyboard`;

/** The options of `consensus conformance`. */
export const CONFORMANCE_OPTIONS = {
  answer: { type: "string" },
  "tls-ca": { type: "string" },
  json: { type: "boolean" },
  "step-timeout": { type: "string" },
} as const satisfies OptionSpec;

/**
 * Runs `consensus conformance`.
 *
 * @param args Arguments after `conformance`.
 * @param output Where to print.
 * @returns The exit code: 0 when the hub conforms, 1 when it does not.
 * @throws {UsageError} On wrong arguments.
 * @throws {HubUnreachableError} When nothing accepts a connection there.
 * @throws {GateRefusedError} When the hub refuses the proof of `--answer` (the run stops).
 */
export async function conformance(
  args: string[],
  output: Output = STANDARD_OUTPUT,
): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, CONFORMANCE_OPTIONS, CONFORMANCE_USAGE);
  if (values.help) {
    output.out(CONFORMANCE_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError("Give the hub's address, HOST:PORT", CONFORMANCE_USAGE);
  }
  const answer = values.answer;
  if (typeof answer !== "string") {
    throw new UsageError("Give the gate answer with --answer", CONFORMANCE_USAGE);
  }
  const { host, port, tls } = parseHubAddress(positionals[0]!, values, CONFORMANCE_USAGE);
  const stepMs = values["step-timeout"] === undefined
    ? 5000
    : parseSeconds(values["step-timeout"] as string, "step-timeout", CONFORMANCE_USAGE);
  const context = newContext({ host, port, tls, stepMs }, answer);
  await expectReachable(context);
  const json = values.json === true;
  if (!json) output.out(`Checking the hub at ${host}:${port} against PROTOCOL.md`);
  const print = (result: CheckResult) => {
    if (!json) { for (const line of formatResult(result)) output.out(line); }
  };
  let results: CheckResult[];
  try {
    results = await runChecks(TEXT_CHECKS, context, print);
    // The text nodes leave first, so that the JSON nodes alone make up the electorate.
    await leaveAll(context);
    results.push(...await runChecks(JSON_CHECKS, context, print));
  } catch (error) {
    if (error instanceof RunAborted) throw new GateRefusedError(error.message);
    throw error;
  } finally {
    await leaveAll(context);
    closeAll(context);
  }
  if (json) {
    output.out(JSON.stringify({ hub: `${host}:${port}`, conforms: conforms(results), results }));
  } else output.out(formatSummary(results));
  return conforms(results) ? EXIT.ok : EXIT.failure;
}

async function expectReachable(context: ConformanceContext): Promise<void> {
  const { host, port } = context.target;
  try {
    const probe = await Probe.open(context.target);
    probe.close();
  } catch (error) {
    const reason = error instanceof CheckFailure ? error.got : (error as Error).message;
    throw new HubUnreachableError(`Cannot reach a hub at ${host}:${port}: ${reason}`);
  }
}
