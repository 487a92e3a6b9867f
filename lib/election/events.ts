/**
 * The events that make up a hub's history. The election state is a fold of
 * these, in order (see `state.ts`), so the same stream replayed anywhere (a
 * restarted hub, `consensus audit`, a replicated log) gives the same state.
 * Anything that depends on time (a deadline passing, a grace period running
 * out) enters the stream as an event too.
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

/** A question and its options. */
export interface BallotQuestion {
  /** The question text. */
  question: string;
  /** Two or more options. */
  options: BallotOption[];
}

/** Who may vote on a ballot, and who counts towards its thresholds. */
export type ElectorateMode = "live" | "frozen";

/** Everything that defines a ballot when it opens. */
export interface BallotTerms extends BallotQuestion {
  /**
   * How votes are cast and counted (canonical form), e.g. `ranked:schulze`;
   * absent means `choice` (one option per voter), as in journals from before methods.
   */
  method?: string;
  /** The rule, as typed (canonical form), e.g. `supermajority:2/3+quorum:50%`. */
  rule: string;
  /** `live`: the nodes connected now; `frozen`: the nodes connected when it opened. */
  electorate: ElectorateMode;
  /** Closing time, milliseconds since the epoch, if any. */
  deadline?: number;
  /** Time from opening to deadline, kept so that a repeating ballot's next round gets the same. */
  durationMs?: number;
  /** Voters may change their vote until it closes. */
  allowChange: boolean;
  /** Counts are shown only once it has closed. */
  hideResults: boolean;
  /** The record keeps no link from voter to choice. */
  anonymous: boolean;
  /** Opens again, as a new ballot, once closed (the hub's standing question). */
  repeat: boolean;
}

/** Votes per option key, in option order. */
export type VoteCounts = Record<string, number>;

/**
 * Why a ballot closed. `hub-stopped`: the meeting ended (the hub was stopped
 * cleanly) while it was open.
 */
export type CloseCause =
  | "rule"
  | "deadline"
  | "all-voted"
  | "proposer"
  | "operator"
  | "hub-stopped";

/** An admitted node appeared. `node` is its identity for the hub's lifetime; the PIN is its short name. */
export interface JoinedEvent {
  type: "joined";
  node: number;
  pin: number;
  name: string;
  address: string;
  port: number;
  /** SHA-256 of the node's resume token, hex; the token itself is never recorded. */
  tokenHash: string;
  /** The hub it came through (absent on a single hub's journal). */
  hub?: string;
}

/** A node's connection dropped; it may resume within the grace period. */
export interface DroppedEvent {
  type: "dropped";
  node: number;
}

/** A dropped node came back with its resume token. */
export interface ResumedEvent {
  type: "resumed";
  node: number;
  address: string;
  port: number;
  /** The hub it came back through (absent on a single hub's journal). */
  hub?: string;
}

/** A node is gone for good: by its own `exit`, or its grace period ran out. */
export interface LeftEvent {
  type: "left";
  node: number;
  reason: "exit" | "expired";
}

/** A node took another name. */
export interface RenamedEvent {
  type: "renamed";
  node: number;
  name: string;
}

/** The node granted the hub permission, and the hub stored its info. */
export interface InfoStoredEvent {
  type: "info-stored";
  node: number;
  info: NodeInfo;
}

/** A ballot opened. */
export interface BallotOpenedEvent {
  type: "ballot-opened";
  ballot: number;
  terms: BallotTerms;
  /** Node that proposed it, or `null` for the hub's operator. */
  proposer: number | null;
  /** When it opened, milliseconds since the epoch. */
  at: number;
}

/**
 * What one voter marked, by method. Options are named by key (`A`).
 *
 * - `choice` and `consent`: one `option` (consent's are agree, abstain,
 *   disagree, block as `A`..`D`), with the blocker's `reason` for a block;
 * - `choice:N` and `approval`: the `options` marked;
 * - `score:MIN..MAX`: a score per option scored;
 * - `ranked:*`: the options ranked, most preferred first.
 */
export type CastVote =
  | { option: string; reason?: string }
  | { options: string[] }
  | { scores: Record<string, number> }
  | { ranking: string[] };

/**
 * A vote. On an anonymous ballot `node` is `null`: the node's participation
 * is recorded apart, by {@linkcode ParticipatedEvent}.
 */
export type VotedEvent = {
  type: "voted";
  ballot: number;
  node: number | null;
} & CastVote;

/**
 * The numbers behind a decision by a method other than `choice`, for
 * announcements, `results --json` and audits.
 */
export interface MethodTally {
  /** The method, canonical form. */
  method: string;
  /** Voters counted. */
  voters: number;
  /** consent: the reasons given with each block, sorted. */
  blocks?: string[];
  /** score: voters who scored each option (for the mean). */
  scored?: VoteCounts;
  /** ranked:irv: each round's count of continuing ballots and who was eliminated. */
  rounds?: { counts: VoteCounts; exhausted: number; eliminated: string[] }[];
  /** ranked:borda: points per option. */
  points?: VoteCounts;
  /** ranked:schulze: voters preferring the row option to the column option. */
  pairwise?: Record<string, VoteCounts>;
  /** ranked:schulze: strength of the strongest path from row to column. */
  paths?: Record<string, VoteCounts>;
  /** ranked:schulze: the option that beats every other one pairwise, or `null`. */
  condorcetWinner?: string | null;
}

/** A node voted on an anonymous ballot (without its choice). */
export interface ParticipatedEvent {
  type: "participated";
  ballot: number;
  node: number;
}

/** A ballot closed, decided or not. */
export interface BallotClosedEvent {
  type: "ballot-closed";
  ballot: number;
  cause: CloseCause;
  /** The winning option's key, or `null` when nothing was decided. */
  option: string | null;
  counts: VoteCounts;
  /** Size of the electorate at closing. */
  electorate: number;
  /** The numbers behind it, for people: `3 of 5 connected voted A: 60% > 50%`. */
  reason: string;
  /** The method's numbers (absent for `choice`). */
  tally?: MethodTally;
}

/** Everything that changes a hub's state. */
export type HubEvent =
  | JoinedEvent
  | DroppedEvent
  | ResumedEvent
  | LeftEvent
  | RenamedEvent
  | InfoStoredEvent
  | BallotOpenedEvent
  | VotedEvent
  | ParticipatedEvent
  | BallotClosedEvent;
