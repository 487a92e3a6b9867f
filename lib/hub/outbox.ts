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
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #writing = false;
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
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (!this.#writing) {
      // Fast path, the common one: nothing waiting, write at once.
      this.#write(bytes);
      return;
    }
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    if (this.#queuedBytes > this.#maxQueuedBytes) this.#fail("overflow");
  }

  /**
   * Waits until everything queued so far is written (or writing failed).
   *
   * @returns When the queue is empty.
   */
  drained(): Promise<void> {
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
      } else if (this.#queue.length > 0) {
        const chunk = this.#queue.length === 1 ? this.#queue[0]! : concatBytes(this.#queue);
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#write(chunk);
      } else {
        this.#settle();
      }
    }, () => {
      // A peer that reset or closed: every write is handled here, so nothing
      // escapes as an unhandled BrokenPipe.
      this.#fail("write-failed");
    });
  }

  #settle(): void {
    this.#writing = false;
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
