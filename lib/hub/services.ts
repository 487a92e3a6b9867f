/**
 * What each service does, whichever dialect asked: a request goes in, events
 * are recorded, a reply or a refusal comes out. Missing arguments are asked
 * for through the caller's {@linkcode Caller.ask}.
 *
 * @module
 */

import type { Command, Outcome } from "../election/commands.ts";
import type { NodeInfo } from "../election/events.ts";
import type { VoteInput } from "../election/methods/cast_vote.ts";
import { buildTerms, type ProposalInput } from "../election/proposal.ts";
import { type Ballot, electorateSize, openBallots } from "../election/state.ts";
import {
  type Ask,
  type BallotStats,
  type ErrorReply,
  INFO_FIELDS,
  isErrorReply,
  refuse,
  type Reply,
  type Request,
  SERVICES,
} from "../protocol/messages.ts";
import { parsePermission, parseReceiveTarget, parseWordsAnswer } from "../protocol/text_dialect.ts";
import { validateName, validateWords } from "../protocol/validate.ts";
import { ClusterUnavailableError } from "../store/cluster_unavailable_error.ts";
import type { Hub, Member } from "./hub.ts";

/** The node a service runs for: its connection, and what it is in the middle of. */
export interface Caller extends Member {
  /** Its node id. */
  readonly node: number;
  /** Node info it declared with `setup`, not yet stored by the hub. */
  draftInfo: NodeInfo | undefined;
  /**
   * Asks the node a question and waits for its answer.
   *
   * @returns The answer as text, or a refusal when the line was unreadable or
   * the connection ended.
   */
  ask(ask: Ask): Promise<string | ErrorReply>;
}

/** How many closed ballots `stats` shows (`results` shows all). */
const STATS_DECIDED = 10;

/** A reply, or a promise of one when the request has to wait (a question, the cluster's log). */
export type ServiceResult = Reply | ErrorReply | Promise<Reply | ErrorReply>;

/**
 * Runs one request. A request that needs no waiting (a vote with its choice
 * given, on a hub that decides alone) is answered at once, not through a
 * promise: at thousands of votes a second, each promise and turn of the
 * microtask queue counts.
 *
 * @param hub The hub.
 * @param caller The node asking.
 * @param request What it asks for.
 * @returns The reply, or why it is refused; a promise of it when it waits.
 */
export function runService(hub: Hub, caller: Caller, request: Request): ServiceResult {
  let result: ServiceResult;
  try {
    result = serve(hub, caller, request);
  } catch (error) {
    return clusterUnavailable(error);
  }
  return result instanceof Promise ? result.catch(clusterUnavailable) : result;
}

function clusterUnavailable(error: unknown): ErrorReply {
  if (!(error instanceof ClusterUnavailableError)) throw error;
  return refuse("cluster-unavailable", `${error.message}; try again`);
}

/** Requests that read the election: with several hubs, they wait until this hub is current. */
const READS: ReadonlySet<Request["op"]> = new Set([
  "discover",
  "stats",
  "ballots",
  "results",
  "receive",
]);

function serve(hub: Hub, caller: Caller, request: Request): ServiceResult {
  if (READS.has(request.op)) return hub.current().then(() => serveCurrent(hub, caller, request));
  return serveCurrent(hub, caller, request);
}

function serveCurrent(hub: Hub, caller: Caller, request: Request): ServiceResult {
  switch (request.op) {
    case "help":
      return { op: "help", services: SERVICES };
    case "exit":
      return { op: "exit" };
    case "ping":
      return { op: "ping" };
    case "discover":
      return {
        op: "discover",
        nodes: [...hub.state.nodes.values()].filter((node) => node.present).map((node) => ({
          pin: node.pin,
          name: node.name,
          address: node.address,
          port: node.port,
        })),
      };
    case "stats":
      return stats(hub);
    case "ballots":
      return {
        op: "ballots",
        ballots: openBallots(hub.state).map((ballot) => hub.ballotView(ballot)),
      };
    case "results":
      return {
        op: "results",
        results: [...hub.state.ballots.values()].filter((ballot) => ballot.closed).map((ballot) =>
          hub.decisionView(ballot)
        ),
      };
    case "setup":
      return setup(caller, request.info);
    case "name":
      return rename(hub, caller, request.name);
    case "negotiate":
      return negotiate(hub, caller, request.info, request.grant);
    case "receive":
      return receive(hub, caller, request.target);
    case "vote":
      return vote(hub, caller, request.ballot, voteInputOf(request));
    case "propose":
      return propose(hub, caller, request.proposal);
    case "close":
      return close(hub, caller, request.ballot);
  }
}

