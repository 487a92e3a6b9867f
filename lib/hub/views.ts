/**
 * Ballots as nodes see them: the election state turned into the views of
 * the protocol (pure).
 *
 * @module
 */

import type { BallotClosedEvent } from "../election/events.ts";
import type { Ballot, ElectionState } from "../election/state.ts";
import type { BallotView, DecisionView } from "../protocol/messages.ts";

/**
 * A ballot as nodes see it.
 *
 * @param state The state (to turn the proposer's node id into its PIN).
 * @param ballot The ballot.
 * @returns Its view.
 */
export function ballotView(state: ElectionState, ballot: Ballot): BallotView {
  const { terms } = ballot;
  return {
    ballot: ballot.id,
    question: terms.question,
    options: terms.options,
    method: terms.method ?? "choice",
    rule: terms.rule,
    electorate: terms.electorate,
    deadline: terms.deadline === undefined ? null : new Date(terms.deadline).toISOString(),
    allowChange: terms.allowChange,
    hideResults: terms.hideResults,
    anonymous: terms.anonymous,
    repeat: terms.repeat,
    proposer: ballot.proposer === null ? null : state.nodes.get(ballot.proposer)?.pin ?? null,
  };
}

/**
 * How a ballot closed, as nodes see it.
 *
 * @param ballot The ballot.
 * @param closed Its closing event (it may not be applied yet).
 * @returns The outcome.
 */
export function closingView(ballot: Ballot, closed: BallotClosedEvent): DecisionView {
  return {
    ballot: ballot.id,
    question: ballot.terms.question,
    option: closed.option,
    label: ballot.terms.options.find((option) => option.key === closed.option)?.label ?? null,
    options: ballot.terms.options,
    counts: closed.counts,
    electorate: closed.electorate,
    reason: closed.reason,
    cause: closed.cause,
    method: ballot.terms.method ?? "choice",
    ...(closed.tally === undefined ? {} : { tally: closed.tally }),
  };
}

/**
 * A closed ballot as nodes see it.
 *
 * @param ballot A closed ballot.
 * @returns Its outcome.
 */
export function decisionView(ballot: Ballot): DecisionView {
  return closingView(ballot, ballot.closed!);
}
