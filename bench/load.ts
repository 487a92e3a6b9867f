/**
 * The shared load generator: the same code drives the hub and every anchor,
 * so that any cost of the generator itself is paid equally by all of them.
 *
 * Every wait has a deadline and every loop a bound; every socket opened is
 * closed before a job returns, whether it succeeded or not.
 *
 * @module
 */

import { LineKind, LoadClient } from "./client.ts";
import type {
  BroadcastJob,
  BroadcastResult,
  Endpoint,
  EtcdPutJob,
  EtcdPutResult,
  IngestJob,
  IngestResult,
  Job,
  JobControl,
  JobResult,
  StormJob,
  StormResult,
} from "./jobs.ts";
import { type ByteConnection, connectFrom, sourceAddressFor } from "./source_address.ts";
import {
  admittedKind,
  greetingBytes,
  publishBytes,
  RequestBatches,
  subscribeBytes,
  type Wire,
} from "./wire.ts";

/**
 * Connections at the gate at once while setting up a run; each waits to be
 * admitted before the next connects. Up to 5,000 nodes this is all of them
 * at once: the hub admits a burst several times faster than a trickle (its
 * `joined` pushes to the same node then share one write), and 5,000 still
 * pass its 30 s gate timeout. Beyond that, the rest wait for a free slot.
 */
const SETUP_CONCURRENCY = 5_000;

const NO_CONTROL: JobControl = { at: () => Promise.resolve() };

/**
 * Setup is settled once no presence push (`joined`, or a presence summary)
 * has come for this long: a hub that summarises sends one summary a second,
 * so a shorter quiet could end between two of them.
 */
const PRESENCE_QUIET_MS = 1_200;

/**
 * Runs one job.
 *
 * @param job What to do.
 * @param control Told at the job's control points.
 * @returns What was measured.
 * @throws {Error} When a deadline passes or a target refuses a request.
 */
export function runJob(job: Job, control: JobControl = NO_CONTROL): Promise<JobResult> {
  switch (job.kind) {
    case "ingest":
      return runIngest(job, control);
    case "broadcast":
      return runBroadcast(job, control);
    case "storm":
      return runStorm(job, control);
    case "etcd-put":
      return runEtcdPuts(job, control);
  }
}

