/**
 * The hub's shared part: the election state, who is connected, the journal,
 * timers, and pushes. Everything that changes the election is a
 * {@linkcode Command} run through {@linkcode Hub.submit}: the pure
 * `executeCommand` decides and folds it, the events it caused go to the
 * journal, and once the journal has stored them their pushes go out and the
 * waiting replies are sent. Timers do not change the state either: they
 * submit commands (a deadline came, a grace period ran out).
 *
 * @module
 */

import type { Command, Outcome } from "../election/commands.ts";
import type { BallotTerms, HubEvent } from "../election/events.ts";
import { executeCommand } from "../election/execute.ts";
import { randomPinSeed } from "../election/pins.ts";
import { buildTerms, type ProposalInput } from "../election/proposal.ts";
import {
  applyEvent,
  type Ballot,
  createElectionState,
  type ElectionState,
  LOCAL_HUB,
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
import type { LogEntry, ReplicatedLog } from "../store/replicated_log.ts";
import { encodeSnapshot, type LogSnapshot } from "../store/log_record.ts";
import { ClusterLink } from "./cluster_link.ts";
import { PresencePacer, type PresencePacerOptions } from "./presence_pacer.ts";
import { type Clock, SYSTEM_CLOCK } from "./clock.ts";
import type { Gate } from "./gate.ts";
import { ballotView, closingView, decisionView } from "./views.ts";
import { createResumeToken, hashResumeToken } from "./resume_tokens.ts";

/** What the hub needs of a connected, admitted session. */
export interface Member {
  /** The dialect its peer speaks. */
  readonly dialect: Dialect;
  /**
   * Set by the hub while a request of this member is being decided and
   * stored; the session clears it once the reply is sent. Pushes meanwhile
   * go through {@linkcode Member.defer}, so that the reply to a vote comes
   * before the consensus that vote caused.
   */
  awaitingReply: boolean;
  /** Queues bytes for the peer without waiting. */
  send(data: string | Uint8Array): void;
  /** Holds bytes back until the pending reply is sent. */
  defer(data: Uint8Array): void;
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
   * When presence changes are summarised rather than sent one by one (see presence_pacer.ts).
   * @default {{ linesPerWindow: 10, windowMs: 1000 }}
   */
  presence?: PresencePacerOptions;
  /**
   * When this hub is one of several serving an election: its log, this
   * hub's unique name, and the entries read before it started. The journal
   * is then not used: the log is the record.
   */
  cluster?: {
    log: ReplicatedLog;
    hubId: string;
    /** The entries after the snapshot (after position 0 without one). */
    backlog: readonly LogEntry[];
    /** Where the hub starts from: the latest snapshot, if the log has one. */
    snapshot?: LogSnapshot | undefined;
    /**
     * Write a snapshot every this many entries (one hub does: the first live one by id).
     * @default {1000}
     */
    snapshotEvery?: number | undefined;
  };
  /**
   * Called with every recorded event after it is applied, and with what is
   * pushed for it (none for a vote, nor for a presence change counted in a
   * summary), for the operator's log.
   */
  onEvent?: (event: HubEvent, push: Push | undefined) => void;
  /** Called with each presence summary sent to the nodes (see presence_pacer.ts). */
  onPresence?: (push: Extract<Push, { event: "presence" }>) => void;
}

/** What a node is told when it is admitted or resumed. */
export interface Admission {
  node: number;
  pin: number;
  name: string;
  token: string;
}

/** The member whose request a command is (`node` is `null` while it is being admitted). */
export interface Actor {
  node: number | null;
  member: Member;
}

const encoder = new TextEncoder();

/** The state and membership of one hub. */
export class Hub {
  /** Everything recorded so far. */
  readonly state: ElectionState;
  /** The gate nodes pass first. */
  readonly gate: Gate;
  /** Whether nodes may open ballots. */
  readonly allowPropose: boolean;
  /** This hub's name in the election's record. */
  readonly hubId: string;
  readonly #members = new Map<number, Member>();
  readonly #journal: Journal;
  readonly #clock: Clock;
  readonly #graceMs: number;
  readonly #onEvent: HubOptions["onEvent"];
  readonly #onPresence: HubOptions["onPresence"];
  readonly #deadlines = new Map<number, () => void>();
  readonly #graceTimers = new Map<number, () => void>();
  readonly #presence: PresencePacer;
  /** Cancels the timer of the next presence summary, while one is armed. */
  #cancelPresenceTick: (() => void) | undefined;
  #outgoing: { push: Push; except: number | undefined }[] = [];
  /** Members admitted since the last broadcast, and where in `#outgoing` they came in. */
  #joinedAt = new Map<number, number>();
  #waiters: { resolve(): void; reject(error: Error): void }[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #flushScheduled = false;
  #stopped = false;
  #ending = false;
  readonly #link: ClusterLink | undefined;
  #otherHubs: string[] = [];
  #liveHubIds: string[] = [];
  #replaying = false;
  #lastSnapshot = 0;

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
    this.#onPresence = options.onPresence;
    this.#presence = new PresencePacer(options.presence);
    this.hubId = options.cluster?.hubId ?? LOCAL_HUB;
    const cluster = options.cluster;
    this.state = cluster?.snapshot?.state ?? createElectionState();
    if (cluster) {
      const log = cluster.log;
      const every = cluster.snapshotEvery ?? 1_000;
      this.#lastSnapshot = cluster.snapshot?.position ?? 0;
      this.#link = new ClusterLink({
        log,
        hubId: this.hubId,
        apply: (command, _record, actor) => this.#apply(command, actor as Actor | undefined),
        onApplied: (position, hash) => {
          if (position % every === 0 && !this.#replaying) this.#snapshot(log, position, hash);
        },
      });
      // What the snapshot holds is not replayed: its open ballots' deadlines
      // and its dropped nodes' grace periods are armed here.
      for (const ballot of openBallots(this.state)) this.#armDeadline(ballot);
      for (const node of this.state.nodes.values()) {
        if (!node.present) this.#startGrace(node.node, node.epoch);
      }
      // Applying the backlog arms the deadlines of the ballots it opens;
      // the operator's log shows what happens from now on, not the history.
      this.#replaying = true;
      this.#link.start(
        cluster.backlog,
        cluster.snapshot
          ? { position: cluster.snapshot.position, hash: cluster.snapshot.hash }
          : undefined,
      );
      this.#replaying = false;
    } else {
      for (const event of this.#journal.load()) applyEvent(this.state, event);
      for (const node of this.state.nodes.values()) {
        // The hub went away, not the node: every node gets a full grace period.
        this.#startGrace(node.node, node.epoch);
      }
      for (const ballot of openBallots(this.state)) this.#armDeadline(ballot);
    }
    const standingOpen = openBallots(this.state).some((ballot) => ballot.terms.repeat);
    if (options.standing && !standingOpen) {
      // With several hubs, two may open it at once: the fold keeps the first.
      this.openBallot(buildTerms({ ...options.standing, repeat: true }, this.#clock.now()), null)
        .catch(() => {});
    }
  }

  /** Whether this hub is one of several serving an election through a replicated log. */
  get clustered(): boolean {
    return this.#link !== undefined;
  }

  /**
   * Waits until this hub has applied everything the election's log held
   * when asked (cluster mode; at once on a single hub), so that a read sees
   * every write acknowledged before it by any hub. When the log cannot be
   * reached, it resolves anyway: reads are then answered from what the hub has.
   *
   * @returns When the state is current.
   */
  async current(): Promise<void> {
    await this.#link?.caughtUp().catch(() => {});
  }

  /** Where the election's other hubs take nodes (cluster mode), sorted. */
  get otherHubs(): readonly string[] {
    return this.#otherHubs;
  }

  /**
   * Holds this hub's commands back until `ready` settles (cluster mode): a
   * hub admits nobody before the others can see it is present.
   *
   * @param ready Settles when the hub may append.
   */
  holdCommandsUntil(ready: Promise<unknown>): void {
    this.#link?.holdUntil(ready);
  }

  /**
   * Takes the list of the election's live hubs (cluster mode): tells this
   * hub's nodes where else they may resume, and drops the nodes of hubs that
   * are gone (their grace period starts; they may resume on any hub).
   *
   * @param hubs The live hubs, this one included.
   */
  setLiveHubs(hubs: readonly { hubId: string; address: string }[]): void {
    const others = hubs.filter((hub) => hub.hubId !== this.hubId).map((hub) => hub.address)
      .sort();
    if (others.join(" ") !== this.#otherHubs.join(" ")) {
      this.#otherHubs = others;
      this.#outgoing.push({ push: { event: "hubs", hubs: others }, except: undefined });
      this.#scheduleFlush();
    }
    this.#liveHubIds = hubs.map((hub) => hub.hubId).sort();
    const live = new Set(hubs.map((hub) => hub.hubId)).add(this.hubId);
    for (const node of this.state.nodes.values()) {
      if (!node.present || live.has(node.hub)) continue;
      // Every hub may say so; the fold takes the first and ignores the rest.
      this.submit({ type: "drop", at: this.#clock.now(), node: node.node, epoch: node.epoch })
        .catch(() => {});
    }
  }

  /** Milliseconds since the epoch, by the hub's clock. */
  now(): number {
    return this.#clock.now();
  }

  /**
   * Runs a command at once, as {@linkcode Hub.submit} does on a single hub,
   * but without a promise: a request is then answered in the turn it was
   * read in. In a cluster the log orders commands: use `submit` there.
   *
   * @param command What is asked.
   * @param actor See {@linkcode Hub.submit}.
   * @returns What the command achieved, or why it was refused; `undefined`
   * in a cluster, where nothing was done.
   */
  submitNow(command: Command, actor?: Actor): Outcome | undefined {
    return this.#link ? undefined : this.#apply(command, actor);
  }

  /**
   * Runs a command: decides it against the state (on a single hub at once;
   * in a cluster once the log has it, in log order), stores the events it
   * causes, queues their pushes and arms or cancels timers. The caller
   * replies once {@linkcode Hub.committed} resolves.
   *
   * @param command What is asked.
   * @param actor The member whose request it is (`node` is `null` while it
   * is being admitted): it gets its reply before the pushes this command
   * causes, and not the push of its own action.
   * @returns What the command achieved, or why it was refused.
   * @throws {ClusterUnavailableError} In a cluster, when the log cannot be
   * reached or did not answer in time.
   */
  submit(command: Command, actor?: Actor): Promise<Outcome> {
    if (!this.#link) return Promise.resolve(this.#apply(command, actor));
    return this.#link.order(command, actor);
  }

  /** Decides a command in its turn (at once on a single hub; in log order in a cluster). */
  #apply(command: Command, actor: Actor | undefined): Outcome {
    // From here on, the pushes this command causes wait for its reply.
    if (actor) actor.member.awaitingReply = true;
    // This command's events are appended to the shared list from `first` on
    // and taken off at the end, whatever happens: no list and no callback
    // made per command.
    const first = this.#applied.length;
    try {
      return this.#applyCollected(command, actor, first);
    } finally {
      // Anything a nested command appended came after this one's and is gone already.
      this.#applied.length = first;
    }
  }

  /** The body of {@linkcode Hub.#apply}: decides, then records, queues and arms what the events cause. */
  #applyCollected(command: Command, actor: Actor | undefined, first: number): Outcome {
    const outcome = executeCommand(this.state, command, this.#collect);
    const last = this.#applied.length;
    if (actor && outcome.ok && outcome.kind === "admitted") {
      // A member from the moment its admission is decided, before any push
      // goes out: pushes of nodes admitted in the same turn reach it too.
      const stale = this.#members.get(outcome.node);
      if (stale !== actor.member) {
        // A second connection with the token wins: the first is most likely half-open.
        this.#members.delete(outcome.node);
        stale?.close();
        this.#members.set(outcome.node, actor.member);
        // It gets only what happens from now on, not the pushes queued before it came.
        this.#joinedAt.set(outcome.node, this.#outgoing.length);
      }
    }
    const now = this.#clock.now();
    for (let index = first; index < last; index++) {
      const item = this.#applied[index]!;
      const { event } = item;
      if (event.type === "ballot-opened") {
        item.push = { event: "ballot", ...this.ballotView(this.state.ballots.get(event.ballot)!) };
      }
      this.#journal.append(event, now);
      const summarised = item.push !== undefined && this.#summarised(item.push, now);
      // What nodes are not told one by one, the operator's log does not list one by one either.
      if (!this.#replaying) this.#onEvent?.(event, summarised ? undefined : item.push);
      if (item.push && !summarised) {
        const own = actor === undefined ? undefined : ownActionOf(event, actor.node, command);
        this.#outgoing.push({ push: item.push, except: own });
      }
      this.#effects(event);
    }
    if (last > first) this.#scheduleFlush();
    return outcome;
  }

  /**
   * Events of the commands being applied, each with its push. The push is
   * built here, before the fold, which forgets a departing node's name.
   */
  readonly #applied: { event: HubEvent; push: Push | undefined }[] = [];
  readonly #collect = (event: HubEvent): void => {
    this.#applied.push({ event, push: this.#toPush(event) });
  };

  /**
   * Admits a node that passed the gate: gives it a PIN and a resume token, and tells the others.
   *
   * @param member How to push to it.
   * @param peer Its address and port.
   * @param name The name it asked for, if any.
   * @returns Its identity and token.
   */
  async admit(
    member: Member,
    peer: { address: string; port: number },
    name?: string,
  ): Promise<Admission> {
    const token = createResumeToken();
    const outcome = await this.submit({
      type: "admit",
      at: this.#clock.now(),
      name: name ?? null,
      address: peer.address,
      port: peer.port,
      tokenHash: hashResumeToken(token),
      pinSeed: randomPinSeed(),
      hub: this.hubId,
    }, { node: null, member });
    if (!outcome.ok || outcome.kind !== "admitted") {
      throw new Error(`Cannot admit: ${outcome.ok ? outcome.kind : outcome.message}`);
    }
    return { node: outcome.node, pin: outcome.pin, name: outcome.name, token };
  }

  /**
   * Lets a node back in with its resume token, with its PIN and its votes.
   *
   * @param member The new connection.
   * @param token The token it was given.
   * @param peer Its address now.
   * @returns Its identity, or why not.
   */
  async resume(
    member: Member,
    token: string,
    peer: { address: string; port: number },
  ): Promise<Admission | ErrorReply> {
    const outcome = await this.submit({
      type: "resume",
      at: this.#clock.now(),
      tokenHash: hashResumeToken(token),
      address: peer.address,
      port: peer.port,
      hub: this.hubId,
    }, { node: null, member });
    if (!outcome.ok) {
      member.awaitingReply = false;
      return refuse(outcome.code, outcome.message);
    }
    if (outcome.kind !== "admitted") throw new Error(`Cannot resume: ${outcome.kind}`);
    return { node: outcome.node, pin: outcome.pin, name: outcome.name, token };
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
    const at = this.#clock.now();
    const epoch = this.state.nodes.get(node)?.epoch ?? 0;
    this.submit(how === "exit" ? { type: "exit", at, node } : { type: "drop", at, node, epoch })
      .catch(() => {});
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
   * Opens a ballot.
   *
   * @param terms Its terms, from `buildTerms`.
   * @param proposer Node that proposed it, `null` for the operator.
   * @param member The proposer's connection, when a node proposes.
   * @returns The ballot as nodes see it.
   */
  async openBallot(
    terms: BallotTerms,
    proposer: number | null,
    member?: Member,
  ): Promise<BallotView> {
    const outcome = await this.submit(
      { type: "propose", at: this.#clock.now(), node: proposer, terms },
      proposer !== null && member ? { node: proposer, member } : undefined,
    );
    if (!outcome.ok || outcome.kind !== "opened") {
      throw new Error(`Cannot open: ${outcome.ok ? outcome.kind : outcome.message}`);
    }
    return this.ballotView(this.state.ballots.get(outcome.ballot)!);
  }

  /**
   * Closes a ballot before its rule or deadline does.
   *
   * @param ballot Its id.
   * @param by The node asking (only its proposer may), `null` for the operator.
   * @returns How it closed, or why it cannot.
   */
  async closeBallot(ballot: number, by: number | null): Promise<DecisionView | ErrorReply> {
    const outcome = await this.submit({ type: "close", at: this.#clock.now(), node: by, ballot });
    if (!outcome.ok) return refuse(outcome.code, outcome.message);
    return this.decisionView(this.state.ballots.get(ballot)!);
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
    // In a cluster, one hub stopping does not end the election for the others.
    if (this.#link) return [];
    const open = openBallots(this.state);
    this.#apply({ type: "end", at: this.#clock.now() }, undefined);
    this.#flush();
    return open.map((ballot) => this.decisionView(ballot));
  }

  /**
   * Stops timers and stores what is pending; the journal is closed. After
   * {@linkcode Hub.end}, the journal marks the meeting as ended; otherwise it
   * stays open to be resumed.
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#link?.stop();
    for (const cancel of [...this.#deadlines.values(), ...this.#graceTimers.values()]) cancel();
    this.#cancelPresenceTick?.();
    clearTimeout(this.#flushTimer);
    try {
      this.#flush();
      if (this.#ending) this.#journal.end(this.#clock.now());
    } finally {
      this.#journal.close();
    }
  }

  /**
   * Writes a snapshot of the state at `position` when this hub is the one
   * that writes them (the first live hub by id, so that one hub does), then
   * drops the log before the previous snapshot: hubs that lag behind by less
   * than a snapshot interval still find every entry they need.
   */
  #snapshot(log: ReplicatedLog, position: number, hash: string): void {
    const writer = this.#liveHubIds[0] ?? this.hubId;
    if (writer !== this.hubId) return;
    // Taken now, synchronously: the state is exactly the one at `position`.
    const payload = encodeSnapshot(this.state, hash);
    const previous = this.#lastSnapshot;
    this.#lastSnapshot = position;
    (async () => {
      const bound = () => AbortSignal.timeout(10_000);
      await log.writeSnapshot(position, payload, bound());
      if (previous > 0) await log.compact(previous, bound());
    })().catch(() => {
      // A snapshot is an optimisation: the log still holds everything.
    });
  }

  /** Timers that follow from an event: they submit commands when they fire. */
  #effects(event: HubEvent): void {
    switch (event.type) {
      case "ballot-opened":
        this.#armDeadline(this.state.ballots.get(event.ballot)!);
        break;
      case "ballot-closed":
        this.#deadlines.get(event.ballot)?.();
        this.#deadlines.delete(event.ballot);
        break;
      case "dropped": {
        const record = this.state.nodes.get(event.node);
        if (this.#link && record && this.#members.has(event.node)) {
          // Another hub took this hub for gone (its lease lapsed) while the
          // node is still connected here: attach it again.
          this.submit({
            type: "resume",
            at: this.#clock.now(),
            tokenHash: record.tokenHash,
            address: record.address,
            port: record.port,
            hub: this.hubId,
          }).catch(() => {});
          break;
        }
        this.#startGrace(event.node, record?.epoch ?? 0);
        break;
      }
      case "resumed": {
        this.#graceTimers.get(event.node)?.();
        this.#graceTimers.delete(event.node);
        // The node came back through another hub: its connection here, most
        // likely half-open, gives way (the newest connection wins, as on one hub).
        const stale = this.#members.get(event.node);
        if (stale && (event.hub ?? LOCAL_HUB) !== this.hubId) {
          this.#members.delete(event.node);
          stale.close();
        }
        break;
      }
      case "left":
        this.#graceTimers.get(event.node)?.();
        this.#graceTimers.delete(event.node);
        break;
    }
  }

  /**
   * Whether a push is a presence change that goes into the next summary
   * instead of out on its own line (many changes at once).
   */
  #summarised(push: Push, now: number): boolean {
    if (push.event !== "joined" && push.event !== "left" && push.event !== "resumed") return false;
    // Replaying the log: nobody is connected yet to be told.
    if (this.#replaying || this.#presence.offer(push.event, now)) return false;
    this.#armPresenceTick();
    return true;
  }

  #armPresenceTick(): void {
    if (this.#cancelPresenceTick || this.#stopped) return;
    this.#cancelPresenceTick = this.#clock.setTimer(() => {
      this.#cancelPresenceTick = undefined;
      const counts = this.#presence.tick();
      if (counts) {
        const push = { event: "presence" as const, ...counts, connected: this.state.presentCount };
        this.#outgoing.push({ push, except: undefined });
        this.#scheduleFlush();
        this.#onPresence?.(push);
      }
      if (this.#presence.summarising) this.#armPresenceTick();
    }, this.#presence.windowMs);
  }

  #startGrace(node: number, epoch: number): void {
    this.#graceTimers.get(node)?.();
    const cancel = this.#clock.setTimer(() => {
      this.#graceTimers.delete(node);
      if (this.#members.has(node) || this.#stopped) return;
      this.submit({ type: "grace-over", at: this.#clock.now(), node, epoch }).catch(() => {});
    }, this.#graceMs);
    this.#graceTimers.set(node, cancel);
  }

  #armDeadline(ballot: Ballot): void {
    const deadline = ballot.terms.deadline;
    if (deadline === undefined || ballot.closed) return;
    const cancel = this.#clock.setTimer(() => {
      this.#deadlines.delete(ballot.id);
      if (ballot.closed || this.#stopped) return;
      // A timer may fire a millisecond before the clock reads the deadline.
      const at = Math.max(this.#clock.now(), deadline);
      this.submit({ type: "deadline", at, ballot: ballot.id }).catch(() => {});
    }, deadline - this.#clock.now());
    this.#deadlines.set(ballot.id, cancel);
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
    else this.#joinedAt.clear();
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
        return undefined; // Built in submit(), once the ballot exists.
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
    const encode = (dialect: Dialect, skip?: number, from = 0) => {
      let text = "";
      for (let index = from; index < outgoing.length; index++) {
        const { push, except } = outgoing[index]!;
        if (except === undefined || except !== skip) text += dialect.push(push);
      }
      return encoder.encode(text);
    };
    const joinedAt = this.#joinedAt;
    if (joinedAt.size > 0) this.#joinedAt = new Map();
    for (const [node, member] of this.#members) {
      let bytes: Uint8Array | undefined;
      if (actors.has(node) || joinedAt.has(node)) {
        bytes = encode(member.dialect, node, joinedAt.get(node) ?? 0);
        if (bytes.length === 0) continue;
      } else {
        bytes = shared.get(member.dialect);
        if (!bytes) {
          bytes = encode(member.dialect);
          shared.set(member.dialect, bytes);
        }
      }
      if (member.awaitingReply) member.defer(bytes);
      else member.send(bytes);
    }
  }
}

/**
 * The actor's node when an event is its own action, of which it learns from
 * its reply rather than from a push: its admission, resumption, new name,
 * stored info, or the ballot it proposed.
 */
function ownActionOf(event: HubEvent, actor: number | null, command: Command): number | undefined {
  switch (event.type) {
    case "joined":
    case "resumed":
      // While being admitted the actor has no node yet: the event names it.
      return actor === null || event.node === actor ? event.node : undefined;
    case "renamed":
    case "info-stored":
      return event.node === actor ? actor : undefined;
    case "ballot-opened":
      return command.type === "propose" && actor !== null && event.proposer === actor
        ? actor
        : undefined;
    default:
      return undefined;
  }
}
