/**
 * A hub whose process runs out of file descriptors says so, with the command
 * that fixes it, instead of stalling silently.
 */

import { ok as assert } from "node:assert/strict";
import { cliCommand } from "../_helpers/cli.ts";

Deno.test({
  name: "serve under ulimit -n 128: more connections than that get a warning naming ulimit -n",
  // ulimit in sh: Linux and macOS.
  ignore: Deno.build.os === "windows",
  async fn() {
    const serve = ["serve", "--host", "127.0.0.1", "--port", "0", "--no-announce"];
    const command = cliCommand([...serve, "--data", ":memory:"])
      .map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(" ");
    const child = new Deno.Command("sh", {
      args: ["-c", `ulimit -n 128 && exec ${command}`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const output = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let banner = "";
    while (!/listening on [^ ]*:(\d+)/u.test(banner)) {
      const { value, done } = await output.read();
      if (done) throw new Error(`serve did not start: ${banner}`);
      banner += value;
    }
    const port = Number(/listening on [^ ]*:(\d+)/u.exec(banner)![1]);
    // Keep the log flowing; the pipe must not fill.
    (async () => {
      while (!(await output.read().catch(() => ({ done: true }))).done) { /* drained */ }
    })();
    // Every wait below ends when the hub is stopped: at the latest after 15 s.
    const stop = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const connections: Deno.TcpConn[] = [];
    let text = "";
    try {
      for (let index = 0; index < 200; index++) {
        connections.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      }
      while (!text.includes("(or more)")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      clearTimeout(stop);
      for (const conn of connections) conn.close();
      try {
        child.kill("SIGTERM");
      } catch {
        // Already stopped by the timer.
      }
      await child.status;
      await reader.cancel().catch(() => {});
    }
    assert(
      text.includes(
        "newcomers wait until some leave. For up to 20000 (--max-connections), start the hub after ulimit -n 20064 (or more)",
      ),
      text,
    );
  },
});
