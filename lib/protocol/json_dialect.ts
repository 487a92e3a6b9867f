/**
 * The JSON-lines dialect, for programs: one JSON object per line each way.
 * Requests carry an `id` that the reply repeats; the hub's own questions
 * (asks) carry an `id` that the answer repeats; events carry `event`.
 *
 * @module
 */

import {
  type Ask,
  type ErrorReply,
  INFO_FIELDS,
  type InfoField,
  type Push,
  refuse,
  type Reply,
  type Request,
  type ServiceName,
  SERVICES,
} from "./messages.ts";
import { validateInfo } from "./validate.ts";
import type { ProposalInput } from "../election/proposal.ts";

/** A request or answer id: what the peer chose, echoed back as it was. */
export type MessageId = string | number | null;

/** One decoded line from a node. */
export type JsonMessage =
  | { kind: "request"; id: MessageId; request: Request }
  | { kind: "answer"; id: MessageId; answer: string }
  | { kind: "invalid"; id: MessageId; error: ErrorReply };

const SERVICE_NAMES = new Set<string>(SERVICES.map((service) => service.name));
const MAX_ID_LENGTH = 64;

/**
 * Decodes one line of the JSON dialect.
 *
 * @param line A line without its line end.
 * @returns What the line is: a request, an answer to an ask, or invalid.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseJsonMessage('{"id":1,"op":"vote","option":"A"}'), {
 *   kind: "request",
 *   id: 1,
 *   request: { op: "vote", option: "A" },
 * });
 * assertEquals(parseJsonMessage('{"id":"h1","answer":"keyboard"}'), {
 *   kind: "answer",
 *   id: "h1",
 *   answer: "keyboard",
 * });
 * ```
 */
export function parseJsonMessage(line: string): JsonMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return invalid(null, "bad-request", "Cannot decode line: not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid(null, "bad-request", "Cannot decode line: expected a JSON object");
  }
  const message = value as Record<string, unknown>;
  const id = readId(message.id);
  if (id === undefined) {
    return invalid(
      null,
      "bad-request",
      `Cannot decode line: id must be a string of at most ${MAX_ID_LENGTH} characters, a number or null`,
    );
  }
  if (Object.hasOwn(message, "op")) return decodeRequest(id, message);
  if (Object.hasOwn(message, "answer") || Object.hasOwn(message, "grant")) {
    const answer = readAnswer(message);
    return answer === undefined
      ? invalid(
        id,
        "bad-request",
        "Cannot decode answer: answer must be a string, number or boolean",
      )
      : { kind: "answer", id, answer };
  }
  return invalid(id, "bad-request", 'Cannot decode line: expected "op" (a request) or "answer"');
}

function decodeRequest(id: MessageId, message: Record<string, unknown>): JsonMessage {
  const op = message.op;
  if (typeof op !== "string" || !SERVICE_NAMES.has(op)) {
    const shown = typeof op === "string" ? op.slice(0, 32) : typeof op;
    return invalid(
      id,
      "unknown-command",
      `Cannot run "${JSON.stringify(shown).slice(1, -1)}": not a service`,
    );
  }
  const service = op as ServiceName;
  switch (service) {
    case "help":
    case "discover":
    case "stats":
    case "ballots":
    case "results":
    case "ping":
    case "exit":
      return { kind: "request", id, request: { op: service } };
    case "name": {
      if (message.name === undefined) return { kind: "request", id, request: { op: "name" } };
      if (typeof message.name !== "string") {
        return invalid(id, "bad-request", "Cannot set name: name must be a string");
      }
      return { kind: "request", id, request: { op: "name", name: message.name } };
    }
    case "setup":
    case "negotiate": {
      const source = service === "negotiate" ? message.info : message;
      let info;
      if (source !== undefined) {
        if (typeof source !== "object" || source === null || Array.isArray(source)) {
          return invalid(id, "bad-request", "Cannot read node info: info must be an object");
        }
        const lists = readInfoLists(source as Record<string, unknown>);
        if (typeof lists === "string") return invalid(id, "bad-request", lists);
        if (lists !== undefined) {
          const checked = validateInfo(lists);
          if ("code" in checked) return { kind: "invalid", id, error: checked };
          info = checked;
        }
      }
      if (service === "setup") {
        return { kind: "request", id, request: info ? { op: "setup", info } : { op: "setup" } };
      }
      const grant = message.grant;
      if (grant !== undefined && typeof grant !== "boolean") {
        return invalid(id, "bad-request", "Cannot negotiate: grant must be true or false");
      }
      const request: Request = { op: "negotiate" };
      if (info) request.info = info;
      if (grant !== undefined) request.grant = grant;
      return { kind: "request", id, request };
    }
    case "receive": {
      const pin = message.pin;
      if (pin === undefined) return { kind: "request", id, request: { op: "receive" } };
      if (pin === "all") return { kind: "request", id, request: { op: "receive", target: "all" } };
      if (typeof pin === "number" && Number.isSafeInteger(pin) && pin >= 0) {
        return { kind: "request", id, request: { op: "receive", target: pin } };
      }
      return invalid(id, "bad-request", 'Cannot receive: pin must be a whole number or "all"');
    }
    case "vote": {
      const { option, ballot, options, ranking, scores, reason } = message;
      if (option !== undefined && typeof option !== "string") {
        return invalid(id, "bad-request", "Cannot vote: option must be a string");
      }
      if (reason !== undefined && typeof reason !== "string") {
        return invalid(id, "bad-request", "Cannot vote: reason must be a string");
      }
      if (ballot !== undefined && !isBallotId(ballot)) {
        return invalid(id, "bad-request", "Cannot vote: ballot must be a whole number");
      }
      // Checked one by one, not in a loop over a list: a list costs allocations at every vote.
      if (options !== undefined && !isStringArray(options)) return notStrings(id, "options");
      if (ranking !== undefined && !isStringArray(ranking)) return notStrings(id, "ranking");
      if (
        scores !== undefined &&
        (typeof scores !== "object" || scores === null || Array.isArray(scores) ||
          !Object.values(scores).every((score) => typeof score === "number"))
      ) {
        return invalid(
          id,
          "bad-request",
          'Cannot vote: scores must be an object of numbers, e.g. {"A":5,"B":2}',
        );
      }
      const request: Request = { op: "vote" };
      if (ballot !== undefined) request.ballot = ballot as number;
      if (option !== undefined) request.option = option;
      if (options !== undefined) request.options = options as string[];
      if (ranking !== undefined) request.ranking = ranking as string[];
      if (scores !== undefined) request.scores = scores as Record<string, number>;
      if (reason !== undefined) request.reason = reason;
      return { kind: "request", id, request };
    }
    case "close":
      if (!isBallotId(message.ballot)) {
        return invalid(id, "bad-request", "Cannot close: ballot must be a whole number");
      }
      return { kind: "request", id, request: { op: "close", ballot: message.ballot as number } };
    case "propose":
      return decodeProposal(id, message);
  }
}

