/**
 * `consensus serve`: starts a hub, logs what happens on it, and takes the
 * operator's commands (open or close a ballot) on its standard input.
 *
 * @module
 */

import { DEFAULT_OPTION_LABELS, DEFAULT_QUESTION } from "../election/ballot.ts";
import type { HubEvent } from "../election/events.ts";
import { buildTerms, type ProposalInput } from "../election/proposal.ts";
import { Gate, JOIN_CODE_QUESTION } from "../hub/gate.ts";
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
import { isErrorReply, type Push, refuse } from "../protocol/messages.ts";
import {
  describeBallot,
  describeDecision,
  formatTextPush,
  parseProposal,
} from "../protocol/text_dialect.ts";
import { defaultDataDirectory } from "../store/data_dir.ts";
import type { MeetingChoice } from "../store/meetings.ts";
import { type ElectionState, openBallots } from "../election/state.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import { type PreparedMeeting, prepareMeeting } from "./meeting_setup.ts";
import {
  type InterfaceAddress,
  joinAddresses,
  machineInterfaces,
  networkHosts,
} from "./network_addresses.ts";
import { createAccessToken } from "../board/access.ts";
import { type RunningWebServer, startWebServer } from "../board/web_server.ts";
import {
  type OptionSpec,
  parseCommandArgs,
  parseHostPort,
  parsePort,
  parseSeconds,
} from "./args.ts";
import { keepPresence } from "../hub/cluster_presence.ts";
import { announceHub, type AnnouncementStatus, type HubAnnouncement } from "./hub_announcement.ts";
import { type ClusterSettings, parseClusterSettings, prepareCluster } from "./cluster_setup.ts";
import type { HeldTerms } from "./meeting_setup.ts";
import { type Output, STANDARD_OUTPUT } from "./runtime.ts";
import { UsageError } from "./usage_error.ts";

/** The operator's commands on the hub's standard input, for `help` there and in the usage. */
export const OPERATOR_HELP =
  `  propose QUESTION | OPTION, OPTION [| [METHOD] RULE [| DEADLINE [| FLAGS]]]   open a ballot
  close BALLOT                                                                  close one now
  end                                                                           end the meeting and stop
  help                                                                          list these commands`;

