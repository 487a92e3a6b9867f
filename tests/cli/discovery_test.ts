/**
 * LAN discovery end to end, between real processes: hubs announce
 * themselves with DNS-SD over multicast DNS, and `consensus hubs`, `join`
 * with no address and plain `consensus` find them. Multicast is pinned to
 * loopback (CONSENSUS_MDNS_INTERFACE=127.0.0.1), so nothing leaves the
 * machine; other programs' hubs may answer too, so each check looks for the
 * hub ids its own hubs printed.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { HubBrowser } from "../../lib/discovery/browser.ts";
import {
  cliCommand,
  MDNS_LOOPBACK,
  runCli,
  type ServeProcess,
  startCli,
  startServe,
} from "../_helpers/cli.ts";
import { dnsPacket } from "../_helpers/dns_packet.ts";

const ANSWER = ["--answer", "keyboard"];

/** Starts a hub announced on loopback and returns it with the id its banner printed. */
async function announcedHub(args: string[]): Promise<{ hub: ServeProcess; id: string }> {
  const hub = await startServe([...ANSWER, ...args], { env: MDNS_LOOPBACK, stderr: true });
  const line = await hub.waitForLine((text) => text.startsWith("  announced:"));
  const id = /hub id ([0-9a-f]{6})/u.exec(line)?.[1];
  if (!id) {
    await hub[Symbol.asyncDispose]();
    throw new Error(`the hub was not announced: ${line}`);
  }
  return { hub, id };
}

interface ListedHub {
  name: string;
  id: string;
  join: string;
  addresses: string[];
  port: number;
  tls: boolean;
  question: string;
  seenSecondsAgo: number;
}

/** Runs `consensus hubs --json` and returns the hubs listed. */
async function listHubs(): Promise<ListedHub[]> {
  const result = await runCli(["hubs", "--json", "--timeout", "1"]);
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout).hubs;
}

/** Plain `consensus` options for a hub on loopback at a port. */
function onThisMachine(port: number): string[] {
  return ["--host", "127.0.0.1", "--port", String(port)];
}

function freePort(): number {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  return (listener.addr as Deno.NetAddr).port;
}

