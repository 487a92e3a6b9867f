/**
 * The start-up banner prints the addresses other machines can join at, from
 * the machine's interfaces (injected here), and what a resumed meeting has
 * open.
 */

import {
  deepStrictEqual as assertEquals,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { parseServeArgs, type ServeSettings, startBanner } from "../../lib/cli/serve.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import { replayEvents } from "../../lib/election/state.ts";
import { UsageError } from "../../lib/cli/usage_error.ts";

const INTERFACES = [
  { family: "IPv4", address: "127.0.0.1", name: "lo" },
  { family: "IPv6", address: "::1", name: "lo" },
  { family: "IPv4", address: "192.168.1.20", name: "wlan0" },
  { family: "IPv6", address: "fe80::a00:27ff:fe4e:66a1", name: "wlan0" },
  { family: "IPv6", address: "2001:db8::20", name: "wlan0" },
  { family: "IPv4", address: "10.0.0.7", name: "eth0" },
] as const;

function settings(...args: string[]): ServeSettings {
  const parsed = parseServeArgs(["--data", ":memory:", ...args]);
  if (parsed === "help") throw new Error("unexpected help");
  return parsed;
}

const NEW_MEETING = {
  id: 1,
  start: "new" as const,
  startedAt: Date.parse("2026-12-02T10:00:00Z"),
  gateQuestion: "What is the join code?",
  joinCode: "abcd-efgh",
  standing: { question: "Tea?", options: ["tea", "coffee"] },
};

/** The banner of a hub on port 7337 with no TLS, for the facts given. */
function banner(facts: Partial<Parameters<typeof startBanner>[0]>): string[] {
  return startBanner({
    settings: settings(),
    meeting: NEW_MEETING,
    port: 7337,
    tlsPort: undefined,
    state: replayEvents([]),
    interfaces: [...INTERFACES],
    ...facts,
  });
}

Deno.test("the banner prints a join line for every non-loopback address", () => {
  const lines = banner({});
  const others = lines.filter((line) => line.startsWith("  from others:"));
  assertEquals(others, [
    "  from others:   consensus join 192.168.1.20:7337 --answer abcd-efgh",
    "  from others:   consensus join 10.0.0.7:7337 --answer abcd-efgh",
    "  from others:   consensus join [2001:db8::20]:7337 --answer abcd-efgh",
  ]);
  assert(lines.includes("  join:          consensus join 127.0.0.1:7337 --answer abcd-efgh"));
  assert(lines.includes("  meeting 1, new, started 2026-12-02T10:00:00.000Z"), lines.join("\n"));
});

Deno.test("the banner says so when interfaces cannot be listed, and --json carries the addresses", () => {
  const unlisted = banner({ interfaces: undefined });
  assert(unlisted.some((line) => line.includes("its interfaces cannot be listed")), unlisted[0]);
  const [json] = banner({ settings: settings("--json") });
  const listening = JSON.parse(json!);
  assertEquals(listening.networkAddresses, [
    "192.168.1.20:7337",
    "10.0.0.7:7337",
    "[2001:db8::20]:7337",
  ]);
  assertEquals(listening.meeting, {
    id: 1,
    start: "new",
    startedAt: "2026-12-02T10:00:00.000Z",
    openBallots: [],
    nodesExpected: 0,
    graceSeconds: 30,
  });
});

Deno.test("a hub bound to one address prints no network list; a resumed meeting says what is open", () => {
  const terms = buildTerms({ question: "Tea?", options: ["tea", "coffee"] }, 0);
  const state = replayEvents([
    { type: "joined", node: 1, pin: 101, name: "a", address: "10.0.0.9", port: 1, tokenHash: "x" },
    { type: "ballot-opened", ballot: 4, terms, proposer: null, at: 0 },
  ]);
  const lines = banner({
    settings: settings("--host", "127.0.0.1", "--grace", "45"),
    meeting: { ...NEW_MEETING, id: 3, start: "resumed-after-interruption" },
    state,
  });
  assertEquals(lines.filter((line) => line.startsWith("  from others:")), []);
  assert(
    lines.includes(
      "  meeting 3, resumed: the last hub stopped without ending it; started 2026-12-02T10:00:00.000Z",
    ),
    lines.join("\n"),
  );
  assert(lines.includes("  open ballots:  4 (Tea?)"), lines.join("\n"));
  assert(
    lines.includes("  nodes:         1 may come back with their resume tokens within 45 s"),
    lines.join("\n"),
  );
});

Deno.test("--board takes PORT (on --host) or HOST:PORT; --board-public needs it", () => {
  assertEquals(settings("--host", "10.0.0.7", "--board", "8080").board, {
    host: "10.0.0.7",
    port: 8080,
    public: false,
  });
  assertEquals(settings("--board", "127.0.0.1:0", "--board-public").board, {
    host: "127.0.0.1",
    port: 0,
    public: true,
  });
  assertEquals(settings().board, undefined);
  for (const args of [["--board-public"], ["--board", "board"], ["--board", "70000"]]) {
    assertThrows(() => settings(...args), UsageError, args.join(" "));
  }
});

Deno.test("the banner prints the board's and the phones' URLs, and --json carries them", () => {
  const web = {
    boardUrls: ["http://192.168.1.20:8080/?token=t"],
    phoneUrls: ["http://192.168.1.20:8080/vote?token=t"],
  };
  const lines = banner({ web });
  assert(lines.includes("  board:         http://192.168.1.20:8080/?token=t"), lines.join("\n"));
  assert(lines.includes("  phones:        http://192.168.1.20:8080/vote?token=t"));
  const listening = JSON.parse(banner({ web, settings: settings("--json") })[0]!);
  assertEquals([listening.boardUrls, listening.phoneUrls], [web.boardUrls, web.phoneUrls]);
});
