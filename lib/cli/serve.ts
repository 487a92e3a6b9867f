/**
 * `consensus serve`: starts a hub, logs what happens on it, and takes the
 * operator's commands (open or close a ballot) on its standard input.
 *
 * @module
 */

import { DEFAULT_OPTION_LABELS, DEFAULT_QUESTION } from "../election/ballot.ts";
import type { HubEvent } from "../election/events.ts";
import { buildTerms, type ProposalInput } from "../election/proposal.ts";
import { createJoinCode, Gate, JOIN_CODE_QUESTION } from "../hub/gate.ts";
import type { Hub } from "../hub/hub.ts";
import {
  DEFAULT_PORT,
  type RunningHub,
  startHub,
  type StartHubOptions,
  type TlsOptions,
} from "../hub/server.ts";
import { VERSION } from "../hub/session.ts";
import { LineSource } from "../protocol/line_source.ts";
import { isErrorReply, type Push } from "../protocol/messages.ts";
import {
  describeBallot,
  describeDecision,
  formatTextPush,
  parseProposal,
} from "../protocol/text_dialect.ts";
import { defaultDataDirectory } from "../store/data_dir.ts";
import { type Journal, MemoryJournal } from "../store/journal.ts";
import { SqliteJournal } from "../store/sqlite_journal.ts";
import { type OptionSpec, parseCommandArgs, parsePort, parseSeconds } from "./args.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus serve`. */
export const SERVE_USAGE = `Usage: consensus serve [options]

Starts a hub that nodes join with \`consensus join HOST:PORT\` or any plain TCP client.

Options:
  --host HOST          address to listen on (default 0.0.0.0: every interface)
  --port PORT          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --riddle TEXT        the gate question (default: "${JOIN_CODE_QUESTION}")
  --answer TEXT        the gate answer (default: a random join code, printed at start)
  --data DIR           where the journal is kept (default: a per-user directory, printed at
                       start); --data :memory: keeps nothing
  --grace SECONDS      how long a dropped node may resume with its token (default 30)
  --allow-propose      let nodes open ballots with the propose service

Security (see SECURITY.md):
  --tls-cert FILE      serve TLS with this certificate chain (PEM; see consensus certs)
  --tls-key FILE       and this private key (PEM)
  --tls-port PORT      serve TLS on this second port and keep --port plain (default: --port is TLS)
  --insecure-plain-answers
                       take plain answers (netcat's) from other machines over unencrypted TCP:
                       the answer then crosses the network in clear text
  --max-connections N  connections at once (default 20000)
  --max-pending N      connections per address still at the gate (default 64)
  --gate-timeout S     seconds to pass the gate (default 30)
  --ping-after S       seconds of silence before a keep-alive ping (default 120)
  --idle-timeout S     seconds of silence before a node is dropped (default 300)
  --lockout-after N    wrong answers from one address before a 10-minute lockout (default 20)
  --max-line BYTES     longest line after the gate (default 8192; 1024 before it)

The standing question (opens again as a new ballot each time it closes):
  --question TEXT      the question (default: "${DEFAULT_QUESTION}")
  --options A,B,...    its options, separated by commas (default: "${
  DEFAULT_OPTION_LABELS.join(",")
}")
  --rule RULE          seed (default), majority, supermajority:P, unanimous or plurality;
                       add +quorum:P to any, e.g. majority+quorum:60%
  --deadline WHEN      a duration (90s, 10m, 2h) or a date and time (2026-12-01T17:00:00Z)
  --electorate live    the only electorate of the standing question (frozen ballots are
                       opened with propose, once nodes are connected)
  --allow-change       voters may change their vote until it closes
  --hide-results       counts are shown only once it closes
  --anonymous          the record keeps no link from voter to choice

  --json               log as JSON lines (start-up, then one line per event)
  -h, --help           show this help

While it runs, the operator can type on its standard input:
  propose QUESTION | OPTION, OPTION [| RULE [| DEADLINE [| FLAGS]]]   open a ballot
  close BALLOT                                                         close one

Example:
  consensus serve --riddle "What has keys but can't open locks?" --answer keyboard`;

