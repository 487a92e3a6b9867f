/**
 * Bytes that arrive by events (a WebSocket's messages, a `node:net` socket's
 * data), read by pulling, as a `Deno.Conn` is read: the adapter every
 * event-driven transport needs to serve a reader that asks for bytes.
 *
 * @module
 */

/**
 * A queue of received chunks with a `read(buffer)` that waits for the next one.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * const queue = new ChunkQueue();
 * queue.push(new TextEncoder().encode("hello"));
 * queue.end();
 * const buffer = new Uint8Array(3);
 * strictEqual(await queue.read(buffer), 3);
 * strictEqual(await queue.read(buffer), 2);
 * strictEqual(await queue.read(buffer), null);
 * ```
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #unreadBytes = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  /** Bytes received and not read yet. */
  get unreadBytes(): number {
    return this.#unreadBytes;
  }

  /** Whether the stream has ended (what is queued can still be read). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Adds a chunk and wakes a waiting read; ignored once ended.
   *
   * @param chunk The bytes received.
   */
  push(chunk: Uint8Array): void {
    if (this.#ended) return;
    this.#chunks.push(chunk);
    this.#unreadBytes += chunk.length;
    this.#notify();
  }

  /** Ends the stream: reads return what is queued, then `null`. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /**
   * Reads queued bytes, waiting for a chunk when none is queued.
   *
   * @param buffer Where to put them.
   * @returns How many bytes, or `null` once the stream ended and all was read.
   */
  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#chunks[0]!;
    const count = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, count));
    if (count === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(count);
    this.#unreadBytes -= count;
    return count;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
