/**
 * Presence at scale, over real sockets: a node in a meeting that hundreds
 * join or leave at once is told in a few lines and summaries that count
 * every change, and once it is quiet again each change has its own line.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { TextClient } from "../_helpers/text_client.ts";

const STORM = 300;

/** The counts of a `! presence ...` line. */
interface PresenceCounts {
  joined: number;
  left: number;
  resumed: number;
  connected: number;
}

function presenceOf(line: string): PresenceCounts | undefined {
  const match = /^! presence joined (\d+) left (\d+) resumed (\d+) connected (\d+)$/u.exec(line);
  if (!match) return undefined;
  const [joined, left, resumed, connected] = match.slice(1).map(Number);
  return { joined: joined!, left: left!, resumed: resumed!, connected: connected! };
}

async function admitAtOnce(port: number, count: number): Promise<Deno.TcpConn[]> {
  const encoder = new TextEncoder();
  const connections = await Promise.all(
    Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  await Promise.all(connections.map((conn) => conn.write(encoder.encode(`${ANSWER}\n`))));
  // Each reads until it is in: its admission line has come.
  await Promise.all(connections.map(async (conn) => {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(1 << 16);
    let text = "";
    while (!text.includes("ok admitted")) {
      const read = await conn.read(buffer);
      if (read === null) throw new Error("The hub closed a connection at the gate");
      text += decoder.decode(buffer.subarray(0, read), { stream: true });
    }
  }));
  return connections;
}

Deno.test(`${STORM} nodes joining and leaving at once reach a node as a few lines and summaries`, async () => {
  await using hub = startTestHub({ maxPendingPerAddress: 1_000 });
  const { client: observer } = await TextClient.admitted(hub.address.port, ANSWER);
  try {
    const connections = await admitAtOnce(hub.address.port, STORM);
    const everyone = STORM + 1;
    await observer.readUntil((line) => presenceOf(line)?.connected === everyone, 10_000);
    const afterJoins = [...observer.transcript];
    const lines = afterJoins.filter((line) => line.startsWith("! joined "));
    const summaries = afterJoins.map(presenceOf).filter((counts): counts is PresenceCounts =>
      counts !== undefined
    );
    assert(lines.length <= 10, `${lines.length} joined lines`);
    assertEquals(lines.length + summaries.reduce((sum, counts) => sum + counts.joined, 0), STORM);
    // What the observer read because others came: a few hundred bytes, not one line per node.
    const presenceBytes = [...lines, ...afterJoins.filter((line) => presenceOf(line))]
      .reduce((sum, line) => sum + line.length + 1, 0);
    assert(presenceBytes < 1_500, `${presenceBytes} bytes of presence`);

    // The list is one request away.
    await observer.send("discover");
    const discovered = await observer.readUntil((line) => line.startsWith("ok discover"));
    assertEquals(discovered, `ok discover: ${everyone} nodes`);

    for (const conn of connections) conn.close();
    await observer.readUntil((line) => presenceOf(line)?.connected === 1, 10_000);
    const afterLeaving = observer.transcript.slice(afterJoins.length);
    const left = afterLeaving.filter((line) => line.startsWith("! left ")).length +
      afterLeaving.map(presenceOf).reduce((sum, counts) => sum + (counts?.left ?? 0), 0);
    assertEquals(left, STORM);

    // Quiet again: the next arrival has its own line (after the last summary's window ends).
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const { client: late, pin } = await TextClient.admitted(hub.address.port, ANSWER);
    late.close();
    await observer.readUntil((line) => line.startsWith(`! joined ${pin} `), 5_000);
  } finally {
    observer.close();
  }
});
