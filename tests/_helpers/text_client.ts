/**
 * A raw TCP client that speaks only the text dialect, as netcat or another
 * team's 20-line socket script would: it writes lines and reads lines.
 *
 * @module
 */

import { LineSource } from "../../lib/protocol/line_source.ts";
import { type ByteConnection, connectFrom } from "../../bench/source_address.ts";

/** How long a test waits for one expected line before failing. */
const WAIT_MS = 5000;

/** One raw connection. */
export class TextClient {
  /** Every line read so far, in order. */
  readonly transcript: string[] = [];
  readonly #conn: ByteConnection;
  readonly #lines: LineSource;
  readonly #encoder = new TextEncoder();
  #closed = false;

  private constructor(conn: ByteConnection) {
    this.#conn = conn;
    this.#lines = new LineSource(conn, { maxLineBytes: 1 << 20 });
  }

  /**
   * Connects to a port on 127.0.0.1, from 127.0.0.1 or from another loopback address.
   *
   * @param port The hub's port.
   * @param source A loopback source address such as `127.0.0.5`, to play another machine.
   */
  static async connect(port: number, source?: string): Promise<TextClient> {
    const conn = source === undefined
      ? await Deno.connect({ hostname: "127.0.0.1", port })
      : await connectFrom("127.0.0.1", port, source);
    return new TextClient(conn);
  }

  /** Connects, answers the gate, and reads up to the admission line; returns the PIN. */
  static async admitted(
    port: number,
    answer = "keyboard",
    source?: string,
  ): Promise<{ client: TextClient; pin: number }> {
    const client = await TextClient.connect(port, source);
    await client.readUntil((line) => line.startsWith("? "));
    await client.send(answer);
    const line = await client.readUntil((text) => text.startsWith("ok admitted"));
    const pin = Number(/PIN is (\d+)/u.exec(line)![1]);
    return { client, pin };
  }

  /** Sends raw bytes or a line (a newline is added to strings). */
  async send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? this.#encoder.encode(`${data}\n`) : data;
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  /**
   * Reads lines until one matches; fails after 5 s.
   *
   * @returns The matching line.
   */
  async readUntil(match: (line: string) => boolean, waitMs = WAIT_MS): Promise<string> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const line = await this.readLine(deadline - Date.now());
      if (line === undefined) {
        throw new Error(
          `Connection closed before the expected line; transcript:\n${this.transcript.join("\n")}`,
        );
      }
      if (match(line)) return line;
    }
  }

  /** Reads one line, or `undefined` when the hub closed the connection. */
  async readLine(waitMs = WAIT_MS): Promise<string | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`No line within ${waitMs} ms; transcript:\n${this.transcript.join("\n")}`),
          ),
        Math.max(0, waitMs),
      );
    });
    try {
      const item = await Promise.race([this.#lines.next(), timeout]);
      if (item === undefined) return undefined;
      const line = item.kind === "line" ? item.text : `<${item.kind}>`;
      this.transcript.push(line);
      return line;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads until the hub closes the connection; returns the lines read meanwhile. */
  async readToEnd(waitMs = WAIT_MS): Promise<string[]> {
    const lines: string[] = [];
    const deadline = Date.now() + waitMs;
    for (;;) {
      const line = await this.readLine(deadline - Date.now());
      if (line === undefined) return lines;
      lines.push(line);
    }
  }

  /** Closes the connection (abruptly, as a dropped peer would). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the hub.
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
