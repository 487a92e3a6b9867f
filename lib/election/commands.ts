/**
 * What nodes, the operator and timers ask of an election, before anything is
 * decided. A command carries everything that is not deterministic (the time,
 * a random seed for the PIN, the hash of a fresh resume token, the hub it came
 * through); whether it is valid, and what it changes, is decided by
 * {@linkcode executeCommand} from the state it meets. So a log of commands
 * replayed anywhere, in the same order, decides the same way: one hub with a
 * journal, or several hubs in front of one replicated log.
 *
 * @module
 */

import type { BallotTerms, NodeInfo } from "./events.ts";
import type { VoteInput } from "./methods/cast_vote.ts";

/** Fields every command has. */
interface CommandBase {
  /** When it was asked, milliseconds since the epoch, by the asking hub's clock. */
  at: number;
}

/** A node passed the gate and asks to be admitted. */
export interface AdmitCommand extends CommandBase {
  type: "admit";
  /** The name it asked for, or `null` for the default `node-PIN`. */
  name: string | null;
  address: string;
  port: number;
  /** SHA-256 of the resume token the hub will hand it, hex. */
  tokenHash: string;
  /** A random 32-bit number: where the search for a free PIN starts. */
  pinSeed: number;
  /** The hub it is connected to. */
  hub: string;
}

/** A node comes back with its resume token. */
export interface ResumeCommand extends CommandBase {
  type: "resume";
  tokenHash: string;
  address: string;
  port: number;
  /** The hub it is connected to now. */
  hub: string;
}

/** A node's connection ended without `exit`. */
export interface DropCommand extends CommandBase {
  type: "drop";
  node: number;
  /** The node's attachment that ended: ignored when the node has resumed since. */
  epoch: number;
}

/** A node's grace period ran out (it dropped, or a hub restarted around it). */
export interface GraceOverCommand extends CommandBase {
  type: "grace-over";
  node: number;
  /** The attachment the grace period was for: ignored when the node has resumed since. */
  epoch: number;
}

/** A node leaves for good. */
export interface ExitCommand extends CommandBase {
  type: "exit";
  node: number;
}

/** A node takes another name (already validated). */
export interface RenameCommand extends CommandBase {
  type: "rename";
  node: number;
  name: string;
}

/** A node lets the hub store its info. */
export interface StoreInfoCommand extends CommandBase {
  type: "store-info";
  node: number;
  info: NodeInfo;
}

/** A node votes. */
export interface VoteCommand extends CommandBase {
  type: "vote";
  node: number;
  ballot: number;
  /** The vote as given (an option, a ranking, marks, scores), read against the ballot's method. */
  vote: VoteInput;
}

/** A node or the operator opens a ballot. */
export interface ProposeCommand extends CommandBase {
  type: "propose";
  /** The proposer, `null` for the operator. */
  node: number | null;
  terms: BallotTerms;
}

/** The proposer or the operator closes a ballot. */
export interface CloseCommand extends CommandBase {
  type: "close";
  /** The node asking, `null` for the operator. */
  node: number | null;
  ballot: number;
}

/** A ballot's deadline came (any hub may say so; only the first one counts). */
export interface DeadlineCommand extends CommandBase {
  type: "deadline";
  ballot: number;
}

/** The meeting ends: every open ballot closes undecided, and nothing repeats. */
export interface EndCommand extends CommandBase {
  type: "end";
}

/** Everything that may be asked of an election. */
export type Command =
  | AdmitCommand
  | ResumeCommand
  | DropCommand
  | GraceOverCommand
  | ExitCommand
  | RenameCommand
  | StoreInfoCommand
  | VoteCommand
  | ProposeCommand
  | CloseCommand
  | DeadlineCommand
  | EndCommand;

/** Why a command was refused: a code for programs and a sentence for people. */
export interface Refusal {
  ok: false;
  code:
    | "unknown-ballot"
    | "ballot-closed"
    | "not-in-electorate"
    | "unknown-option"
    | "already-voted"
    | "not-allowed"
    | "bad-token"
    | "token-expired"
    | "not-admitted"
    | "bad-request";
  message: string;
}

/** What a command achieved, for the one who asked. */
export type Outcome =
  | {
    ok: true;
    kind: "admitted";
    node: number;
    pin: number;
    name: string;
    /** Which attachment of the node this is (1 at admission, one more at each resume). */
    epoch: number;
  }
  | {
    ok: true;
    kind: "voted";
    ballot: number;
    option: string;
    label: string;
    /** It replaced an earlier vote. */
    changed: boolean;
    /** It was the same vote again, already counted (a retry): nothing changed. */
    repeated: boolean;
  }
  | { ok: true; kind: "opened"; ballot: number }
  | { ok: true; kind: "closed"; ballot: number }
  | { ok: true; kind: "done" }
  | { ok: true; kind: "ignored"; why: string }
  | Refusal;
