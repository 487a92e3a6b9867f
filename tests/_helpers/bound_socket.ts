/**
 * A TCP connection from a chosen loopback address (127.0.0.2, 127.0.0.3, ...),
 * so that tests can play several machines on one. Deno.connect cannot pick
 * its source address; node:net can.
 *
 * @module
 */

import net from "node:net";

/** The part of Deno.Conn that the test clients use. */
export interface ConnLike {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
}

/**
 * Connects to 127.0.0.1:port from a loopback source address.
 *
 * @param port The hub's port.
 * @param source The source address, e.g. `127.0.0.9`.
 * @returns The connection.
 */
export function connectFrom(port: number, source: string): Promise<ConnLike> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: source });
    const chunks: Uint8Array[] = [];
    let ended = false;
    let waiting: (() => void) | undefined;
    const wake = () => {
      waiting?.();
      waiting = undefined;
    };
    socket.on("data", (data: Uint8Array) => {
      chunks.push(new Uint8Array(data));
      wake();
    });
    socket.on("end", () => {
      ended = true;
      wake();
    });
    socket.on("close", () => {
      ended = true;
      wake();
    });
    socket.on("error", () => {
      ended = true;
      wake();
    });
    socket.once("connect", () =>
      resolve({
        async read(buffer) {
          while (chunks.length === 0) {
            if (ended) return null;
            await new Promise<void>((done) => waiting = done);
          }
          const chunk = chunks[0]!;
          const count = Math.min(chunk.length, buffer.length);
          buffer.set(chunk.subarray(0, count));
          if (count === chunk.length) chunks.shift();
          else chunks[0] = chunk.subarray(count);
          return count;
        },
        write(bytes) {
          return new Promise((done, fail) =>
            socket.write(bytes, (error?: Error | null) => error ? fail(error) : done(bytes.length))
          );
        },
        close() {
          socket.destroy();
        },
      }));
    socket.once("error", reject);
  });
}