const SERVE_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  riddle: { type: "string" },
  answer: { type: "string" },
  data: { type: "string" },
  grace: { type: "string" },
  "allow-propose": { type: "boolean" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-port": { type: "string" },
  "insecure-plain-answers": { type: "boolean" },
  "max-connections": { type: "string" },
  "max-pending": { type: "string" },
  "gate-timeout": { type: "string" },
  "ping-after": { type: "string" },
  "idle-timeout": { type: "string" },
  "lockout-after": { type: "string" },
  "max-line": { type: "string" },
  question: { type: "string" },
  options: { type: "string" },
  rule: { type: "string" },
  deadline: { type: "string" },
  electorate: { type: "string" },
  "allow-change": { type: "boolean" },
  "hide-results": { type: "boolean" },
  anonymous: { type: "boolean" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

/** What `serve` was asked to do, parsed. */
export interface ServeSettings {
  host: string;
  port: number;
  gate: Gate;
  /** The join code, when the hub made one up (it is printed). */
  joinCode: string | undefined;
  standing: ProposalInput;
  /** `:memory:` or a directory. */
  data: string;
  graceMs: number;
  allowPropose: boolean;
  /** Limits and security switches, passed to `startHub` as they are. */
  limits: Pick<
    StartHubOptions,
    | "maxConnections"
    | "maxPendingPerAddress"
    | "gateTimeoutMs"
    | "pingAfterMs"
    | "idleTimeoutMs"
    | "maxLineBytes"
    | "insecurePlainAnswers"
    | "guard"
  >;
  tls: TlsOptions | undefined;
  json: boolean;
}

/**
 * Reads `serve`'s arguments.
 *
 * @param args Arguments after `serve`.
 * @returns The settings, or `"help"`.
 * @throws {UsageError} On a mistake.
 */
export function parseServeArgs(args: string[]): ServeSettings | "help" {
  const { values, positionals } = parseCommandArgs(args, SERVE_OPTIONS, SERVE_USAGE);
  if (values.help) return "help";
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${positionals[0]}"`, SERVE_USAGE);
  }
  return settingsFrom(values, SERVE_USAGE);
}

/** `serve`'s options, for the plain `consensus` command that accepts them too. */
export { SERVE_OPTIONS };

/**
 * Builds serve settings from parsed option values (shared with the plain
 * `consensus` command, which takes the same options).
 *
 * @param values Parsed options.
 * @param usage For errors.
 * @returns The settings.
 * @throws {UsageError} On a mistake, such as an unknown rule or a deadline in the past.
 */
export function settingsFrom(
  values: Record<string, string | boolean | undefined>,
  usage: string,
): ServeSettings {
  const text = (name: string) =>
    typeof values[name] === "string" ? values[name] as string : undefined;
  const port = text("port") === undefined ? DEFAULT_PORT : parsePort(text("port")!, usage);
  const riddle = text("riddle");
  let answer = text("answer");
  if (riddle !== undefined && answer === undefined) {
    throw new UsageError(
      "--riddle needs --answer: a question nobody can answer locks everyone out",
      usage,
    );
  }
  const joinCode = answer === undefined ? createJoinCode() : undefined;
  answer ??= joinCode!;
  const standing: ProposalInput = {
    question: text("question") ?? DEFAULT_QUESTION,
    options: text("options")?.split(",") ?? [...DEFAULT_OPTION_LABELS],
    allowChange: values["allow-change"] === true,
    hideResults: values["hide-results"] === true,
    anonymous: values.anonymous === true,
  };
  for (const field of ["rule", "deadline", "electorate"] as const) {
    if (text(field) !== undefined) standing[field] = text(field)!;
  }
  if (standing.electorate?.toLowerCase() === "frozen") {
    // Its electorate would be frozen at start-up, with nobody connected yet.
    throw new UsageError(
      "--electorate frozen cannot apply to the standing question, which opens before anyone joins; " +
        "open a frozen ballot once nodes are connected: type propose ... | frozen on the hub's input",
      usage,
    );
  }
  try {
    const gate = new Gate({ question: riddle ?? JOIN_CODE_QUESTION, answer });
    // Checked now, so that a mistake is a usage error rather than a failed start.
    buildTerms(standing, Date.now());
    return {
      host: text("host") ?? "0.0.0.0",
      port,
      gate,
      joinCode,
      standing,
      data: text("data") ?? defaultDataDirectory(),
      graceMs: text("grace") === undefined ? 30_000 : parseSeconds(text("grace")!, "grace", usage),
      allowPropose: values["allow-propose"] === true,
      limits: readLimits(values, usage),
      tls: readTls(values, usage),
      json: values.json === true,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message, usage);
  }
}

function readLimits(
  values: Record<string, string | boolean | undefined>,
  usage: string,
): ServeSettings["limits"] {
  const text = (name: string) =>
    typeof values[name] === "string" ? values[name] as string : undefined;
  const count = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^[1-9]\d{0,8}$/u.test(value)) {
      throw new UsageError(`Invalid --${name} "${value}": give a whole number above 0`, usage);
    }
    return Number(value);
  };
  const seconds = (name: string) =>
    text(name) === undefined ? undefined : parseSeconds(text(name)!, name, usage);
  const limits: ServeSettings["limits"] = {
    insecurePlainAnswers: values["insecure-plain-answers"] === true,
  };
  const set = <K extends keyof ServeSettings["limits"]>(
    key: K,
    value: ServeSettings["limits"][K] | undefined,
  ) => {
    if (value !== undefined) limits[key] = value;
  };
  set("maxConnections", count("max-connections"));
  set("maxPendingPerAddress", count("max-pending"));
  set("gateTimeoutMs", seconds("gate-timeout"));
  set("pingAfterMs", seconds("ping-after"));
  set("idleTimeoutMs", seconds("idle-timeout"));
  set("maxLineBytes", count("max-line"));
  const lockoutAfter = count("lockout-after");
  if (lockoutAfter !== undefined) limits.guard = { lockoutAfter };
  return limits;
}

