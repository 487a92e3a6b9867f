/**
 * A node's connection to a hub, speaking the JSON dialect: the greeting
 * check, the gate, requests matched to replies by id, the hub's questions,
 * pushed events, and coming back with the resume token when the connection
 * drops (with growing pauses, within the hub's grace period).
 *
 * @module
 */

import {
  computeProof,
  deriveGateKey,
  type GateChallenge,
  parseChallengeLine,
  randomBase64,
  verifyProof,
} from "../protocol/gate_proof.ts";
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
  /** Connect with TLS, trusting these CA certificates (PEM); the system's roots when empty. */
  tls?: { caCerts: string[] } | undefined;
  /**
   * How long to keep trying to resume after the connection drops, in
   * milliseconds; 0 never resumes.
   * @default {30000}
   */
  resumeForMs?: number;
  /**
   * Other hubs of the same election (cluster mode): tried in order when the
   * first cannot be reached, and to resume at when the connection drops.
   * Hubs the hub names in its `hubs` push are added.
   */
  alternates?: readonly HubAddress[];
}

/** Where a hub listens. */
export interface HubAddress {
  host: string;
  port: number;
}

/** Options for {@linkcode HubClient.join}. */
export interface JoinOptions {
  /** Name to show the others; the hub picks `node-PIN` when left out. */
  name?: string | undefined;
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

type PendingRequest = { body: string; resolve(reply: Reply): void; reject(error: Error): void };

/** Longest line the node accepts: a `discover` of thousands of nodes is long. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Longest wait for the greeting of something that may not be a hub. */
const GREETING_MS = 5000;

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
  /** Hubs to resume at, the one connected to first. */
  readonly #addresses: HubAddress[];
  readonly #resumeForMs: number;
  readonly #tls: ConnectOptions["tls"];
  #conn: Deno.Conn;
  #lines: LineSource;
  readonly #encoder = new TextEncoder();
  readonly #pending = new Map<number, PendingRequest>();
  readonly #eventListeners = new Set<(push: Push) => void>();
  readonly #resumeListeners = new Set<(admission: Admission) => void>();
  readonly #dropListeners = new Set<() => void>();
  readonly #closeListeners = new Set<() => void>();
  #nextId = 1;
  #askHandler: AskHandler = () => Promise.reject(new Error("no handler for the hub's question"));
  #closed = false;
  #loop: Promise<void> | undefined;
  #writeChain: Promise<void> = Promise.resolve();
  #token: string | undefined;
  #lastNotice: string | undefined;

