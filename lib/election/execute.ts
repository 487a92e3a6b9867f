/**
 * The one place where an election decides: a {@linkcode Command} meets the
 * state, and either changes it (through events, folded at once) or is
 * refused. Deterministic: it reads no clock and draws no random number (the
 * command carries those), so every copy of the state that executes the same
 * commands in the same order makes the same decisions: ids, PINs, ballot
 * numbers, closings and next rounds included.
 *
 * @module
 */

import type { Command, Outcome, Refusal } from "./commands.ts";
import type { BallotClosedEvent, BallotTerms, HubEvent } from "./events.ts";
import { castVote, formatVote, labelVote, type VoteInput } from "./methods/cast_vote.ts";
import { choosePin } from "./pins.ts";
import {
  applyEvent,
  type Ballot,
  checkVote,
  type ElectionState,
  evaluateBallot,
  LOCAL_HUB,
  openBallots,
} from "./state.ts";

/**
 * Executes one command: decides, and folds the events it causes into the
 * state in order.
 *
 * @param state The state, changed in place.
 * @param command What is asked.
 * @param observe Called with each event just before it is folded (a
 * departing node's name is still there to be shown).
 * @returns What the command achieved, or why it was refused (the state is
 * then unchanged).
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createElectionState } from "./state.ts";
 * const state = createElectionState();
 * const outcome = executeCommand(state, {
 *   type: "admit", at: 0, name: null, address: "127.0.0.1", port: 5000,
 *   tokenHash: "ab", pinSeed: 0, hub: "local",
 * });
 * assertEquals(outcome, {
 *   ok: true, kind: "admitted", node: 1, pin: 100, name: "node-100", epoch: 1,
 * });
 * ```
 */
export function executeCommand(
  state: ElectionState,
  command: Command,
  observe?: (event: HubEvent) => void,
): Outcome {
  const emit = (event: HubEvent) => {
    observe?.(event);
    applyEvent(state, event);
  };
  switch (command.type) {
    case "admit": {
      const node = state.nextNode;
      const pin = choosePin(state.pins, state.pinsByWidth, command.pinSeed);
      const name = command.name ?? `node-${pin}`;
      emit({
        type: "joined",
        node,
        pin,
        name,
        address: command.address,
        port: command.port,
        tokenHash: command.tokenHash,
        ...hubField(command.hub),
      });
      return { ok: true, kind: "admitted", node, pin, name, epoch: 1 };
    }
    case "resume": {
      const node = state.tokens.get(command.tokenHash);
      const record = node === undefined ? undefined : state.nodes.get(node);
      if (node === undefined || !record) {
        return state.retiredTokens.has(command.tokenHash)
          ? refusal(
            "token-expired",
            "Cannot resume: the grace period ran out or the node left; answer the gate to join again",
          )
          : refusal("bad-token", "Cannot resume: unknown token; answer the gate to join");
      }
      emit({
        type: "resumed",
        node,
        address: command.address,
        port: command.port,
        ...hubField(command.hub),
      });
      return {
        ok: true,
        kind: "admitted",
        node,
        pin: record.pin,
        name: record.name,
        epoch: record.epoch,
      };
    }
    case "drop": {
      const record = state.nodes.get(command.node);
      if (!record?.present || record.epoch !== command.epoch) {
        return ignored("the node has resumed since, or is gone");
      }
      emit({ type: "dropped", node: command.node });
      settleAll(state, command.at, emit);
      return DONE;
    }
    case "grace-over": {
      const record = state.nodes.get(command.node);
      if (!record || record.epoch !== command.epoch) return ignored("the node is back or gone");
      emit({ type: "left", node: command.node, reason: "expired" });
      settleAll(state, command.at, emit);
      return DONE;
    }
    case "exit": {
      if (!state.nodes.has(command.node)) return ignored("the node is gone");
      emit({ type: "left", node: command.node, reason: "exit" });
      settleAll(state, command.at, emit);
      return DONE;
    }
    case "rename":
      if (!state.nodes.has(command.node)) return unknownNode(command.node);
      emit({ type: "renamed", node: command.node, name: command.name });
      return DONE;
    case "store-info":
      if (!state.nodes.has(command.node)) return unknownNode(command.node);
      emit({ type: "info-stored", node: command.node, info: command.info });
      return DONE;
    case "vote":
      return vote(state, command.node, command.ballot, command.vote, command.at, emit);
    case "propose": {
      if (command.terms.repeat && openBallots(state).some((open) => open.terms.repeat)) {
        // Two hubs of one election both opened the standing question: the first counts.
        return ignored("a repeating ballot is open already");
      }
      const ballot = state.nextBallot;
      emit({
        type: "ballot-opened",
        ballot,
        terms: command.terms,
        proposer: command.node,
        at: command.at,
      });
      return { ok: true, kind: "opened", ballot };
    }
    case "close": {
      const ballot = state.ballots.get(command.ballot);
      if (!ballot) {
        return refusal("unknown-ballot", `Cannot close: there is no ballot ${command.ballot}`);
      }
      if (ballot.closed) {
        return refusal(
          "ballot-closed",
          `Cannot close: ballot ${command.ballot} is closed already`,
        );
      }
      if (command.node !== null && ballot.proposer !== command.node) {
        return refusal(
          "not-allowed",
          `Cannot close: ballot ${command.ballot} was not proposed by you`,
        );
      }
      const cause = command.node === null ? "operator" : "proposer";
      close(state, ballot, evaluateBallot(state, ballot.id, cause)!, command.at, emit);
      return { ok: true, kind: "closed", ballot: ballot.id };
    }
    case "deadline": {
      const ballot = state.ballots.get(command.ballot);
      const deadline = ballot?.terms.deadline;
      if (!ballot || ballot.closed || deadline === undefined || command.at < deadline) {
        return ignored("the ballot is closed already or its deadline has not come");
      }
      close(state, ballot, evaluateBallot(state, ballot.id, "deadline")!, command.at, emit);
      return { ok: true, kind: "closed", ballot: ballot.id };
    }
    case "end":
      for (const ballot of openBallots(state)) {
        close(state, ballot, evaluateBallot(state, ballot.id, "hub-stopped")!, command.at, emit);
      }
      return DONE;
  }
}