/** Help text of `consensus serve`. */
export const SERVE_USAGE = `Usage: consensus serve [options]

Starts a hub that nodes join with \`consensus join HOST:PORT\` or any plain TCP client.

Options:
  --host HOST          address to listen on (default 0.0.0.0: every interface)
  --port PORT          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --riddle TEXT        the gate question (default: "${JOIN_CODE_QUESTION}")
  --answer TEXT        the gate answer (default: a random join code, printed at start)
  --data DIR           where the meetings are kept, one journal each (default: a per-user
                       directory, printed at start); --data :memory: keeps nothing
  --grace SECONDS      how long a dropped node may resume with its token (default 30)
  --resume             continue the last meeting of --data even after a clean stop
  --new                start a new meeting even when the last one was interrupted
  --allow-propose      let nodes open ballots with the propose service
  --name NAME          the name the hub is announced as on the LAN (default: the host name)
  --no-announce        do not announce the hub on the LAN (DNS-SD over multicast DNS)

The web board and phone page:
  --board [HOST:]PORT  also serve a web page on this port (HOST defaults to --host): a live board
                       for a projector at /, and /vote where phones answer the gate and vote; the
                       URLs printed at start carry an access token (https with --tls-cert)
  --board-public       no access token on the board and phone URLs (for a trusted LAN)

Several hubs, one election (see README, "Several hubs"):
  --cluster URLS       keep the election in etcd (its client URLs, comma-separated), so that
                       any number of hubs serve it; no --data then: etcd keeps the record
  --election NAME      the election's name in etcd (hubs with the same name serve one election)
  --snapshot-every N   write a snapshot of the election every N log entries, so that a hub that
                       joins later starts from it (default 1000)

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
  --method METHOD      how votes are cast and counted: choice (default: one option each),
                       choice:N, consent, approval, score:MIN..MAX[:mean], ranked:irv,
                       ranked:borda or ranked:schulze (see PROTOCOL.md)
  --rule RULE          seed (default), majority, supermajority:P, unanimous or plurality;
                       add +quorum:P to any, e.g. majority+quorum:60%; methods other than
                       choice and consent decide when the ballot closes: plurality (default)
  --deadline WHEN      a duration (90s, 10m, 2h) or a date and time (2026-12-01T17:00:00Z)
  --electorate live    the only electorate of the standing question (frozen ballots are
                       opened with propose, once nodes are connected)
  --allow-change       voters may change their vote until it closes
  --hide-results       counts are shown only once it closes
  --anonymous          the record keeps no link from voter to choice

  --json               log as JSON lines (start-up, then one line per event)
  -h, --help           show this help

Meetings: each start of a hub is a new meeting with its own journal; a clean stop (Ctrl-C,
SIGTERM, or end on its standard input) ends it, closing open ballots as hub-stopped. After an
unclean stop (killed, power lost) the next start on the same --data resumes the meeting by
itself, with its own terms: a flag that contradicts them is refused.

While it runs, the operator can type on its standard input:
${OPERATOR_HELP}

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
  method: { type: "string" },
  rule: { type: "string" },
  deadline: { type: "string" },
  electorate: { type: "string" },
  "allow-change": { type: "boolean" },
  "hide-results": { type: "boolean" },
  anonymous: { type: "boolean" },
  resume: { type: "boolean" },
  new: { type: "boolean" },
  board: { type: "string" },
  "board-public": { type: "boolean" },
  name: { type: "string" },
  "no-announce": { type: "boolean" },
  cluster: { type: "string" },
  election: { type: "string" },
  "snapshot-every": { type: "string" },
  json: { type: "boolean" },
} as const satisfies OptionSpec;

/** What `serve` was asked to do, parsed. */
export interface ServeSettings {
  host: string;
  port: number;
  /** The gate question. */
  gateQuestion: string;
  /** The gate answer, when given (otherwise the meeting's join code). */
  answer: string | undefined;
  standing: ProposalInput;
  /** Names of the flags given, so that a resumed meeting can tell a choice from a default. */
  given: ReadonlySet<string>;
  /** New meeting, resume the last, or let the data directory decide. */
  meeting: MeetingChoice;
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
  /** Where the election lives when several hubs serve it, else `undefined`. */
  cluster: ClusterSettings | undefined;
  /** The web board, when asked for with `--board`. */
  board: BoardSettings | undefined;
  /** Announce the hub on the LAN (`--no-announce` turns it off). */
  announce: boolean;
  /** The name it is announced as (default: the host name). */
  name: string | undefined;
  json: boolean;
}

/** Where the web board listens, and whether it needs the access token. */
export interface BoardSettings {
  host: string;
  port: number;
  /** No access token (`--board-public`). */
  public: boolean;
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
  const answer = text("answer");
  if (riddle !== undefined && answer === undefined) {
    throw new UsageError(
      "--riddle needs --answer: a question nobody can answer locks everyone out",
      usage,
    );
  }
  const data = text("data") ?? defaultDataDirectory();
  const cluster = readCluster(values, usage);
  if (values.resume === true && values.new === true) {
    throw new UsageError("--resume and --new cannot go together: choose one", usage);
  }
  if (data === ":memory:" && values.resume === true) {
    throw new UsageError("--resume needs a data directory: --data :memory: keeps nothing", usage);
  }
  // A consent proposal's options are fixed: the default labels do not apply to it.
  const consent = text("method")?.trim().toLowerCase() === "consent";
  const standing: ProposalInput = {
    question: text("question") ?? DEFAULT_QUESTION,
    options: text("options")?.split(",") ?? (consent ? [] : [...DEFAULT_OPTION_LABELS]),
    allowChange: values["allow-change"] === true,
    hideResults: values["hide-results"] === true,
    anonymous: values.anonymous === true,
  };
  for (const field of ["method", "rule", "deadline", "electorate"] as const) {
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
    const gateQuestion = riddle ?? JOIN_CODE_QUESTION;
    // Checked now, so that a mistake is a usage error rather than a failed start.
    if (answer !== undefined) new Gate({ question: gateQuestion, answer });
    buildTerms(standing, Date.now());
    return {
      host: text("host") ?? "0.0.0.0",
      port,
      gateQuestion,
      answer,
      standing,
      given: new Set(Object.keys(values).filter((name) => values[name] !== undefined)),
      meeting: values.new === true ? "new" : values.resume === true ? "resume" : "auto",
      data,
      graceMs: text("grace") === undefined ? 30_000 : parseSeconds(text("grace")!, "grace", usage),
      allowPropose: values["allow-propose"] === true,
      limits: readLimits(values, usage),
      tls: readTls(values, usage),
      cluster,
      board: readBoard(values, text("host") ?? "0.0.0.0", usage),
      announce: values["no-announce"] !== true,
      name: text("name"),
      json: values.json === true,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message, usage);
  }
}

function readBoard(
  values: Record<string, string | boolean | undefined>,
  host: string,
  usage: string,
): BoardSettings | undefined {
  const board = values.board;
  if (typeof board !== "string") {
    if (values["board-public"] === true) {
      throw new UsageError("--board-public needs --board [HOST:]PORT", usage);
    }
    return undefined;
  }
  const isPublic = values["board-public"] === true;
  if (/^:?\d+$/u.test(board)) {
    return { host, port: parsePort(board.replace(":", ""), usage), public: isPublic };
  }
  const parsed = parseHostPort(board, -1, usage);
  if (parsed.port < 0) {
    throw new UsageError(`Invalid --board "${board}": give PORT or HOST:PORT`, usage);
  }
  return { ...parsed, public: isPublic };
}

function readCluster(
  values: Record<string, string | boolean | undefined>,
  usage: string,
): ClusterSettings | undefined {
  const urls = values.cluster;
  const election = values.election;
  if (urls === undefined && election === undefined) return undefined;
  if (typeof urls !== "string" || typeof election !== "string") {
    throw new UsageError("--cluster and --election go together", usage);
  }
  const every = values["snapshot-every"];
  if (every !== undefined && urls === undefined) {
    throw new UsageError("--snapshot-every applies with --cluster", usage);
  }
  for (const local of ["data", "resume", "new"]) {
    if (values[local] !== undefined) {
      throw new UsageError(
        `--${local} does not apply with --cluster: the election's record is kept in etcd`,
        usage,
      );
    }
  }
  const settings = parseClusterSettings(urls, election, usage);
  if (typeof every === "string") {
    if (!/^[1-9]\d{0,8}$/u.test(every)) {
      throw new UsageError(
        `Invalid --snapshot-every "${every}": give a whole number above 0`,
        usage,
      );
    }
    settings.snapshotEvery = Number(every);
  }
  return settings;
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

