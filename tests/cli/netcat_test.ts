/**
 * The README's netcat line works against the real program: a plain TCP
 * client with no knowledge of our code takes part.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startServe } from "../_helpers/cli.ts";
import { requireTool } from "../_helpers/tools.ts";

Deno.test("printf 'keyboard\\nvote A\\nstats\\nexit\\n' | nc HOST PORT", {
  ignore: !requireTool("nc", "netcat-openbsd"),
}, async () => {
  await using hub = await startServe([
    "--riddle",
    "What has keys but can't open locks?",
    "--answer",
    "keyboard",
  ]);
  const script = `printf 'keyboard\\nvote A\\nstats\\nexit\\n' | nc 127.0.0.1 ${hub.port}`;
  const result = await new Deno.Command("sh", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(10_000),
  }).output();
  const lines = new TextDecoder().decode(result.stdout).split("\n");
  assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
  assert(lines[0]!.startsWith("# consensus/1 hub"), lines.join("\n"));
  assert(lines[1]!.startsWith("# challenge pbkdf2-sha256 "), lines[1]);
  assertEquals(lines[2], "? What has keys but can't open locks?");
  assert(
    lines.some((line) => /^ok admitted: your PIN is \d{3}, your name is node-\d{3}$/u.test(line)),
  );
  assert(lines.includes("ok vote A (be able to fly) recorded on ballot 1"), lines.join("\n"));
  assert(lines.includes("ok stats: 1 open ballot, 0 closed shown; 3 rows"), lines.join("\n"));
  assert(lines.includes("  A 1 100% be able to fly"), lines.join("\n"));
  assertEquals(lines.at(-2), "ok bye");
});
