/**
 * The hub's election state as a fold of {@linkcode HubEvent}s. Nothing here
 * does I/O or reads a clock: given the same events in the same order, every
 * copy of this state is the same, which is what lets a replicated log drive
 * several hubs later.
 *
 * @module
 */

import type { BallotQuestion, HubEvent, NodeInfo, VoteCounts } from "./events.ts";
import { decideSeed, type RuleInput } from "./seed_rule.ts";
import type { DecidedEvent } from "./events.ts";

/** A connected, admitted node. */
export interface NodeRecord {
  pin: number;
  name: string;
  address: string;
  port: number;
}

/** A round the rule has decided. */
export interface DecidedRound {
  round: number;
  option: string;
  counts: VoteCounts;
  connected: number;
  reason: string;
}

/** Everything the hub knows, derived from events only. */
export interface ElectionState {
  /** The question each round asks. */
  readonly ballot: BallotQuestion;
  /** Connected admitted nodes by PIN. */
  readonly nodes: Map<number, NodeRecord>;
  /** Node info stored with its node's permission, by PIN; it goes when the node leaves. */
  readonly stored: Map<number, NodeInfo>;
  /** Number of the open round, from 1. */
  round: number;
  /** Votes in the open round of nodes still connected, by PIN. */
  readonly voters: Map<number, string>;
  /** Votes in the open round per option, including votes of nodes that left since. */
  counts: VoteCounts;
  /** Decided rounds, oldest first. */
  readonly decided: DecidedRound[];
}

/** Why the hub cannot take a vote. */
export interface VoteRefusal {
  code: "unknown-option" | "already-voted";
  message: string;
}

/**
 * Creates the state of a hub that has seen no event yet.
 *
 * @param ballot The question every round asks.
 * @returns A state with round 1 open and nobody connected.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const state = createElectionState({
 *   question: "Tea or coffee?",
 *   options: [{ key: "A", label: "tea" }, { key: "B", label: "coffee" }],
 * });
 * assertEquals(state.counts, { A: 0, B: 0 });
 * ```
 */
export function createElectionState(ballot: BallotQuestion): ElectionState {
  return {
    ballot,
    nodes: new Map(),
    stored: new Map(),
    round: 1,
    voters: new Map(),
    counts: emptyCounts(ballot),
    decided: [],
  };
}

/**
 * Applies one event. Events are checked before they are recorded (see
 * {@linkcode checkVote}), so this only folds.
 *
 * @param state The state to update in place.
 * @param event The next event of the stream.
 */
export function applyEvent(state: ElectionState, event: HubEvent): void {
  switch (event.type) {
    case "joined":
      state.nodes.set(event.pin, {
        pin: event.pin,
        name: event.name,
        address: event.address,
        port: event.port,
      });
      break;
    case "left":
      state.nodes.delete(event.pin);
      state.stored.delete(event.pin);
      // The vote stays in the counts (as in the report); only the link to a
      // PIN goes, because the PIN may be handed to another node.
      state.voters.delete(event.pin);
      break;
    case "renamed": {
      const node = state.nodes.get(event.pin);
      if (node) node.name = event.name;
      break;
    }
    case "info-stored":
      state.stored.set(event.pin, event.info);
      break;
    case "voted":
      if (event.round !== state.round) break;
      state.voters.set(event.pin, event.option);
      state.counts[event.option] = (state.counts[event.option] ?? 0) + 1;
      break;
    case "decided":
      if (event.round !== state.round) break;
      state.decided.push({
        round: event.round,
        option: event.option,
        counts: event.counts,
        connected: event.connected,
        reason: event.reason,
      });
      state.round += 1;
      state.voters.clear();
      state.counts = emptyCounts(state.ballot);
      break;
  }
}

/**
 * Says whether a node may cast this vote in the open round.
 *
 * @param state Current state.
 * @param pin The voter.
 * @param option The option key as resolved by `resolveOption` (`ballot.ts`).
 * @returns Why not, or `undefined` when the vote is acceptable.
 */
export function checkVote(
  state: ElectionState,
  pin: number,
  option: string | undefined,
): VoteRefusal | undefined {
  if (option === undefined) {
    const keys = state.ballot.options.map((choice) => choice.key).join(" or ");
    return { code: "unknown-option", message: `Cannot vote: choose ${keys}` };
  }
  const previous = state.voters.get(pin);
  if (previous !== undefined) {
    return {
      code: "already-voted",
      message: `Cannot vote: you already voted ${previous} in round ${state.round}`,
    };
  }
  return undefined;
}

/**
 * Runs the rule on the open round and, when it decides, builds the event that
 * records the decision. The hub calls it after every vote and departure.
 *
 * @param state Current state.
 * @returns The `decided` event to record, or `undefined`.
 */
export function evaluateRound(state: ElectionState): DecidedEvent | undefined {
  const input: RuleInput = { counts: state.counts, connected: state.nodes.size };
  const decision = decideSeed(input);
  if (!decision) return undefined;
  return {
    type: "decided",
    round: state.round,
    option: decision.option,
    counts: { ...state.counts },
    connected: state.nodes.size,
    reason: decision.reason,
  };
}

/**
 * Folds a whole stream of events into a fresh state.
 *
 * @param ballot The question every round asks.
 * @param events The events, oldest first.
 * @returns The state they lead to.
 */
export function replayEvents(ballot: BallotQuestion, events: Iterable<HubEvent>): ElectionState {
  const state = createElectionState(ballot);
  for (const event of events) applyEvent(state, event);
  return state;
}

function emptyCounts(ballot: BallotQuestion): VoteCounts {
  const counts: VoteCounts = {};
  for (const option of ballot.options) counts[option.key] = 0;
  return counts;
}
