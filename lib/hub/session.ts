/**
 * One connection to the hub, from greeting to goodbye: the gate, the choice
 * of dialect, then requests one after another.
 *
 * @module
 */

import type { NodeInfo } from "../election/events.ts";
import { type Dialect, JSON_DIALECT, TEXT_DIALECT } from "../protocol/dialect.ts";
import { type MessageId, parseJsonMessage } from "../protocol/json_dialect.ts";
import type { LineItem } from "../protocol/line_splitter.ts";
import { LineSource } from "../protocol/line_source.ts";
import {
  type Ask,
  type ErrorReply,
  GREETING_PREFIX,
  isErrorReply,
  refuse,
  type Reply,
  type Request,
  SERVICES,
} from "../protocol/messages.ts";
import { parseTextCommand } from "../protocol/text_dialect.ts";
import { validateName } from "../protocol/validate.ts";
import type { Admission, Hub, Member } from "./hub.ts";
import { openBallots } from "../election/state.ts";
import { Outbox } from "./outbox.ts";
import { type Caller, runService } from "./services.ts";

/** Limits of one session. */
export interface SessionLimits {
  /**
   * Longest line after the gate, in bytes.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * Longest line before the gate, in bytes: a stranger gets less room.
   * @default {1024}
   */
  maxGateLineBytes?: number;
  /**
   * Wrong answers before the connection is closed.
   * @default {3}
   */
  gateTries?: number;
  /**
   * Bytes queued for a node that does not read before it is dropped.
   * @default {1048576}
   */
  maxQueuedBytes?: number;
}

/** The program's version, shown in the greeting. */
export const VERSION = "0.1.0";

const SERVICE_NAMES = new Set<string>(SERVICES.map((service) => service.name));

/** Serves one connection; {@linkcode Session.run} returns when it is over. */
export class Session implements Member, Caller {
  /** The dialect the peer speaks; text until it sends a JSON object. */
  dialect: Dialect = TEXT_DIALECT;
  /** Node id once admitted, 0 before. */
  node = 0;
  /** Node info declared with `setup`, not yet stored. */
  draftInfo: NodeInfo | undefined;
  readonly #hub: Hub;
  readonly #conn: Deno.Conn;
  readonly #lines: LineSource;
  readonly #outbox: Outbox;
  readonly #limits: Required<SessionLimits>;
  #askCount = 0;
  #closed = false;
  #requestedName: string | undefined;