/** A hub that is serving a meeting. */
export interface ServingHub extends RunningHub {
  /** The meeting it serves. */
  readonly meeting: Omit<PreparedMeeting, "journal" | "answer">;
}

/**
 * Opens the meeting (new, or resumed with its stored terms), starts the hub,
 * and prints where to join, how to pass the gate, and which meeting it is.
 *
 * @param settings From {@linkcode parseServeArgs}.
 * @param output Where to log.
 * @returns The running hub.
 * @throws {UsageError} When a flag contradicts the meeting it resumes.
 */
export async function startServing(
  settings: ServeSettings,
  output: Output = STANDARD_OUTPUT,
): Promise<ServingHub> {
  const pushes: BoardLink = {};
  if (settings.cluster) {
    return await startClusterHub(settings, settings.cluster, output, pushes);
  }
  const meeting = await prepareMeeting({
    data: settings.data,
    choice: settings.meeting,
    given: settings.given,
    gateQuestion: settings.gateQuestion,
    answer: settings.answer,
    standing: settings.standing,
  });
  let running: RunningHub;
  try {
    running = startHub({
      ...hubOptions(settings, meeting, output, pushes),
      journal: meeting.journal,
    });
  } catch (error) {
    meeting.journal.close();
    throw error;
  }
  const { journal: _journal, answer: _answer, ...shown } = meeting;
  return await announce(settings, shown, running, output, undefined, pushes);
}

