/**
 * The hub's shared part: the election state, who is connected, and pushes.
 * Every change goes through {@linkcode Hub.record} as an event, which folds
 * it into the state and pushes it to the nodes.
 *
 * @module
 */

import type { BallotQuestion, HubEvent } from "../election/events.ts";
import {
  applyEvent,
  createElectionState,
  type ElectionState,
  evaluateRound,
} from "../election/state.ts";
import type { Dialect } from "../protocol/dialect.ts";
import type { DecisionView, Push, RoundView } from "../protocol/messages.ts";
import type { Gate } from "./gate.ts";
import { PinPool } from "./pin_pool.ts";

/** What the hub needs of a connected, admitted session to push to it. */
export interface Member {
  /** The dialect its peer speaks. */
  readonly dialect: Dialect;
  /** Queues bytes for the peer without waiting. */
  send(data: string | Uint8Array): void;
}

/** Options for {@linkcode Hub}. */
export interface HubOptions {
  /** The question every round asks. */
  ballot: BallotQuestion;
  /** The gate nodes pass first. */
  gate: Gate;
  /**
   * Called with every recorded event after it is applied, and with what was
   * pushed for it (none for a vote), for the operator's log.
   */
  onEvent?: (event: HubEvent, push: Push | undefined) => void;
}

const encoder = new TextEncoder();

/** The state and membership of one hub; sessions call it, it calls no session back but to push. */
export class Hub {
  /** Everything decided and recorded so far. */
  readonly state: ElectionState;
  /** The gate nodes pass first. */
  readonly gate: Gate;
  readonly #members = new Map<number, Member>();
  readonly #pins = new PinPool();
  readonly #onEvent: HubOptions["onEvent"];

  /** Creates a hub with round 1 open and nobody connected. */
  constructor(options: HubOptions) {
    this.state = createElectionState(options.ballot);
    this.gate = options.gate;
    this.#onEvent = options.onEvent;
  }

  /**
   * Admits a node that passed the gate: gives it a PIN and tells the others.
   *
   * @param member How to push to it.
   * @param peer Its address and port.
   * @param name The name it asked for, if any.
   * @returns Its PIN and name.
   */
  admit(
    member: Member,
    peer: { address: string; port: number },
    name?: string,
  ): { pin: number; name: string } {
    const pin = this.#pins.allocate();
    const chosen = name ?? `node-${pin}`;
    this.#members.set(pin, member);
    this.record({ type: "joined", pin, name: chosen, address: peer.address, port: peer.port }, pin);
    return { pin, name: chosen };
  }

  /**
   * Removes a node that left or dropped; its vote stays counted, the rule is
   * evaluated again since there are fewer connected nodes now.
   *
   * @param pin The node's PIN.
   * @param reason `exit` when it said so, `dropped` otherwise.
   */
  depart(pin: number, reason: "exit" | "dropped"): void {
    if (!this.#members.delete(pin)) return;
    this.record({ type: "left", pin, reason });
    this.#pins.release(pin);
    this.settle();
  }

  /**
   * Records an event: applies it to the state, tells the operator's log, and
   * pushes it to the nodes.
   *
   * @param event The event.
   * @param actor PIN of the node whose own action it is; it gets a reply and
   * is not also pushed the event.
   */
  record(event: HubEvent, actor?: number): void {
    // The name must be read before the fold forgets a departing node.
    const push = this.#toPush(event);
    applyEvent(this.state, event);
    this.#onEvent?.(event, push);
    if (push) this.#broadcast(push, actor);
    if (event.type === "decided") this.#broadcast({ event: "round", ...this.openRound() });
  }

  /**
   * Runs the rule on the open round and records a decision when it makes one.
   * Called after a vote's reply is sent, so the voter reads its reply first.
   */
  settle(): void {
    const decided = evaluateRound(this.state);
    if (decided) this.record(decided);
  }

  /** The open round, as nodes see it. */
  openRound(): RoundView {
    return {
      round: this.state.round,
      question: this.state.ballot.question,
      options: this.state.ballot.options,
    };
  }

  /**
   * A decided round, as nodes see it.
   *
   * @param decision The round from the state.
   * @returns The round with its option's label.
   */
  describeDecision(decision: Omit<DecisionView, "label">): DecisionView {
    const label =
      this.state.ballot.options.find((option) => option.key === decision.option)?.label ?? "";
    return {
      round: decision.round,
      option: decision.option,
      label,
      counts: decision.counts,
      connected: decision.connected,
      reason: decision.reason,
    };
  }

  /** Number of connected admitted nodes. */
  get memberCount(): number {
    return this.#members.size;
  }

  #toPush(event: HubEvent): Push | undefined {
    const node = "pin" in event ? this.state.nodes.get(event.pin) : undefined;
    switch (event.type) {
      case "joined":
        return {
          event: "joined",
          pin: event.pin,
          name: event.name,
          address: event.address,
          port: event.port,
        };
      case "left":
        return { event: "left", pin: event.pin, name: node?.name ?? "", reason: event.reason };
      case "renamed":
        return { event: "renamed", pin: event.pin, name: event.name, previous: node?.name ?? "" };
      case "info-stored":
        return { event: "stored", pin: event.pin, name: node?.name ?? "" };
      case "decided":
        return { event: "consensus", ...this.describeDecision(event) };
      case "voted":
        return undefined;
    }
  }

  /** Encodes once per dialect, then queues the same bytes to every member. */
  #broadcast(push: Push, except?: number): void {
    let text: Uint8Array | undefined;
    let json: Uint8Array | undefined;
    for (const [pin, member] of this.#members) {
      if (pin === except) continue;
      if (member.dialect.name === "text") {
        text ??= encoder.encode(member.dialect.push(push));
        member.send(text);
      } else {
        json ??= encoder.encode(member.dialect.push(push));
        member.send(json);
      }
    }
  }
}
