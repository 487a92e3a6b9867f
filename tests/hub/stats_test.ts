/**
 * `stats` shows a decided ballot as it shows an open one: votes per option
 * with their share, then the decision line, in both dialects.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

Deno.test("stats of a decided ballot shows each option's count and percentage, text and JSON", async (t) => {
  await using hub = startTestHub({
    standing: { question: "Tea or coffee?", options: ["tea", "coffee"], rule: "majority" },
  });
  const port = hub.address.port;
  const nodes = await Promise.all([1, 2, 3].map(() => TextClient.admitted(port)));
  try {
    // 2 of 3 for A decides under majority; the third votes nothing.
    for (const { client } of nodes.slice(0, 2)) {
      await client.send("vote A");
      await client.readUntil((line) => line.startsWith("ok vote A"));
    }
    await nodes[2]!.client.readUntil((line) => line.startsWith("! consensus ballot 1: A (tea)"));

    await t.step("text dialect: the decision line, then a row per option", async () => {
      const { client } = nodes[2]!;
      await client.send("stats");
      await client.readUntil((line) => line.startsWith("ok stats: 1 open ballot, 1 closed shown"));
      // The standing question opened again as ballot 2, with its two rows.
      await client.readUntil((line) => line.startsWith("  ballot 2: Tea or coffee?"));
      assertEquals(await client.readLine(), "  A 0 0% tea");
      assertEquals(await client.readLine(), "  B 0 0% coffee");
      assertEquals(
        await client.readLine(),
        "  ballot 1 decided A (tea): 2 of 3 in the electorate voted A: 66.7% > 50%",
      );
      assertEquals(await client.readLine(), "  A 2 100% tea");
      assertEquals(await client.readLine(), "  B 0 0% coffee");
    });

    await t.step("JSON dialect: the decided ballot carries its options and counts", async () => {
      const json = await TextClient.connect(port);
      using _ = json;
      await json.send('{"id":"h1","answer":"keyboard"}');
      await json.readUntil((line) => line.includes('"admitted"'));
      await json.send('{"id":7,"op":"stats"}');
      const reply = JSON.parse(await json.readUntil((line) => line.startsWith('{"id":7')));
      assertEquals([reply.ok, reply.op], [true, "stats"]);
      const [decided] = reply.decided;
      assertEquals(decided.option, "A");
      assertEquals(decided.counts, { A: 2, B: 0 });
      assertEquals(decided.options, [{ key: "A", label: "tea" }, { key: "B", label: "coffee" }]);
    });
  } finally {
    for (const { client } of nodes) client.close();
  }
});