Deno.test("hubs are found on the LAN by consensus hubs and by join with no address", async (t) => {
  const first = await announcedHub(["--name", "first"]);
  await using _first = first.hub;
  await t.step("the banner says where and as what the hub is announced", async () => {
    const line = await first.hub.waitForLine((text) => text.startsWith("  announced:"));
    assertEquals(
      line,
      `  announced:     as "first [${first.id}]" (_consensus._tcp, hub id ${first.id}) on 127.0.0.1`,
    );
  });
  await t.step("consensus hubs in another process lists it", async () => {
    const listed = (await listHubs()).find((hub) => hub.id === first.id);
    assert(listed, "the hub was not listed");
    assertEquals(listed.name, `first [${first.id}]`);
    assertEquals(listed.join, `127.0.0.1:${first.hub.port}`);
    assertEquals(listed.addresses, ["127.0.0.1"]);
    assertEquals(listed.port, first.hub.port);
    assertEquals(listed.tls, false);
    assertEquals(listed.question, "What is the join code?");
    assert(listed.seenSecondsAgo >= 0 && listed.seenSecondsAgo <= 2, String(listed.seenSecondsAgo));
    const table = await runCli(["hubs", "--timeout", "1"]);
    assertEquals(table.code, 0, table.stderr);
    const header = table.stdout.split("\n")[0]!;
    assertEquals(header.split(/\s+/u), ["NAME", "ADDRESSES", "PORT", "TLS", "QUESTION", "SEEN"]);
    const row = table.stdout.split("\n").find((line) => line.startsWith(`first [${first.id}]`));
    assert(row?.includes(`127.0.0.1  ${first.hub.port}`), table.stdout);
  });
  await t.step("join with no address joins the only hub", async () => {
    const result = await runCli(["join", ...ANSWER, "--vote", "A", "--json"]);
    assertEquals(result.code, 0, result.stderr);
    assert(
      result.stderr.includes(
        `joining hub "first [${first.id}]" found on the LAN at 127.0.0.1:${first.hub.port}`,
      ),
      result.stderr,
    );
    const output = JSON.parse(result.stdout);
    assertEquals(output.hub, `127.0.0.1:${first.hub.port}`);
    assertEquals(output.vote.option, "A");
  });
  const second = await announcedHub(["--name", "first"]);
  await using _second = second.hub;
  await t.step("two hubs of one name on one machine are both listed, each its own", async () => {
    const listed = (await listHubs()).filter((hub) => hub.id === first.id || hub.id === second.id);
    assertEquals(listed.map((hub) => hub.port).sort(), [first.hub.port, second.hub.port].sort());
    assertEquals(new Set(listed.map((hub) => hub.name)).size, 2);
  });
  await t.step("with several hubs and no terminal, join lists them and exits 2", async () => {
    const result = await runCli(["join", ...ANSWER, "--vote", "A"]);
    assertEquals(result.code, 2, result.stderr);
    assert(result.stderr.includes("hubs answered on the LAN; give the address of one"));
    for (const hub of [first, second]) {
      assert(
        result.stderr.includes(`consensus join 127.0.0.1:${hub.hub.port}   # first [${hub.id}]`),
        result.stderr,
      );
    }
  });
  await t.step("--no-announce keeps a hub off the list", async () => {
    await using silent = await startServe([...ANSWER, "--no-announce"], { env: MDNS_LOOPBACK });
    await silent.waitForLine((line) => line === "  announced:     no (--no-announce)");
    const ports = (await listHubs()).map((hub) => hub.port);
    assert(ports.includes(first.hub.port), "the announced hub is listed");
    assert(!ports.includes(silent.port), "the silent hub is listed");
  });
  await t.step("a clean stop says goodbye: a browser drops the hub at once", async () => {
    await using browser = new HubBrowser({ interfaces: ["127.0.0.1"] });
    const present = () => browser.hubs().some((hub) => hub.id === second.id);
    await until(present, 3000, "the browser never saw the hub");
    const stopped = Date.now();
    second.hub.child.kill("SIGTERM");
    await until(() => !present(), 3000, "the hub was still listed after its stop");
    // Its records live 120 s: only the goodbye explains a hub gone this soon.
    assert(Date.now() - stopped < 3000);
    assert(browser.hubs().some((hub) => hub.id === first.id), "the other hub stays listed");
  });
});

Deno.test("a hub on loopback without a pinned interface is not announced, and says why", async () => {
  await using hub = await startServe(ANSWER);
  const line = await hub.waitForLine((text) => text.startsWith("  announced:"));
  assertEquals(
    line,
    "  announced:     no (listening on 127.0.0.1 only, which the LAN cannot reach)",
  );
});

