/**
 * Nodes that arrive together: each is a member from the moment its
 * admission is decided, so it hears of everyone admitted after it, and of
 * nobody admitted before it, however many arrive in one turn.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";

Deno.test("40 nodes admitted at once: each hears `joined` exactly for the nodes admitted after it", async () => {
  // Every change on its own line here (no summaries): what is pinned is who hears of whom.
  await using hub = startTestHub({ presence: { linesPerWindow: 1_000 } });
  const nodes = 40;
  const encoder = new TextEncoder();
  const connections = await Promise.all(
    Array.from(
      { length: nodes },
      () => Deno.connect({ hostname: "127.0.0.1", port: hub.address.port }),
    ),
  );
  // Every answer is sent before any admission is read: they land in the same turns.
  await Promise.all(connections.map((conn) => conn.write(encoder.encode(`${ANSWER}\n`))));
  const transcripts = await Promise.all(connections.map(async (conn) => {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(1 << 16);
    let text = "";
    const quiet = () => new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_500));
    for (;;) {
      const read = await Promise.race([conn.read(buffer), quiet()]);
      if (!read) break;
      text += decoder.decode(buffer.subarray(0, read), { stream: true });
    }
    return text.split("\n");
  }));
  for (const conn of connections) conn.close();
  const pinOf = (lines: string[]) =>
    Number(/your PIN is (\d+)/u.exec(lines.find((line) => line.startsWith("ok admitted"))!)![1]);
  // Admission order, as the hub decided it: node ids follow it, and so do the joined pushes.
  const joinedBy = transcripts.map((lines) =>
    lines.filter((line) => line.startsWith("! joined ")).map((line) => Number(line.split(" ")[2]))
  );
  const pins = transcripts.map(pinOf);
  assertEquals(new Set(pins).size, nodes);
  const total = joinedBy.reduce((sum, list) => sum + list.length, 0);
  assertEquals(total, (nodes * (nodes - 1)) / 2);
  // Nobody hears of itself, and nobody hears of one node twice.
  for (const [index, list] of joinedBy.entries()) {
    assertEquals(list.includes(pins[index]!), false);
    assertEquals(new Set(list).size, list.length);
  }
});
