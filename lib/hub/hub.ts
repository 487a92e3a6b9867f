/**
 * The hub's shared part: the election state, who is connected, the journal,
 * timers, and pushes. Every change goes through {@linkcode Hub.record} as an
 * event, which folds it into the state and queues it for the journal; once
 * the journal has stored it, the pushes go out and waiting replies are sent.
 *
 * @module
 */

import type { BallotTerms, CloseCause, HubEvent } from "../election/events.ts";
import { buildTerms, type ProposalInput } from "../election/proposal.ts";
import {
  applyEvent,
  type Ballot,
  createElectionState,
  type ElectionState,
  evaluateBallot,
  openBallots,
} from "../election/state.ts";
import type { Dialect } from "../protocol/dialect.ts";
import {
  type BallotView,
  type DecisionView,
  type ErrorReply,
  type Push,
  refuse,
} from "../protocol/messages.ts";
import { type Journal, MemoryJournal } from "../store/journal.ts";
import { type Clock, SYSTEM_CLOCK } from "./clock.ts";
import type { Gate } from "./gate.ts";
import { PinPool } from "./pin_pool.ts";
import { ballotView, closingView, decisionView } from "./views.ts";
import { createResumeToken, hashResumeToken } from "./resume_tokens.ts";

/** What the hub needs of a connected, admitted session. */
export interface Member {
  /** The dialect its peer speaks. */
  readonly dialect: Dialect;
  /** Queues bytes for the peer without waiting. */
  send(data: string | Uint8Array): void;
  /** Ends the connection (another connection resumed the same node). */
  close(): void;
}

/** Options for {@linkcode Hub}. */
export interface HubOptions {
  /** The gate nodes pass first. */
  gate: Gate;
  /** The standing question, opened when no repeating ballot is open (it repeats once closed). */
  standing?: ProposalInput | undefined;
  /**
   * Where events are kept.
   * @default {new MemoryJournal()}
   */
  journal?: Journal;
  /**
   * Time and timers (deadlines, grace periods).
   * @default {SYSTEM_CLOCK}
   */
  clock?: Clock;
  /**
   * How long a dropped node may come back with its resume token, in milliseconds.
   * @default {30000}
   */
  graceMs?: number;
  /** Nodes may open ballots with `propose`. */
  allowPropose?: boolean;
  /**
   * Called with every recorded event after it is applied, and with what is
   * pushed for it (none for a vote), for the operator's log.
   */
  onEvent?: (event: HubEvent, push: Push | undefined) => void;
}

/** What a node is told when it is admitted or resumed. */
export interface Admission {
  node: number;
  pin: number;
  name: string;
  token: string;
}

const encoder = new TextEncoder();

/** The state and membership of one hub. */
export class Hub {
  /** Everything recorded so far. */
  readonly state: ElectionState = createElectionState();
  /** The gate nodes pass first. */
  readonly gate: Gate;
  /** Whether nodes may open ballots. */
  readonly allowPropose: boolean;
  readonly #members = new Map<number, Member>();
  readonly #pins = new PinPool();
  readonly #journal: Journal;
  readonly #clock: Clock;
  readonly #graceMs: number;
  readonly #onEvent: HubOptions["onEvent"];
  readonly #deadlines = new Map<number, () => void>();
  readonly #graceTimers = new Map<number, () => void>();
  #outgoing: { push: Push; except: number | undefined }[] = [];
  #waiters: { resolve(): void; reject(error: Error): void }[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #flushScheduled = false;
  #stopped = false;
  #ending = false;

