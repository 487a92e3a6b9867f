/**
 * Reading one line at the gate, in either dialect, as a try: a plain answer,
 * a proof of the answer, a resume token, or something that is not a try at
 * all. Pure: what the try is worth is the session's business.
 *
 * @module
 */

import { type MessageId, parseJsonMessage } from "../protocol/json_dialect.ts";
import { type ErrorReply, refuse, SERVICES } from "../protocol/messages.ts";

/** One line at the gate, read. */
export type GateAttempt =
  | { kind: "answer"; answer: string; id: MessageId }
  | { kind: "proof"; nodeNonce: string; proof: string; id: MessageId }
  | { kind: "resume"; token: string; id: MessageId }
  | { kind: "refused"; error: ErrorReply; id: MessageId }
  /** A JSON object that only switches the dialect: ask again, no try used. */
  | { kind: "switched" }
  /** An HTTP request: someone pointed a browser or a web client at the hub. */
  | { kind: "http" }
  | { kind: "blank" };

/** What a first JSON line may carry besides the try. */
export interface GateHello {
  /** The name asked for, if any (not yet checked). */
  name?: unknown;
}

const SERVICE_NAMES = new Set<string>(SERVICES.map((service) => service.name));
const HTTP_REQUEST = /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE) \S+ HTTP\/\d/u;

/**
 * Reads a line of the text dialect at the gate.
 *
 * @param line The line.
 * @param isAnswer Whether the line, as a whole, is the right answer (a
 * riddle's answer may look like a command or a resume line).
 * @returns The try.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(readTextAttempt("resume abc", false), { kind: "resume", token: "abc", id: null });
 * assertEquals(readTextAttempt("vote A", false).kind, "refused");
 * ```
 */
export function readTextAttempt(line: string, isAnswer: boolean): GateAttempt {
  const trimmed = line.trim();
  if (trimmed === "") return { kind: "blank" };
  if (isAnswer) return { kind: "answer", answer: line, id: null };
  if (HTTP_REQUEST.test(trimmed)) return { kind: "http" };
  const words = trimmed.split(/\s+/u);
  const first = words[0]!.toLowerCase();
  if (first === "resume" && words.length === 2) {
    return { kind: "resume", token: words[1]!, id: null };
  }
  if (first === "proof" && words.length === 3) {
    return { kind: "proof", nodeNonce: words[1]!, proof: words[2]!, id: null };
  }
  if (SERVICE_NAMES.has(first)) {
    return {
      kind: "refused",
      error: refuse(
        "not-admitted",
        `Cannot run ${first} before passing the gate: answer the question first`,
      ),
      id: null,
    };
  }
  return { kind: "answer", answer: line, id: null };
}

/**
 * Reads a line of the JSON dialect at the gate (including the first line,
 * which switches to JSON and may carry the try and a name).
 *
 * @param line The line.
 * @param askId Id of the gate question pending.
 * @param hello Receives the name of a first line.
 * @returns The try.
 */
export function readJsonAttempt(
  line: string,
  askId: string | null,
  hello?: GateHello,
): GateAttempt {
  if (line.trim() === "") return { kind: "blank" };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return {
      kind: "refused",
      error: refuse("bad-request", "Cannot decode line: not valid JSON"),
      id: null,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      kind: "refused",
      error: refuse("bad-request", "Cannot decode line: expected a JSON object"),
      id: null,
    };
  }
  const fields = value as Record<string, unknown>;
  if (hello && Object.hasOwn(fields, "name")) hello.name = fields.name;
  const id: MessageId = typeof fields.id === "string" || typeof fields.id === "number"
    ? fields.id
    : askId;
  if (typeof fields.resume === "string") return { kind: "resume", token: fields.resume, id };
  if (typeof fields.proof === "string" && typeof fields.nonce === "string") {
    return { kind: "proof", nodeNonce: fields.nonce, proof: fields.proof, id };
  }
  if (Object.hasOwn(fields, "op")) {
    const message = parseJsonMessage(line);
    const op = message.kind === "request" ? message.request.op : "a service";
    return {
      kind: "refused",
      error: refuse("not-admitted", `Cannot run ${op} before passing the gate`),
      id,
    };
  }
  if (Object.hasOwn(fields, "answer")) {
    return typeof fields.answer === "string" ? { kind: "answer", answer: fields.answer, id } : {
      kind: "refused",
      error: refuse("bad-request", "Cannot take answer: it must be a string"),
      id,
    };
  }
  if (hello) return { kind: "switched" };
  return {
    kind: "refused",
    error: refuse(
      "bad-request",
      'Cannot decode line: expected "answer", "proof" and "nonce", or "resume"',
    ),
    id,
  };
}
