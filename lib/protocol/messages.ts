/**
 * What travels between hub and node, independent of dialect: requests a node
 * makes, questions the hub asks back, replies, errors and pushed events. The
 * text and JSON dialects only encode and decode these.
 *
 * @module
 */

import type { BallotOption, NodeInfo, VoteCounts } from "../election/events.ts";

/** Version of the wire protocol, announced in the greeting line. */
export const PROTOCOL_VERSION = 1;

/**
 * First line the hub sends on every connection. A client recognises a
 * consensus hub by the start of it, `# consensus/1 hub`.
 */
export const GREETING_PREFIX = `# consensus/${PROTOCOL_VERSION} hub`;

/** A service a node can ask for. */
export type ServiceName =
  | "help"
  | "setup"
  | "name"
  | "discover"
  | "negotiate"
  | "receive"
  | "vote"
  | "stats"
  | "exit";

/** How a service is used, for menus and `help`. */
export interface ServiceHelp {
  /** The service's name, as typed. */
  name: ServiceName;
  /** Its text-dialect form with arguments. */
  usage: string;
  /** One line on what it does. */
  summary: string;
}

/** The menu, in the report's order (plus `name` and `help`). */
export const SERVICES: readonly ServiceHelp[] = [
  {
    name: "setup",
    usage: "setup services=W,W capabilities=W constraints=W",
    summary: "declare your node info",
  },
  { name: "discover", usage: "discover", summary: "list the connected nodes" },
  {
    name: "negotiate",
    usage: "negotiate [grant|deny]",
    summary: "let the hub store your node info, with your permission",
  },
  { name: "receive", usage: "receive PIN|all", summary: "get stored node info" },
  { name: "vote", usage: "vote OPTION", summary: "vote in the open round" },
  { name: "stats", usage: "stats", summary: "votes per option, open and decided rounds" },
  { name: "name", usage: "name NAME", summary: "choose the name others see" },
  { name: "help", usage: "help", summary: "this menu" },
  { name: "exit", usage: "exit", summary: "leave" },
];

/** The three lists of node info, in the order they are asked. */
export const INFO_FIELDS = ["services", "capabilities", "constraints"] as const;

/** One of {@linkcode INFO_FIELDS}. */
export type InfoField = typeof INFO_FIELDS[number];

/** A request from a node. Arguments left out are asked for by the hub. */
export type Request =
  | { op: "help" }
  | { op: "discover" }
  | { op: "stats" }
  | { op: "exit" }
  | { op: "setup"; info?: NodeInfo }
  | { op: "name"; name?: string }
  | { op: "negotiate"; grant?: boolean; info?: NodeInfo }
  | { op: "receive"; target?: number | "all" }
  | { op: "vote"; option?: string };

/** A question the hub asks and waits for; the answer is one line or value. */
export type Ask =
  | { ask: "gate"; question: string; triesLeft: number }
  | { ask: "permission"; info: NodeInfo }
  | { ask: "vote"; round: number; question: string; options: BallotOption[] }
  | { ask: "receive" }
  | { ask: "name" }
  | { ask: InfoField };

/** A connected node, as `discover` lists it. */
export interface NodeView {
  pin: number;
  name: string;
  address: string;
  port: number;
}

/** Stored node info, as `receive` returns it. */
export interface StoredInfoView {
  pin: number;
  name: string;
  info: NodeInfo;
}

/** The open round. */
export interface RoundView {
  round: number;
  question: string;
  options: BallotOption[];
}

/** A decided round, as `stats` and the consensus push show it. */
export interface DecisionView {
  round: number;
  option: string;
  label: string;
  counts: VoteCounts;
  connected: number;
  reason: string;
}

/** A successful reply, by service. */
export type Reply =
  | { op: "help"; services: readonly ServiceHelp[] }
  | { op: "setup"; info: NodeInfo }
  | { op: "name"; name: string }
  | { op: "discover"; nodes: NodeView[] }
  | { op: "negotiate"; stored: boolean; info: NodeInfo }
  | { op: "receive"; infos: StoredInfoView[] }
  | { op: "vote"; round: number; option: string; label: string }
  | {
    op: "stats";
    open: RoundView & { counts: VoteCounts; connected: number };
    decided: DecisionView[];
  }
  | { op: "exit" };

/** Every error code the hub sends; PROTOCOL.md explains each. */
export type ErrorCode =
  | "bad-request"
  | "unknown-command"
  | "line-too-long"
  | "invalid-utf8"
  | "not-admitted"
  | "wrong-answer"
  | "unknown-option"
  | "already-voted"
  | "unknown-pin"
  | "no-info"
  | "invalid-text"
  | "answer-pending";

/** A request or answer the hub refused. */
export interface ErrorReply {
  code: ErrorCode;
  message: string;
}

/** Something the hub pushes without being asked. */
export type Push =
  | {
    event: "admitted";
    pin: number;
    name: string;
    open: RoundView;
    services: readonly ServiceHelp[];
  }
  | { event: "wrong-answer"; triesLeft: number; message: string }
  | { event: "bye"; reason: string }
  | { event: "joined"; pin: number; name: string; address: string; port: number }
  | { event: "left"; pin: number; name: string; reason: "exit" | "dropped" }
  | { event: "renamed"; pin: number; name: string; previous: string }
  | { event: "stored"; pin: number; name: string }
  | ({ event: "consensus" } & DecisionView)
  | ({ event: "round" } & RoundView);

/**
 * Makes an {@linkcode ErrorReply}.
 *
 * @param code The error code.
 * @param message A sentence for people, naming the action.
 * @returns The error.
 */
export function refuse(code: ErrorCode, message: string): ErrorReply {
  return { code, message };
}

/**
 * Tells a refusal from a successful value.
 *
 * @param value What a parser or service returned.
 * @returns Whether it is an {@linkcode ErrorReply}.
 */
export function isErrorReply(value: unknown): value is ErrorReply {
  return typeof value === "object" && value !== null && "code" in value && "message" in value &&
    !("op" in value);
}
