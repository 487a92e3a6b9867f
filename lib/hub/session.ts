/**
 * One connection to the hub, from greeting to goodbye: the gate, the choice
 * of dialect, then requests one after another.
 *
 * @module
 */

import type { NodeInfo } from "../election/events.ts";
import { openBallots } from "../election/state.ts";
import { type Dialect, JSON_DIALECT, TEXT_DIALECT } from "../protocol/dialect.ts";
import { formatChallengeLine, type GateChallenge } from "../protocol/gate_proof.ts";
import { type MessageId, parseJsonMessage } from "../protocol/json_dialect.ts";
import type { LineItem } from "../protocol/line_splitter.ts";
import { LineSource } from "../protocol/line_source.ts";
import {
  type Ask,
  type ErrorReply,
  GREETING_PREFIX,
  isErrorReply,
  refuse,
  type Request,
  SERVICES,
} from "../protocol/messages.ts";
import { parseTextCommand } from "../protocol/text_dialect.ts";
import { validateName } from "../protocol/validate.ts";
import {
  type GateAttempt,
  type GateHello,
  readJsonAttempt,
  readTextAttempt,
} from "./gate_attempt.ts";
import type { GateGuard } from "./gate_guard.ts";
import { VERSION } from "../version.ts";
import type { Admission, Hub, Member } from "./hub.ts";
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
  /**
   * Take plain answers (netcat's) over unencrypted connections from other
   * machines. Off: a plain answer is taken only from loopback or over TLS.
   * @default {false}
   */
  insecurePlainAnswers?: boolean;
  /**
   * Count loopback peers as local (their plain answers never cross a
   * network). Tests turn it off to play a peer on another machine.
   * @default {true}
   */
  loopbackIsLocal?: boolean;
}

/**
 * What a session needs of its connection: a byte stream both ways and the
 * peer's address. A TCP or TLS `Deno.Conn` is one; a WebSocket is adapted to
 * it (see websocket_transport.ts), so that every transport runs the same session.
 */
export interface SessionConnection {
  /** The peer's address and port. */
  readonly remoteAddr: Deno.Addr;
  /** Reads bytes into the buffer; `null` at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes bytes (possibly fewer than given); returns how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): void;
}

/** What a session is told about its connection. */
export interface SessionContext {
  /** Counts wrong answers per address. */
  guard: GateGuard;
  /** The connection is TLS. */
  secure: boolean;
  /** Called once when the node is admitted (the listener counts connections waiting at the gate). */
  onAdmitted?: () => void;
}

/** The program's version, shown in the greeting. */
export { VERSION } from "../version.ts";

/** Serves one connection; {@linkcode Session.run} returns when it is over. */
export class Session implements Member, Caller {
  /** The dialect the peer speaks; text until it sends a JSON object. */
  dialect: Dialect = TEXT_DIALECT;
  /** Node id once admitted, 0 before. */
  node = 0;
  /** Node info declared with `setup`, not yet stored. */
  draftInfo: NodeInfo | undefined;
  /** When the peer last sent a line (the listener's sweeper drops idle and slow peers). */
  lastActivity = Date.now();
  /** When the connection was accepted. */
  readonly openedAt = Date.now();
  /** Whether a keep-alive ping is waiting for any line from the peer. */
  pinged = false;
  /** The peer's address. */
  readonly address: string;
  readonly #hub: Hub;
  readonly #conn: SessionConnection;
  readonly #lines: LineSource;
  readonly #outbox: Outbox;
  readonly #limits: Required<SessionLimits>;
  readonly #context: SessionContext;
  /** The gate's challenge; dropped once the node is in (an idle node should hold little). */
  #challenge: GateChallenge | undefined;
  #askCount = 0;
  #closed = false;
  #requestedName: string | undefined;
  #closeReason: string | undefined;
  /** Pushes held back while a reply is pending (see {@linkcode Member.awaitingReply}). */
  #deferred: Uint8Array[] = [];
  /** See {@linkcode Member.awaitingReply}. */
  awaitingReply = false;

