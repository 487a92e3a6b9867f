/**
 * The start-up baseline: a minimal Deno script that connects, sends a line,
 * reads one line back and exits. `consensus join` is timed against it.
 *
 * Run: `deno run --allow-net bench/targets/minimal_client.ts HOST PORT`.
 *
 * @module
 */

if (import.meta.main) {
  const [host = "127.0.0.1", port = "7337"] = Deno.args;
  const conn = await Deno.connect({ hostname: host, port: Number(port) });
  await conn.write(new TextEncoder().encode("a\n"));
  const buffer = new Uint8Array(4096);
  while (true) {
    const count = await conn.read(buffer);
    if (count === null || buffer.subarray(0, count).includes(10)) break;
  }
  conn.close();
}
