/**
 * Connections from other loopback source addresses (127.0.0.2, ...), for
 * runs with more nodes than one source address has ephemeral ports towards
 * one target (about 28,000 on Linux).
 *
 * `Deno.connect` has no local-address option in Deno 2.9.6 (an extra
 * `localAddr` field is ignored: the connection still comes from 127.0.0.1),
 * but `node:net`'s `connect({ localAddress })` binds the socket first and
 * works. Its socket is pushed data by events; {@linkcode connectFrom} wraps
 * it in the pull-style `read`/`write`/`close` of a `Deno.TcpConn`, so that
 * the load generator's client serves both. Only runs past the threshold take
 * this path: the measured runs at up to 10,000 nodes keep `Deno.connect`.
 *
 * @module
 */

import { connect, type Socket } from "node:net";
import { ChunkQueue } from "../lib/protocol/chunk_queue.ts";

/** What the load generator's client needs of a connection: `Deno.TcpConn` has it. */
export interface ByteConnection {
  /**
   * Reads into `buffer`.
   *
   * @param buffer Where the bytes go.
   * @returns How many were read, or null at the end of the stream.
   */
  read(buffer: Uint8Array): Promise<number | null>;
  /**
   * Writes some or all of `bytes`.
   *
   * @param bytes What to send.
   * @returns How many were written.
   */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection. */
  close(): void;
}

/**
 * Source addresses used at most: the load generator's net permission lists
 * them one by one (Deno grants match hosts literally).
 */
export const MAX_SOURCE_ADDRESSES = 16;

/**
 * Every source address the load generator may use, for its `--allow-net`.
 *
 * @returns `127.0.0.1` to `127.0.0.16`.
 */
export function sourceAddresses(): string[] {
  return Array.from({ length: MAX_SOURCE_ADDRESSES }, (_, index) => `127.0.0.${index + 1}`);
}

/**
 * The source address of client `index` in a run of `nodes`: none (the
 * default, 127.0.0.1) up to `spreadAbove` nodes; past it the clients take
 * 127.0.0.1, 127.0.0.2, ... in turn, as many addresses as make at most
 * `spreadAbove` clients each (at most {@linkcode MAX_SOURCE_ADDRESSES}).
 *
 * @param index The client, from 0.
 * @param nodes Clients in the run.
 * @param spreadAbove The threshold.
 * @returns The address, or undefined for the default path.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { sourceAddressFor } from "./source_address.ts";
 * strictEqual(sourceAddressFor(7, 10_000, 25_000), undefined);
 * strictEqual(sourceAddressFor(0, 50_000, 25_000), "127.0.0.1");
 * strictEqual(sourceAddressFor(1, 50_000, 25_000), "127.0.0.2");
 * ```
 */
export function sourceAddressFor(
  index: number,
  nodes: number,
  spreadAbove: number,
): string | undefined {
  if (nodes <= spreadAbove) return undefined;
  const count = Math.min(MAX_SOURCE_ADDRESSES, Math.ceil(nodes / Math.max(1, spreadAbove)));
  return `127.0.0.${(index % count) + 1}`;
}

/**
 * Connects to `host:port` from `localAddress`.
 *
 * @param host The target's address.
 * @param port The target's port.
 * @param localAddress The source address, e.g. `127.0.0.2`.
 * @returns The connection, with Nagle's algorithm off as on the default path.
 * @throws {Error} When the connection fails.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { connectFrom } from "./source_address.ts";
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const client = await connectFrom("127.0.0.1", listener.addr.port, "127.0.0.2");
 * const server = await listener.accept();
 * strictEqual(server.remoteAddr.hostname, "127.0.0.2");
 * client.close();
 * server.close();
 * ```
 */
export function connectFrom(
  host: string,
  port: number,
  localAddress: string,
): Promise<ByteConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress });
    const fail = (error: Error) => reject(error);
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.off("error", fail);
      socket.setNoDelay(true);
      resolve(new SocketConnection(socket));
    });
  });
}

/** A `node:net` socket read by pulling: each data event is held until read, the socket paused meanwhile. */
class SocketConnection implements ByteConnection {
  readonly #socket: Socket;
  readonly #incoming = new ChunkQueue();

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Uint8Array) => {
      this.#incoming.push(chunk);
      // Backpressure: nothing more is read from the kernel until this is taken.
      socket.pause();
    });
    const end = () => this.#incoming.end();
    socket.on("end", end);
    socket.on("close", end);
    // Reset by the peer: the read loop sees the end, as with Deno.TcpConn.
    socket.on("error", end);
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    const count = await this.#incoming.read(buffer);
    if (this.#incoming.unreadBytes === 0 && !this.#incoming.ended) this.#socket.resume();
    return count;
  }

  write(bytes: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#incoming.ended) {
        reject(new Error("Cannot write: the connection is closed"));
        return;
      }
      this.#socket.write(bytes, (error) => error ? reject(error) : resolve(bytes.length));
    });
  }

  close(): void {
    this.#incoming.end();
    this.#socket.destroy();
  }
}
