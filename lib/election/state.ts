/**
 * The hub's election state as a fold of {@linkcode HubEvent}s. Nothing here
 * does I/O or reads a clock: given the same events in the same order, every
 * copy of this state is the same, which is what lets a restarted hub replay
 * its journal, `consensus audit` re-count every decision, and a replicated
 * log drive several hubs later.
 *
 * @module
 */

import type {
  BallotClosedEvent,
  BallotTerms,
  CastVote,
  CloseCause,
  HubEvent,
  NodeInfo,
  VoteCounts,
  VotedEvent,
} from "./events.ts";
import { formatVote, voteFitsMethod, voteKeys } from "./methods/cast_vote.ts";
import { addToCounts, decideMethod } from "./methods/decide.ts";
import {
  decidesWhileOpen,
  DEFAULT_METHOD,
  type MethodSpec,
  parseMethod,
} from "./methods/method_spec.ts";
import type { MethodOutcome } from "./methods/outcome.ts";
import { decidesBeforeClosing, parseRule, type RuleSpec } from "./rules.ts";

/** The hub name of a single hub, and of nodes recorded before hubs had names. */
export const LOCAL_HUB = "local";

/** A node the hub knows: connected, or dropped and still within its grace period. */
export interface NodeRecord {
  /** Identity for the hub's lifetime (votes and frozen electorates refer to it). */
  node: number;
  pin: number;
  name: string;
  address: string;
  port: number;
  /** SHA-256 of its resume token, hex. */
  tokenHash: string;
  /** Connected (or, after a hub restart, expected back); `false` once dropped. */
  present: boolean;
  /** The hub it is (or was last) connected through. */
  hub: string;
  /** Its attachment: 1 when admitted, one more at each resume (a late drop of an older one is ignored). */
  epoch: number;
}

/** A ballot, open or closed. */
export interface Ballot {
  id: number;
  terms: BallotTerms;
  /** The parsed rule. */
  rule: RuleSpec;
  /** The parsed method (`choice` when the terms name none). */
  method: MethodSpec;
  /** Node that proposed it, `null` for the operator. */
  proposer: number | null;
  /** When it opened, milliseconds since the epoch. */
  openedAt: number;
  /** Nodes that may vote on a frozen ballot. */
  members: Set<number> | undefined;
  /** Vote per voter (not kept on an anonymous ballot, nor once closed). */
  votes: Map<number, CastVote>;
  /** Votes of an anonymous ballot, without voters (not kept once closed). */
  anonymousVotes: CastVote[];
  /** Who voted on an anonymous ballot (without the choice). */
  participants: Set<number>;
  /** Votes per option. */
  counts: VoteCounts;
  /** How it closed, once closed. */
  closed: BallotClosedEvent | undefined;
}

/** Everything the hub knows, derived from events only. */
export interface ElectionState {
  /** Known nodes by node id. */
  readonly nodes: Map<number, NodeRecord>;
  /** Node id by PIN, for the known nodes. */
  readonly pins: Map<number, number>;
  /** How many PINs in use have each number of digits (PINs widen as they fill up). */
  readonly pinsByWidth: Map<number, number>;
  /** Node info stored with its node's permission, by node id; it goes when the node leaves. */
  readonly stored: Map<number, NodeInfo>;
  /** Every ballot by id, oldest first. */
  readonly ballots: Map<number, Ballot>;
  /** The ballots not closed yet, by id (kept apart: a long-running hub closes thousands). */
  readonly openBallots: Map<number, Ballot>;
  /** Node id by resume-token hash, for the known nodes. */
  readonly tokens: Map<string, number>;
  /** Token hashes of nodes that have left, to tell an expired token from a wrong one. */
  readonly retiredTokens: Set<string>;
  /** Known nodes that are present (connected, or expected back after a hub restart). */
  presentCount: number;
  /** Id the next joining node gets. */
  nextNode: number;
  /** Id the next ballot gets. */
  nextBallot: number;
}