/** Prints the start-up banner of a hub that is listening. */
async function announce(
  settings: ServeSettings,
  meeting: ServingHub["meeting"],
  running: RunningHub,
  output: Output,
  cluster: BannerFacts["cluster"],
  pushes: BoardLink,
): Promise<ServingHub> {
  const interfaces = machineInterfaces();
  let web: RunningWebServer | undefined;
  let announcement: HubAnnouncement;
  try {
    if (settings.board) {
      web = pushes.web = startBoard(settings, settings.board, running, interfaces);
    }
    announcement = await announceHub({
      disabled: !settings.announce,
      name: settings.name,
      listenHost: settings.host,
      port: running.address.port,
      tls: settings.tls !== undefined && running.tlsAddress === undefined,
      tlsPort: running.tlsAddress?.port,
      question: meeting.gateQuestion,
      interfaces,
      onWarning: (message) => output.err(`warning: ${message}`),
    });
  } catch (error) {
    await web?.close();
    await running.close();
    throw error;
  }
  const lines = startBanner({
    settings,
    meeting,
    port: running.address.port,
    tlsPort: running.tlsAddress?.port,
    state: running.hub.state,
    interfaces,
    ...(cluster ? { cluster } : {}),
    ...(web ? { web: { boardUrls: web.boardUrls, phoneUrls: web.phoneUrls } } : {}),
    announcement: announcement.status,
  });
  for (const line of lines) output.out(line);
  const page = web;
  return {
    ...running,
    meeting,
    // The goodbye goes first: nodes stop looking at a hub that is going away.
    async close() {
      await announcement.stop();
      await running.close();
      await page?.close();
    },
    async end() {
      await announcement.stop();
      await running.end();
      await page?.close();
    },
  };
}

/** Where the hub's pushes also go: the web board, once it is started. */
interface BoardLink {
  web?: RunningWebServer;
}

/** Starts the web board beside the hub, with URLs for this machine and the network. */
function startBoard(
  settings: ServeSettings,
  board: BoardSettings,
  running: RunningHub,
  interfaces: readonly InterfaceAddress[] | undefined,
): RunningWebServer {
  const wildcard = (host: string) => host === "0.0.0.0" || host === "::";
  const hubHost = wildcard(settings.host) ? "127.0.0.1" : settings.host;
  const network = wildcard(settings.host) && interfaces ? networkHosts(interfaces) : [];
  const joinHost = network[0] ?? (hubHost.includes(":") ? `[${hubHost}]` : hubHost);
  // Phones come from the network: its addresses first, so that the QR code shows one of them.
  const publicHosts = wildcard(board.host)
    ? [...(interfaces ? networkHosts(interfaces) : []), "127.0.0.1"]
    : [board.host];
  return startWebServer({
    running,
    host: board.host,
    port: board.port,
    token: board.public ? undefined : createAccessToken(),
    publicHosts,
    joinAddress: `${joinHost}:${running.address.port}`,
    // With the hub's certificate the pages are https: phones that trust it get wss too.
    tls: settings.tls ? { cert: settings.tls.cert, key: settings.tls.key } : undefined,
  });
}