  /**
   * Prepares a session for a new connection.
   *
   * @param hub The hub.
   * @param conn The connection.
   * @param limits See {@linkcode SessionLimits}.
   * @param context See {@linkcode SessionContext}.
   */
  constructor(
    hub: Hub,
    conn: SessionConnection,
    limits: SessionLimits,
    context: SessionContext,
  ) {
    this.#hub = hub;
    this.#conn = conn;
    this.#context = context;
    this.address = (conn.remoteAddr as Deno.NetAddr).hostname;
    this.#limits = withDefaults(limits);
    this.#lines = new LineSource(conn, { maxLineBytes: this.#limits.maxGateLineBytes });
    this.#outbox = new Outbox(conn, {
      maxQueuedBytes: this.#limits.maxQueuedBytes,
      onFailure: (why) =>
        this.close(
          why === "overflow"
            ? "You stopped reading and the hub's queue for you is full; the connection is closed"
            : undefined,
        ),
    });
    this.#challenge = hub.gate.challenge();
  }

  /** Whether the node has passed the gate. */
  get admitted(): boolean {
    return this.node !== 0;
  }

  /** Queues bytes for the peer; see {@linkcode Outbox.send}. */
  send(data: string | Uint8Array): void {
    this.#outbox.send(data);
  }

  /** Holds pushes back until the pending reply is sent; see {@linkcode Member.defer}. */
  defer(data: Uint8Array): void {
    this.#deferred.push(data);
  }

  /** Sends a reply, then the pushes held back while it was pending. */
  #reply(data: string): void {
    this.send(data);
    this.awaitingReply = false;
    const deferred = this.#deferred;
    if (deferred.length === 0) return;
    this.#deferred = [];
    for (const bytes of deferred) this.send(bytes);
  }

  /**
   * Closes the connection; the session's loop then ends and the node departs.
   *
   * @param reason Said to the peer first, when given and it still reads.
   */
  close(reason?: string): void {
    if (this.#closed) return;
    if (reason !== undefined && this.#closeReason === undefined) {
      this.#closeReason = reason;
      // A last word, written directly: the queue may be what overflowed.
      this.#conn.write(new TextEncoder().encode(this.dialect.push({ event: "bye", reason }))).catch(
        () => {},
      );
    }
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer's reset: nothing left to release.
    }
  }

  /**
   * Closes the connection once what is queued for the peer is written, or
   * when the time is up (a peer that does not read must not hold a stop).
   *
   * @param reason Said to the peer last.
   * @param timeoutMs How long to wait for the queue.
   */
  async closeAfterDrain(reason: string, timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#outbox.drained(),
      new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    this.close(reason);
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
      const locked = this.#context.guard.lockedFor(this.address);
      if (locked > 0) {
        this.#sayLockedOut(locked);
        return;
      }
      if (!await this.#passGate()) return;
      // The request loop is here, not in a method of its own: an idle node
      // then waits in one suspended frame, not two.
      for (;;) {
        let item = this.#lines.takeBuffered();
        if (item === undefined) {
          // The batch is served: its replies leave together before the next read.
          this.#outbox.release();
          item = await this.#lines.next();
          if (!item) break;
          // Once per read: the lines of one batch all came at this time.
          this.#touch();
        }
        // More lines already read (a pipelining peer): hold the replies until
        // the batch is served, so that it costs one write, not one per line. A
        // clustered hub waits for its log at each request: what is ready goes
        // out at once there.
        if (this.#lines.hasBuffered && !this.#hub.clustered) this.#outbox.hold();
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
        const result = runService(this.#hub, this, request);
        let reply = result instanceof Promise ? await result : result;
        try {
          // Acknowledge only what the journal holds.
          const stored = this.#hub.pendingCommit();
          if (stored) {
            // The journal takes a while: what is ready goes out meanwhile.
            this.#outbox.release();
            await stored;
          }
        } catch (error) {
          reply = refuse("unavailable", `Cannot confirm: ${(error as Error).message}; try again`);
        }
        this.#reply(
          isErrorReply(reply) ? this.dialect.error(id, reply) : this.dialect.reply(id, reply),
        );
        if (request.op === "exit") {
          reason = "exit";
          break;
        }
      }
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
   * Asks the gate question until it is answered right (by a plain answer or a
   * proof of it), or a resume token is accepted, or the tries run out.
   */
  async #passGate(): Promise<boolean> {
    let triesLeft = this.#limits.gateTries;
    let decided = false;
    let askId = this.#askGate(triesLeft);
    while (triesLeft > 0) {
      const item = await this.#lines.next();
      if (!item) return false;
      this.#touch();
      let attempt: GateAttempt;
      if (item.kind !== "line") {
        attempt = { kind: "refused", error: this.#unreadable(item), id: null };
      } else if (!decided && item.text.trimStart().startsWith("{")) {
        decided = true;
        this.dialect = JSON_DIALECT;
        const hello: GateHello = {};
        attempt = readJsonAttempt(item.text, askId, hello);
        this.#takeName(hello.name);
      } else if (this.dialect === JSON_DIALECT) {
        attempt = readJsonAttempt(item.text, askId);
      } else {
        attempt = readTextAttempt(item.text, this.#hub.gate.accepts(item.text));
        if (attempt.kind !== "blank") decided = true;
      }
      if (attempt.kind === "blank") continue;
      if (attempt.kind === "switched") {
        askId = this.#askGate(triesLeft);
        continue;
      }
      if (attempt.kind === "http") {
        this.send(this.dialect.push({
          event: "bye",
          reason:
            "This port is a consensus hub, not a web server: join with consensus join HOST:PORT or nc",
        }));
        return false;
      }
      const outcome = await this.#tryGate(attempt);
      if (outcome === true) {
        this.#context.guard.recordSuccess(this.address);
        return true;
      }
      triesLeft--;
      const delay = this.#context.guard.recordFailure(this.address);
      // Each wrong answer from an address waits longer: online guessing gets slow.
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const id = "id" in attempt ? attempt.id : null;
      if (outcome === false) {
        const message = `Cannot join: that is not the answer; ${triesLeftText(triesLeft)}`;
        this.send(this.dialect.push({ event: "wrong-answer", triesLeft, message }));
      } else {
        this.send(
          this.dialect.error(
            id,
            refuse(outcome.code, `${outcome.message}; ${triesLeftText(triesLeft)}`),
          ),
        );
      }
      const locked = this.#context.guard.lockedFor(this.address);
      if (locked > 0) {
        this.#sayLockedOut(locked);
        return false;
      }
      if (triesLeft > 0) {
        // A new nonce for the next try: a proof is good for one try only.
        this.#challenge = this.#hub.gate.challenge();
        askId = this.#askGate(triesLeft);
      }
    }
    this.send(
      this.dialect.push({
        event: "bye",
        reason: "Too many wrong answers; the connection is closed",
      }),
    );
    return false;
  }

  /** Weighs one try: `true` when the node is in, `false` for a wrong answer, or a refusal. */
  async #tryGate(
    attempt: Exclude<GateAttempt, { kind: "blank" | "switched" | "http" }>,
  ): Promise<boolean | ErrorReply> {
    switch (attempt.kind) {
      case "refused":
        return attempt.error;
      case "resume":
        return await this.#resume(attempt.token);
      case "proof": {
        const hubProof = await this.#hub.gate.answerProof(
          this.#challenge!,
          attempt.nodeNonce,
          attempt.proof,
        );
        if (hubProof === undefined) return false;
        await this.#admit(hubProof);
        return true;
      }
      case "answer": {
        if (!this.#plainAnswersAllowed()) {
          return refuse(
            "plain-answer-refused",
            "Cannot take a plain answer over an unencrypted connection from another machine: it would " +
              "cross the network in clear text. Use consensus join (it proves the answer without sending it), " +
              "connect over TLS, or ask the operator for --insecure-plain-answers",
          );
        }
        if (!this.#hub.gate.accepts(attempt.answer)) return false;
        await this.#admit(undefined);
        return true;
      }
    }
  }

  #sayLockedOut(lockedForMs: number): void {
    const minutes = Math.ceil(lockedForMs / 60_000);
    this.send(this.dialect.push({
      event: "bye",
      reason: `Too many wrong answers from your address; try again in ${minutes} min`,
    }));
  }

  #plainAnswersAllowed(): boolean {
    return this.#limits.insecurePlainAnswers || this.#context.secure ||
      (this.#limits.loopbackIsLocal && isLoopback(this.address));
  }

  #takeName(name: unknown): void {
    if (name === undefined) return;
    const checked = typeof name === "string"
      ? validateName(name)
      : refuse("bad-request", "Cannot set name: name must be a string");
    if (isErrorReply(checked)) this.send(this.dialect.error(null, checked));
    else this.#requestedName = checked;
  }

  #askGate(triesLeft: number): string {
    const id = `h${++this.#askCount}`;
    const ask: Ask = {
      ask: "gate",
      question: this.#hub.gate.question,
      triesLeft,
      challenge: this.#challenge!,
    };
    // In text, the challenge goes on its own line before the question, for nodes that prove.
    if (this.dialect === TEXT_DIALECT) this.send(`${formatChallengeLine(this.#challenge!)}\n`);
    this.send(this.dialect.ask(id, ask));
    return id;
  }

  async #admit(hubProof: string | undefined): Promise<void> {
    const admission = await this.#hub.admit(this, this.#peer(), this.#requestedName)
      .catch((error) => this.#unavailable(error));
    await this.#welcome(admission, false, hubProof);
  }

  /** Takes a resume token: true when the node is back in, or why not. */
  async #resume(token: string): Promise<true | ErrorReply> {
    const admission = await this.#hub.resume(this, token, this.#peer())
      .catch((error) => this.#unavailable(error));
    if (isErrorReply(admission)) return admission;
    await this.#welcome(admission, true, undefined);
    return true;
  }

  async #welcome(
    admission: Admission,
    resumed: boolean,
    hubProof: string | undefined,
  ): Promise<void> {
    this.#lines.maxLineBytes = this.#limits.maxLineBytes;
    this.#challenge = undefined;
    this.node = admission.node;
    this.#context.onAdmitted?.();
    // Like every reply, the admission waits until the journal holds the join.
    await this.#hub.committed().catch(() => {});
    this.#reply(this.dialect.push({
      event: "admitted",
      pin: admission.pin,
      name: admission.name,
      token: admission.token,
      resumed,
      ...(hubProof === undefined ? {} : { proof: hubProof }),
      ballots: openBallots(this.#hub.state).map((ballot) => this.#hub.ballotView(ballot)),
      services: SERVICES,
    }));
    if (this.#hub.clustered) {
      this.send(this.dialect.push({ event: "hubs", hubs: [...this.#hub.otherHubs] }));
    }
  }

  /** Says goodbye when the election's log cannot take the admission, and ends the session. */
  #unavailable(error: unknown): never {
    this.awaitingReply = false;
    this.send(this.dialect.push({
      event: "bye",
      reason: `Cannot admit: ${(error as Error).message}; try again, or another hub`,
    }));
    throw error;
  }

  #peer(): { address: string; port: number } {
    const addr = this.#conn.remoteAddr as Deno.NetAddr;
    return { address: addr.hostname, port: addr.port };
  }

  /**
   * Asks the node a question (for a service's missing argument) and waits for
   * the answer. See {@linkcode Caller.ask}.
   */
  async ask(ask: Ask): Promise<string | ErrorReply> {
    const askId = `h${++this.#askCount}`;
    this.send(this.dialect.ask(askId, ask));
    // The question must reach the peer before its answer is awaited.
    this.#outbox.release();
    for (;;) {
      const item = await this.#lines.next();
      if (!item) return refuse("bad-request", "Connection closed before the answer");
      this.#touch();
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

  #touch(): void {
    this.lastActivity = Date.now();
    this.pinged = false;
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

/** Limits with their defaults, worked out once per set of limits: every session of a listener shares them. */
const resolvedLimits = new WeakMap<SessionLimits, Required<SessionLimits>>();

function withDefaults(limits: SessionLimits): Required<SessionLimits> {
  let resolved = resolvedLimits.get(limits);
  if (!resolved) {
    resolved = {
      maxLineBytes: limits.maxLineBytes ?? 8192,
      maxGateLineBytes: limits.maxGateLineBytes ?? 1024,
      gateTries: limits.gateTries ?? 3,
      maxQueuedBytes: limits.maxQueuedBytes ?? 1024 * 1024,
      insecurePlainAnswers: limits.insecurePlainAnswers ?? false,
      loopbackIsLocal: limits.loopbackIsLocal ?? true,
    };
    resolvedLimits.set(limits, resolved);
  }
  return resolved;
}

function triesLeftText(triesLeft: number): string {
  return triesLeft === 0
    ? "no tries left"
    : `${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left`;
}

/**
 * Whether an address is this machine's own (127.0.0.0/8 or ::1): a plain
 * answer from there never crosses a network.
 *
 * @param address An IP address as Deno reports it.
 * @returns Whether it is loopback.
 */
export function isLoopback(address: string): boolean {
  return address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/u.test(address) ||
    /^::ffff:127\./u.test(address);
}
