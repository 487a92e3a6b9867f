/**
 * A plain WebSocket client for the hub's web transport: it sends lines as
 * messages and reads the lines the hub sends, as a browser page would.
 *
 * @module
 */

import { computeProof, deriveGateKey, parseChallengeLine } from "../../lib/protocol/gate_proof.ts";

const WAIT_MS = 5000;

/** One WebSocket to the hub's web server. */
export class WsClient implements Disposable {
  /** Every line received so far, in order. */
  readonly transcript: string[] = [];
  /** Whether the socket closed. */
  closed = false;
  readonly #socket: WebSocket;
  #read = 0;
  #wake: (() => void) | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      this.transcript.push(String(event.data));
      this.#wake?.();
    };
    socket.onclose = () => {
      this.closed = true;
      this.#wake?.();
    };
  }

  /**
   * Opens a socket and waits until it is open.
   *
   * @param url `ws://...`.
   * @returns The client.
   */
  static async open(url: string): Promise<WsClient> {
    const socket = new WebSocket(url);
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Cannot open ${url} in time`)), WAIT_MS);
      socket.addEventListener("open", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
      socket.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error(`Cannot open ${url}`));
      }, { once: true });
    });
    return client;
  }

  /**
   * Sends one line (a JSON value is encoded first).
   *
   * @param line Text, or a value to send as JSON.
   */
  send(line: unknown): void {
    this.#socket.send(typeof line === "string" ? line : JSON.stringify(line));
  }

  /**
   * Reads lines until one matches, and returns it.
   *
   * @param match The test.
   * @returns The line.
   */
  async readUntil(match: (line: string) => boolean): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      while (this.#read < this.transcript.length) {
        const line = this.transcript[this.#read++]!;
        if (match(line)) return line;
      }
      if (this.closed) throw new Error(`Closed before the line:\n${this.transcript.join("\n")}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No such line:\n${this.transcript.join("\n")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /**
   * Reads lines until a JSON object with this event or field value comes.
   *
   * @param field A field name.
   * @param value Its value.
   * @returns The object.
   */
  async readJson(field: string, value: unknown): Promise<Record<string, unknown>> {
    const line = await this.readUntil((text) =>
      text.startsWith("{") && JSON.parse(text)[field] === value
    );
    return JSON.parse(line);
  }

  /**
   * Waits for the socket to close.
   *
   * @returns The lines received.
   */
  async closedByHub(): Promise<string[]> {
    const deadline = Date.now() + WAIT_MS;
    while (!this.closed && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (!this.closed) throw new Error("The hub did not close the socket");
    return this.transcript;
  }

  /** Closes the socket. */
  close(): void {
    if (!this.closed) this.#socket.close();
  }

  /** Closes the socket. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Proves the answer to the challenge received, as `consensus join` does.
   *
   * @param answer The gate answer.
   * @param extra More fields for the first JSON line (a name).
   */
  async prove(answer: string, extra: Record<string, unknown> = {}): Promise<void> {
    let challenge = undefined;
    const line = await this.readUntil((text) =>
      text.startsWith("# challenge ") || (text.startsWith("{") && text.includes('"ask":"gate"'))
    );
    challenge = line.startsWith("#") ? parseChallengeLine(line) : JSON.parse(line).challenge;
    const key = await deriveGateKey(answer, challenge!.salt, challenge!.iterations);
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const proof = await computeProof(key, "node", challenge!.nonce, nonce);
    this.send({ ...extra, proof, nonce });
  }
}

/**
 * Sends a WebSocket handshake by hand, with the headers a browser would
 * send, and gives the status code of the answer.
 *
 * @param port The web server's port.
 * @param path Path and query.
 * @param origin The `Origin` header, if any.
 * @returns The HTTP status.
 */
export async function handshakeStatus(
  port: number,
  path: string,
  origin: string | undefined,
): Promise<number> {
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const request = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...(origin === undefined ? [] : [`Origin: ${origin}`]),
    "",
    "",
  ].join("\r\n");
  await conn.write(new TextEncoder().encode(request));
  const buffer = new Uint8Array(1024);
  const count = await conn.read(buffer);
  const status = /^HTTP\/1\.1 (\d{3})/u.exec(new TextDecoder().decode(buffer.subarray(0, count!)));
  return Number(status?.[1] ?? 0);
}