const DONE: Outcome = { ok: true, kind: "done" };

function vote(
  state: ElectionState,
  node: number,
  ballotId: number,
  input: VoteInput,
  at: number,
  emit: (event: HubEvent) => void,
): Outcome {
  const ballot = state.ballots.get(ballotId);
  const cast = ballot ? castVote(ballot.terms, ballot.method, input) : undefined;
  const marked = cast === undefined || "code" in cast ? undefined : cast;
  const previous = ballot?.votes.get(node);
  if (
    ballot && !ballot.closed && marked !== undefined && previous !== undefined &&
    formatVote(previous) === formatVote(marked)
  ) {
    // The same vote again (a node resending after a dropped connection): already counted.
    return {
      ok: true,
      kind: "voted",
      ballot: ballotId,
      option: formatVote(marked),
      label: labelVote(ballot.terms, marked),
      changed: false,
      repeated: true,
    };
  }
  const refused = checkVote(state, ballotId, node, marked);
  if (refused) {
    // The method's own words say what is wrong with the vote itself.
    if (refused.code === "unknown-option" && cast !== undefined && "code" in cast) {
      return refusal(cast.code, cast.message);
    }
    return refusal(refused.code, refused.message);
  }
  const { terms } = ballot!;
  const changed = ballot!.votes.has(node);
  if (terms.anonymous) {
    // Who voted and what was chosen are recorded apart: the tally keeps no link.
    emit({ type: "participated", ballot: ballotId, node });
    emit({ type: "voted", ballot: ballotId, node: null, ...marked! });
  } else {
    emit({ type: "voted", ballot: ballotId, node, ...marked! });
  }
  const outcome: Outcome = {
    ok: true,
    kind: "voted",
    ballot: ballotId,
    option: formatVote(marked!),
    label: labelVote(terms, marked!),
    changed,
    repeated: false,
  };
  const closing = evaluateBallot(state, ballotId);
  if (closing) close(state, ballot!, closing, at, emit);
  return outcome;
}

/** Runs every open ballot's rule (after the electorate shrank). */
function settleAll(state: ElectionState, at: number, emit: (event: HubEvent) => void): void {
  for (const ballot of openBallots(state)) {
    const closing = evaluateBallot(state, ballot.id);
    if (closing) close(state, ballot, closing, at, emit);
  }
}

/** Records a closing, and opens the next round of a repeating ballot (unless the meeting ends). */
function close(
  state: ElectionState,
  ballot: Ballot,
  closing: BallotClosedEvent,
  at: number,
  emit: (event: HubEvent) => void,
): void {
  emit(closing);
  if (!ballot.terms.repeat || closing.cause === "hub-stopped") return;
  emit({
    type: "ballot-opened",
    ballot: state.nextBallot,
    terms: nextRound(ballot.terms, at),
    proposer: ballot.proposer,
    at,
  });
}

function nextRound(terms: BallotTerms, at: number): BallotTerms {
  const next = { ...terms };
  if (terms.durationMs !== undefined) next.deadline = at + terms.durationMs;
  return next;
}

function hubField(hub: string): { hub?: string } {
  // A single hub's journal keeps the shape it always had.
  return hub === LOCAL_HUB ? {} : { hub };
}

function refusal(code: Refusal["code"], message: string): Refusal {
  return { ok: false, code, message };
}

function ignored(why: string): Outcome {
  return { ok: true, kind: "ignored", why };
}

function unknownNode(node: number): Refusal {
  return refusal(
    "not-admitted",
    `Cannot do that: node ${node} has left; answer the gate to join again`,
  );
}