/** Options of `startHub` that the flags and the terms give, whatever keeps the record. */
function hubOptions(
  settings: ServeSettings,
  terms: HeldTerms,
  output: Output,
  pushes: BoardLink,
): Omit<StartHubOptions, "journal" | "cluster"> {
  return {
    host: settings.host,
    port: settings.port,
    gate: new Gate({ question: terms.gateQuestion, answer: terms.answer }),
    standing: terms.standing,
    graceMs: settings.graceMs,
    allowPropose: settings.allowPropose,
    tls: settings.tls,
    ...settings.limits,
    onWarning: (message: string) => output.err(`warning: ${message}`),
    onEvent: (event: HubEvent, push: Push | undefined) => {
      logEvent(event, push, settings.json, output);
      pushes.web?.notify(push);
    },
    onPresence: (push) => {
      // In JSON the log already has every event; in text the summary stands for the ones left out.
      if (!settings.json) logPush(push, output);
      pushes.web?.notify(push);
    },
  };
}

/** Starts a hub that serves, with others, an election kept in etcd. */
async function startClusterHub(
  settings: ServeSettings,
  clusterSettings: ClusterSettings,
  output: Output,
  pushes: BoardLink,
): Promise<ServingHub> {
  const cluster = await prepareCluster({
    cluster: clusterSettings,
    given: settings.given,
    gateQuestion: settings.gateQuestion,
    answer: settings.answer,
    standing: settings.standing,
  });
  const started = startHub({
    ...hubOptions(settings, cluster, output, pushes),
    cluster: {
      log: cluster.log,
      hubId: cluster.hubId,
      backlog: cluster.backlog,
      snapshot: cluster.snapshot,
      snapshotEvery: clusterSettings.snapshotEvery,
    },
  });
  const port = started.address.port;
  const wildcard = settings.host === "0.0.0.0" || settings.host === "::";
  const address = wildcard
    ? joinAddresses(machineInterfaces() ?? [], port)[0] ?? `127.0.0.1:${port}`
    : `${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${port}`;
  const presence = keepPresence(started.hub, {
    client: cluster.client,
    election: clusterSettings.election,
    address,
  });
  const running: RunningHub = {
    ...started,
    async close() {
      await presence.close();
      await started.close();
    },
    async end() {
      // The lease is revoked first: the other hubs take this hub's nodes at once.
      await presence.close();
      await started.end();
    },
  };
  const shown = {
    id: 1,
    start: cluster.created ? "new" as const : "resumed" as const,
    startedAt: Date.now(),
    gateQuestion: cluster.gateQuestion,
    joinCode: cluster.joinCode,
    standing: cluster.standing,
  };
  return await announce(settings, shown, running, output, {
    ...clusterSettings,
    hubId: cluster.hubId,
    created: cluster.created,
    entries: cluster.backlog.length,
    snapshot: cluster.snapshot?.position,
  }, pushes);
}

/** What the start-up banner says. */
export interface BannerFacts {
  /** The settings. */
  settings: ServeSettings;
  /** The meeting served. */
  meeting: Omit<PreparedMeeting, "journal" | "answer">;
  /** The port listened on. */
  port: number;
  /** The second (TLS) port, if any. */
  tlsPort: number | undefined;
  /** The state after replay (open ballots, nodes expected back). */
  state: ElectionState;
  /** The machine's interfaces, or `undefined` when they cannot be listed. */
  interfaces: readonly InterfaceAddress[] | undefined;
  /** The election, when this hub is one of several. */
  cluster?: ClusterSettings & {
    hubId: string;
    created: boolean;
    /** Entries read at start (after the snapshot, when there is one). */
    entries: number;
    /** Position of the snapshot it started from. */
    snapshot?: number | undefined;
  };
  /** The web board's URLs, when it is served. */
  web?: { boardUrls: readonly string[]; phoneUrls: readonly string[] };
  /** How the hub is announced on the LAN (no line when not given). */
  announcement?: AnnouncementStatus;
}