async function setup(caller: Caller, given: NodeInfo | undefined): Promise<Reply | ErrorReply> {
  let info = given;
  if (!info) {
    // Each list is checked as it is answered, so a bad answer stops the questions.
    info = { services: [], capabilities: [], constraints: [] };
    for (const field of INFO_FIELDS) {
      const answer = await caller.ask({ ask: field });
      if (isErrorReply(answer)) return answer;
      const words = validateWords(field, parseWordsAnswer(answer));
      if (!Array.isArray(words)) return words;
      info[field] = words;
    }
  }
  caller.draftInfo = info;
  return { op: "setup", info };
}

async function rename(
  hub: Hub,
  caller: Caller,
  given: string | undefined,
): Promise<Reply | ErrorReply> {
  const answer = given ?? await caller.ask({ ask: "name" });
  if (isErrorReply(answer)) return answer;
  const name = validateName(answer);
  if (isErrorReply(name)) return name;
  const outcome = await hub.submit(
    { type: "rename", at: hub.now(), node: caller.node, name },
    { node: caller.node, member: caller },
  );
  if (!outcome.ok) return refuse(outcome.code, outcome.message);
  return { op: "name", name };
}

async function negotiate(
  hub: Hub,
  caller: Caller,
  offered: NodeInfo | undefined,
  preset: boolean | undefined,
): Promise<Reply | ErrorReply> {
  const info = offered ?? caller.draftInfo;
  if (!info) return refuse("no-info", "Cannot negotiate: no node info to offer; run setup first");
  caller.draftInfo = info;
  let grant = preset;
  if (grant === undefined) {
    const answer = await caller.ask({ ask: "permission", info });
    if (isErrorReply(answer)) return answer;
    grant = parsePermission(answer);
    if (grant === undefined) {
      return refuse("bad-request", "Cannot negotiate: answer grant or deny; nothing was stored");
    }
  }
  if (grant) {
    const outcome = await hub.submit(
      { type: "store-info", at: hub.now(), node: caller.node, info },
      { node: caller.node, member: caller },
    );
    if (!outcome.ok) return refuse(outcome.code, outcome.message);
  }
  return { op: "negotiate", stored: grant, info };
}

async function receive(
  hub: Hub,
  caller: Caller,
  given: number | "all" | undefined,
): Promise<Reply | ErrorReply> {
  let target = given;
  if (target === undefined) {
    const answer = await caller.ask({ ask: "receive" });
    if (isErrorReply(answer)) return answer;
    const parsed = parseReceiveTarget(answer);
    if (parsed?.op !== "receive" || parsed.target === undefined) {
      return refuse("bad-request", "Cannot receive: give a PIN or all");
    }
    target = parsed.target;
  }
  const { nodes, stored, pins } = hub.state;
  if (target === "all") {
    const infos = [...stored].map(([node, info]) => {
      const record = nodes.get(node)!;
      return { pin: record.pin, name: record.name, info };
    });
    return { op: "receive", infos };
  }
  const node = pins.get(target);
  const record = node === undefined ? undefined : nodes.get(node);
  if (node === undefined || !record) {
    return refuse("unknown-pin", `Cannot receive: no connected node has PIN ${target}`);
  }
  const info = stored.get(node);
  if (!info) {
    return refuse(
      "no-info",
      `Cannot receive: node ${target} (${record.name}) has not let the hub store its info`,
    );
  }
  return { op: "receive", infos: [{ pin: target, name: record.name, info }] };
}

/**
 * The vote a request gives, or `undefined` when it gives none (the hub then
 * asks). Field by field rather than by a rest copy: this runs at every vote.
 */
function voteInputOf(request: VoteInput): VoteInput | undefined {
  const { option, options, ranking, scores, reason } = request;
  if (
    option === undefined && options === undefined && ranking === undefined &&
    scores === undefined && reason === undefined
  ) {
    return undefined;
  }
  const input: VoteInput = {};
  if (option !== undefined) input.option = option;
  if (options !== undefined) input.options = options;
  if (ranking !== undefined) input.ranking = ranking;
  if (scores !== undefined) input.scores = scores;
  if (reason !== undefined) input.reason = reason;
  return input;
}