Deno.test("a TLS hub is listed as TLS, and join with no address joins it over TLS", async () => {
  const directory = await Deno.makeTempDir({ prefix: "consensus-discovery-" });
  try {
    const made = await runCli(["certs", directory]);
    assertEquals(made.code, 0, made.stderr);
    const tls = await announcedHub([
      "--tls-cert",
      `${directory}/hub.pem`,
      "--tls-key",
      `${directory}/hub-key.pem`,
    ]);
    await using _hub = tls.hub;
    const listed = (await listHubs()).find((hub) => hub.id === tls.id);
    assertEquals(listed?.tls, true);
    assertEquals(listed?.join, `tls://127.0.0.1:${tls.hub.port}`);
    const result = await runCli([
      "join",
      "--tls-ca",
      `${directory}/ca.pem`,
      ...ANSWER,
      "--vote",
      "B",
      "--json",
    ]);
    assertEquals(result.code, 0, result.stderr);
    assertEquals(JSON.parse(result.stdout).vote.option, "B");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("plain consensus: a free port here, then a hub on the LAN is joined; none, it becomes the hub", async (t) => {
  await t.step("a hub on the LAN is joined", async () => {
    const lan = await announcedHub([]);
    await using _hub = lan.hub;
    const port = freePort();
    const result = await runCli([...onThisMachine(port), ...ANSWER, "--discover", "--json"]);
    assertEquals(result.code, 0, result.stderr);
    assert(
      result.stderr.includes(
        `role: node (port ${port} is free here; joining hub "`,
      ) && result.stderr.includes(`found on the LAN at 127.0.0.1:${lan.hub.port})`),
      result.stderr,
    );
    assertEquals(JSON.parse(result.stdout).hub, `127.0.0.1:${lan.hub.port}`);
  });
  await t.step("no hub anywhere: it starts one, says why, and announces it", async () => {
    const port = freePort();
    await using auto = startCli([...onThisMachine(port), "--data", ":memory:", ...ANSWER]);
    const role = await auto.waitForLine((line) => line.startsWith("role: hub"));
    assertEquals(role, `role: hub (port ${port} was free; no hub answered on the LAN)`);
    assert(
      auto.lines.some((line) => line.startsWith("  announced:     as ")),
      auto.lines.join("\n"),
    );
  });
});

Deno.test("join with no address and no hub on the LAN exits 3, saying what to do", async () => {
  const result = await runCli(["join", ...ANSWER, "--vote", "A"]);
  assertEquals(result.code, 3, result.stderr);
  assert(result.stderr.includes("No hub answered on the LAN within 1 s"), result.stderr);
  assert(result.stderr.includes("consensus join HOST:PORT"), result.stderr);
});

Deno.test("a CONSENSUS_MDNS_INTERFACE that is not an address is refused clearly", async () => {
  const [command, ...args] = cliCommand(["hubs", "--timeout", "0.1"]);
  const result = await new Deno.Command(command!, {
    args,
    env: { CONSENSUS_MDNS_INTERFACE: "eth0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(result.code, 1);
  assert(
    new TextDecoder().decode(result.stderr).includes(
      'Invalid CONSENSUS_MDNS_INTERFACE "eth0": give the IPv4 address of an interface',
    ),
  );
});

async function until(condition: () => boolean, waitMs: number, message: string): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("after garbage, a one-shot query from another port is answered to its sender, with its id", async () => {
  const { hub, id } = await announcedHub(["--name", "oneshot"]);
  await using _hub = hub;
  const dgram = await import("node:dgram");
  const socket = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve) => socket.bind(0, "0.0.0.0", () => resolve()));
    socket.setMulticastInterface("127.0.0.1");
    // Bytes that are no DNS packet come first: the hub drops them and goes on answering.
    socket.send(new Uint8Array([0, 1, 2, 3, 255, 255, 255]), 5353, "224.0.0.251");
    const reply = new Promise<Uint8Array>((resolve) => socket.once("message", resolve));
    const query = dnsPacket.encode({
      type: "query",
      id: 4242,
      questions: [{ name: `oneshot [${id}]._consensus._tcp.local`, type: "SRV" }],
    });
    socket.send(query, 5353, "224.0.0.251");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bytes = await Promise.race([
      reply,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no unicast reply")), 3000);
      }),
    ]);
    clearTimeout(timer);
    const packet = dnsPacket.decode(bytes);
    assertEquals(packet.id, 4242);
    assertEquals(packet.questions.map((question) => question.type), ["SRV"]);
    const srv = packet.answers.find((record) => record.type === "SRV");
    assertEquals(srv?.data.port, hub.port);
    assertEquals(srv?.ttl, 10);
    // Bad input from the LAN is no failure of the hub's own: no warning.
    assertEquals(hub.errors.join(""), "");
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
});