function notStrings(id: MessageId, field: string): JsonMessage {
  return invalid(id, "bad-request", `Cannot vote: ${field} must be an array of strings`);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isBallotId(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** Reads a `propose` request: question and options required, the rest optional. */
function decodeProposal(id: MessageId, message: Record<string, unknown>): JsonMessage {
  const { question, options = [] } = message;
  if (typeof question !== "string" || !isStringArray(options)) {
    return invalid(
      id,
      "bad-request",
      "Cannot propose: question must be a string and options an array of strings",
    );
  }
  const proposal: ProposalInput = { question, options: options as string[] };
  for (const field of ["method", "rule", "deadline", "electorate"] as const) {
    const value = message[field];
    if (value === undefined) continue;
    if (typeof value !== "string") {
      return invalid(id, "bad-request", `Cannot propose: ${field} must be a string`);
    }
    proposal[field] = value;
  }
  for (const field of ["allowChange", "hideResults", "anonymous"] as const) {
    const value = message[field];
    if (value === undefined) continue;
    if (typeof value !== "boolean") {
      return invalid(id, "bad-request", `Cannot propose: ${field} must be true or false`);
    }
    proposal[field] = value;
  }
  return { kind: "request", id, request: { op: "propose", proposal } };
}

/** Reads the three lists, or says which one is malformed; `undefined` when none is given. */
function readInfoLists(
  source: Record<string, unknown>,
): Record<InfoField, unknown[]> | string | undefined {
  const lists: Record<InfoField, unknown[]> = { services: [], capabilities: [], constraints: [] };
  let given = false;
  for (const field of INFO_FIELDS) {
    const list = source[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return `Cannot read node info: ${field} must be an array of words`;
    lists[field] = list;
    given = true;
  }
  return given ? lists : undefined;
}

function readId(id: unknown): MessageId | undefined {
  if (id === undefined || id === null) return null;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  if (typeof id === "string" && id.length <= MAX_ID_LENGTH) return id;
  return undefined;
}

function readAnswer(message: Record<string, unknown>): string | undefined {
  const answer = Object.hasOwn(message, "answer") ? message.answer : message.grant;
  if (typeof answer === "string") return answer;
  if (typeof answer === "number" && Number.isFinite(answer)) return String(answer);
  if (typeof answer === "boolean") return answer ? "grant" : "deny";
  return undefined;
}

function invalid(id: MessageId, code: ErrorReply["code"], message: string): JsonMessage {
  return { kind: "invalid", id, error: refuse(code, message) };
}

/**
 * Encodes a successful reply.
 *
 * @param id The request's id.
 * @param reply The reply.
 * @returns One JSON line.
 */
export function formatJsonReply(id: MessageId, reply: Reply): string {
  // The same text as stringifying `{ id, ok: true, ...reply }` (a reply has
  // neither field), without copying the reply into a new object each time.
  return `{"id":${JSON.stringify(id)},"ok":true,${JSON.stringify(reply).slice(1)}\n`;
}

/**
 * Encodes a refusal.
 *
 * @param id The request's id, or `null` when the line had none.
 * @param error The refusal.
 * @returns One JSON line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(
 *   formatJsonError(7, { code: "already-voted", message: "Cannot vote: you already voted A in round 1" }),
 *   '{"id":7,"ok":false,"error":{"code":"already-voted","message":"Cannot vote: you already voted A in round 1"}}\n',
 * );
 * ```
 */
export function formatJsonError(id: MessageId, error: ErrorReply): string {
  return `${JSON.stringify({ id, ok: false, error })}\n`;
}

/**
 * Encodes a question of the hub's.
 *
 * @param id The id the answer must repeat.
 * @param ask The question.
 * @returns One JSON line.
 */
export function formatJsonAsk(id: string, ask: Ask): string {
  return `${JSON.stringify({ id, ...ask })}\n`;
}

/**
 * Encodes a pushed event.
 *
 * @param push The event.
 * @returns One JSON line.
 */
export function formatJsonPush(push: Push): string {
  return `${JSON.stringify(push)}\n`;
}
