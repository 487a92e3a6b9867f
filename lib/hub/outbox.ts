/**
 * The single writer of one connection: a bounded queue of bytes written in
 * order, so that a node that stops reading costs the hub a bounded amount of
 * memory and never stalls anyone else.
 *
 * @module
 */

import { concatBytes } from "../protocol/bytes.ts";

/** Options for {@linkcode Outbox}. */
export interface OutboxOptions {
  /**
   * Bytes that may wait for a slow reader before it is given up on.
   * @default {1048576}
   */
  maxQueuedBytes?: number;
  /** Called once when the queue overflows or a write fails; the owner drops the connection. */
  onFailure: (reason: "overflow" | "write-failed") => void;
}

const encoder = new TextEncoder();

/**
 * Queues writes to one connection. `send` never waits: the caller (a
 * broadcast to thousands of nodes, say) goes on while each outbox drains at
 * its own reader's pace.
 */
export class Outbox {
  readonly #writer: { write(bytes: Uint8Array): Promise<number> };
  readonly #maxQueuedBytes: number;
  readonly #onFailure: OutboxOptions["onFailure"];
  /** Text is kept as text until written: a batch of replies is then encoded once. */
  #queue: (string | Uint8Array)[] = [];
  #queuedBytes = 0;
  #writing = false;
  #held = false;
  #drained: (() => void)[] = [];
  #failed = false;

  /**
   * Creates the outbox of a connection.
   *
   * @param writer The connection (anything with Deno.Conn's `write`).
   * @param options See {@linkcode OutboxOptions}.
   */
  constructor(writer: { write(bytes: Uint8Array): Promise<number> }, options: OutboxOptions) {
    this.#writer = writer;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
    this.#onFailure = options.onFailure;
  }

  /**
   * Queues text or already-encoded bytes (a broadcast encodes once for all).
   *
   * @param data What to write.
   */
  send(data: string | Uint8Array): void {
    if (this.#failed) return;
    if (!this.#writing && !this.#held) {
      // Fast path, the common one: nothing waiting, write at once.
      this.#write(typeof data === "string" ? encoder.encode(data) : data);
      return;
    }
    this.#queue.push(data);
    // A string's length undercounts its non-ASCII bytes; queued text is
    // replies, small beside the pushes that can make a queue overflow.
    this.#queuedBytes += data.length;
    if (this.#queuedBytes > this.#maxQueuedBytes) this.#fail("overflow");
  }

  /**
   * Queues what is sent from now on without writing it, until
   * {@linkcode Outbox.release}: the replies to a batch of pipelined requests
   * then leave in one write instead of one each (a write is a system call
   * and, on the peer's side, a wake-up).
   */
  hold(): void {
    this.#held = true;
  }

  /** Ends a {@linkcode Outbox.hold}: what was queued meanwhile is written, in one write. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (!this.#writing && this.#queue.length > 0) this.#writeQueued();
  }

  /**
   * Waits until everything queued so far is written (or writing failed).
   * Ends a {@linkcode Outbox.hold} first: what it queued is owed too.
   *
   * @returns When the queue is empty.
   */
  drained(): Promise<void> {
    this.release();
    if (!this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /**
   * Writes one chunk, then whatever was queued meanwhile, in one write: fewer
   * system calls when replies to pipelined requests pile up. Plain callbacks
   * rather than an async loop, because a broadcast starts this for thousands
   * of connections at once.
   */
  #write(bytes: Uint8Array): void {
    this.#writing = true;
    this.#writer.write(bytes).then((written) => {
      if (this.#failed) return;
      if (written < bytes.length) {
        this.#write(bytes.subarray(written));
      } else if (this.#queue.length > 0 && !this.#held) {
        this.#writeQueued();
      } else {
        this.#settle();
      }
    }, () => {
      // A peer that reset or closed: every write is handled here, so nothing
      // escapes as an unhandled BrokenPipe.
      this.#fail("write-failed");
    });
  }

  #writeQueued(): void {
    const chunk = joinQueued(this.#queue);
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#write(chunk);
  }

  #settle(): void {
    this.#writing = false;
    // Nearly always nobody waits: no array is copied at every write then.
    if (this.#drained.length === 0) return;
    for (const resolve of this.#drained.splice(0)) resolve();
  }

  #fail(reason: "overflow" | "write-failed"): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#settle();
    this.#onFailure(reason);
  }
}

/** One chunk of what was queued: runs of text are joined, then encoded once. */
function joinQueued(queue: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let text = "";
  for (const item of queue) {
    if (typeof item === "string") {
      text += item;
      continue;
    }
    if (text !== "") parts.push(encoder.encode(text));
    text = "";
    parts.push(item);
  }
  if (text !== "") parts.push(encoder.encode(text));
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}
