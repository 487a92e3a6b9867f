import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Outbox } from "../../lib/hub/outbox.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A writer that records every write and completes it at once. */
function recordingWriter(): { writes: string[]; write(bytes: Uint8Array): Promise<number> } {
  const writes: string[] = [];
  return {
    writes,
    write(bytes) {
      writes.push(text(bytes));
      return Promise.resolve(bytes.length);
    },
  };
}

Deno.test("what is sent while held leaves in one write, in order, once released", async () => {
  const writer = recordingWriter();
  const outbox = new Outbox(writer, { onFailure: () => {} });
  outbox.hold();
  outbox.send("ok 1\n");
  outbox.send(new TextEncoder().encode("! pushed\n"));
  outbox.send("ok 2\n");
  assertEquals(writer.writes, []);
  outbox.release();
  await outbox.drained();
  assertEquals(writer.writes, ["ok 1\n! pushed\nok 2\n"]);
});

Deno.test("waiting for the queue to drain ends a hold", async () => {
  const writer = recordingWriter();
  const outbox = new Outbox(writer, { onFailure: () => {} });
  outbox.hold();
  outbox.send("bye\n");
  await outbox.drained();
  assertEquals(writer.writes, ["bye\n"]);
});

Deno.test("without a hold, the first send is written at once", () => {
  const writer = recordingWriter();
  const outbox = new Outbox(writer, { onFailure: () => {} });
  outbox.send("ok\n");
  assertEquals(writer.writes, ["ok\n"]);
});