/**
 * The start-up banner (pure): where to join from this machine and from
 * others, the gate, the meeting (new or resumed, with what is open and who
 * may come back), and the journal. With `--json`, one `listening` object.
 *
 * @param facts What to say.
 * @returns The lines to print.
 */
export function startBanner(facts: BannerFacts): string[] {
  const { settings, meeting, port, state } = facts;
  const wildcard = settings.host === "0.0.0.0" || settings.host === "::";
  const joinHost = wildcard ? "127.0.0.1" : settings.host;
  const joinAddress = `${joinHost.includes(":") ? `[${joinHost}]` : joinHost}:${port}`;
  const network = wildcard && facts.interfaces ? joinAddresses(facts.interfaces, port) : [];
  const open = openBallots(state);
  const expected = [...state.nodes.values()].length;
  const graceSeconds = Math.round(settings.graceMs / 1000);
  if (settings.json) {
    return [JSON.stringify({
      event: "listening",
      host: settings.host,
      port,
      networkAddresses: network,
      ...(facts.web ? { boardUrls: facts.web.boardUrls, phoneUrls: facts.web.phoneUrls } : {}),
      ...(facts.announcement
        ? { announced: "off" in facts.announcement ? null : facts.announcement }
        : {}),
      version: VERSION,
      question: meeting.gateQuestion,
      joinCode: meeting.joinCode ?? null,
      data: facts.cluster ? null : settings.data,
      ...(facts.cluster
        ? {
          cluster: {
            election: facts.cluster.election,
            endpoints: facts.cluster.endpoints,
            hubId: facts.cluster.hubId,
            started: facts.cluster.created,
            entries: facts.cluster.entries,
          },
        }
        : {}),
      meeting: {
        id: meeting.id,
        start: meeting.start,
        startedAt: new Date(meeting.startedAt).toISOString(),
        openBallots: open.map((ballot) => ballot.id),
        nodesExpected: meeting.start === "new" ? 0 : expected,
        graceSeconds,
      },
    })];
  }
  const lines: string[] = [];
  const tlsNote = settings.tls ? (facts.tlsPort !== undefined ? "" : " (TLS)") : "";
  lines.push(`consensus hub ${VERSION} listening on ${settings.host}:${port}${tlsNote}`);
  if (facts.tlsPort !== undefined) lines.push(`  TLS on port ${facts.tlsPort}`);
  const answerFlag = meeting.joinCode ? ` --answer ${meeting.joinCode}` : "";
  lines.push(`  gate question: ${meeting.gateQuestion}`);
  if (meeting.joinCode) lines.push(`  join code: ${meeting.joinCode}`);
  lines.push(`  join:          consensus join ${joinAddress}${answerFlag}`);
  for (const address of network) {
    lines.push(`  from others:   consensus join ${address}${answerFlag}`);
  }
  if (wildcard && facts.interfaces === undefined) {
    lines.push("  from others:   this machine's address (its interfaces cannot be listed)");
  } else if (wildcard && network.length === 0) {
    lines.push("  from others:   none: this machine has no network address but loopback");
  }
  lines.push(`  or plain TCP:  nc ${joinHost} ${port}`);
  for (const url of facts.web?.boardUrls ?? []) lines.push(`  board:         ${url}`);
  for (const url of facts.web?.phoneUrls ?? []) lines.push(`  phones:        ${url}`);
  if (facts.announcement) lines.push(announcementLine(facts.announcement));
  if (facts.cluster) {
    const { election, endpoints, hubId, created, entries } = facts.cluster;
    lines.push(`  election:      ${election} in etcd ${endpoints.join(",")}`);
    lines.push(
      created
        ? `  this hub:      ${hubId}, the first: it started the election`
        : `  this hub:      ${hubId}, joined the election (${
          facts.cluster.snapshot === undefined
            ? `${entries} entries in its log`
            : `from its snapshot at entry ${facts.cluster.snapshot}, then ${entries} entries`
        })`,
    );
    return lines;
  }
  lines.push(
    `  journal:       ${settings.data === ":memory:" ? "none (--data :memory:)" : settings.data}`,
  );
  const started = new Date(meeting.startedAt).toISOString();
  if (meeting.start === "new") {
    lines.push(`  meeting ${meeting.id}, new, started ${started}`);
    return lines;
  }
  const why = meeting.start === "resumed"
    ? "resumed (--resume)"
    : "resumed: the last hub stopped without ending it";
  lines.push(`  meeting ${meeting.id}, ${why}; started ${started}`);
  lines.push(
    open.length === 0
      ? "  open ballots:  none"
      : `  open ballots:  ${
        open.map((ballot) => `${ballot.id} (${safe(ballot.terms.question)})`).join(", ")
      }`,
  );
  lines.push(
    expected === 0
      ? "  nodes:         none to wait for"
      : `  nodes:         ${expected} may come back with their resume tokens within ${graceSeconds} s`,
  );
  return lines;
}

