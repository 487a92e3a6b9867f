/**
 * A node's connection to a hub, speaking the JSON dialect: the greeting
 * check, the gate, requests matched to replies by id, the hub's questions,
 * and pushed events.
 *
 * @module
 */

import type { LineItem } from "../protocol/line_splitter.ts";
import { LineSource } from "../protocol/line_source.ts";
import {
  type Ask,
  GREETING_PREFIX,
  type Push,
  type Reply,
  type Request,
} from "../protocol/messages.ts";
import {
  ConnectionLostError,
  GateRefusedError,
  HubUnreachableError,
  NotAHubError,
  RequestRefusedError,
  TimeoutError,
} from "./errors.ts";

/** Options for {@linkcode HubClient.connect}. */
export interface ConnectOptions {
  /** Host name or address of the hub. */
  host: string;
  /** Its port. */
  port: number;
  /** Aborts connecting and the gate (for `--timeout`). */
  signal?: AbortSignal;
}

/** Options for {@linkcode HubClient.join}. */
export interface JoinOptions {
  /** Name to show the others; the hub picks `node-PIN` when left out. */
  name?: string;
  /**
   * Gives the answer to the gate question. Called again after a wrong answer
   * with the tries left; return `undefined` to give up.
   */
  answer(question: string, triesLeft: number): Promise<string | undefined>;
}

/** What the hub said when it let the node in. */
export type Admission = Extract<Push, { event: "admitted" }>;

/** Answers the hub's questions asked in the middle of a request (permission, for one). */
export type AskHandler = (ask: Ask) => Promise<string>;

type PendingRequest = { resolve(reply: Reply): void; reject(error: Error): void };

/** Longest line the node accepts: a `discover` of thousands of nodes is long. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * One connection to a hub.
 *
 * @example
 * ```ts ignore
 * const client = await HubClient.connect({ host: "127.0.0.1", port: 7337 });
 * await client.join({ answer: () => Promise.resolve("keyboard") });
 * const reply = await client.request({ op: "vote", option: "A" });
 * client.close();
 * ```
 */