function readTls(
  values: Record<string, string | boolean | undefined>,
  usage: string,
): TlsOptions | undefined {
  const cert = values["tls-cert"];
  const key = values["tls-key"];
  const port = values["tls-port"];
  if (cert === undefined && key === undefined) {
    if (port !== undefined) {
      throw new UsageError("--tls-port needs --tls-cert and --tls-key", usage);
    }
    return undefined;
  }
  if (typeof cert !== "string" || typeof key !== "string") {
    throw new UsageError("--tls-cert and --tls-key go together", usage);
  }
  const read = (file: string, what: string) => {
    try {
      return Deno.readTextFileSync(file);
    } catch (error) {
      throw new UsageError(
        `Cannot read the TLS ${what} ${file}: ${(error as Error).message}`,
        usage,
      );
    }
  };
  return {
    cert: read(cert, "certificate"),
    key: read(key, "key"),
    port: typeof port === "string" ? parsePort(port, usage) : undefined,
  };
}

/**
 * Opens the journal the settings name.
 *
 * @param data `:memory:` or a directory.
 * @returns The journal.
 */
export function openJournal(data: string): Journal {
  return data === ":memory:" ? new MemoryJournal() : new SqliteJournal(data);
}

/**
 * Starts the hub and prints where to join and how to pass the gate.
 *
 * @param settings From {@linkcode parseServeArgs}.
 * @param output Where to log.
 * @returns The running hub.
 */
