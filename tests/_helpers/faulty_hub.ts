/**
 * Deliberately wrong hubs for the conformance checker's tests: small
 * `Deno.listen` servers on 127.0.0.1 that either misbehave on their own or
 * pass a real hub's lines through with one fault added (a line dropped or
 * rewritten), so that exactly that fault is what the checker must name.
 *
 * @module
 */

import { LineSource } from "../../lib/protocol/line_source.ts";

/** A fake hub that is listening; `await using` closes it and every connection. */
export interface FakeHub extends AsyncDisposable {
  /** Its port on 127.0.0.1. */
  port: number;
}

const encoder = new TextEncoder();

/**
 * Serves each connection with a handler, on 127.0.0.1 and a free port.
 *
 * @param handle Talks to one connection; the connection is closed after it.
 * @returns The fake hub.
 */
export function serveFake(handle: (conn: Deno.Conn) => Promise<void>): FakeHub {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      handlers.push(
        handle(conn).catch(() => {}).finally(() => {
          open.delete(conn);
          closeQuietly(conn);
        }),
      );
    }
  })().catch(() => {});
  return {
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of open) closeQuietly(conn);
      await accepting;
      await Promise.all(handlers);
    },
  };
}

/**
 * A hub in front of a real one that changes what the real one says: each line
 * the real hub sends goes through `rewrite`, which returns the lines to send
 * instead (none to drop it). What the node sends passes unchanged.
 *
 * @param upstreamPort The real hub's port on 127.0.0.1.
 * @param rewrite The fault.
 * @returns The fake hub.
 */
export function relayWithFault(
  upstreamPort: number,
  rewrite: (line: string) => string[],
): FakeHub {
  return serveFake(async (conn) => {
    const upstream = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
    try {
      // What the node sends goes through as it is; this ends when either side closes.
      conn.readable.pipeTo(upstream.writable).catch(() => {});
      const lines = new LineSource(upstream, { maxLineBytes: 1 << 24 });
      for (;;) {
        const item = await lines.next();
        if (!item) break;
        if (item.kind !== "line") continue;
        for (const line of rewrite(item.text)) await writeAll(conn, `${line}\n`);
      }
      // The real hub closed: so does the fake one (the handler's end closes `conn`).
    } finally {
      closeQuietly(upstream);
    }
  });
}

/**
 * Writes text to a connection.
 *
 * @param conn The connection.
 * @param text What to write.
 */
export async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
