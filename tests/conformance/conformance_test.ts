/**
 * `consensus conformance`: it passes against our hub in both dialects, and
 * fails, naming the right checks, against deliberately wrong hubs.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startServe } from "../_helpers/cli.ts";
import { relayWithFault, serveFake, writeAll } from "../_helpers/faulty_hub.ts";

const GATE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

interface Result {
  id: string;
  status: "pass" | "fail" | "skip";
  required: boolean;
}

/** Runs the checker with --json; returns its exit code and results by id. */
async function check(port: number, address = `127.0.0.1:${port}`, extra: string[] = []) {
  const run = await runCli(
    ["conformance", address, "--answer", "keyboard", "--json", "--step-timeout", "3", ...extra],
    60_000,
  );
  const report = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  const status = new Map<string, string>(
    (report.results as Result[]).map((result) => [result.id, result.status]),
  );
  const failed = (report.results as Result[]).filter((result) => result.status === "fail")
    .map((result) => result.id);
  return { code: run.code, conforms: report.conforms as boolean, status, failed, run };
}

Deno.test("our hub passes every required check, in both dialects", async () => {
  await using hub = await startServe(GATE);
  const { code, conforms, status, failed } = await check(hub.port);
  assertEquals(failed, []);
  assertEquals(conforms, true);
  assertEquals(code, 0);
  for (
    const id of [
      "text.greeting",
      "text.pin",
      "text.setup-prompt",
      "text.push-joined",
      "text.push-consensus",
      "text.vote-counted-once",
      "text.error-invalid-utf8",
      "text.resume",
      "json.offered",
      "json.gate-proof",
      "json.answer-pending",
      "json.push-consensus",
      "json.exit",
    ]
  ) assertEquals(status.get(id), "pass", id);
  // Without --allow-propose, propose is an optional part this hub does not offer.
  assertEquals(status.get("text.propose"), "skip");
});

Deno.test("with --allow-propose, propose and close are checked too", async () => {
  await using hub = await startServe([...GATE, "--allow-propose"]);
  const { code, status, failed } = await check(hub.port);
  assertEquals(failed, []);
  assertEquals(code, 0);
  for (const id of ["text.propose", "text.push-ballot", "json.propose", "json.push-consensus"]) {
    assertEquals(status.get(id), "pass", id);
  }
});

Deno.test("over TLS, with the CA of consensus certs, our hub passes", async () => {
  const directory = await Deno.makeTempDir({ prefix: "consensus-conformance-tls-" });
  try {
    const made = await runCli(["certs", directory]);
    assertEquals(made.code, 0, made.stderr);
    await using hub = await startServe([
      ...GATE,
      "--tls-cert",
      `${directory}/hub.pem`,
      "--tls-key",
      `${directory}/hub-key.pem`,
      "--tls-port",
      "0",
    ]);
    const tlsLine = await hub.waitForLine((line) => line.startsWith("  TLS on port "));
    const tlsPort = Number(tlsLine.split(" ").at(-1));
    const { code, failed, status } = await check(tlsPort, `tls://127.0.0.1:${tlsPort}`, [
      "--tls-ca",
      `${directory}/ca.pem`,
    ]);
    assertEquals(failed, []);
    assertEquals(code, 0);
    assertEquals(status.get("json.push-consensus"), "pass");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("a hub without a greeting fails text.greeting", async () => {
  await using fake = serveFake(async (conn) => {
    await writeAll(conn, "# challenge pbkdf2-sha256 c2FsdA== 1000 bm9uY2U=\n? What?\n");
    const buffer = new Uint8Array(1024);
    while (await conn.read(buffer) !== null) { /* reads until the checker goes */ }
  });
  const { code, conforms, status, failed } = await check(fake.port);
  assertEquals(code, 1);
  assertEquals(conforms, false);
  assertEquals(status.get("text.greeting"), "fail");
  assert(failed.includes("text.challenge"), "what needs the greeting is not shown to hold");
});

Deno.test("a hub that gives a PIN of the wrong form fails text.pin", async () => {
  await using hub = await startServe(GATE);
  await using fake = relayWithFault(hub.port, (line) => [
    line.replace(/^ok (admitted|resumed): your PIN is (\d+)/u, "ok $1: your PIN is 0$2"),
  ]);
  const { code, status } = await check(fake.port);
  assertEquals(code, 1);
  assertEquals(status.get("text.greeting"), "pass");
  assertEquals(status.get("text.gate-proof"), "pass");
  assertEquals(status.get("text.pin"), "fail");
});

Deno.test("a hub that pushes no consensus fails the consensus checks", async () => {
  await using hub = await startServe(GATE);
  await using fake = relayWithFault(
    hub.port,
    (line) => line.startsWith("! consensus ") || line.includes('"event":"consensus"') ? [] : [line],
  );
  const { code, status, failed } = await check(fake.port);
  assertEquals(code, 1);
  assertEquals(failed, ["text.push-consensus", "json.push-consensus"]);
  assertEquals(status.get("text.vote-inline"), "pass");
});

Deno.test("a hub that counts a vote twice fails the counting checks", async () => {
  await using hub = await startServe(GATE);
  await using fake = relayWithFault(hub.port, (line) => [countTwice(line)]);
  const { code, failed } = await check(fake.port);
  assertEquals(code, 1);
  assert(failed.includes("text.vote-counted-once"), failed.join());
  assert(failed.includes("json.vote-counted-once"), failed.join());
  assert(failed.every((id) => /vote-counted-once|push-consensus/u.test(id)), failed.join());
});

Deno.test("a wrong --answer stops the run with exit 4", async () => {
  await using hub = await startServe(GATE);
  const run = await runCli(["conformance", `127.0.0.1:${hub.port}`, "--answer", "piano"], 60_000);
  assertEquals(run.code, 4, run.stderr);
  assert(run.stderr.includes("is --answer its gate answer?"), run.stderr);
});

Deno.test("no hub there: exit 3; no --answer: exit 2", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const unreachable = await runCli(["conformance", `127.0.0.1:${port}`, "--answer", "x"]);
  assertEquals(unreachable.code, 3);
  assert(unreachable.stderr.includes("Cannot reach a hub"), unreachable.stderr);
  const usage = await runCli(["conformance", `127.0.0.1:${port}`]);
  assertEquals(usage.code, 2);
});

/** Doubles every vote count a hub line shows: stats rows in text, `counts` in JSON. */
function countTwice(line: string): string {
  const row = /^( {2}[A-Z]) (\d+) /u.exec(line);
  if (row) return line.replace(row[0], `${row[1]} ${Number(row[2]) * 2} `);
  if (!line.startsWith("{") || !line.includes('"counts"')) return line;
  const double = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(double);
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) =>
        key === "counts" && inner !== null
          ? [key, Object.fromEntries(Object.entries(inner).map(([k, n]) => [k, Number(n) * 2]))]
          : [key, double(inner)]
      ),
    );
  };
  return JSON.stringify(double(JSON.parse(line)));
}