  private constructor(conn: Deno.Conn, options: ConnectOptions, addresses: HubAddress[]) {
    this.#conn = conn;
    this.#lines = newLineSource(conn);
    this.#addresses = addresses;
    this.#resumeForMs = options.resumeForMs ?? 30_000;
    this.#tls = options.tls;
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
    const addresses = [{ host: options.host, port: options.port }, ...options.alternates ?? []];
    let conn: Deno.Conn | undefined;
    let firstError: unknown;
    // The hubs in order: the first that answers is this node's hub.
    for (let index = 0; index < addresses.length && !conn; index++) {
      try {
        conn = await dial(addresses[index]!.host, addresses[index]!.port, options.tls);
        addresses.unshift(...addresses.splice(index, 1));
      } catch (error) {
        firstError ??= error;
        if (!(error instanceof HubUnreachableError)) throw error;
      }
    }
    if (!conn) throw firstError;
    const client = new HubClient(conn, options, addresses);
    try {
      await client.#expectGreeting(options.signal);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  /**
   * Passes the gate: switches the connection to JSON, answers the question.
   *
   * @param options The name and the source of answers.
   * @param signal Bounds the wait.
   * @returns What the hub said on admission (PIN, name, token, open ballots).
   * @throws {GateRefusedError} When no answer is accepted.
   */
  async join(options: JoinOptions, signal?: AbortSignal): Promise<Admission> {
    let { question, challenge } = await this.#expectGateQuestion(signal);
    let answer = await options.answer(question, 3);
    if (answer === undefined) {
      throw new GateRefusedError("Cannot join: no answer to the gate question");
    }
    // With a challenge the answer never leaves this machine: only a proof of it does.
    let proving = challenge ? await this.#prove(answer, challenge) : undefined;
    const hello: Record<string, string> = proving ? { ...proving.fields } : { answer };
    if (options.name !== undefined) hello.name = options.name;
    await this.#send(hello);
    let refused = false;
    for (;;) {
      const message = await this.#nextObject(signal);
      if (!message) {
        throw refused
          ? new GateRefusedError("Cannot join: the hub did not accept the gate answer")
          : new ConnectionLostError("The hub closed the connection at the gate");
      }
      if (message.event === "admitted") {
        if (proving && !await proving.checkHub(message.proof)) {
          this.close();
          throw new NotAHubError(
            "Cannot trust the hub: it did not prove that it knows the answer (it may be an impostor)",
          );
        }
        return this.#admitted(message as unknown as Admission);
      }
      if (message.ok === false && isObject(message.error)) {
        const { code, message: text } = message.error;
        if (code === "invalid-text") throw new RequestRefusedError("invalid-text", String(text));
        if (code === "plain-answer-refused") throw new GateRefusedError(String(text));
      }
      if (message.event === "wrong-answer" || message.ok === false) refused = true;
      if (message.event === "bye") {
        throw new GateRefusedError(
          refused
            ? "Cannot join: the hub did not accept the gate answer"
            : `Cannot join: ${String(message.reason)}`,
        );
      }
      if (message.ask === "gate") {
        answer = await options.answer(String(message.question), Number(message.triesLeft));
        if (answer === undefined) {
          this.close();
          throw new GateRefusedError(
            refused
              ? "Cannot join: the hub did not accept the gate answer"
              : "Cannot join: no answer to the gate question",
          );
        }
        challenge = readChallenge(message.challenge);
        proving = challenge ? await this.#prove(answer, challenge) : undefined;
        await this.#send({ id: message.id as string, ...(proving ? proving.fields : { answer }) });
      }
    }
  }

  /** Builds the proof of an answer for a challenge, and the check of the hub's proof. */
  async #prove(answer: string, challenge: GateChallenge) {
    const key = await deriveGateKey(answer, challenge.salt, challenge.iterations);
    const nonce = randomBase64();
    const proof = await computeProof(key, "node", challenge.nonce, nonce);
    return {
      fields: { proof, nonce },
      checkHub: (hubProof: unknown) =>
        typeof hubProof === "string"
          ? verifyProof(key, "hub", challenge.nonce, nonce, hubProof)
          : false,
    };
  }

  /**
   * Sends a request and waits for its reply. A request in flight when the
   * connection drops is sent again once the node has resumed.
   *
   * @param request The request.
   * @returns The reply.
   * @throws {RequestRefusedError} When the hub refuses it.
   * @throws {ConnectionLostError} When the connection ends for good first.
   */
  request<R extends Reply>(request: Request | Record<string, unknown>): Promise<R> {
    if (this.#closed) {
      return Promise.reject(new ConnectionLostError("The connection to the hub is closed"));
    }
    const id = this.#nextId++;
    const body = JSON.stringify({ id, ...request });
    const reply = new Promise<Reply>((resolve, reject) =>
      this.#pending.set(id, { body, resolve, reject })
    );
    this.#write(body);
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
   * Listens for the node coming back after a dropped connection (events
   * pushed while it was away were missed: ask again what matters).
   *
   * @param listener Called with the new admission.
   * @returns A function that stops listening.
   */
  onResume(listener: (admission: Admission) => void): () => void {
    this.#resumeListeners.add(listener);
    return () => this.#resumeListeners.delete(listener);
  }

  /**
   * Listens for the connection dropping, before the node tries to resume.
   *
   * @param listener Called each time it drops.
   * @returns A function that stops listening.
   */
  onDrop(listener: () => void): () => void {
    this.#dropListeners.add(listener);
    return () => this.#dropListeners.delete(listener);
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

  /** Resolves when the connection has ended for good. */
  get closed(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  /** Closes the connection; pending requests fail with {@linkcode ConnectionLostError}. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeQuietly(this.#conn);
    this.#failPending();
  }

  #admitted(admission: Admission): Admission {
    this.#token = admission.token;
    this.#loop ??= this.#readLoop();
    return admission;
  }

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
        if (item) {
          if (item.kind !== "line") continue;
          const message = parseObject(item.text);
          if (message) this.#dispatch(message);
          continue;
        }
        if (this.#closed) break;
        if (this.#token !== undefined && this.#resumeForMs > 0) {
          for (const listener of [...this.#dropListeners]) listener();
        }
        if (!await this.#resume()) break;
      }
    } finally {
      this.#closed = true;
      closeQuietly(this.#conn);
      this.#failPending();
    }
  }

  /** Comes back with the resume token, pausing longer after each failure; false when it gives up. */
  async #resume(): Promise<boolean> {
    if (this.#token === undefined || this.#resumeForMs <= 0) return false;
    const deadline = Date.now() + this.#resumeForMs;
    let pause = 100;
    for (let attempt = 0; !this.#closed && Date.now() < deadline; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      // One hub after the other (the same one again when it is the only one).
      const target = this.#addresses[attempt % this.#addresses.length]!;
      if (attempt % this.#addresses.length === this.#addresses.length - 1) {
        pause = Math.min(pause * 2, 2000);
      }
      let conn: Deno.Conn;
      try {
        conn = await dial(target.host, target.port, this.#tls);
      } catch {
        continue;
      }
      if (this.#closed) {
        closeQuietly(conn);
        return false;
      }
      this.#conn = conn;
      this.#lines = newLineSource(conn);
      const signal = AbortSignal.timeout(GREETING_MS);
      try {
        await this.#expectGreeting(signal);
        await this.#expectGateQuestion(signal);
        await this.#send({ resume: this.#token });
        for (;;) {
          const message = await this.#nextObject(signal);
          if (!message) break;
          if (message.event === "admitted") {
            const admission = message as unknown as Admission;
            // The hub that took the node back comes first from now on.
            this.#addresses.unshift(...this.#addresses.splice(this.#addresses.indexOf(target), 1));
            for (const pending of this.#pending.values()) this.#write(pending.body);
            for (const listener of [...this.#resumeListeners]) listener(admission);
            return true;
          }
          // The hub no longer knows the token: joining again is the user's call.
          if (message.ok === false) return false;
        }
      } catch {
        // Not ready yet (a hub that is starting again): try once more.
      }
      closeQuietly(conn);
    }
    return false;
  }

  /** Adds the hubs a hub named to the places to resume at. */
  #learnHubs(hubs: readonly unknown[]): void {
    for (const text of hubs) {
      if (typeof text !== "string") continue;
      const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/u.exec(text);
      if (!match) continue;
      const address = { host: match[1]!, port: Number(match[2]) };
      const known = this.#addresses.some((entry) =>
        entry.host === address.host && entry.port === address.port
      );
      if (!known) this.#addresses.push(address);
    }
  }

  #dispatch(message: Record<string, unknown>): void {
    if (message.event === "ping") {
      // Any line keeps the connection; a ping request is the smallest.
      this.request({ op: "ping" }).catch(() => {});
      return;
    }
    if (typeof message.event === "string") {
      const push = message as unknown as Push;
      if (push.event === "hubs" && Array.isArray(push.hubs)) this.#learnHubs(push.hubs);
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
        const error = isObject(message.error) ? message.error : {};
        pending.reject(new RequestRefusedError(String(error.code), String(error.message)));
      }
    }
  }

  async #expectGreeting(signal?: AbortSignal): Promise<void> {
    // Something that is not a hub may never speak: give it a few seconds.
    const greetingSignal = AbortSignal.any([
      AbortSignal.timeout(GREETING_MS),
      ...(signal ? [signal] : []),
    ]);
    let greeting: string | undefined;
    try {
      greeting = await this.#nextLine(greetingSignal);
    } catch (error) {
      if (error instanceof TimeoutError && !signal?.aborted) greeting = undefined;
      else throw error;
    }
    if (greeting === undefined || !greeting.startsWith(GREETING_PREFIX)) {
      throw new NotAHubError(
        `Cannot join ${this.#addresses[0]!.host}:${
          this.#addresses[0]!.port
        }: the program there is not a consensus hub`,
      );
    }
  }

  /** The hub's first question comes in text (`? What has keys ...`), after its challenge line. */
  async #expectGateQuestion(
    signal?: AbortSignal,
  ): Promise<{ question: string; challenge?: GateChallenge }> {
    let challenge: GateChallenge | undefined;
    for (;;) {
      const line = await this.#nextLine(signal);
      if (line === undefined) {
        throw this.#lastNotice
          ? new GateRefusedError(`Cannot join: ${this.#lastNotice}`)
          : new ConnectionLostError("The hub closed the connection at the gate");
      }
      challenge = parseChallengeLine(line) ?? challenge;
      if (line.startsWith("? ")) {
        return challenge ? { question: line.slice(2), challenge } : { question: line.slice(2) };
      }
      if (line.startsWith("# ") && !line.startsWith("# consensus/") && !parseChallengeLine(line)) {
        // A hub that says why it will not let us in (a lockout, say) before closing.
        this.#lastNotice = line.slice(2);
      }
    }
  }

  async #nextObject(signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
    for (;;) {
      const line = await this.#nextLine(signal);
      if (line === undefined) return undefined;
      const message = parseObject(line);
      if (message) return message;
    }
  }

  /** Reads one line outside the read loop (greeting and gate). */
  async #nextLine(signal?: AbortSignal): Promise<string | undefined> {
    const lines = this.#lines;
    if (!signal) {
      const item = await lines.next();
      return item === undefined ? undefined : item.kind === "line" ? item.text : "";
    }
    signal.throwIfAborted?.();
    let onAbort: () => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new TimeoutError("Timed out waiting for the hub"));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const item = await Promise.race([lines.next(), aborted]);
      return item === undefined ? undefined : item.kind === "line" ? item.text : "";
    } catch (error) {
      closeQuietly(this.#conn);
      throw error instanceof TimeoutError
        ? error
        : new TimeoutError("Timed out waiting for the hub");
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  #send(message: Record<string, unknown>): Promise<void> {
    return this.#write(JSON.stringify(message));
  }

  /** One writer: writes are chained so that lines never interleave. */
  #write(body: string): Promise<void> {
    const bytes = this.#encoder.encode(`${body}\n`);
    this.#writeChain = this.#writeChain.then(async () => {
      const conn = this.#conn;
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    }).catch(() => {
      // A failed write means the hub is gone; the read loop resumes or reports it.
    });
    return this.#writeChain;
  }
}