  /**
   * Creates a hub: replays the journal, gives every node it knew a grace
   * period to come back, re-arms deadlines, and opens the standing question
   * when none is open.
   */
  constructor(options: HubOptions) {
    this.gate = options.gate;
    this.allowPropose = options.allowPropose ?? false;
    this.#journal = options.journal ?? new MemoryJournal();
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#graceMs = options.graceMs ?? 30_000;
    this.#onEvent = options.onEvent;
    for (const event of this.#journal.load()) applyEvent(this.state, event);
    for (const node of this.state.nodes.values()) {
      this.#pins.reserve(node.pin);
      // The hub went away, not the node: every node gets a full grace period.
      this.#startGrace(node.node);
    }
    for (const ballot of openBallots(this.state)) this.#armDeadline(ballot);
    const standingOpen = openBallots(this.state).some((ballot) => ballot.terms.repeat);
    if (options.standing && !standingOpen) {
      this.openBallot(buildTerms({ ...options.standing, repeat: true }, this.#clock.now()), null);
    }
  }

  /** Milliseconds since the epoch, by the hub's clock. */
  now(): number {
    return this.#clock.now();
  }

  /**
   * Admits a node that passed the gate: gives it a PIN and a resume token, and tells the others.
   *
   * @param member How to push to it.
   * @param peer Its address and port.
   * @param name The name it asked for, if any.
   * @returns Its identity and token.
   */
  admit(member: Member, peer: { address: string; port: number }, name?: string): Admission {
    const node = this.state.nextNode;
    const pin = this.#pins.allocate();
    const token = createResumeToken();
    const chosen = name ?? `node-${pin}`;
    this.record({
      type: "joined",
      node,
      pin,
      name: chosen,
      address: peer.address,
      port: peer.port,
      tokenHash: hashResumeToken(token),
    }, node);
    this.#members.set(node, member);
    return { node, pin, name: chosen, token };
  }

  /**
   * Lets a node back in with its resume token, with its PIN and its votes.
   *
   * @param member The new connection.
   * @param token The token it was given.
   * @param peer Its address now.
   * @returns Its identity, or why not.
   */
  resume(
    member: Member,
    token: string,
    peer: { address: string; port: number },
  ): Admission | ErrorReply {
    const hash = hashResumeToken(token);
    const node = this.state.tokens.get(hash);
    const record = node === undefined ? undefined : this.state.nodes.get(node);
    if (node === undefined || !record) {
      return this.state.retiredTokens.has(hash)
        ? refuse(
          "token-expired",
          "Cannot resume: the grace period ran out or the node left; answer the gate to join again",
        )
        : refuse("bad-token", "Cannot resume: unknown token; answer the gate to join");
    }
    const stale = this.#members.get(node);
    // A second connection with the token wins: the first is most likely half-open.
    this.#members.delete(node);
    stale?.close();
    this.#graceTimers.get(node)?.();
    this.#graceTimers.delete(node);
    this.record({ type: "resumed", node, address: peer.address, port: peer.port }, node);
    this.#members.set(node, member);
    return { node, pin: record.pin, name: record.name, token };
  }

  /**
   * Takes a node's connection away: `exit` leaves for good; a dropped
   * connection keeps the node (PIN, votes, stored info) for the grace period.
   * Its vote stays counted either way, and the open ballots are evaluated
   * again since the live electorate is smaller now.
   *
   * @param node The node.
   * @param member The connection that ended (ignored when another one resumed the node since).
   * @param how `exit` or `dropped`.
   */
  disconnect(node: number, member: Member, how: "exit" | "dropped"): void {
    if (this.#members.get(node) !== member || this.#stopped) return;
    this.#members.delete(node);
    if (how === "exit") {
      this.#leave(node, "exit");
    } else {
      this.record({ type: "dropped", node });
      this.#startGrace(node);
    }
    this.settleAll();
  }

  /**
   * Records an event: applies it, queues it for the journal, tells the
   * operator's log, and queues its push until the journal has it.
   *
   * @param event The event.
   * @param except Node whose own action it is: it gets a reply, not the push.
   */
  record(event: HubEvent, except?: number): void {
    // The push is built before the fold, which forgets a departing node's name.
    let push = this.#toPush(event);
    applyEvent(this.state, event);
    if (event.type === "ballot-opened") {
      push = { event: "ballot", ...this.ballotView(this.state.ballots.get(event.ballot)!) };
    }
    this.#journal.append(event, this.#clock.now());
    this.#onEvent?.(event, push);
    if (push) this.#outgoing.push({ push, except });
    if (event.type === "ballot-opened") {
      this.#armDeadline(this.state.ballots.get(event.ballot)!);
    } else if (event.type === "ballot-closed") {
      this.#deadlines.get(event.ballot)?.();
      this.#deadlines.delete(event.ballot);
      const closed = this.state.ballots.get(event.ballot)!;
      if (closed.terms.repeat && !this.#ending) {
        this.openBallot(this.#nextRound(closed.terms), closed.proposer);
      }
    }
    this.#scheduleFlush();
  }

  /**
   * Resolves once everything recorded so far is stored (at once for the
   * in-memory journal). A reply is sent only after this.
   *
   * @returns When stored.
   * @throws When the journal cannot store it; the events are retried.
   */
  committed(): Promise<void> {
    return this.pendingCommit() ?? Promise.resolve();
  }

  /**
   * Like {@linkcode Hub.committed}, but `undefined` when nothing waits, so
   * that the hot path of a request skips a turn of the event loop.
   *
   * @returns A promise, or `undefined` when everything is stored already.
   */
  pendingCommit(): Promise<void> | undefined {
    if (!this.#journal.pending && this.#outgoing.length === 0) return undefined;
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /**
   * Runs a ballot's rule after a vote and records its closing if it closes.
   *
   * @param ballot The ballot voted on.
   */
  settle(ballot: number): void {
    const closed = evaluateBallot(this.state, ballot);
    if (closed) this.record(closed);
  }

  /** Runs every open ballot's rule (after a departure). */
  settleAll(): void {
    for (const ballot of openBallots(this.state)) this.settle(ballot.id);
  }

  /**
   * Opens a ballot.
   *
   * @param terms Its terms, from `buildTerms`.
   * @param proposer Node that proposed it, `null` for the operator.
   * @returns The ballot as nodes see it.
   */
  openBallot(terms: BallotTerms, proposer: number | null): BallotView {
    const ballot = this.state.nextBallot;
    // The proposer gets the reply to its proposal, not the push as well.
    this.record(
      { type: "ballot-opened", ballot, terms, proposer, at: this.#clock.now() },
      proposer ?? undefined,
    );
    return this.ballotView(this.state.ballots.get(ballot)!);
  }

  /**
   * Closes a ballot before its rule or deadline does.
   *
   * @param ballot Its id.
   * @param cause `proposer` or `operator`.
   * @returns How it closed, or why it cannot.
   */
  closeBallot(
    ballot: number,
    cause: Extract<CloseCause, "proposer" | "operator" | "deadline">,
  ): DecisionView | ErrorReply {
    const target = this.state.ballots.get(ballot);
    if (!target) return refuse("unknown-ballot", `Cannot close: there is no ballot ${ballot}`);
    if (target.closed) {
      return refuse("ballot-closed", `Cannot close: ballot ${ballot} is closed already`);
    }
    const closed = evaluateBallot(this.state, ballot, cause)!;
    this.record(closed);
    return this.decisionView(target);
  }

  /**
   * A ballot as nodes see it.
   *
   * @param ballot The ballot.
   * @returns Its view.
   */
  ballotView(ballot: Ballot): BallotView {
    return ballotView(this.state, ballot);
  }

  /**
   * A closed ballot as nodes see it.
   *
   * @param ballot A closed ballot.
   * @returns Its outcome.
   */
  decisionView(ballot: Ballot): DecisionView {
    return decisionView(ballot);
  }

  /** Number of connected admitted nodes. */
  get memberCount(): number {
    return this.#members.size;
  }

  /**
   * Ends the meeting: closes every open ballot with cause `hub-stopped`
   * (recorded, and pushed to every node), without opening the standing
   * question again. The pushes are queued to the members; {@linkcode Hub.stop}
   * then marks the meeting ended in the journal.
   *
   * @returns The ballots it closed, as nodes see them.
   */
  end(): DecisionView[] {
    if (this.#stopped || this.#ending) return [];
    this.#ending = true;
    const closed: DecisionView[] = [];
    for (const ballot of openBallots(this.state)) {
      this.record(evaluateBallot(this.state, ballot.id, "hub-stopped")!);
      closed.push(this.decisionView(ballot));
    }
    this.#flush();
    return closed;
  }

  /**
   * Stops timers and stores what is pending; the journal is closed. After
   * {@linkcode Hub.end}, the journal marks the meeting as ended; otherwise it
   * stays open to be resumed.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const cancel of [...this.#deadlines.values(), ...this.#graceTimers.values()]) cancel();
    clearTimeout(this.#flushTimer);
    try {
      this.#flush();
      if (this.#ending) this.#journal.end(this.#clock.now());
    } finally {
      this.#journal.close();
    }
  }

  #leave(node: number, reason: "exit" | "expired"): void {
    const record = this.state.nodes.get(node);
    if (!record) return;
    this.record({ type: "left", node, reason });
    this.#pins.release(record.pin);
  }

  #startGrace(node: number): void {
    this.#graceTimers.get(node)?.();
    const cancel = this.#clock.setTimer(() => {
      this.#graceTimers.delete(node);
      if (this.#members.has(node) || this.#stopped) return;
      this.#leave(node, "expired");
      this.settleAll();
    }, this.#graceMs);
    this.#graceTimers.set(node, cancel);
  }

  #armDeadline(ballot: Ballot): void {
    const deadline = ballot.terms.deadline;
    if (deadline === undefined || ballot.closed) return;
    const cancel = this.#clock.setTimer(() => {
      this.#deadlines.delete(ballot.id);
      if (!ballot.closed && !this.#stopped) this.closeBallot(ballot.id, "deadline");
    }, deadline - this.#clock.now());
    this.#deadlines.set(ballot.id, cancel);
  }

  #nextRound(terms: BallotTerms): BallotTerms {
    const next = { ...terms };
    if (terms.durationMs !== undefined) next.deadline = this.#clock.now() + terms.durationMs;
    return next;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    if (this.#journal.durable) {
      // One flush per tick: everything recorded meanwhile shares one transaction.
      this.#flushTimer = setTimeout(() => this.#runFlush(), 0);
    } else {
      // Nothing to store: deliver at the end of this turn, so that pushes
      // recorded together (a decision and the next ballot, a storm of joins)
      // share one write per node.
      queueMicrotask(() => this.#runFlush());
    }
  }

  #runFlush(): void {
    this.#flushScheduled = false;
    this.#flushTimer = undefined;
    if (!this.#stopped) this.#flush();
  }

  #flush(): void {
    try {
      this.#journal.flush();
    } catch (error) {
      const failure = new Error(`Cannot store events: ${(error as Error).message}`, {
        cause: error,
      });
      for (const waiter of this.#waiters.splice(0)) waiter.reject(failure);
      if (!this.#stopped && !this.#flushScheduled) {
        this.#flushScheduled = true;
        this.#flushTimer = setTimeout(() => this.#runFlush(), 200);
      }
      return;
    }
    const outgoing = this.#outgoing;
    this.#outgoing = [];
    if (outgoing.length > 0) this.#broadcast(outgoing);
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  #toPush(event: HubEvent): Push | undefined {
    const node = "node" in event && event.node !== null
      ? this.state.nodes.get(event.node)
      : undefined;
    const pin = node?.pin ?? 0;
    const name = node?.name ?? "";
    switch (event.type) {
      case "joined":
        return {
          event: "joined",
          pin: event.pin,
          name: event.name,
          address: event.address,
          port: event.port,
        };
      case "dropped":
        return { event: "left", pin, name, reason: "dropped" };
      case "resumed":
        return { event: "resumed", pin, name };
      case "left":
        return { event: "left", pin, name, reason: event.reason };
      case "renamed":
        return { event: "renamed", pin, name: event.name, previous: name };
      case "info-stored":
        return { event: "stored", pin, name };
      case "ballot-opened":
        return undefined; // Built in record(), once the ballot exists.
      case "ballot-closed": {
        const ballot = this.state.ballots.get(event.ballot);
        if (!ballot) return undefined;
        const view = closingView(ballot, event);
        return event.option === null
          ? { event: "closed", ...view }
          : { event: "consensus", ...view };
      }
      case "voted":
      case "participated":
        return undefined;
    }
  }

  /**
   * Sends a batch of pushes: each dialect's encoding of the whole batch is
   * built once and the same bytes go to every member, in one write. Only the
   * few members that are the actor of a push in the batch (and so must not
   * get that push) get a batch of their own.
   */
  #broadcast(outgoing: { push: Push; except: number | undefined }[]): void {
    const actors = new Set<number>();
    for (const { except } of outgoing) if (except !== undefined) actors.add(except);
    const shared = new Map<Dialect, Uint8Array>();
    const encode = (dialect: Dialect, skip?: number) => {
      let text = "";
      for (const { push, except } of outgoing) {
        if (except === undefined || except !== skip) text += dialect.push(push);
      }
      return encoder.encode(text);
    };
    for (const [node, member] of this.#members) {
      if (actors.has(node)) {
        const own = encode(member.dialect, node);
        if (own.length > 0) member.send(own);
        continue;
      }
      let bytes = shared.get(member.dialect);
      if (!bytes) {
        bytes = encode(member.dialect);
        shared.set(member.dialect, bytes);
      }
      member.send(bytes);
    }
  }
}
