/**
 * `consensus serve`: starts a hub and logs what happens on it.
 *
 * @module
 */

import { buildBallot, DEFAULT_OPTION_LABELS, DEFAULT_QUESTION } from "../election/ballot.ts";
import type { HubEvent } from "../election/events.ts";
import { createJoinCode, Gate, JOIN_CODE_QUESTION } from "../hub/gate.ts";
import { DEFAULT_PORT, type RunningHub, startHub } from "../hub/server.ts";
import { VERSION } from "../hub/session.ts";
import type { Push } from "../protocol/messages.ts";
import { formatTextPush } from "../protocol/text_dialect.ts";
import { parseCommandArgs, parsePort } from "./args.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of `consensus serve`. */
export const SERVE_USAGE = `Usage: consensus serve [options]

Starts a hub that nodes join with \`consensus join HOST:PORT\` or any plain TCP client.

Options:
  --host HOST        address to listen on (default 0.0.0.0: every interface)
  --port PORT        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --riddle TEXT      the gate question (default: "${JOIN_CODE_QUESTION}")
  --answer TEXT      the gate answer (default: a random join code, printed at start)
  --question TEXT    the question every round asks (default: "${DEFAULT_QUESTION}")
  --options A,B      the options, separated by commas (default: "${
  DEFAULT_OPTION_LABELS.join(",")
}")
  --json             log as JSON lines (start-up, then one line per event)
  -h, --help         show this help

Example:
  consensus serve --riddle "What has keys but can't open locks?" --answer keyboard`;

const SERVE_OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  riddle: { type: "string" },
  answer: { type: "string" },
  question: { type: "string" },
  options: { type: "string" },
  json: { type: "boolean" },
} as const;

/** What `serve` was asked to do, parsed. */
export interface ServeSettings {
  host: string;
  port: number;
  gate: Gate;
  /** The join code, when the hub made one up (it is printed). */
  joinCode: string | undefined;
  ballot: ReturnType<typeof buildBallot>;
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

/**
 * Builds serve settings from parsed option values (shared with the plain
 * `consensus` command, which takes the same options).
 *
 * @param values Parsed options.
 * @param usage For errors.
 * @returns The settings.
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
  try {
    const gate = new Gate({ question: riddle ?? JOIN_CODE_QUESTION, answer });
    const labels = text("options")?.split(",") ?? [...DEFAULT_OPTION_LABELS];
    const ballot = buildBallot(text("question") ?? DEFAULT_QUESTION, labels);
    return {
      host: text("host") ?? "0.0.0.0",
      port,
      gate,
      joinCode,
      ballot,
      json: values.json === true,
    };
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
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
  const log = (event: HubEvent, push: Push | undefined) =>
    logEvent(event, push, settings.json, output);
  const running = startHub({
    host: settings.host,
    port: settings.port,
    ballot: settings.ballot,
    gate: settings.gate,
    onEvent: log,
  });
  const port = running.address.port;
  const joinHost = settings.host === "0.0.0.0" || settings.host === "::"
    ? "127.0.0.1"
    : settings.host;
  const joinAddress = `${joinHost.includes(":") ? `[${joinHost}]` : joinHost}:${port}`;
  if (settings.json) {
    output.out(JSON.stringify({
      event: "listening",
      host: settings.host,
      port,
      version: VERSION,
      question: settings.gate.question,
      joinCode: settings.joinCode ?? null,
      ballot: settings.ballot,
    }));
    return running;
  }
  output.out(`consensus hub ${VERSION} listening on ${settings.host}:${port}`);
  if (settings.host === "0.0.0.0" || settings.host === "::") {
    output.out(`  nodes on this machine join at ${joinAddress}; others use this machine's address`);
  }
  output.out(`  gate question: ${settings.gate.question}`);
  if (settings.joinCode) output.out(`  join code: ${settings.joinCode}`);
  const answerFlag = settings.joinCode ? ` --answer ${settings.joinCode}` : "";
  output.out(`  join:          consensus join ${joinAddress}${answerFlag}`);
  output.out(`  or plain TCP:  nc ${joinHost} ${port}`);
  output.out(
    `  ballot:        ${settings.ballot.question} ${
      settings.ballot.options.map((option) => `${option.key}) ${option.label}`).join("  ")
    }`,
  );
  return running;
}

function logEvent(event: HubEvent, push: Push | undefined, json: boolean, output: Output): void {
  if (json) output.out(JSON.stringify(event));
  else if (push) output.out(formatTextPush(push).slice(2).trimEnd());
  else if (event.type === "voted") output.out(`voted ${event.pin} round ${event.round}`);
}
