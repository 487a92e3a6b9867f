/**
 * The events that make up a hub's history. The election state is a fold of
 * these, in order (see `state.ts`), so the same stream replayed anywhere gives
 * the same state.
 *
 * @module
 */

/** What a node declares about itself: three lists of words. */
export interface NodeInfo {
  /** Services the node offers, e.g. `print`. */
  services: string[];
  /** What the node can do, e.g. `colour`. */
  capabilities: string[];
  /** Limits the node works under, e.g. `a4-only`. */
  constraints: string[];
}

/** One choice of a ballot: the key voters type (`A`) and what it means. */
export interface BallotOption {
  /** Short key, a capital letter: `A`, `B`, ... */
  key: string;
  /** What the option stands for, e.g. `be able to fly`. */
  label: string;
}

/** The question every round asks. */
export interface BallotQuestion {
  /** The question text. */
  question: string;
  /** Two or more options. */
  options: BallotOption[];
}

/** Vote counts per option key, in option order. */
export type VoteCounts = Record<string, number>;

/** An admitted node appeared. */
export interface JoinedEvent {
  type: "joined";
  pin: number;
  name: string;
  address: string;
  port: number;
}

/** An admitted node is gone, by its own `exit` or because its connection dropped. */
export interface LeftEvent {
  type: "left";
  pin: number;
  reason: "exit" | "dropped";
}

/** A node took another name. */
export interface RenamedEvent {
  type: "renamed";
  pin: number;
  name: string;
}

/** The node granted the hub permission, and the hub stored its info. */
export interface InfoStoredEvent {
  type: "info-stored";
  pin: number;
  info: NodeInfo;
}

/** A node cast its vote in the open round. */
export interface VotedEvent {
  type: "voted";
  pin: number;
  round: number;
  option: string;
}

/** The rule decided the open round; the next round of the same question opens. */
export interface DecidedEvent {
  type: "decided";
  round: number;
  option: string;
  counts: VoteCounts;
  connected: number;
  reason: string;
}

/** Everything that changes a hub's state. */
export type HubEvent =
  | JoinedEvent
  | LeftEvent
  | RenamedEvent
  | InfoStoredEvent
  | VotedEvent
  | DecidedEvent;