  /**
   * Prepares a session for a new connection.
   *
   * @param hub The hub.
   * @param conn The connection.
   * @param limits See {@linkcode SessionLimits}.
   */
  constructor(hub: Hub, conn: Deno.Conn, limits: SessionLimits = {}) {
    this.#hub = hub;
    this.#conn = conn;
    this.#limits = {
      maxLineBytes: limits.maxLineBytes ?? 8192,
      maxGateLineBytes: limits.maxGateLineBytes ?? 1024,
      gateTries: limits.gateTries ?? 3,
      maxQueuedBytes: limits.maxQueuedBytes ?? 1024 * 1024,
    };
    this.#lines = new LineSource(conn, { maxLineBytes: this.#limits.maxGateLineBytes });
    this.#outbox = new Outbox(conn, {
      maxQueuedBytes: this.#limits.maxQueuedBytes,
      onFailure: () => this.close(),
    });
  }

  /** Queues bytes for the peer; see {@linkcode Outbox.send}. */
  send(data: string | Uint8Array): void {
    this.#outbox.send(data);
  }

  /** Closes the connection; the session's loop then ends and the node departs. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer's reset: nothing left to release.
    }
  }

  /**
   * Runs the session to its end. Never throws: whatever the peer does, only
   * this connection is affected.
   */
  async run(): Promise<void> {
    let reason: "exit" | "dropped" = "dropped";
    try {
      this.send(
        `${GREETING_PREFIX} ${VERSION}: text dialect; send a JSON object to switch to JSON lines\n`,
      );
      if (!await this.#passGate()) return;
      reason = await this.#serve();
    } catch {
      // An unexpected fault in one session must not reach the accept loop.
      reason = "dropped";
    } finally {
      if (this.node !== 0) this.#hub.disconnect(this.node, this, reason);
      await this.#outbox.drained();
      this.close();
    }
  }

  /**
   * Asks the gate question until it is answered right (or a resume token is
   * accepted) or the tries run out.
   */
  async #passGate(): Promise<boolean> {
    let triesLeft = this.#limits.gateTries;
    let decided = false;
    let askId = this.#askGate(triesLeft);
    while (triesLeft > 0) {
      const item = await this.#lines.next();
      if (!item) return false;
      let attempt: GateAttempt;
      if (item.kind !== "line") {
        attempt = { answer: this.#unreadable(item), id: null };
      } else if (!decided && item.text.trimStart().startsWith("{")) {
        decided = true;
        const switched = this.#switchToJson(item.text);
        if (switched === undefined) {
          askId = this.#askGate(triesLeft);
          continue;
        }
        attempt = switched;
      } else if (item.text.trim() === "") {
        continue;
      } else {
        decided = true;
        attempt = this.#readGateAnswer(item.text, askId);
      }
      let answer = attempt.answer;
      if (attempt.resume !== undefined) {
        const resumed = this.#resume(attempt.resume);
        if (resumed === true) return true;
        answer = resumed;
      } else if (typeof answer === "string" && this.#hub.gate.accepts(answer)) {
        this.#admit();
        return true;
      }
      triesLeft--;
      if (isErrorReply(answer)) {
        const error = refuse(answer.code, `${answer.message}; ${triesLeftText(triesLeft)}`);
        this.send(this.dialect.error(attempt.id, error));
      } else {
        const message = `Cannot join: that is not the answer; ${triesLeftText(triesLeft)}`;
        this.send(this.dialect.push({ event: "wrong-answer", triesLeft, message }));
      }
      if (triesLeft > 0) askId = this.#askGate(triesLeft);
    }
    this.send(
      this.dialect.push({
        event: "bye",
        reason: "Too many wrong answers; the connection is closed",
      }),
    );
    return false;
  }

  /** Handles the first JSON line: the switch, and maybe an answer, a name or a resume token in it. */
  #switchToJson(line: string): GateAttempt | undefined {
    let hello: unknown;
    try {
      hello = JSON.parse(line);
    } catch {
      return { answer: refuse("bad-request", "Cannot decode line: not valid JSON"), id: null };
    }
    if (typeof hello !== "object" || hello === null || Array.isArray(hello)) {
      return {
        answer: refuse("bad-request", "Cannot decode line: expected a JSON object"),
        id: null,
      };
    }
    this.dialect = JSON_DIALECT;
    const fields = hello as Record<string, unknown>;
    if (typeof fields.name === "string") {
      const name = validateName(fields.name);
      if (isErrorReply(name)) this.send(this.dialect.error(null, name));
      else this.#requestedName = name;
    }
    if (Object.hasOwn(fields, "op") || Object.hasOwn(fields, "resume")) {
      return this.#readGateAnswer(line, "");
    }
    if (!Object.hasOwn(fields, "answer")) return undefined;
    const answer = typeof fields.answer === "string"
      ? fields.answer
      : refuse("bad-request", "Cannot decode answer: the answer must be a string");
    return { answer, id: null };
  }

  #readGateAnswer(line: string, askId: string): GateAttempt {
    if (this.dialect === TEXT_DIALECT) {
      const resume = /^resume\s+(\S+)$/iu.exec(line.trim());
      if (resume && !this.#hub.gate.accepts(line)) {
        return { answer: "", id: null, resume: resume[1]! };
      }
      const word = line.trim().split(/\s+/u)[0]!.toLowerCase();
      if (SERVICE_NAMES.has(word) && !this.#hub.gate.accepts(line)) {
        return {
          answer: refuse(
            "not-admitted",
            `Cannot run ${word} before passing the gate: answer the question first`,
          ),
          id: null,
        };
      }
      return { answer: line, id: null };
    }
    const resume = readResumeToken(line);
    if (resume !== undefined) return { answer: "", id: null, resume };
    const message = parseJsonMessage(line);
    if (message.kind === "answer") return { answer: message.answer, id: askId };
    if (message.kind === "request") {
      return {
        answer: refuse("not-admitted", `Cannot run ${message.request.op} before passing the gate`),
        id: message.id,
      };
    }
    return { answer: message.error, id: message.id };
  }

  #askGate(triesLeft: number): string {
    const id = `h${++this.#askCount}`;
    this.send(this.dialect.ask(id, { ask: "gate", question: this.#hub.gate.question, triesLeft }));
    return id;
  }

  #admit(): void {
    const admission = this.#hub.admit(this, this.#peer(), this.#requestedName);
    this.#welcome(admission, false);
  }

  /** Takes a resume token: true when the node is back in, or why not. */
  #resume(token: string): true | ErrorReply {
    const admission = this.#hub.resume(this, token, this.#peer());
    if (isErrorReply(admission)) return admission;
    this.#welcome(admission, true);
    return true;
  }

  #welcome(admission: Admission, resumed: boolean): void {
    this.#lines.maxLineBytes = this.#limits.maxLineBytes;
    this.node = admission.node;
    this.send(this.dialect.push({
      event: "admitted",
      pin: admission.pin,
      name: admission.name,
      token: admission.token,
      resumed,
      ballots: openBallots(this.#hub.state).map((ballot) => this.#hub.ballotView(ballot)),
      services: SERVICES,
    }));
  }

  #peer(): { address: string; port: number } {
    const addr = this.#conn.remoteAddr as Deno.NetAddr;
    return { address: addr.hostname, port: addr.port };
  }

  /** Serves requests until the node exits or the connection ends. */
  async #serve(): Promise<"exit" | "dropped"> {
    for (;;) {
      const item = await this.#lines.next();
      if (!item) return "dropped";
      if (item.kind !== "line") {
        this.send(this.dialect.error(null, this.#unreadable(item)));
        continue;
      }
      let id: MessageId = null;
      let request: Request;
      if (this.dialect === TEXT_DIALECT) {
        const parsed = parseTextCommand(item.text);
        if (parsed === undefined) continue;
        if (isErrorReply(parsed)) {
          this.send(this.dialect.error(null, parsed));
          continue;
        }
        request = parsed;
      } else {
        if (item.text.trim() === "") continue;
        const message = parseJsonMessage(item.text);
        id = message.id;
        if (message.kind === "invalid") {
          this.send(this.dialect.error(id, message.error));
          continue;
        }
        if (message.kind === "answer") {
          this.send(
            this.dialect.error(
              id,
              refuse("bad-request", "Cannot take answer: no question is pending"),
            ),
          );
          continue;
        }
        request = message.request;
      }
      let reply: Reply | ErrorReply = await runService(this.#hub, this, request);
      try {
        // Acknowledge only what the journal holds.
        await this.#hub.committed();
      } catch (error) {
        reply = refuse("unavailable", `Cannot confirm: ${(error as Error).message}; try again`);
      }
      this.send(
        isErrorReply(reply) ? this.dialect.error(id, reply) : this.dialect.reply(id, reply),
      );
      if (request.op === "exit") return "exit";
      if (!isErrorReply(reply) && reply.op === "vote") this.#hub.settle(reply.ballot);
    }
  }

  /**
   * Asks the node a question (for a service's missing argument) and waits for
   * the answer. See {@linkcode Caller.ask}.
   */
  async ask(ask: Ask): Promise<string | ErrorReply> {
    const askId = `h${++this.#askCount}`;
    this.send(this.dialect.ask(askId, ask));
    for (;;) {
      const item = await this.#lines.next();
      if (!item) return refuse("bad-request", "Connection closed before the answer");
      if (item.kind !== "line") return this.#unreadable(item);
      if (this.dialect === TEXT_DIALECT) return item.text;
      if (item.text.trim() === "") continue;
      const message = parseJsonMessage(item.text);
      if (message.kind === "answer" && (message.id === null || message.id === askId)) {
        return message.answer;
      }
      // Anything else is refused on its own id, and the question stays open.
      const error = message.kind === "invalid" ? message.error : message.kind === "answer"
        ? refuse(
          "bad-request",
          `Cannot take answer: it is for ${String(message.id)}, the open question is ${askId}`,
        )
        : refuse("answer-pending", `Cannot run ${message.request.op}: answer ${askId} first`);
      this.send(this.dialect.error(message.id, error));
    }
  }

  #unreadable(item: Exclude<LineItem, { kind: "line" }>): ErrorReply {
    return item.kind === "too-long"
      ? refuse(
        "line-too-long",
        `Cannot read line: longer than ${item.maxBytes} bytes; it was skipped`,
      )
      : refuse("invalid-utf8", "Cannot read line: it is not valid UTF-8; it was skipped");
  }
}

function triesLeftText(triesLeft: number): string {
  return triesLeft === 0
    ? "no tries left"
    : `${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left`;
}

/** One try at the gate: an answer (or a refusal of what was sent), maybe a resume token. */
interface GateAttempt {
  answer: string | ErrorReply;
  /** Id to refuse with, in the JSON dialect. */
  id: MessageId;
  resume?: string;
}

/** The `resume` field of a JSON object line, if it has one. */
function readResumeToken(line: string): string | undefined {
  try {
    const value = JSON.parse(line);
    return typeof value?.resume === "string" ? value.resume : undefined;
  } catch {
    return undefined;
  }
}
