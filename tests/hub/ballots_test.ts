/**
 * Proposals, rules, deadlines, switches and resume tokens, over real TCP on
 * 127.0.0.1, with a clock the test moves by hand.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { HubEvent } from "../../lib/election/events.ts";
import { buildTerms } from "../../lib/election/proposal.ts";
import { ManualClock } from "../../lib/hub/clock.ts";
import { startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const START = Date.parse("2026-11-30T12:00:00Z");

async function admitted(port: number) {
  return await TextClient.admitted(port);
}

Deno.test("a deadline closes a plurality ballot without waiting in real time", async () => {
  const clock = new ManualClock(START);
  await using hub = startTestHub({ clock, standing: undefined });
  const ballot = await hub.hub.openBallot(
    buildTerms({
      question: "Lunch?",
      options: ["pizza", "soup", "salad"],
      rule: "plurality",
      deadline: "10m",
    }, clock.now()),
    null,
  );
  assertEquals(ballot.deadline, "2026-11-30T12:10:00.000Z");
  const nodes = await Promise.all([
    admitted(hub.address.port),
    admitted(hub.address.port),
    admitted(hub.address.port),
  ]);
  try {
    for (const [index, option] of ["B", "B", "A"].entries()) {
      await nodes[index]!.client.send(`vote ${option}`);
      await nodes[index]!.client.readUntil((line) => line.startsWith(`ok vote ${option}`));
    }
    clock.advance(9 * 60_000);
    await nodes[0]!.client.send("ballots");
    await nodes[0]!.client.readUntil((line) => line === "ok ballots: 1 open");
    clock.advance(60_000);
    for (const { client } of nodes) {
      await client.readUntil((line) =>
        line === "! consensus ballot 1: B (soup) - B has the most votes: 2 of 3 cast (66.7%)"
      );
    }
    await nodes[2]!.client.send("vote 1 A");
    assertEquals(
      await nodes[2]!.client.readUntil((line) => line.startsWith("err ")),
      "err ballot-closed: Cannot vote: ballot 1 is closed",
    );
    await nodes[2]!.client.send("results");
    await nodes[2]!.client.readUntil((line) => line === "ok results: 1 closed");
    assertEquals(
      await nodes[2]!.client.readLine(),
      "  ballot 1 decided B (soup): B has the most votes: 2 of 3 cast (66.7%)",
    );
  } finally {
    for (const { client } of nodes) client.close();
  }
});

Deno.test("an undecided ballot closes at its deadline and says why", async () => {
  const clock = new ManualClock(START);
  await using hub = startTestHub({ clock, standing: undefined });
  await hub.hub.openBallot(
    buildTerms({
      question: "Go?",
      options: ["yes", "no"],
      rule: "majority+quorum:60%",
      deadline: "1h",
    }, clock.now()),
    null,
  );
  const nodes = await Promise.all([
    admitted(hub.address.port),
    admitted(hub.address.port),
    admitted(hub.address.port),
  ]);
  try {
    await nodes[0]!.client.send("vote yes");
    await nodes[0]!.client.readUntil((line) => line.startsWith("ok vote A"));
    clock.advance(3_600_000);
    const closed = await nodes[1]!.client.readUntil((line) => line.startsWith("! closed ballot 1"));
    assertEquals(
      closed,
      "! closed ballot 1: no decision: quorum not met, 1 of 3 voted, 60% needed (deadline)",
    );
  } finally {
    for (const { client } of nodes) client.close();
  }
});

Deno.test("nodes propose ballots only when the hub allows it, and bad proposals are refused", async (t) => {
  await t.step("not allowed by default", async () => {
    await using hub = startTestHub();
    const { client } = await admitted(hub.address.port);
    using _ = client;
    await client.send("propose Lunch? | pizza, soup");
    const line = await client.readUntil((text) => text.startsWith("err "));
    assert(
      line.startsWith("err not-allowed: Cannot propose: this hub does not let nodes open ballots"),
      line,
    );
  });
  await using hub = startTestHub({ allowPropose: true });
  const port = hub.address.port;
  const proposer = await admitted(port);
  const other = await admitted(port);
  try {
    await t.step("an unknown rule, a deadline in the past, a duplicate option", async () => {
      const cases: [string, string][] = [
        [
          "propose Lunch? | pizza, soup | majorty",
          'err invalid-proposal: Cannot parse rule "majorty": unknown rule',
        ],
        [
          "propose Lunch? | pizza, soup | majority | 2020-01-01T00:00:00Z",
          "err invalid-proposal: Cannot open ballot: the deadline 2020-01-01T00:00:00.000Z is in the past",
        ],
        [
          "propose Lunch? | pizza, Pizza",
          'err invalid-proposal: Cannot build ballot: option "Pizza" is given twice',
        ],
        [
          "propose Lunch? | pizza",
          "err invalid-proposal: Cannot build ballot: 1 option given, between 2 and 26 needed",
        ],
        [
          "propose Lunch\u202e? | pizza, soup",
          "err invalid-proposal: Cannot build ballot: it contains the control character U+202E",
        ],
        [
          "propose Lunch? | a, b | seed | | anonymous, change",
          "err invalid-proposal: Cannot open ballot: an anonymous ballot cannot allow vote changes",
        ],
      ];
      for (const [command, expected] of cases) {
        await proposer.client.send(command);
        const line = await proposer.client.readUntil((text) => text.startsWith("err "));
        assert(line.startsWith(expected), `${command}\n${line}`);
      }
    });
    await t.step("a proposal opens a second ballot; votes must then name one", async () => {
      await proposer.client.send("propose Lunch? | pizza, soup | unanimous | | change, hidden");
      const opened = await proposer.client.readUntil((text) => text.startsWith("ok propose"));
      assert(
        opened.startsWith(
          "ok propose: ballot 2 open: Lunch? A) pizza  B) soup (rule unanimous, live",
        ),
        opened,
      );
      assert(
        opened.includes("votes can change") && opened.includes("results hidden until closed"),
        opened,
      );
      await other.client.readUntil((text) => text.startsWith("! ballot 2 open: Lunch?"));
      await other.client.send("vote A");
      const ambiguous = await other.client.readUntil((text) => text.startsWith("err "));
      assert(
        ambiguous.startsWith("err ambiguous-ballot: Cannot vote: 2 ballots are open (1, 2)"),
        ambiguous,
      );
    });
    await t.step(
      "votes change until it closes; results stay hidden; only the proposer closes",
      async () => {
        await other.client.send("vote 2 soup");
        await other.client.readUntil((text) => text === "ok vote B (soup) recorded on ballot 2");
        await other.client.send("vote 2 pizza");
        await other.client.readUntil((text) => text === "ok vote A (pizza) changed on ballot 2");
        await other.client.send("stats");
        await other.client.readUntil((text) => text.startsWith("ok stats"));
        await other.client.readUntil((text) =>
          text.includes("ballot 2: Lunch? (rule unanimous, results hidden until it closes")
        );
        await other.client.send("close 2");
        const refused = await other.client.readUntil((text) => text.startsWith("err "));
        assertEquals(refused, "err not-allowed: Cannot close: ballot 2 was not proposed by you");
        await proposer.client.send("close 2");
        const closed = await proposer.client.readUntil((text) => text.startsWith("ok close"));
        assertEquals(
          closed,
          "ok close: ballot 2 closed (proposer): no decision: 1 of 2 in the electorate voted A, all 2 needed",
        );
        await other.client.readUntil((text) => text.startsWith("! closed ballot 2: no decision"));
      },
    );
  } finally {
    proposer.client.close();
    other.client.close();
  }
});

Deno.test("an anonymous ballot records who voted apart from what was chosen", async () => {
  const events: HubEvent[] = [];
  await using hub = startTestHub({
    standing: { question: "Secret?", options: ["yes", "no"], anonymous: true },
    onEvent: (event) => events.push(event),
  });
  const { client } = await admitted(hub.address.port);
  using _ = client;
  await client.send("vote no");
  await client.readUntil((line) => line.startsWith("ok vote B"));
  const voted = events.filter((event) => event.type === "voted");
  assertEquals(voted, [{ type: "voted", ballot: 1, node: null, option: "B" }]);
  assert(events.some((event) => event.type === "participated"));
  await client.send("vote yes");
  assert(
    (await client.readUntil((line) => line.startsWith("err "))).startsWith("err already-voted"),
  );
});

Deno.test("a node resumes with its token: same PIN, votes kept; wrong and expired tokens are refused", async (t) => {
  const clock = new ManualClock(START);
  await using hub = startTestHub({ clock, graceMs: 30_000 });
  const port = hub.address.port;
  const watcher = await admitted(port);
  const first = await admitted(port);
  const tokenLine = await first.client.readUntil((line) => line.startsWith("# Resume token: "));
  const token = tokenLine.split(" ")[3]!;
  try {
    await first.client.send("vote A");
    await first.client.readUntil((line) => line.startsWith("ok vote A"));
    first.client.close();
    await watcher.client.readUntil((line) =>
      line === `! left ${first.pin} node-${first.pin} (dropped)`
    );

    await t.step("the right token brings back the PIN and the vote", async () => {
      using again = await TextClient.connect(port);
      await again.readUntil((line) => line.startsWith("? "));
      await again.send(`resume ${token}`);
      await again.readUntil((line) =>
        line === `ok resumed: your PIN is ${first.pin}, your name is node-${first.pin}`
      );
      await watcher.client.readUntil((line) => line === `! resumed ${first.pin} node-${first.pin}`);
      await again.send("vote B");
      assertEquals(
        await again.readUntil((line) => line.startsWith("err ")),
        "err already-voted: Cannot vote: you already voted A on ballot 1",
      );
    });
    await t.step("a wrong token is refused and uses a try", async () => {
      using stranger = await TextClient.connect(port);
      await stranger.readUntil((line) => line.startsWith("? "));
      await stranger.send("resume not-a-token");
      assertEquals(
        await stranger.readUntil((line) => line.startsWith("err ")),
        "err bad-token: Cannot resume: unknown token; answer the gate to join; 2 tries left",
      );
    });
    await t.step("after the grace period the token has expired", async () => {
      await watcher.client.readUntil((line) => line.startsWith(`! left ${first.pin}`));
      clock.advance(30_000);
      await watcher.client.readUntil((line) =>
        line === `! left ${first.pin} node-${first.pin} (expired)`
      );
      using late = await TextClient.connect(port);
      await late.readUntil((line) => line.startsWith("? "));
      await late.send(`resume ${token}`);
      const refused = await late.readUntil((line) => line.startsWith("err "));
      assert(
        refused.startsWith("err token-expired: Cannot resume: the grace period ran out"),
        refused,
      );
    });
  } finally {
    watcher.client.close();
    first.client.close();
  }
});
