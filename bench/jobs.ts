/**
 * The jobs the load generator runs and what it reports, shared by the
 * generator, its child-process wrapper and the suite that asks for them.
 *
 * @module
 */

import type { PublishWire, Wire } from "./wire.ts";

/** Where a TCP target listens (always loopback). */
export interface Endpoint {
  /** Always `127.0.0.1`. */
  host: string;
  /** The target's port. */
  port: number;
  /**
   * Several hubs serving one election: client `i` connects to
   * `ports[i % ports.length]` (`port` is then unused by hub clients).
   */
  ports?: readonly number[];
  /**
   * Past this many nodes, the clients connect from 127.0.0.1, 127.0.0.2, ...
   * in turn (one source address has about 28,000 ephemeral ports); left
   * out: all from 127.0.0.1.
   */
  spreadAbove?: number;
}

/** Closed-loop request/reply load: N clients, each with `inFlight` requests outstanding. */
export interface IngestJob extends Endpoint {
  kind: "ingest";
  wire: Wire;
  /** Connected (and, on a hub, admitted) clients. */
  nodes: number;
  /** Requests each client keeps outstanding: 1, or 16 when pipelining. */
  inFlight: number;
  /** Load before counting starts (JIT warm-up, buffers grown). */
  warmupMs: number;
  /** The counted window. */
  measureMs: number;
  /** Bound on connecting and admitting everyone. */
  setupTimeoutMs: number;
}

/** What an ingest run measured. */
export interface IngestResult {
  kind: "ingest";
  /** Replies counted in the window. */
  replies: number;
  /** Replies per second in the window. */
  perSecond: number;
  /** Refusals seen (any is a failed run). */
  errors: number;
  /** Time to connect and admit every client, and for the `joined` pushes to stop. */
  setupMs: number;
}

/**
 * The fan-out workloads on one target: N clients connect and get in at
 * once (the connect storm), are held idle (the suite reads memory), then
 * time from one message until the last of them has it (the broadcast).
 */
export interface BroadcastJob extends Endpoint {
  kind: "broadcast";
  /** `hub-text` (the deciding vote), `redis` (PUBLISH) or `fanout` (the Deno fan-out server's publish). */
  wire: "hub-text" | PublishWire;
  /** Receivers. */
  nodes: number;
  /** Broadcasts measured, one after another. */
  rounds: number;
  /** Redis message size; the hub's own push is whatever it is. */
  payloadBytes: number;
  setupTimeoutMs: number;
  /** Bound on one broadcast reaching everyone. */
  roundTimeoutMs: number;
}

/** What a broadcast run measured. */
export interface BroadcastResult {
  kind: "broadcast";
  /** One per round: ms from the send until the last receiver had it. */
  latenciesMs: number[];
  /** Ms from the send until the first receiver had it, per round. */
  firstMs: number[];
  /** Ms from the first connect until the last client was in (the storm). */
  stormMs: number;
  /** Ms from the first connect until the last `joined` push arrived (hub), else as stormMs. */
  settledMs: number;
  /** Clients in. */
  admitted: number;
}

/** N clients connect and are let in (all at once, or paced); then they are held idle. */
export interface StormJob extends Endpoint {
  kind: "storm";
  wire: Wire;
  nodes: number;
  /**
   * Clients at the gate at once, each waiting to be in before the next
   * connects; left out: all at once (the storm).
   */
  concurrency?: number;
  /** Bound on everyone being in. */
  timeoutMs: number;
  /** Idle time after the hold point before the liveness probe. */
  holdMs: number;
  /**
   * After the probe, one broadcast round on a hub (rule majority, no vote
   * changes): floor(N/2) vote A, then one more decides, and every node is
   * pushed the consensus. Bound on that round, or left out for none.
   */
  broadcastTimeoutMs?: number;
}

/** What a storm run measured. */
export interface StormResult {
  kind: "storm";
  /** Clients let in (admitted on a hub, answered elsewhere). */
  admitted: number;
  /** Clients not let in: could not connect, or closed (by the target) before they were in. */
  failed: number;
  /** Of those, the ones that could not connect at all. */
  connectFailed: number;
  /** Ms from the first connect until the last client was in. */
  stormMs: number;
  /** Ms from the first connect until the last `joined` push arrived (hub), else as stormMs. */
  settledMs: number;
  /** Clients that answered one request after the hold. */
  alive: number;
  /** Ms from the deciding vote until the last node had the consensus push, when asked (NaN: failed). */
  broadcastMs?: number;
  /** Ms from the deciding vote until the first node had it. */
  broadcastFirstMs?: number;
  /** Why the broadcast round failed. */
  broadcastError?: string;
}

/** etcd puts through the JSON gateway at a fixed concurrency. */
export interface EtcdPutJob {
  kind: "etcd-put";
  /** Client URL, e.g. `http://127.0.0.1:2379`. */
  url: string;
  /** Concurrent put loops. */
  concurrency: number;
  warmupMs: number;
  measureMs: number;
}

/** What an etcd run measured. */
export interface EtcdPutResult {
  kind: "etcd-put";
  puts: number;
  perSecond: number;
  errors: number;
  setupMs: number;
}

/** Any job. */
export type Job = IngestJob | BroadcastJob | StormJob | EtcdPutJob;

/** Any result. */
export type JobResult = IngestResult | BroadcastResult | StormResult | EtcdPutResult;

/** The result type of a job type. */
export type ResultOf<J extends Job> = J extends IngestJob ? IngestResult
  : J extends BroadcastJob ? BroadcastResult
  : J extends StormJob ? StormResult
  : EtcdPutResult;

/**
 * Moments a job tells the suite about, so that the suite can read the
 * processes' memory and CPU time then (reading /proc needs permissions the
 * load generator does not have):
 * - `hold`: a storm has everyone in and settled; the suite reads the target's memory;
 * - `window-start`, `window-end`: the edges of a counted window.
 */
export type ControlPoint =
  | { kind: "hold"; admitted: number }
  | { kind: "window-start" }
  | { kind: "window-end" };

/** Lets the suite act at a job's control points. */
export interface JobControl {
  /**
   * Called at each control point; the job's controller goes on when the
   * promise resolves (the load itself does not stop meanwhile).
   *
   * @param point Where the job is.
   */
  at(point: ControlPoint): Promise<void>;
}