function isHub(wire: Wire): boolean {
  return wire === "hub-text" || wire === "hub-json";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `count` reaches zero, with the time it did; rejects at the deadline or on {@linkcode fail}. */
class Countdown {
  #remaining: number;
  #resolve: (at: number) => void = () => {};
  #reject: (error: Error) => void = () => {};
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves with `performance.now()` at the moment the count reached zero. */
  readonly done: Promise<number>;

  constructor(count: number, timeoutMs: number, what: string) {
    this.#remaining = count;
    this.done = new Promise<number>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      if (count <= 0) {
        resolve(performance.now());
        return;
      }
      this.#timer = setTimeout(
        () =>
          reject(
            new Error(
              `Cannot finish ${what}: ${this.#remaining} of ${count} missing after ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
    });
    // A rejection nobody awaits yet must not kill the process.
    this.done.catch(() => {});
  }

  get remaining(): number {
    return this.#remaining;
  }

  add(count: number): void {
    if (count === 0 || this.#remaining <= 0) return;
    this.#remaining -= count;
    if (this.#remaining <= 0) {
      clearTimeout(this.#timer);
      this.#resolve(performance.now());
    }
  }

  fail(message: string): void {
    clearTimeout(this.#timer);
    this.#reject(new Error(message));
  }

  cancel(): void {
    clearTimeout(this.#timer);
  }
}

/** Every client opened by a job, closed at its end whatever happened. */
class ClientSet {
  readonly clients: LoadClient[] = [];
  readonly #loops: Promise<void>[] = [];

  add(client: LoadClient): void {
    this.clients.push(client);
    this.#loops.push(client.readLoop());
  }

  async closeAll(): Promise<void> {
    for (const client of this.clients) client.close();
    // Bounded: a read loop ends at once when its socket is closed.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.#loops),
      new Promise((resolve) => timer = setTimeout(resolve, 5_000)),
    ]);
    clearTimeout(timer);
  }
}

/**
 * Connects one client: from 127.0.0.1 with `Deno.connect` (every measured
 * path), or from another source address when given (runs past ~25,000 nodes).
 */
async function connect(
  host: string,
  port: number,
  sourceAddress?: string,
): Promise<ByteConnection> {
  if (sourceAddress !== undefined) return await connectFrom(host, port, sourceAddress);
  const conn = await Deno.connect({ hostname: host, port, transport: "tcp" });
  conn.setNoDelay(true);
  return conn;
}

/** How clients are let in. */
interface LetInOptions {
  host: string;
  port: number;
  /** Spread the clients over these ports instead (see {@linkcode Endpoint}). */
  ports?: readonly number[] | undefined;
  wire: Wire;
  nodes: number;
  /** Past this many nodes, spread the connections over source addresses (see {@linkcode sourceAddressFor}). */
  spreadAbove?: number | undefined;
  /** Connections at once; each waits until it is in before the next connects. Infinity: all at once. */
  concurrency: number;
  /** Send the greeting (gate answer, PING, a line) and wait for its answer; else in at connect. */
  greet: boolean;
  /** Also wait until the `joined` pushes have stopped (hub), so that what follows starts quiet. */
  awaitJoined: boolean;
  timeoutMs: number;
}

/** How letting clients in went. */
interface LetInResult {
  /** Clients in (admitted, answered, or connected when there is no greeting). */
  admitted: number;
  /** Clients that could not connect or were closed before they were in. */
  failed: number;
  /** Of those, the ones that could not connect at all. */
  connectFailed: number;
  /** When the last client got in (`performance.now()`), NaN when the deadline passed first. */
  lastInAt: number;
  /** When the last `joined` push arrived, NaN when not awaited or cut short. */
  settledAt: number;
}

/**
 * Connects clients and lets them in. Never throws for a client that fails:
 * it is counted, and the caller decides whether that fails the run.
 */
async function letIn(set: ClientSet, options: LetInOptions): Promise<LetInResult> {
  const hub = isHub(options.wire);
  const inKind = admittedKind(options.wire);
  const isIn = new Uint8Array(options.nodes);
  const waiters = new Map<number, () => void>();
  let admitted = 0;
  let failed = 0;
  let connectFailed = 0;
  let lastInAt = NaN;
  const resolved = new Countdown(options.nodes, options.timeoutMs, "letting everyone in");
  let lastPresenceAt = NaN;
  // When a presence summary said every node is connected: settled at once.
  let allConnectedAt = NaN;
  const markIn = (index: number) => {
    isIn[index] = 1;
    admitted++;
    lastInAt = performance.now();
    resolved.add(1);
    waiters.get(index)?.();
  };
  const onChunk = (client: LoadClient, counts: Int32Array) => {
    if (isIn[client.index] === 0 && counts[inKind]! > 0) markIn(client.index);
    if (counts[LineKind.Joined]! + counts[LineKind.Presence]! > 0) {
      lastPresenceAt = performance.now();
      if (
        counts[LineKind.Presence]! > 0 && client.presenceConnected >= options.nodes &&
        Number.isNaN(allConnectedAt)
      ) {
        allConnectedAt = lastPresenceAt;
      }
    }
  };
  const onClose = (client: LoadClient) => {
    if (isIn[client.index] === 1) return;
    failed++;
    resolved.add(1);
    waiters.get(client.index)?.();
  };
  const greeting = greetingBytes(options.wire);
  let next = 0;
  const deadline = performance.now() + options.timeoutMs;
  const worker = async () => {
    while (next < options.nodes && performance.now() < deadline) {
      const index = next++;
      let client: LoadClient;
      try {
        const port = options.ports ? options.ports[index % options.ports.length]! : options.port;
        const source = options.spreadAbove === undefined
          ? undefined
          : sourceAddressFor(index, options.nodes, options.spreadAbove);
        client = new LoadClient(await connect(options.host, port, source), options.wire, index);
      } catch {
        failed++;
        connectFailed++;
        resolved.add(1);
        continue;
      }
      client.onChunk = onChunk;
      client.onClose = onClose;
      set.add(client);
      if (!options.greet) {
        markIn(index);
        continue;
      }
      const inside = options.concurrency === Infinity
        ? undefined
        : new Promise<void>((resolve) => waiters.set(index, resolve));
      await client.write(greeting);
      if (inside) {
        // The deadline also bounds this wait: the countdown rejects then, and the loop ends.
        await Promise.race([inside, resolved.done.catch(() => {})]);
        waiters.delete(index);
      }
    }
  };
  const workers = Math.min(options.concurrency, options.nodes);
  await Promise.all(Array.from({ length: workers }, worker));
  const inAt = await resolved.done.then(() => lastInAt, () => NaN);
  resolved.cancel();
  // The `joined` pushes cannot be counted: a hub admits the nodes at its
  // gate in groups (one journal commit, one etcd append), and the nodes of
  // one group are not told of each other. A hub that summarises presence
  // says when all are connected; otherwise the pushes are waited out.
  const settledAt = Number.isNaN(inAt) || failed > 0 || !hub || !options.awaitJoined
    ? NaN
    : await quietSince(
      () => lastPresenceAt,
      () => allConnectedAt,
      inAt,
      PRESENCE_QUIET_MS,
      deadline,
    );
  for (const client of set.clients) {
    client.onChunk = undefined;
    client.onClose = undefined;
  }
  return { admitted, failed, connectFailed, lastInAt: inAt, settledAt };
}

/**
 * Waits until nothing (a presence push) has arrived for `quietMs`, or until
 * `done()` gives a time (a summary said all are connected), at most until
 * `deadline`.
 *
 * @returns When the last push arrived (`since` when none came), or `done()`'s
 * time; NaN at the deadline.
 */
async function quietSince(
  last: () => number,
  done: () => number,
  since: number,
  quietMs: number,
  deadline: number,
): Promise<number> {
  for (;;) {
    if (!Number.isNaN(done())) return Math.max(since, done());
    const latest = Number.isNaN(last()) ? since : Math.max(since, last());
    const now = performance.now();
    if (now - latest >= quietMs) return latest;
    if (now >= deadline) return NaN;
    await sleep(Math.min(quietMs, 50));
  }
}

/** Lets every client in for a measured run; any failure fails the run. */
async function openNodes(
  set: ClientSet,
  job: Endpoint & { wire: Wire; nodes: number; setupTimeoutMs: number },
): Promise<void> {
  const hub = isHub(job.wire);
  const result = await letIn(set, {
    ...job,
    concurrency: SETUP_CONCURRENCY,
    greet: hub,
    awaitJoined: hub,
    timeoutMs: job.setupTimeoutMs,
  });
  if (result.admitted < job.nodes || (hub && Number.isNaN(result.settledAt))) {
    throw new Error(
      `Cannot set up ${job.nodes} clients: ${result.admitted} in, ${result.failed} failed${
        Number.isNaN(result.settledAt) && result.admitted === job.nodes
          ? ", the joined pushes did not stop"
          : ""
      } within ${job.setupTimeoutMs} ms`,
    );
  }
}

/**
 * Vote ingest (and its anchors): every client keeps `inFlight` requests
 * outstanding and sends as many new ones as replies arrive.
 *
 * @param job See {@linkcode IngestJob}.
 * @param control Told at the counted window's edges.
 * @returns Replies per second in the counted window.
 */
export async function runIngest(
  job: IngestJob,
  control: JobControl = NO_CONTROL,
): Promise<IngestResult> {
  const set = new ClientSet();
  try {
    const setupStart = performance.now();
    await openNodes(set, job);
    const setupMs = performance.now() - setupStart;
    const batches = new RequestBatches(job.wire, job.inFlight);
    let counting = false;
    let stopped = false;
    let replies = 0;
    let errors = 0;
    const onChunk = (client: LoadClient, counts: Int32Array) => {
      const ok = counts[LineKind.Reply]!;
      const refused = counts[LineKind.Error]!;
      errors += refused;
      if (counting) replies += ok;
      const answered = ok + refused;
      if (stopped || answered === 0) return;
      const bytes = batches.get(client.parity, answered);
      client.parity ^= answered & 1;
      // Awaited by the read loop: one write at a time per client, no queue.
      return client.write(bytes);
    };
    for (const client of set.clients) {
      client.onChunk = onChunk;
      client.parity = job.inFlight & 1;
      // Not awaited one by one: every client starts at once.
      void client.write(batches.get(0, job.inFlight));
    }
    await sleep(job.warmupMs);
    await control.at({ kind: "window-start" });
    const start = performance.now();
    counting = true;
    await sleep(job.measureMs);
    counting = false;
    const seconds = (performance.now() - start) / 1000;
    await control.at({ kind: "window-end" });
    stopped = true;
    const closedEarly = set.clients.filter((client) => client.closed).length;
    if (closedEarly > 0) throw new Error(`${closedEarly} connections closed during the run`);
    return { kind: "ingest", replies, perSecond: replies / seconds, errors, setupMs };
  } finally {
    await set.closeAll();
  }
}

/**
 * The fan-out workloads: a connect storm (every client connects and gets
 * in at once: the hub's gate, or a Redis PING), a hold point (the suite
 * reads memory), then the broadcast: consensus on the hub, PUBLISH on Redis,
 * timed from the send until the last of N receivers has it.
 *
 * On the hub (rule majority, no vote changes), floor(N/2) nodes vote A and
 * get their replies; the next node's vote decides, and every node is pushed
 * the consensus. The next ballot then opens by itself for the next round.
 *
 * @param job See {@linkcode BroadcastJob}.
 * @param control Told at the hold point.
 * @returns The storm's timings and one latency per round.
 */
export async function runBroadcast(
  job: BroadcastJob,
  control: JobControl = NO_CONTROL,
): Promise<BroadcastResult> {
  const set = new ClientSet();
  try {
    const hub = isHub(job.wire);
    const start = performance.now();
    const entry = await letIn(set, {
      host: job.host,
      port: job.port,
      ports: job.ports,
      spreadAbove: job.spreadAbove,
      wire: job.wire,
      nodes: job.nodes,
      concurrency: Infinity,
      greet: true,
      awaitJoined: hub,
      timeoutMs: job.setupTimeoutMs,
    });
    if (entry.admitted < job.nodes || (hub && Number.isNaN(entry.settledAt))) {
      throw new Error(
        `Cannot let ${job.nodes} clients in at once: ${entry.admitted} in, ${entry.failed} failed (refused, or closed before they were in) after ${
          ((performance.now() - start) / 1000).toFixed(1)
        } s (bound ${job.setupTimeoutMs} ms)`,
      );
    }
    await control.at({ kind: "hold", admitted: entry.admitted });
    // Redis and the fan-out server are sent one message by a publisher; a hub decides a vote.
    let publish: (() => void) | undefined;
    const receivers = [...set.clients];
    if (job.wire !== "hub-text") {
      const subscribed = new Countdown(job.nodes, job.setupTimeoutMs, "subscribing");
      const subscribe = subscribeBytes(job.wire);
      for (const client of receivers) {
        client.onChunk = (_client, counts) => subscribed.add(counts[LineKind.Opened]!);
        await client.write(subscribe);
      }
      await subscribed.done;
      const publisher = new LoadClient(await connect(job.host, job.port), job.wire, job.nodes);
      set.add(publisher);
      const payload = "consensus ballot 1: A (be able to fly) - ".padEnd(job.payloadBytes, "x");
      const message = publishBytes(job.wire, payload);
      publish = () => void publisher.write(message);
    }
    const latenciesMs: number[] = [];
    const firstMs: number[] = [];
    for (let round = 0; round < job.rounds; round++) {
      const times = publish
        ? await timedDelivery(receivers, false, publish, job.roundTimeoutMs)
        : await hubRound(receivers, job.roundTimeoutMs);
      latenciesMs.push(times.lastMs);
      firstMs.push(times.firstMs);
      // Let the receivers' reads and the target settle between rounds.
      await sleep(20);
    }
    return {
      kind: "broadcast",
      latenciesMs,
      firstMs,
      stormMs: entry.lastInAt - start,
      settledMs: (hub ? entry.settledAt : entry.lastInAt) - start,
      admitted: entry.admitted,
    };
  } finally {
    await set.closeAll();
  }
}

const VOTE_A = new TextEncoder().encode("vote A\n");

/**
 * One broadcast round on a hub (rule majority, votes final): floor(N/2)
 * nodes vote A and get their replies; the next node's vote decides, and every
 * node is pushed the consensus. The next ballot then opens by itself.
 *
 * @returns Ms from the deciding vote until the first and the last node had the push.
 */
async function hubRound(
  receivers: readonly LoadClient[],
  timeoutMs: number,
): Promise<{ firstMs: number; lastMs: number }> {
  const voters = Math.floor(receivers.length / 2);
  // Votes that do not decide: 2 × floor(N/2) is not more than N.
  const replied = new Countdown(voters, timeoutMs, "casting votes");
  for (const client of receivers) {
    client.onChunk = (_client, counts) => {
      if (counts[LineKind.Error]! > 0) replied.fail("Cannot vote: the hub refused a vote");
      replied.add(counts[LineKind.Reply]!);
    };
  }
  for (let index = 0; index < voters; index++) void receivers[index]!.write(VOTE_A);
  await replied.done;
  return await timedDelivery(
    receivers,
    true,
    () => void receivers[voters]!.write(VOTE_A),
    timeoutMs,
  );
}

/**
 * Sends one message and times it until every receiver has it (a consensus
 * push, a published message); on a hub, also waits for the next ballot to
 * open everywhere, so that the next round starts clean.
 *
 * @returns Ms from the send until the first and the last receiver had it.
 */
async function timedDelivery(
  receivers: readonly LoadClient[],
  awaitOpened: boolean,
  send: () => void,
  timeoutMs: number,
): Promise<{ firstMs: number; lastMs: number }> {
  const received = new Countdown(receivers.length, timeoutMs, "broadcasting");
  const opened = new Countdown(
    awaitOpened ? receivers.length : 0,
    timeoutMs,
    "opening the next ballot",
  );
  let first = 0;
  for (const client of receivers) {
    client.onChunk = (_client, counts) => {
      const got = counts[LineKind.Broadcast]!;
      if (got > 0 && first === 0) first = performance.now();
      received.add(got);
      opened.add(counts[LineKind.Opened]!);
    };
  }
  const sent = performance.now();
  send();
  const last = await received.done;
  await opened.done;
  return { firstMs: first - sent, lastMs: last - sent };
}

/**
 * Connect storm (everyone connects and passes the gate, or sends one line,
 * at once) or a paced hold (a bounded number at the gate at a time); then
 * all are held idle while the suite reads the target's memory, and each
 * answers one request to show it is still served; on a hub, when asked, one
 * broadcast round follows (see `StormJob.broadcastTimeoutMs`).
 *
 * @param job See {@linkcode StormJob}.
 * @param control Told at the hold point.
 * @returns Timings and counts.
 */
export async function runStorm(job: StormJob, control: JobControl): Promise<StormResult> {
  const set = new ClientSet();
  try {
    const start = performance.now();
    const result = await letIn(set, {
      host: job.host,
      port: job.port,
      spreadAbove: job.spreadAbove,
      wire: job.wire,
      nodes: job.nodes,
      concurrency: job.concurrency ?? Infinity,
      greet: true,
      awaitJoined: isHub(job.wire),
      timeoutMs: job.timeoutMs,
    });
    await control.at({ kind: "hold", admitted: result.admitted });
    await sleep(job.holdMs);
    // One request each: a ping on the hub (it decides nothing), a PING, a line.
    const probe = job.wire === "hub-text"
      ? new TextEncoder().encode("ping\n")
      : job.wire === "hub-json"
      ? new TextEncoder().encode('{"id":1,"op":"ping"}\n')
      : greetingBytes(job.wire);
    const open = set.clients.filter((client) => !client.closed);
    const answered = new Countdown(open.length, job.timeoutMs, "probing");
    let alive = 0;
    for (const client of open) {
      let done = false;
      const settle = (ok: boolean) => {
        if (done) return;
        done = true;
        if (ok) alive++;
        answered.add(1);
      };
      client.onChunk = (_client, counts) => {
        if (counts[LineKind.Reply]! > 0) settle(true);
      };
      client.onClose = () => settle(false);
      if (client.closed) settle(false);
    }
    await Promise.all(open.map((client) => client.write(probe)));
    await answered.done.catch(() => {});
    answered.cancel();
    const round: Pick<StormResult, "broadcastMs" | "broadcastFirstMs" | "broadcastError"> = {};
    if (job.broadcastTimeoutMs !== undefined) {
      try {
        const times = await hubRound(
          set.clients.filter((client) => !client.closed),
          job.broadcastTimeoutMs,
        );
        round.broadcastMs = times.lastMs;
        round.broadcastFirstMs = times.firstMs;
      } catch (error) {
        round.broadcastMs = NaN;
        round.broadcastError = (error as Error).message;
      }
    }
    return {
      kind: "storm",
      admitted: result.admitted,
      failed: result.failed,
      connectFailed: result.connectFailed,
      stormMs: result.lastInAt - start,
      settledMs: result.settledAt - start,
      alive,
      ...round,
    };
  } finally {
    await set.closeAll();
  }
}

/**
 * etcd puts through its JSON gateway (`POST /v3/kv/put`, base64 key and
 * value), `concurrency` loops each with one put in flight.
 *
 * @param job See {@linkcode EtcdPutJob}.
 * @param control Told at the counted window's edges.
 * @returns Puts per second in the counted window.
 */
export async function runEtcdPuts(
  job: EtcdPutJob,
  control: JobControl = NO_CONTROL,
): Promise<EtcdPutResult> {
  const setupStart = performance.now();
  const url = `${job.url}/v3/kv/put`;
  const bodies = Array.from(
    { length: job.concurrency },
    (_, index) =>
      JSON.stringify({ key: btoa(`bench/votes/${index}`), value: btoa(index % 2 ? "B" : "A") }),
  );
  let counting = false;
  let stopped = false;
  let puts = 0;
  let errors = 0;
  const loop = async (index: number) => {
    while (!stopped) {
      try {
        const response = await fetch(url, {
          method: "POST",
          body: bodies[index]!,
          headers: { "content-type": "application/json" },
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        if (!response.ok) errors++;
        else if (counting) puts++;
      } catch {
        errors++;
        // A dead gateway must not spin: give up after many failures.
        if (errors > 1000) return;
      }
    }
  };
  const setupMs = performance.now() - setupStart;
  const loops = Array.from({ length: job.concurrency }, (_, index) => loop(index));
  await sleep(job.warmupMs);
  await control.at({ kind: "window-start" });
  const start = performance.now();
  counting = true;
  await sleep(job.measureMs);
  counting = false;
  const seconds = (performance.now() - start) / 1000;
  await control.at({ kind: "window-end" });
  stopped = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    Promise.all(loops),
    new Promise((resolve) => timer = setTimeout(resolve, 15_000)),
  ]);
  clearTimeout(timer);
  return { kind: "etcd-put", puts, perSecond: puts / seconds, errors, setupMs };
}
