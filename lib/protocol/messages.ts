/**
 * What travels between hub and node, independent of dialect: requests a node
 * makes, questions the hub asks back, replies, errors and pushed events. The
 * text and JSON dialects only encode and decode these.
 *
 * @module
 */

import type {
  BallotOption,
  CloseCause,
  ElectorateMode,
  MethodTally,
  NodeInfo,
  VoteCounts,
} from "../election/events.ts";
import type { VoteInput } from "../election/methods/cast_vote.ts";
import type { ProposalInput } from "../election/proposal.ts";
import type { GateChallenge } from "./gate_proof.ts";

/** The hub's port when none is given: 7000 is taken by AirPlay on recent macOS. */
export const DEFAULT_PORT = 7337;

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
  | "ballots"
  | "results"
  | "propose"
  | "close"
  | "ping"
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

/** The menu, in the report's order, then what came after it. */
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
  {
    name: "vote",
    usage: "vote [BALLOT] VOTE",
    summary: 'vote on an open ballot: A, or by its method A,C / A=5 B=2 / C>A>B / block "why"',
  },
  { name: "stats", usage: "stats", summary: "votes per option of open ballots, and decided ones" },
  { name: "ballots", usage: "ballots", summary: "list the open ballots and their rules" },
  { name: "results", usage: "results", summary: "every closed ballot, with its numbers" },
  {
    name: "propose",
    usage: "propose QUESTION | OPTION, OPTION [| [METHOD] RULE [| DEADLINE [| FLAGS]]]",
    summary: "open a ballot (when the hub allows it)",
  },
  { name: "close", usage: "close BALLOT", summary: "close a ballot you proposed" },
  { name: "name", usage: "name NAME", summary: "choose the name others see" },
  { name: "ping", usage: "ping", summary: "answer the hub's keep-alive (any line does)" },
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
  | { op: "ballots" }
  | { op: "results" }
  | { op: "ping" }
  | { op: "exit" }
  | { op: "setup"; info?: NodeInfo }
  | { op: "name"; name?: string }
  | { op: "negotiate"; grant?: boolean; info?: NodeInfo }
  | { op: "receive"; target?: number | "all" }
  | ({ op: "vote"; ballot?: number } & VoteInput)
  | { op: "propose"; proposal: ProposalInput }
  | { op: "close"; ballot: number };

/** A question the hub asks and waits for; the answer is one line or value. */
export type Ask =
  | { ask: "gate"; question: string; triesLeft: number; challenge: GateChallenge }
  | { ask: "permission"; info: NodeInfo }
  | { ask: "vote"; ballot: BallotView }
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

/** A ballot, as nodes see it. */
export interface BallotView {
  ballot: number;
  question: string;
  options: BallotOption[];
  /** How votes are cast and counted, e.g. `choice` or `ranked:schulze`. */
  method: string;
  rule: string;
  electorate: ElectorateMode;
  /** Closing time, ISO 8601, or `null`. */
  deadline: string | null;
  allowChange: boolean;
  hideResults: boolean;
  anonymous: boolean;
  repeat: boolean;
  /** PIN of the node that proposed it, `null` for the operator (or a proposer gone). */
  proposer: number | null;
}

/** An open ballot with its count so far (`null` while results are hidden). */
export interface BallotStats extends BallotView {
  counts: VoteCounts | null;
  /** Votes cast so far (`null` while results are hidden). */
  voted: number | null;
  /** Size of its electorate now. */
  electorateSize: number;
}

/** A closed ballot, as `results`, `stats` and the closing push show it. */
export interface DecisionView {
  ballot: number;
  question: string;
  /** The winning option, or `null` when nothing was decided. */
  option: string | null;
  label: string | null;
  /** Every option, in order, so that the counts can be shown with their labels. */
  options: BallotOption[];
  counts: VoteCounts;
  electorate: number;
  reason: string;
  cause: CloseCause;
  /** How votes were cast and counted. */
  method: string;
  /** The method's numbers (IRV rounds, Borda points, pairwise counts, blocks); absent for `choice`. */
  tally?: MethodTally;
}

/** A successful reply, by service. */
export type Reply =
  | { op: "help"; services: readonly ServiceHelp[] }
  | { op: "setup"; info: NodeInfo }
  | { op: "name"; name: string }
  | { op: "discover"; nodes: NodeView[] }
  | { op: "negotiate"; stored: boolean; info: NodeInfo }
  | { op: "receive"; infos: StoredInfoView[] }
  | { op: "vote"; ballot: number; option: string; label: string; changed: boolean }
  | { op: "stats"; ballots: BallotStats[]; decided: DecisionView[] }
  | { op: "ballots"; ballots: BallotView[] }
  | { op: "results"; results: DecisionView[] }
  | { op: "propose"; ballot: BallotView }
  | { op: "close"; result: DecisionView }
  | { op: "ping" }
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
  | "unknown-ballot"
  | "ambiguous-ballot"
  | "ballot-closed"
  | "not-in-electorate"
  | "invalid-proposal"
  | "not-allowed"
  | "unknown-pin"
  | "no-info"
  | "invalid-text"
  | "answer-pending"
  | "bad-token"
  | "token-expired"
  | "plain-answer-refused"
  | "unavailable"
  | "cluster-unavailable";

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
    /** Secret to come back as the same node after a dropped connection. */
    token: string;
    resumed: boolean;
    /** The hub's proof that it knows the answer, when the node proved it did (see gate_proof.ts). */
    proof?: string;
    ballots: BallotView[];
    services: readonly ServiceHelp[];
  }
  | { event: "wrong-answer"; triesLeft: number; message: string }
  | { event: "bye"; reason: string }
  | { event: "ping"; message: string }
  | { event: "joined"; pin: number; name: string; address: string; port: number }
  | { event: "resumed"; pin: number; name: string }
  | { event: "left"; pin: number; name: string; reason: "exit" | "dropped" | "expired" }
  | { event: "renamed"; pin: number; name: string; previous: string }
  | { event: "stored"; pin: number; name: string }
  /**
   * Presence changes counted since the last presence line, sent once a
   * second instead of one line each while many arrive (PROTOCOL.md,
   * "Presence at scale"); `connected` is how many nodes are in now.
   */
  | { event: "presence"; joined: number; left: number; resumed: number; connected: number }
  /** The other hubs serving the same election (cluster mode): where to resume if this one goes. */
  | { event: "hubs"; hubs: string[] }
  | ({ event: "ballot" } & BallotView)
  | ({ event: "consensus" } & DecisionView)
  | ({ event: "closed" } & DecisionView);

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