/** Why the hub cannot take a vote. */
export interface VoteRefusal {
  code:
    | "unknown-ballot"
    | "ballot-closed"
    | "not-in-electorate"
    | "unknown-option"
    | "already-voted";
  message: string;
}

/**
 * Creates the state of a hub that has seen no event yet.
 *
 * @returns An empty state.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const state = createElectionState();
 * assertEquals(state.ballots.size, 0);
 * ```
 */
export function createElectionState(): ElectionState {
  return {
    nodes: new Map(),
    pins: new Map(),
    pinsByWidth: new Map(),
    tokens: new Map(),
    stored: new Map(),
    ballots: new Map(),
    openBallots: new Map(),
    retiredTokens: new Set(),
    presentCount: 0,
    nextNode: 1,
    nextBallot: 1,
  };
}

/**
 * Applies one event. Events are checked before they are recorded (see
 * {@linkcode checkVote}), so this only folds; an event that does not fit
 * (a vote on a closed ballot, say) changes nothing.
 *
 * @param state The state to update in place.
 * @param event The next event of the stream.
 */
export function applyEvent(state: ElectionState, event: HubEvent): void {
  switch (event.type) {
    case "joined":
      state.nodes.set(event.node, {
        node: event.node,
        pin: event.pin,
        name: event.name,
        address: event.address,
        port: event.port,
        tokenHash: event.tokenHash,
        present: true,
        hub: event.hub ?? LOCAL_HUB,
        epoch: 1,
      });
      state.pins.set(event.pin, event.node);
      countPin(state, event.pin, 1);
      state.tokens.set(event.tokenHash, event.node);
      state.nextNode = Math.max(state.nextNode, event.node + 1);
      state.presentCount += 1;
      break;
    case "dropped": {
      const node = state.nodes.get(event.node);
      if (!node?.present) break;
      node.present = false;
      state.presentCount -= 1;
      break;
    }
    case "resumed": {
      const node = state.nodes.get(event.node);
      if (!node) break;
      if (!node.present) state.presentCount += 1;
      node.present = true;
      node.address = event.address;
      node.port = event.port;
      node.hub = event.hub ?? LOCAL_HUB;
      node.epoch += 1;
      break;
    }
    case "left": {
      const node = state.nodes.get(event.node);
      if (!node) break;
      state.nodes.delete(event.node);
      if (node.present) state.presentCount -= 1;
      state.pins.delete(node.pin);
      countPin(state, node.pin, -1);
      state.tokens.delete(node.tokenHash);
      state.stored.delete(event.node);
      state.retiredTokens.add(node.tokenHash);
      break;
    }
    case "renamed": {
      const node = state.nodes.get(event.node);
      if (node) node.name = event.name;
      break;
    }
    case "info-stored":
      if (state.nodes.has(event.node)) state.stored.set(event.node, event.info);
      break;
    case "ballot-opened": {
      const members = event.terms.electorate === "frozen"
        ? new Set([...state.nodes.values()].filter((node) => node.present).map((node) => node.node))
        : undefined;
      const counts: VoteCounts = {};
      for (const option of event.terms.options) counts[option.key] = 0;
      const ballot: Ballot = {
        id: event.ballot,
        terms: event.terms,
        rule: parseRule(event.terms.rule),
        method: event.terms.method === undefined ? DEFAULT_METHOD : parseMethod(event.terms.method),
        proposer: event.proposer,
        openedAt: event.at,
        members,
        votes: new Map(),
        anonymousVotes: [],
        participants: new Set(),
        counts,
        closed: undefined,
      };
      state.ballots.set(event.ballot, ballot);
      state.openBallots.set(event.ballot, ballot);
      state.nextBallot = Math.max(state.nextBallot, event.ballot + 1);
      break;
    }
    case "voted": {
      const ballot = state.ballots.get(event.ballot);
      const node = event.node;
      const vote = recordedVote(event);
      if (!ballot || ballot.closed || !fitsBallot(ballot, vote)) break;
      if (node !== null) {
        const previous = ballot.votes.get(node);
        if (previous !== undefined) addToCounts(ballot.method, ballot.counts, previous, -1);
        ballot.votes.set(node, vote);
      } else {
        ballot.anonymousVotes.push(vote);
      }
      addToCounts(ballot.method, ballot.counts, vote, 1);
      break;
    }
    case "participated": {
      const ballot = state.ballots.get(event.ballot);
      if (ballot && !ballot.closed) ballot.participants.add(event.node);
      break;
    }
    case "ballot-closed": {
      const ballot = state.ballots.get(event.ballot);
      if (!ballot || ballot.closed) break;
      ballot.closed = event;
      state.openBallots.delete(event.ballot);
      // The counts stay in the closing event; who chose what is not needed any more.
      ballot.votes = new Map();
      ballot.anonymousVotes = [];
      ballot.participants = new Set();
      break;
    }
  }
}