/**
 * Reads the operator's commands from a stream (the hub's standard input)
 * until it ends or the operator types `end`: see {@linkcode OPERATOR_HELP}.
 *
 * @param hub The hub.
 * @param input The stream.
 * @param output Where to answer.
 * @param onEnd Called when the operator types `end`: the caller ends the meeting.
 */
export async function readOperatorCommands(
  hub: Hub,
  input: { read(buffer: Uint8Array): Promise<number | null> },
  output: Output,
  onEnd: () => void = () => {},
): Promise<void> {
  const lines = new LineSource(input);
  for (;;) {
    const item = await lines.next();
    if (!item) return;
    if (item.kind !== "line" || item.text.trim() === "") continue;
    const line = item.text.trim();
    if (line === "end") {
      output.out("ending the meeting");
      onEnd();
      return;
    }
    output.out(await runOperatorCommand(hub, line));
  }
}

/**
 * Runs one operator command.
 *
 * @param hub The hub.
 * @param line The command.
 * @returns What to print.
 */
export async function runOperatorCommand(hub: Hub, line: string): Promise<string> {
  const [word = ""] = line.split(/\s+/u);
  if (word === "propose") {
    const request = parseProposal(line.slice(word.length));
    if (isErrorReply(request)) return `error: ${request.message}`;
    if (request.op !== "propose") return "error: not a proposal";
    try {
      return `opened ballot ${
        describeBallot(await hub.openBallot(buildTerms(request.proposal, hub.now()), null))
      }`;
    } catch (error) {
      return `error: ${(error as Error).message}`;
    }
  }
  if (word === "close") {
    const ballot = Number(line.slice(word.length).trim());
    const result = await hub.closeBallot(ballot, null).catch((error: Error) =>
      refuse("cluster-unavailable", error.message)
    );
    return isErrorReply(result) ? `error: ${result.message}` : `closed ${describeDecision(result)}`;
  }
  if (word === "help") return `commands:\n${OPERATOR_HELP}`;
  return 'error: unknown command; type "help" for the list';
}

/**
 * The operator's log: one line per event that changes who is here or what is
 * decided. Votes are not logged one by one in the human log (at thousands a
 * second they would drown the rest and cost a write each); `--json` logs
 * every event.
 */
function logEvent(event: HubEvent, push: Push | undefined, json: boolean, output: Output): void {
  if (json) output.out(JSON.stringify(event));
  else if (push) logPush(push, output);
}

/** A push as a line of the operator's log: the line nodes get, without its `! ` mark. */
function logPush(push: Push, output: Output): void {
  output.out(formatTextPush(push).slice(2).trimEnd());
}

function announcementLine(status: AnnouncementStatus): string {
  if ("off" in status) return `  announced:     no (${status.off})`;
  return `  announced:     as "${
    safe(status.instance)
  }" (_consensus._tcp, hub id ${status.id}) on ${status.addresses.join(", ")}`;
}
