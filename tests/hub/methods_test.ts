/**
 * Ballots by method over real TCP on 127.0.0.1: proposing with a method,
 * voting in the text and JSON dialects, and the announcement with the
 * method's numbers.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ManualClock } from "../../lib/hub/clock.ts";
import { startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const START = Date.parse("2026-11-30T12:00:00Z");

async function admittedJson(port: number): Promise<TextClient> {
  const client = await TextClient.connect(port);
  await client.readUntil((line) => line.startsWith("? "));
  await client.send('{"id":"g","answer":"keyboard"}');
  await client.readUntil((line) => line.includes('"admitted"'));
  return client;
}

Deno.test("a ranked ballot: text and JSON votes, instant runoff announced round by round", async (t) => {
  const clock = new ManualClock(START);
  await using hub = startTestHub({ clock, standing: undefined, allowPropose: true });
  const text = await Promise.all([1, 2, 3, 4].map(() => TextClient.admitted(hub.address.port)));
  const json = await admittedJson(hub.address.port);
  try {
    const [proposer, ...voters] = text.map(({ client }) => client);
    await t.step("propose with the method in the rule field", async () => {
      await proposer!.send("propose Capital? | Memphis, Nashville, Knoxville | ranked:irv | 10m");
      const reply = await proposer!.readUntil((line) => line.startsWith("ok propose"));
      assertEquals(
        reply,
        "ok propose: ballot 1 open: Capital? A) Memphis  B) Nashville  C) Knoxville " +
          "(method ranked:irv, rule plurality, live, closes 2026-11-30T12:10:00.000Z, proposed by " +
          `${text[0]!.pin})`,
      );
    });
    await t.step("votes in the text form, and refusals that say why", async () => {
      await proposer!.send("vote 1 A>B>C");
      assertEquals(
        await proposer!.readUntil((line) => line.startsWith("ok vote")),
        "ok vote A>B>C (Memphis > Nashville > Knoxville) recorded on ballot 1",
      );
      await voters[0]!.send("vote 1 A>A");
      assertEquals(
        await voters[0]!.readUntil((line) => line.startsWith("err")),
        "err bad-request: Cannot vote: option A is given twice",
      );
      await voters[0]!.send("vote 1 Z>A");
      assertEquals(
        await voters[0]!.readUntil((line) => line.startsWith("err")),
        'err unknown-option: Cannot vote: rank options among A, B, C; "Z" is not an option',
      );
      for (const [index, ranking] of ["A", "C>B", "knoxville>nashville"].entries()) {
        await voters[index]!.send(`vote 1 ${ranking}`);
        await voters[index]!.readUntil((line) => line.startsWith("ok vote"));
      }
    });
    await t.step("a JSON vote with a ranking field", async () => {
      await json.send('{"id":5,"op":"vote","ballot":1,"ranking":["B","C"]}');
      const reply = JSON.parse(await json.readUntil((line) => line.startsWith('{"id":5')));
      assertEquals([reply.ok, reply.option, reply.label], [true, "B>C", "Nashville > Knoxville"]);
      await json.send('{"id":6,"op":"vote","ballot":1,"ranking":"B"}');
      const refused = JSON.parse(await json.readUntil((line) => line.startsWith('{"id":6')));
      assertEquals(refused.error.code, "bad-request");
    });
    await t.step("the deadline closes it with every round in the announcement", async () => {
      clock.advance(10 * 60_000);
      // First preferences A 2, B 1, C 2: B goes; its voter ranked C next.
      const expected = "! consensus ballot 1: C (Knoxville) - C wins in round 2 with 3 of 5 " +
        "ballots: round 1 A 2, B 1, C 2, B eliminated; round 2 A 2, C 3";
      for (const { client } of text) await client.readUntil((line) => line === expected);
      const push = JSON.parse(await json.readUntil((line) => line.includes('"consensus"')));
      assertEquals(push.method, "ranked:irv");
      assertEquals(push.tally.rounds, [
        { counts: { A: 2, B: 1, C: 2 }, exhausted: 0, eliminated: ["B"] },
        { counts: { A: 2, C: 3 }, exhausted: 0, eliminated: [] },
      ]);
    });
  } finally {
    for (const { client } of text) client.close();
    json.close();
  }
});

Deno.test("a consent proposal: a block stops it and its reason is announced", async () => {
  const clock = new ManualClock(START);
  await using hub = startTestHub({ clock, standing: undefined, allowPropose: true });
  const nodes = await Promise.all([1, 2, 3].map(() => TextClient.admitted(hub.address.port)));
  const json = await admittedJson(hub.address.port);
  try {
    const [first, second, third] = nodes.map(({ client }) => client);
    await first!.send("propose Adopt the budget? | | consent | 1h | anonymous");
    assertEquals(
      await first!.readUntil((line) => line.startsWith("ok propose")),
      "ok propose: ballot 1 open: Adopt the budget? A) agree  B) abstain  C) disagree  D) block " +
        `(method consent, rule majority, live, closes 2026-11-30T13:00:00.000Z, anonymous, proposed by ${
          nodes[0]!.pin
        })`,
    );
    await first!.send("vote 1 agree");
    await first!.readUntil((line) => line === "ok vote A (agree) recorded on ballot 1");
    await second!.send("vote 1 block");
    assertEquals(
      await second!.readUntil((line) => line.startsWith("err")),
      'err bad-request: Cannot vote: a block needs its reason, e.g. block "we have no budget"',
    );
    await second!.send('vote 1 block "we have no budget"');
    await second!.readUntil((line) => line.startsWith('ok vote D "we have no budget" (block)'));
    await third!.send("vote 1 C");
    await third!.readUntil((line) => line.startsWith("ok vote C"));
    await json.send('{"id":1,"op":"vote","ballot":1,"option":"block","reason":"not this year"}');
    const reply = JSON.parse(await json.readUntil((line) => line.startsWith('{"id":1')));
    assertEquals(reply.ok, true);
    await first!.send("close 1");
    assertEquals(
      await first!.readUntil((line) => line.startsWith("ok close")),
      'ok close: ballot 1 closed (proposer): no decision: blocked by 2 of 4 voters: "not this year", ' +
        '"we have no budget"',
    );
  } finally {
    for (const { client } of nodes) client.close();
    json.close();
  }
});

Deno.test("approval and score ballots take their own vote forms", async () => {
  const clock = new ManualClock(START);
  await using hub = startTestHub({ clock, standing: undefined, allowPropose: true });
  const nodes = await Promise.all([1, 2, 3].map(() => TextClient.admitted(hub.address.port)));
  try {
    const [first, second, third] = nodes.map(({ client }) => client);
    await first!.send("propose Lunch? | pizza, soup, salad | approval");
    await first!.readUntil((line) => line.startsWith("ok propose"));
    await first!.send("propose Films? | Alien, Brazil | score:0..5:mean");
    await first!.readUntil((line) => line.startsWith("ok propose"));
    await first!.send("vote 1 A,C");
    await first!.readUntil((line) => line === "ok vote A,C (pizza, salad) recorded on ballot 1");
    await second!.send("vote 1 salad");
    await second!.readUntil((line) => line.startsWith("ok vote C"));
    await first!.send("vote 2 A=4 B=5");
    await first!.readUntil((line) =>
      line === "ok vote A=4 B=5 (Alien=4 Brazil=5) recorded on ballot 2"
    );
    await third!.send("vote 2 A=9");
    assertEquals(
      await third!.readUntil((line) => line.startsWith("err")),
      'err bad-request: Cannot vote: give each option a whole score from 0 to 5, e.g. A=5 B=0; "A" has none',
    );
    await third!.send("vote 2 A=5");
    await third!.readUntil((line) => line.startsWith("ok vote A=5"));
    await first!.send("stats");
    await first!.readUntil((line) =>
      line === "  ballot 1: Lunch? (method approval, rule plurality, 2 votes, 3 in the electorate)"
    );
    await first!.send("close 1");
    assertEquals(
      await first!.readUntil((line) => line.startsWith("ok close")),
      "ok close: ballot 1 decided C (salad): C has the most approvals: 2 of 2 voters (A 1, B 0, C 2)",
    );
    await first!.send("close 2");
    assertEquals(
      await first!.readUntil((line) => line.startsWith("ok close")),
      "ok close: ballot 2 decided B (Brazil): B has the highest mean score: 5 from 1 voter (A 4.50, B 5)",
    );
  } finally {
    for (const { client } of nodes) client.close();
  }
});
