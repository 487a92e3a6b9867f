/**
 * What each service does, whichever dialect asked: a request goes in, events
 * are recorded, a reply or a refusal comes out. Missing arguments are asked
 * for through the caller's {@linkcode Caller.ask}.
 *
 * @module
 */

import type { NodeInfo } from "../election/events.ts";
import { resolveOption } from "../election/ballot.ts";
import { checkVote } from "../election/state.ts";
import {
  type Ask,
  type ErrorReply,
  INFO_FIELDS,
  isErrorReply,
  refuse,
  type Reply,
  type Request,
  SERVICES,
} from "../protocol/messages.ts";
import { parsePermission, parseReceiveTarget, parseWordsAnswer } from "../protocol/text_dialect.ts";
import { validateInfo, validateName, validateWords } from "../protocol/validate.ts";
import type { Hub } from "./hub.ts";

/** The node a service runs for. */
export interface Caller {
  /** Its PIN. */
  readonly pin: number;
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

/**
 * Runs one request.
 *
 * @param hub The hub.
 * @param caller The node asking.
 * @param request What it asks for.
 * @returns The reply, or why it is refused.
 */
export async function runService(
  hub: Hub,
  caller: Caller,
  request: Request,
): Promise<Reply | ErrorReply> {
  switch (request.op) {
    case "help":
      return { op: "help", services: SERVICES };
    case "exit":
      return { op: "exit" };
    case "discover":
      return { op: "discover", nodes: [...hub.state.nodes.values()].map((node) => ({ ...node })) };
    case "stats":
      return stats(hub);
    case "setup":
      return await setup(caller, request.info);
    case "name":
      return await rename(hub, caller, request.name);
    case "negotiate":
      return await negotiate(hub, caller, request.info, request.grant);
    case "receive":
      return await receive(hub, caller, request.target);
    case "vote":
      return await vote(hub, caller, request.option);
  }
}

async function setup(caller: Caller, given: NodeInfo | undefined): Promise<Reply | ErrorReply> {
  let info = given;
  if (!info) {
    const lists: Partial<NodeInfo> = {};
    for (const field of INFO_FIELDS) {
      const answer = await caller.ask({ ask: field });
      if (isErrorReply(answer)) return answer;
      const words = validateWords(field, parseWordsAnswer(answer));
      if (!Array.isArray(words)) return words;
      lists[field] = words;
    }
    const checked = validateInfo(lists);
    if (isErrorReply(checked)) return checked;
    info = checked;
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
  hub.record({ type: "renamed", pin: caller.pin, name }, caller.pin);
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
  if (grant) hub.record({ type: "info-stored", pin: caller.pin, info }, caller.pin);
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
  const { nodes, stored } = hub.state;
  if (target === "all") {
    const infos = [...stored].map(([pin, info]) => ({
      pin,
      name: nodes.get(pin)?.name ?? "",
      info,
    }));
    return { op: "receive", infos };
  }
  const node = nodes.get(target);
  if (!node) return refuse("unknown-pin", `Cannot receive: no connected node has PIN ${target}`);
  const info = stored.get(target);
  if (!info) {
    return refuse(
      "no-info",
      `Cannot receive: node ${target} (${node.name}) has not let the hub store its info`,
    );
  }
  return { op: "receive", infos: [{ pin: target, name: node.name, info }] };
}

async function vote(
  hub: Hub,
  caller: Caller,
  given: string | undefined,
): Promise<Reply | ErrorReply> {
  const { ballot } = hub.state;
  const choice = given ?? await caller.ask({ ask: "vote", ...hub.openRound() });
  if (isErrorReply(choice)) return choice;
  const option = resolveOption(ballot, choice);
  const refusal = checkVote(hub.state, caller.pin, option);
  if (refusal) {
    const message = refusal.code === "unknown-option"
      ? `${refusal.message}; "${choice.slice(0, 40)}" is not an option`
      : refusal.message;
    return refuse(refusal.code, message);
  }
  const round = hub.state.round;
  hub.record({ type: "voted", pin: caller.pin, round, option: option! }, caller.pin);
  const label = ballot.options.find((candidate) => candidate.key === option)?.label ?? "";
  return { op: "vote", round, option: option!, label };
}

function stats(hub: Hub): Reply {
  const open = {
    ...hub.openRound(),
    counts: { ...hub.state.counts },
    connected: hub.state.nodes.size,
  };
  return {
    op: "stats",
    open,
    decided: hub.state.decided.map((decision) => hub.describeDecision(decision)),
  };
}
