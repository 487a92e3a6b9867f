/**
 * The minimal Deno line server: reads lines, answers each with one line, no
 * logic. It is the floor of what any Deno TCP server can do on this machine,
 * so the hub's distance from it is the cost of the hub's own work.
 *
 * Run: `deno run --allow-net=127.0.0.1 bench/targets/deno_line_server.ts`;
 * it prints `listening on 127.0.0.1:PORT`.
 *
 * @module
 */

/** The answer to every line: as long as the hub's vote reply, so both move the same bytes. */
const REPLY = new TextEncoder().encode("ok line received by the minimal line server\n");

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  // A 4 KiB read buffer, as a plain Deno line server would use.
  const buffer = new Uint8Array(4096);
  let replies = new Uint8Array(REPLY.length * 16);
  try {
    for (;;) {
      const count = await conn.read(buffer);
      if (count === null) break;
      const chunk = buffer.subarray(0, count);
      let lines = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
      if (lines === 0) continue;
      if (replies.length < REPLY.length * lines) replies = new Uint8Array(REPLY.length * lines);
      for (let index = 0; index < lines; index++) replies.set(REPLY, index * REPLY.length);
      const out = replies.subarray(0, REPLY.length * lines);
      let offset = 0;
      while (offset < out.length) offset += await conn.write(out.subarray(offset));
    }
  } catch {
    // Reset by the peer: nothing to do but close.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

if (import.meta.main) {
  // As the hub does (see collectGarbageOnSignal in lib/cli/runtime.ts): with
  // `--v8-flags=--expose-gc`, SIGUSR2 runs a full garbage collection, so
  // that both memory readings after a collection compare.
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect === "function") Deno.addSignalListener("SIGUSR2", () => collect());
  // The same backlog as the hub, so that connect storms compare.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 4096 });
  console.log(`listening on 127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
  for await (const conn of listener) void serve(conn);
}