/**
 * Folds a whole stream of events into a fresh state.
 *
 * @param events The events, oldest first.
 * @returns The state they lead to.
 */
export function replayEvents(events: Iterable<HubEvent>): ElectionState {
  const state = createElectionState();
  for (const event of events) applyEvent(state, event);
  return state;
}

/**
 * Open ballots, oldest first.
 *
 * @param state Current state.
 * @returns The ballots not closed yet.
 */
export function openBallots(state: ElectionState): Ballot[] {
  return [...state.openBallots.values()];
}

/**
 * Size of a ballot's electorate now.
 *
 * @param state Current state.
 * @param ballot The ballot.
 * @returns Present nodes (live), or the members when it opened (frozen).
 */
export function electorateSize(state: ElectionState, ballot: Ballot): number {
  if (ballot.members) return ballot.members.size;
  return state.presentCount;
}

/**
 * Says whether a node may cast this vote.
 *
 * @param state Current state.
 * @param ballotId The ballot.
 * @param node The voter's node id.
 * @param vote The vote as `castVote` read it (or a `choice` option key), or `undefined` when it
 * could not be read.
 * @returns Why not, or `undefined` when the vote is acceptable.
 */
export function checkVote(
  state: ElectionState,
  ballotId: number,
  node: number,
  vote: CastVote | string | undefined,
): VoteRefusal | undefined {
  const ballot = state.ballots.get(ballotId);
  if (!ballot) {
    return { code: "unknown-ballot", message: `Cannot vote: there is no ballot ${ballotId}` };
  }
  if (ballot.closed) {
    return { code: "ballot-closed", message: `Cannot vote: ballot ${ballotId} is closed` };
  }
  if (ballot.members && !ballot.members.has(node)) {
    return {
      code: "not-in-electorate",
      message:
        `Cannot vote: ballot ${ballotId}'s electorate was frozen when it opened, without you`,
    };
  }
  if (vote === undefined) {
    const keys = ballot.terms.options.map((choice) => choice.key).join(", ");
    return { code: "unknown-option", message: `Cannot vote: choose one of ${keys}` };
  }
  const previous = ballot.votes.get(node);
  const voted = previous !== undefined || ballot.participants.has(node);
  if (voted && !ballot.terms.allowChange) {
    const what = previous === undefined ? "already voted" : `already voted ${formatVote(previous)}`;
    return { code: "already-voted", message: `Cannot vote: you ${what} on ballot ${ballotId}` };
  }
  return undefined;
}

/**
 * Runs a ballot's rule and says whether it closes now.
 *
 * Without a cause, it closes only when the rule is met or, on a frozen
 * electorate, when every member has voted. With a cause (its deadline passed, its
 * proposer closed it), it closes in any case, decided or not. When the meeting
 * ends around it (`hub-stopped`), it closes undecided: nobody called the vote.
 *
 * @param state Current state.
 * @param ballotId The ballot.
 * @param cause Why it is being closed, when something other than the votes closes it.
 * @returns The `ballot-closed` event to record, or `undefined` while it stays open.
 */
