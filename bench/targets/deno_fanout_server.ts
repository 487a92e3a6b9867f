/**
 * The minimal Deno fan-out server: the least a Deno program does to push one
 * line to thousands of connections. A connection that sends `subscribe` is
 * told `ok subscribed`; a `publish TEXT` line is then written as
 * `! consensus TEXT` to every subscriber, encoded once, one write each, and
 * the publisher is told `ok published`. Any other line gets `ok`.
 *
 * It is the floor of the broadcast for any Deno server on this machine, as
 * Redis PUBLISH is the floor of a server written in C: the hub's distance
 * from each says how much is its own work and how much the runtime's.
 *
 * Run: `deno run --allow-net=127.0.0.1 bench/targets/deno_fanout_server.ts`;
 * it prints `listening on 127.0.0.1:PORT`.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SUBSCRIBED = encoder.encode("ok subscribed\n");
const PUBLISHED = encoder.encode("ok published\n");
const OK = encoder.encode("ok\n");

const subscribers = new Set<Deno.TcpConn>();

/** Writes without waiting: the fan-out goes on while each socket drains. */
function send(conn: Deno.TcpConn, bytes: Uint8Array): void {
  conn.write(bytes).catch(() => subscribers.delete(conn));
}

function answer(conn: Deno.TcpConn, line: string): void {
  if (line === "subscribe") {
    subscribers.add(conn);
    send(conn, SUBSCRIBED);
  } else if (line.startsWith("publish ")) {
    const push = encoder.encode(`! consensus ${line.slice("publish ".length)}\n`);
    for (const subscriber of subscribers) send(subscriber, push);
    send(conn, PUBLISHED);
  } else {
    send(conn, OK);
  }
}

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const buffer = new Uint8Array(4096);
  // A line cut by the end of a read waits here for the rest.
  let partial = "";
  try {
    for (;;) {
      const count = await conn.read(buffer);
      if (count === null) break;
      const lines = (partial + decoder.decode(buffer.subarray(0, count))).split("\n");
      partial = lines.pop()!;
      for (const line of lines) answer(conn, line.trimEnd());
    }
  } catch {
    // Reset by the peer: nothing to do but close.
  } finally {
    subscribers.delete(conn);
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

if (import.meta.main) {
  // The same backlog as the hub, so that its connect storm compares.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });
  console.log(`listening on 127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  for await (const conn of listener) void serve(conn);
}
