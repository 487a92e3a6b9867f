import { match, strictEqual } from "node:assert/strict";

/** Runs `deno task bench:votes --votes VOTES` from the project's root. */
async function benchVotes(votes: string): Promise<{ code: number; out: string; err: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bench:votes", "--votes", votes],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    out: decoder.decode(output.stdout),
    err: decoder.decode(output.stderr),
  };
}

Deno.test("deno task bench:votes prints the bytes and time per vote of both dialects", async () => {
  const { code, out, err } = await benchVotes("2000");
  strictEqual(code, 0, err);
  match(out, /1000 members, 2,000 votes per dialect/);
  match(out, /^ {2}text {2}[1-9]\d* bytes allocated per vote, \d+ ns per vote$/m);
  match(out, /^ {2}json {2}[1-9]\d* bytes allocated per vote, \d+ ns per vote$/m);
});

Deno.test("deno task bench:votes refuses a count that is not a whole number", async () => {
  const { code, err } = await benchVotes("many");
  strictEqual(code, 2);
  match(err, /--votes takes a whole number above 0, got many/);
});