export function evaluateBallot(
  state: ElectionState,
  ballotId: number,
  cause?: Exclude<CloseCause, "rule" | "all-voted">,
): BallotClosedEvent | undefined {
  const ballot = state.ballots.get(ballotId);
  if (!ballot || ballot.closed) return undefined;
  const electorate = electorateSize(state, ballot);
  if (cause === undefined) {
    // Methods and rules that pick their winner at closing are not counted at every vote.
    const early = decidesWhileOpen(ballot.method) && decidesBeforeClosing(ballot.rule)
      ? decideBallot(ballot, electorate, false)
      : undefined;
    if (early?.decided) return closingEvent(ballot, "rule", early, electorate);
    // Only a frozen electorate can be "everyone": a live one grows as nodes join.
    const everyoneVoted = ballot.members !== undefined && electorate > 0 &&
      votersInElectorate(ballot) >= electorate;
    if (!everyoneVoted) return undefined;
  }
  if (cause === "hub-stopped") {
    // The meeting ended around the ballot: nobody called the vote, so no
    // rule is applied at closing and nothing is decided.
    const voted = ballot.votes.size + ballot.anonymousVotes.length;
    return closingEvent(ballot, cause, {
      decided: false,
      reason: `no decision: the meeting ended while it was open (${voted} vote${
        voted === 1 ? "" : "s"
      } cast)`,
    }, electorate);
  }
  return closingEvent(
    ballot,
    cause ?? "all-voted",
    decideBallot(ballot, electorate, true),
    electorate,
  );
}

/** Runs the ballot's method and rule on its votes as they stand. */
function decideBallot(ballot: Ballot, electorate: number, final: boolean): MethodOutcome {
  return decideMethod({
    spec: ballot.method,
    rule: ballot.rule,
    options: ballot.terms.options.map((option) => option.key),
    // `choice` counts from `counts` alone: no list to build at every vote of a large ballot.
    votes: decidesWhileOpen(ballot.method)
      ? []
      : [...ballot.votes.values(), ...ballot.anonymousVotes],
    counts: ballot.counts,
    electorate,
    final,
  });
}

function closingEvent(
  ballot: Ballot,
  closedBy: CloseCause,
  outcome: MethodOutcome,
  electorate: number,
): BallotClosedEvent {
  const closed: BallotClosedEvent = {
    type: "ballot-closed",
    ballot: ballot.id,
    cause: closedBy,
    option: outcome.decided ? outcome.option : null,
    counts: { ...ballot.counts },
    electorate,
    reason: outcome.reason,
  };
  if (outcome.tally) closed.tally = outcome.tally;
  return closed;
}

/** Whether a recorded vote fits the ballot: the method's shape, and only its options. */
function fitsBallot(ballot: Ballot, vote: CastVote): boolean {
  if (!voteFitsMethod(ballot.method, vote)) return false;
  // One option is nearly every vote: no list of keys is made for it.
  if ("option" in vote) return vote.option in ballot.counts;
  return voteKeys(vote).every((option) => option in ballot.counts);
}

/**
 * The vote a `voted` event records, without the event's own fields. Built
 * field by field, not by a rest copy: this runs at every vote.
 */
function recordedVote(event: VotedEvent): CastVote {
  if ("option" in event) {
    return event.reason === undefined
      ? { option: event.option }
      : { option: event.option, reason: event.reason };
  }
  if ("options" in event) return { options: event.options };
  if ("ranking" in event) return { ranking: event.ranking };
  return { scores: event.scores };
}

function countPin(state: ElectionState, pin: number, change: 1 | -1): void {
  const width = String(pin).length;
  state.pinsByWidth.set(width, (state.pinsByWidth.get(width) ?? 0) + change);
}

/** Members of a frozen ballot's electorate who have voted. */
function votersInElectorate(ballot: Ballot): number {
  const voters = ballot.terms.anonymous ? ballot.participants : ballot.votes.keys();
  let count = 0;
  for (const node of voters) if (ballot.members?.has(node)) count++;
  return count;
}