export function startServing(
  settings: ServeSettings,
  output: Output = STANDARD_OUTPUT,
): RunningHub {
  const journal = openJournal(settings.data);
  const log = (event: HubEvent, push: Push | undefined) =>
    logEvent(event, push, settings.json, output);
  let running: RunningHub;
  try {
    running = startHub({
      host: settings.host,
      port: settings.port,
      gate: settings.gate,
      standing: settings.standing,
      journal,
      graceMs: settings.graceMs,
      allowPropose: settings.allowPropose,
      tls: settings.tls,
      ...settings.limits,
      onEvent: log,
    });
  } catch (error) {
    journal.close();
    throw error;
  }
  const port = running.address.port;
  const wildcard = settings.host === "0.0.0.0" || settings.host === "::";
  const joinHost = wildcard ? "127.0.0.1" : settings.host;
  const joinAddress = `${joinHost.includes(":") ? `[${joinHost}]` : joinHost}:${port}`;
  if (settings.json) {
    output.out(JSON.stringify({
      event: "listening",
      host: settings.host,
      port,
      version: VERSION,
      question: settings.gate.question,
      joinCode: settings.joinCode ?? null,
      data: settings.data,
    }));
    return running;
  }
  const tlsNote = settings.tls ? (running.tlsAddress ? "" : " (TLS)") : "";
  output.out(`consensus hub ${VERSION} listening on ${settings.host}:${port}${tlsNote}`);
  if (running.tlsAddress) output.out(`  TLS on port ${running.tlsAddress.port}`);
  if (wildcard) {
    output.out(`  nodes on this machine join at ${joinAddress}; others use this machine's address`);
  }
  output.out(`  gate question: ${settings.gate.question}`);
  if (settings.joinCode) output.out(`  join code: ${settings.joinCode}`);
  const answerFlag = settings.joinCode ? ` --answer ${settings.joinCode}` : "";
  output.out(`  join:          consensus join ${joinAddress}${answerFlag}`);
  output.out(`  or plain TCP:  nc ${joinHost} ${port}`);
  output.out(
    `  journal:       ${settings.data === ":memory:" ? "none (--data :memory:)" : settings.data}`,
  );
  return running;
}

/**
 * Reads the operator's commands from a stream (the hub's standard input)
 * until it ends: `propose ...` and `close N`.
 *
 * @param hub The hub.
 * @param input The stream.
 * @param output Where to answer.
 */
export async function readOperatorCommands(
  hub: Hub,
  input: { read(buffer: Uint8Array): Promise<number | null> },
  output: Output,
): Promise<void> {
  const lines = new LineSource(input);
  for (;;) {
    const item = await lines.next();
    if (!item) return;
    if (item.kind !== "line" || item.text.trim() === "") continue;
    output.out(runOperatorCommand(hub, item.text.trim()));
  }
}

/**
 * Runs one operator command.
 *
 * @param hub The hub.
 * @param line The command.
 * @returns What to print.
 */
export function runOperatorCommand(hub: Hub, line: string): string {
  const [word = ""] = line.split(/\s+/u);
  if (word === "propose") {
    const request = parseProposal(line.slice(word.length));
    if (isErrorReply(request)) return `error: ${request.message}`;
    if (request.op !== "propose") return "error: not a proposal";
    try {
      return `opened ballot ${
        describeBallot(hub.openBallot(buildTerms(request.proposal, hub.now()), null))
      }`;
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  }
  if (word === "close") {
    const ballot = Number(line.slice(word.length).trim());
    const result = hub.closeBallot(ballot, "operator");
    return isErrorReply(result) ? `error: ${result.message}` : `closed ${describeDecision(result)}`;
  }
  return 'error: unknown command; use "propose QUESTION | OPTION, OPTION [| RULE [| DEADLINE [| FLAGS]]]" or "close BALLOT"';
}

/**
 * The operator's log: one line per event that changes who is here or what is
 * decided. Votes are not logged one by one in the human log (at thousands a
 * second they would drown the rest and cost a write each); `--json` logs
 * every event.
 */
function logEvent(event: HubEvent, push: Push | undefined, json: boolean, output: Output): void {
  if (json) output.out(JSON.stringify(event));
  else if (push) output.out(formatTextPush(push).slice(2).trimEnd());
}
