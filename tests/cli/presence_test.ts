/**
 * The scripted node under presence summaries (PROTOCOL.md 12.1): following a
 * meeting that dozens join at once, it prints the few `joined` lines and the
 * `presence` summaries, in text and as JSON lines, and together they count
 * every arrival; the hub's log does the same.
 */

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { startCli, startServe } from "../_helpers/cli.ts";

const ARRIVALS = 60;

async function arriveAtOnce(port: number, count: number): Promise<Deno.TcpConn[]> {
  const encoder = new TextEncoder();
  const connections = await Promise.all(
    Array.from({ length: count }, () => Deno.connect({ hostname: "127.0.0.1", port })),
  );
  await Promise.all(connections.map((conn) => conn.write(encoder.encode("keyboard\n"))));
  return connections;
}

Deno.test(`consensus join --follow, text and --json, while ${ARRIVALS} nodes arrive at once`, async () => {
  await using hub = await startServe([
    "--riddle",
    "What has keys but can't open locks?",
    "--answer",
    "keyboard",
    "--max-pending",
    "1000",
  ]);
  const address = `127.0.0.1:${hub.port}`;
  const follow = (name: string, ...more: string[]) =>
    startCli(["join", address, "--answer", "keyboard", "--name", name, "--follow", ...more]);
  await using text = follow("text-follower", "--timeout", "30");
  await hub.waitForLine((line) => line.startsWith("joined ") && line.includes(" text-follower "));
  await using json = follow("json-follower", "--timeout", "30", "--json");
  await hub.waitForLine((line) => line.startsWith("joined ") && line.includes(" json-follower "));
  const connections = await arriveAtOnce(hub.port, ARRIVALS);
  try {
    const everyone = ARRIVALS + 2;
    await text.waitForLine((line) => line.endsWith(` connected ${everyone}`));
    await json.waitForLine((line) => line.includes(`"connected":${everyone}`));

    // Text: the JSON follower's arrival and the 60 others, each on a line or in a summary.
    const summaries = text.lines.map((line) =>
      /^! presence joined (\d+) left 0 resumed 0 connected \d+$/u.exec(line)
    ).filter((match) => match !== null);
    const joinedLines = text.lines.filter((line) => line.startsWith("! joined ")).length;
    assertEquals(
      joinedLines + summaries.reduce((sum, match) => sum + Number(match[1]), 0),
      ARRIVALS + 1,
    );

    // The hub's own log follows the nodes' rule: a few lines, then summaries, counting everyone.
    await hub.waitForLine((line) => line.startsWith("presence ") && line.endsWith(` ${everyone}`));
    const logged = hub.lines.filter((line) => line.startsWith("joined ")).length +
      hub.lines.map((line) => /^presence joined (\d+) /u.exec(line)).reduce(
        (sum, match) => sum + (match ? Number(match[1]) : 0),
        0,
      );
    assertEquals(logged, ARRIVALS + 2);

    // JSON: one object per line, the same rule.
    const events = json.lines.flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
    const presence = events.filter((event) => event.event === "presence");
    assertEquals(Object.keys(presence[0]), ["event", "joined", "left", "resumed", "connected"]);
    assertEquals(
      events.filter((event) => event.event === "joined").length +
        presence.reduce((sum, event) => sum + event.joined, 0),
      ARRIVALS,
    );
  } finally {
    for (const conn of connections) conn.close();
  }
});