export class HubClient {
  /** Pushed events received since joining, oldest first. */
  readonly events: Push[] = [];
  readonly #conn: Deno.Conn;
  readonly #lines: LineSource;
  readonly #encoder = new TextEncoder();
  readonly #pending = new Map<number, PendingRequest>();
  readonly #eventListeners = new Set<(push: Push) => void>();
  #nextId = 1;
  #askHandler: AskHandler = () => Promise.reject(new Error("no handler for the hub's question"));
  #closed = false;
  #loop: Promise<void> | undefined;
  #writeChain: Promise<void> = Promise.resolve();

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#lines = new LineSource(conn, {
      maxLineBytes: MAX_LINE_BYTES,
      readBufferBytes: 16 * 1024,
    });
  }

  /**
   * Connects and checks that the peer is a consensus hub.
   *
   * @param options Where, and a signal that bounds the wait.
   * @returns The client, before the gate.
   * @throws {HubUnreachableError} When nothing accepts the connection.
   * @throws {NotAHubError} When the peer does not greet like a hub.
   */
  static async connect(options: ConnectOptions): Promise<HubClient> {
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname: options.host, port: options.port });
    } catch (error) {
      throw new HubUnreachableError(
        `Cannot reach a hub at ${options.host}:${options.port}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const client = new HubClient(conn);
    try {
      // Something that is not a hub may never speak: give it a few seconds.
      const greetingSignal = AbortSignal.any([
        AbortSignal.timeout(5000),
        ...(options.signal ? [options.signal] : []),
      ]);
      const greeting = await client.#nextLine(greetingSignal);
      if (greeting === undefined || !greeting.startsWith(GREETING_PREFIX)) {
        throw new NotAHubError(
          `Cannot join ${options.host}:${options.port}: the program there is not a consensus hub`,
        );
      }
    } catch (error) {
      client.close();
      if (error instanceof TimeoutError && !options.signal?.aborted) {
        throw new NotAHubError(
          `Cannot join ${options.host}:${options.port}: the program there did not greet like a consensus hub`,
        );
      }
      throw error;
    }
    return client;
  }

  /**
   * Passes the gate: switches the connection to JSON, answers the question.
   *
   * @param options The name and the source of answers.
   * @param signal Bounds the wait.
   * @returns What the hub said on admission (PIN, name, open round).
   * @throws {GateRefusedError} When no answer is accepted.
   */
  async join(options: JoinOptions, signal?: AbortSignal): Promise<Admission> {
    // The hub's first question comes in text: `? What has keys ...`.
    let question = "";
    for (;;) {
      const line = await this.#nextLine(signal);
      if (line === undefined) {
        throw new ConnectionLostError("The hub closed the connection at the gate");
      }
      if (line.startsWith("? ")) {
        question = line.slice(2);
        break;
      }
    }
    let answer = await options.answer(question, 3);
    if (answer === undefined) {
      throw new GateRefusedError("Cannot join: no answer to the gate question");
    }
    const hello: Record<string, string> = { answer };
    if (options.name !== undefined) hello.name = options.name;
    await this.#send(hello);
    let lastRefusal = "";
    for (;;) {
      const line = await this.#nextLine(signal);
      if (line === undefined) {
        throw lastRefusal
          ? new GateRefusedError(lastRefusal)
          : new ConnectionLostError("The hub closed the connection at the gate");
      }
      const message = parseObject(line);
      if (!message) continue;
      if (message.event === "admitted") {
        this.#loop = this.#readLoop();
        return message as unknown as Admission;
      }
      if (message.event === "wrong-answer") lastRefusal = String(message.message);
      if (message.ok === false && message.error && typeof message.error === "object") {
        const error = message.error as { code?: string; message?: string };
        if (error.code === "invalid-text") {
          throw new RequestRefusedError(error.code, String(error.message));
        }
        lastRefusal = String(error.message);
      }
      if (message.event === "bye") {
        throw new GateRefusedError(lastRefusal || String(message.reason));
      }
      if (message.ask === "gate") {
        answer = await options.answer(String(message.question), Number(message.triesLeft));
        if (answer === undefined) {
          this.close();
          throw new GateRefusedError(
            lastRefusal
              ? "Cannot join: the hub did not accept the gate answer"
              : "Cannot join: no answer to the gate question",
          );
        }
        await this.#send({ id: message.id as string, answer });
      }
    }
  }

  /**
   * Sends a request and waits for its reply.
   *
   * @param request The request.
   * @returns The reply.
   * @throws {RequestRefusedError} When the hub refuses it.
   * @throws {ConnectionLostError} When the connection ends first.
   */
  request<R extends Reply>(request: Request & Record<string, unknown>): Promise<R> {
    if (this.#closed) {
      return Promise.reject(new ConnectionLostError("The connection to the hub is closed"));
    }
    const id = this.#nextId++;
    const reply = new Promise<Reply>((resolve, reject) =>
      this.#pending.set(id, { resolve, reject })
    );
    this.#send({ id, ...request }).catch(() => {});
    return reply as Promise<R>;
  }

  /**
   * Sets who answers the hub's questions asked during a request.
   *
   * @param handler Returns the answer as text (`grant`, `deny`, an option).
   */
  onAsk(handler: AskHandler): void {
    this.#askHandler = handler;
  }

  /**
   * Listens to pushed events as they arrive.
   *
   * @param listener Called with each event.
   * @returns A function that stops listening.
   */
  onEvent(listener: (push: Push) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * Waits for an event, including one that arrived already.
   *
   * @param match Says which event is wanted.
   * @param signal Bounds the wait.
   * @returns The first matching event.
   */
  waitForEvent<P extends Push>(match: (push: Push) => push is P, signal?: AbortSignal): Promise<P> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<P>((resolve, reject) => {
      const stop = () => {
        unlisten();
        unclosed();
        signal?.removeEventListener("abort", onAbort);
      };
      const unlisten = this.onEvent((push) => {
        if (!match(push)) return;
        stop();
        resolve(push);
      });
      const onAbort = () => {
        stop();
        reject(new TimeoutError("Timed out waiting for the hub"));
      };
      const unclosed = this.#onClose(() => {
        stop();
        reject(new ConnectionLostError("The hub closed the connection"));
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Resolves when the connection has ended. */
  get closed(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  /** Closes the connection; pending requests fail with {@linkcode ConnectionLostError}. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the hub.
    }
    this.#failPending();
  }

  readonly #closeListeners = new Set<() => void>();

  #onClose(listener: () => void): () => void {
    if (this.#closed) {
      queueMicrotask(listener);
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  #failPending(): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new ConnectionLostError("The connection to the hub ended before the reply"));
    }
    this.#pending.clear();
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        const item = await this.#lines.next();
        if (!item) break;
        if (item.kind !== "line") continue;
        const message = parseObject(item.text);
        if (message) this.#dispatch(message);
      }
    } finally {
      this.#closed = true;
      try {
        this.#conn.close();
      } catch {
        // Already closed.
      }
      this.#failPending();
    }
  }

  #dispatch(message: Record<string, unknown>): void {
    if (typeof message.event === "string") {
      const push = message as unknown as Push;
      this.events.push(push);
      for (const listener of [...this.#eventListeners]) listener(push);
      return;
    }
    if (typeof message.ask === "string") {
      const id = message.id;
      this.#askHandler(message as unknown as Ask).then(
        (answer) => this.#send({ id, answer }),
        () => this.#send({ id, answer: "" }),
      ).catch(() => {});
      return;
    }
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.ok === true) {
        const { id: _id, ok: _ok, ...reply } = message;
        pending.resolve(reply as unknown as Reply);
      } else {
        const error = (message.error ?? {}) as { code?: string; message?: string };
        pending.reject(new RequestRefusedError(String(error.code), String(error.message)));
      }
    }
  }

  /** Reads one line before the read loop runs (greeting and gate). */
  async #nextLine(signal?: AbortSignal): Promise<string | undefined> {
    let item: LineItem | undefined;
    if (!signal) {
      item = await this.#lines.next();
    } else {
      signal.throwIfAborted?.();
      let onAbort: () => void = () => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new TimeoutError("Timed out waiting for the hub"));
        signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        item = await Promise.race([this.#lines.next(), aborted]);
      } catch (error) {
        this.close();
        throw error instanceof TimeoutError
          ? error
          : new TimeoutError("Timed out waiting for the hub");
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    }
    if (!item) return undefined;
    return item.kind === "line" ? item.text : "";
  }

  /** One writer: writes are chained so that lines never interleave. */
  #send(message: Record<string, unknown>): Promise<void> {
    const bytes = this.#encoder.encode(`${JSON.stringify(message)}\n`);
    this.#writeChain = this.#writeChain.then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
    }).catch(() => {
      // A failed write means the hub is gone; the read loop reports it.
    });
    return this.#writeChain;
  }
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