function vote(
  hub: Hub,
  caller: Caller,
  givenBallot: number | undefined,
  given: VoteInput | undefined,
): ServiceResult {
  let ballotId = givenBallot;
  // Nearly always one ballot is open: its id is read without copying the list.
  if (ballotId === undefined && hub.state.openBallots.size === 1) {
    ballotId = hub.state.openBallots.keys().next().value!;
  }
  if (ballotId === undefined) {
    const open = openBallots(hub.state);
    if (open.length === 0) return refuse("unknown-ballot", "Cannot vote: no ballot is open");
    if (open.length > 1) {
      return refuse(
        "ambiguous-ballot",
        `Cannot vote: ${open.length} ballots are open (${
          open.map((ballot) => ballot.id).join(", ")
        }); name one, e.g. vote ${open[0]!.id} A`,
      );
    }
    ballotId = open[0]!.id;
  }
  const ballot = hub.state.ballots.get(ballotId);
  if (given === undefined && ballot && !ballot.closed) {
    return askVote(hub, caller, ballotId, ballot);
  }
  return submitVote(hub, caller, ballotId, given ?? {});
}

async function askVote(
  hub: Hub,
  caller: Caller,
  ballotId: number,
  ballot: Ballot,
): Promise<Reply | ErrorReply> {
  const answer = await caller.ask({ ask: "vote", ballot: hub.ballotView(ballot) });
  if (isErrorReply(answer)) return answer;
  return await submitVote(hub, caller, ballotId, { option: answer });
}

function submitVote(hub: Hub, caller: Caller, ballotId: number, input: VoteInput): ServiceResult {
  const command: Command = {
    type: "vote",
    at: hub.now(),
    node: caller.node,
    ballot: ballotId,
    vote: input,
  };
  const actor = { node: caller.node, member: caller };
  const outcome = hub.submitNow(command, actor);
  if (outcome === undefined) {
    return hub.submit(command, actor).then((ordered) => voteReply(ordered, ballotId));
  }
  return voteReply(outcome, ballotId);
}

function voteReply(outcome: Outcome, ballotId: number): Reply | ErrorReply {
  if (!outcome.ok) return refuse(outcome.code, outcome.message);
  if (outcome.kind !== "voted") throw new Error(`Cannot vote: ${outcome.kind}`);
  const { option, label, changed } = outcome;
  return { op: "vote", ballot: ballotId, option, label, changed };
}

async function propose(
  hub: Hub,
  caller: Caller,
  proposal: ProposalInput,
): Promise<Reply | ErrorReply> {
  if (!hub.allowPropose) {
    return refuse(
      "not-allowed",
      "Cannot propose: this hub does not let nodes open ballots (see --allow-propose)",
    );
  }
  let terms;
  try {
    terms = buildTerms({ ...proposal, repeat: false }, hub.now());
  } catch (error) {
    return refuse("invalid-proposal", (error as Error).message);
  }
  return { op: "propose", ballot: await hub.openBallot(terms, caller.node, caller) };
}

async function close(hub: Hub, caller: Caller, ballotId: number): Promise<Reply | ErrorReply> {
  const result = await hub.closeBallot(ballotId, caller.node);
  return isErrorReply(result) ? result : { op: "close", result };
}

/**
 * The `stats` reply: open ballots with their counts (hidden while their
 * results are), and the last decided ones. The web board shows the same.
 *
 * @param hub The hub.
 * @returns The reply.
 */
export function stats(hub: Hub): Extract<Reply, { op: "stats" }> {
  const ballots: BallotStats[] = openBallots(hub.state).map((ballot) => {
    const hidden = ballot.terms.hideResults;
    const voted = ballot.votes.size + ballot.anonymousVotes.length;
    return {
      ...hub.ballotView(ballot),
      counts: hidden ? null : { ...ballot.counts },
      voted: hidden ? null : voted,
      electorateSize: electorateSize(hub.state, ballot),
    };
  });
  const closed = [...hub.state.ballots.values()].filter((ballot) => ballot.closed);
  return {
    op: "stats",
    ballots,
    decided: closed.slice(-STATS_DECIDED).map((ballot) => hub.decisionView(ballot)),
  };
}
