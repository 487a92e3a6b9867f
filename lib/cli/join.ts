/**
 * `consensus join HOST:PORT`: joins a hub as a node, interactively at a
 * terminal or as a script driven by flags.
 *
 * @module
 */

import { DEFAULT_PORT } from "../protocol/messages.ts";
import type { HubAddress } from "../node/hub_client.ts";
import { runScripted, type ScriptedPlan } from "../node/scripted.ts";
import { isErrorReply } from "../protocol/messages.ts";
import { splitWords, validateInfo } from "../protocol/validate.ts";
import { type OptionSpec, parseCommandArgs, parseHostPort, parseSeconds } from "./args.ts";
import { isInteractive, onShutdownSignal, type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { dropFileAccess } from "./lockdown.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus join`. */
export const JOIN_USAGE = `Usage: consensus join [[tls://]HOST[:PORT][,HOST[:PORT]...]] [options]

Joins a hub as a node (default port ${DEFAULT_PORT}). At a terminal with no action flags it shows a
menu; otherwise it does what the flags say, in this order, and exits. Several hubs of one
election (consensus serve --cluster) are tried in order; if the node loses its hub, it resumes
on the next one (and on the hubs its hub names).

With no address it looks for hubs on the LAN for a second (see consensus hubs) and joins the
only one that answers; when several answer it shows a menu at a terminal, and otherwise lists
them and exits with code 2; when none answers it exits with code 3.

Options:
  --answer TEXT        the gate answer (asked at a terminal when missing); it is proved to the
                       hub without being sent, and the hub proves it knows it too
  --tls-ca FILE        with tls://: trust the hub certificates this CA signed (PEM)
  --name NAME          the name others see (default: node-PIN)
  --services W,W       setup: services you offer
  --capabilities W,W   setup: your capabilities
  --constraints W,W    setup: your constraints
  --negotiate grant|deny
                       offer your node info; grant or deny the hub's request to store it
  --discover           list the connected nodes
  --receive PIN|all    get stored node info
  --ballot N           the ballot to vote on (needed when several are open)
  --vote VOTE          vote in the ballot's method: A (or the option's text), A,C (choice:N,
                       approval), A=5 B=2 (score), C>A>B (ranked), block "why" (consent)
  --wait               wait until the ballot closes (after --vote: the ballot voted on)
  --stats              votes per option of the open ballots, and recent decisions
  --follow             print pushed events until the hub closes, the time runs out or Ctrl-C
  --timeout SECONDS    bound the whole run (default 30)
  --json               print one JSON object with every result (events as JSON lines with --follow)
  -h, --help           show this help

Exit codes:
  0 done (with --wait: consensus reached)   2 usage error (or several hubs on the LAN)
  3 hub unreachable, or not a consensus hub 4 wrong gate answer
    (or no hub on the LAN)
  5 request refused (vote, PIN, name)       6 timed out
  7 hub closed the connection               8 with --wait: closed without a decision
  1 any other failure

A dropped connection is resumed by itself (with the hub's resume token) for up to 30 s.

Examples:
  consensus join 127.0.0.1:7337
  consensus join --answer keyboard --vote A
  consensus join 127.0.0.1:7337 --answer keyboard --vote A --wait --json`;

const JOIN_OPTIONS = {
  answer: { type: "string" },
  "tls-ca": { type: "string" },
  name: { type: "string" },
  services: { type: "string" },
  capabilities: { type: "string" },
  constraints: { type: "string" },
  negotiate: { type: "string" },
  discover: { type: "boolean" },
  receive: { type: "string" },
  ballot: { type: "string" },
  vote: { type: "string" },
  wait: { type: "boolean" },
  stats: { type: "boolean" },
  follow: { type: "boolean" },
  timeout: { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

/** Flags that make a run scripted (it then never prompts). */
const ACTION_FLAGS = [
  "services",
  "capabilities",
  "constraints",
  "negotiate",
  "discover",
  "receive",
  "ballot",
  "vote",
  "wait",
  "stats",
  "follow",
  "json",
] as const;

/**
 * Runs `consensus join`.
 *
 * @param args Arguments after `join`.
 * @param output Where to print.
 * @returns When the node is done.
 * @throws {UsageError} On a mistake; node errors otherwise.
 */
export async function join(args: string[], output: Output = STANDARD_OUTPUT): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, JOIN_OPTIONS, JOIN_USAGE);
  if (values.help) {
    output.out(JOIN_USAGE);
    return;
  }
  if (positionals.length > 1) {
    throw new UsageError(`Unexpected argument "${positionals[1]}"`, JOIN_USAGE);
  }
  // HOST:PORT,HOST:PORT,...: hubs of one election, tried in order.
  const address = positionals[0] ?? await joinAddressOnLan(output);
  const [first, ...others] = address.split(",");
  const { host, port, tls } = parseHubAddress(first!, values, JOIN_USAGE);
  const alternates = others.map((text) => {
    const other = parseHubAddress(
      tls ? `tls://${text.replace(/^tls:\/\//u, "")}` : text,
      values,
      JOIN_USAGE,
    );
    return { host: other.host, port: other.port };
  });
  await joinAt(host, port, values, output, tls, alternates);
}

/**
 * Finds the hub to join on the LAN, and says which it is (on standard error,
 * so that `--json` output stays one object).
 *
 * @param output Where to print.
 * @returns Its address, as `join` takes it.
 */
export async function joinAddressOnLan(output: Output): Promise<string> {
  // Loaded on demand: a join with an address never touches multicast.
  const { findLanHubs, joinAddressOf, pickHub, QUICK_LOOK_MS } = await import("./lan_hubs.ts");
  const { escapeForTerminal: safe } = await import("../protocol/text_safety.ts");
  const hub = await pickHub(await findLanHubs(QUICK_LOOK_MS, output), isInteractive());
  const address = joinAddressOf(hub);
  output.err(`joining hub "${safe(hub.instance)}" found on the LAN at ${safe(address)}`);
  return address;
}

/**
 * Joins the hub at an address with already parsed flags (shared with the
 * plain `consensus` command).
 *
 * @param host The hub's host.
 * @param port The hub's port.
 * @param values Parsed flags.
 * @param output Where to print.
 * @param tls TLS settings, for a tls:// address.
 * @param alternates Other hubs of the same election, tried in order.
 */
export async function joinAt(
  host: string,
  port: number,
  values: Record<string, string | boolean | undefined>,
  output: Output,
  tls?: { caCerts: string[] },
  alternates: readonly HubAddress[] = [],
): Promise<void> {
  const text = (name: string) =>
    typeof values[name] === "string" ? values[name] as string : undefined;
  // A node reads nothing but its CA file, already read: it gives up file access.
  dropFileAccess();
  const scripted = ACTION_FLAGS.some((flag) => values[flag] !== undefined) || !isInteractive();
  if (!scripted) {
    // Loaded on demand: the prompt library is big, and a script never needs it.
    const { runInteractive } = await import("../node/interactive.ts");
    const options: Parameters<typeof runInteractive>[0] = {
      host,
      port,
      alternates,
      ...(tls ? { tls } : {}),
    };
    if (text("answer") !== undefined) options.answer = text("answer")!;
    if (text("name") !== undefined) options.name = text("name")!;
    await runInteractive(options, output);
    return;
  }
  const answer = text("answer");
  if (answer === undefined) {
    throw new UsageError(
      "--answer is needed when not at a terminal or when action flags are given",
      JOIN_USAGE,
    );
  }
  const plan: ScriptedPlan = {
    host,
    port,
    alternates,
    ...(tls ? { tls } : {}),
    answer,
    timeoutMs: text("timeout") === undefined
      ? 30_000
      : parseSeconds(text("timeout")!, "timeout", JOIN_USAGE),
    json: values.json === true,
  };
  if (text("name") !== undefined) plan.name = text("name")!;
  if (["services", "capabilities", "constraints"].some((field) => text(field) !== undefined)) {
    const info = validateInfo({
      services: splitWords(text("services") ?? ""),
      capabilities: splitWords(text("capabilities") ?? ""),
      constraints: splitWords(text("constraints") ?? ""),
    });
    if (isErrorReply(info)) throw new UsageError(info.message, JOIN_USAGE);
    plan.setup = info;
  }
  const negotiate = text("negotiate");
  if (negotiate !== undefined) {
    if (negotiate !== "grant" && negotiate !== "deny") {
      throw new UsageError(`Invalid --negotiate "${negotiate}": give grant or deny`, JOIN_USAGE);
    }
    plan.negotiate = negotiate;
  }
  const receive = text("receive");
  if (receive !== undefined) {
    if (receive.toLowerCase() === "all") plan.receive = "all";
    else if (/^\d+$/u.test(receive)) plan.receive = Number(receive);
    else throw new UsageError(`Invalid --receive "${receive}": give a PIN or all`, JOIN_USAGE);
  }
  const ballot = text("ballot");
  if (ballot !== undefined) {
    if (!/^[1-9]\d{0,8}$/u.test(ballot)) {
      throw new UsageError(`Invalid --ballot "${ballot}": give its number`, JOIN_USAGE);
    }
    plan.ballot = Number(ballot);
  }
  if (text("vote") !== undefined) plan.vote = text("vote")!;
  plan.discover = values.discover === true;
  plan.wait = values.wait === true;
  plan.stats = values.stats === true;
  plan.follow = values.follow === true;
  const shutdown = onShutdownSignal();
  try {
    await runScripted(plan, output, shutdown.signal);
  } finally {
    shutdown.dispose();
  }
}

/**
 * Reads a hub's address, `[tls://]HOST[:PORT]`, with `--tls-ca`.
 *
 * @param text The address as typed.
 * @param values Parsed flags (for `--tls-ca`).
 * @param usage For errors.
 * @returns Host, port, and TLS settings when the address says tls://.
 * @throws {UsageError} When it cannot be read, or `--tls-ca` is given without tls://.
 */
export function parseHubAddress(
  text: string,
  values: Record<string, string | boolean | undefined>,
  usage: string,
): { host: string; port: number; tls: { caCerts: string[] } | undefined } {
  const secure = text.startsWith("tls://");
  const { host, port } = parseHostPort(
    secure ? text.slice("tls://".length) : text,
    DEFAULT_PORT,
    usage,
  );
  const caFile = values["tls-ca"];
  if (!secure) {
    if (caFile !== undefined) throw new UsageError("--tls-ca goes with a tls:// address", usage);
    return { host, port, tls: undefined };
  }
  let caCerts: string[] = [];
  if (typeof caFile === "string") {
    try {
      caCerts = [Deno.readTextFileSync(caFile)];
    } catch (error) {
      throw new UsageError(
        `Cannot read the CA certificate ${caFile}: ${(error as Error).message}`,
        usage,
      );
    }
  }
  return { host, port, tls: { caCerts } };
}

/** Join flags, for the plain `consensus` command that accepts them too. */
export { JOIN_OPTIONS };