async function dial(host: string, port: number, tls: ConnectOptions["tls"]): Promise<Deno.Conn> {
  let conn: Deno.Conn;
  try {
    conn = tls
      ? await Deno.connectTls({
        hostname: host,
        port,
        ...(tls.caCerts.length ? { caCerts: tls.caCerts } : {}),
      })
      : await Deno.connect({ hostname: host, port });
  } catch (error) {
    throw new HubUnreachableError(
      `Cannot reach a hub at ${host}:${port}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (tls) {
    try {
      // The handshake happens here, not on the first read, so a certificate problem says so.
      await (conn as Deno.TlsConn).handshake();
    } catch (error) {
      closeQuietly(conn);
      throw new HubUnreachableError(
        `Cannot trust the hub at ${host}:${port} over TLS: ${(error as Error).message} ` +
          "(is --tls-ca the CA that signed the hub's certificate, and does the certificate name this host?)",
        { cause: error },
      );
    }
  }
  return conn;
}

function newLineSource(conn: Deno.Conn): LineSource {
  return new LineSource(conn, { maxLineBytes: MAX_LINE_BYTES, readBufferBytes: 16 * 1024 });
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function readChallenge(value: unknown): GateChallenge | undefined {
  if (!isObject(value)) return undefined;
  const { kdf, salt, iterations, nonce } = value;
  if (kdf !== "pbkdf2-sha256" || typeof salt !== "string" || typeof nonce !== "string") {
    return undefined;
  }
  if (typeof iterations !== "number" || !Number.isSafeInteger(iterations) || iterations < 1) {
    return undefined;
  }
  return { kdf, salt, iterations, nonce };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
