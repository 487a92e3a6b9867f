import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { connectFrom, sourceAddressFor } from "../bench/source_address.ts";

Deno.test("a load-generator connection from 127.0.0.2 arrives with that source address", async (t) => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await connectFrom("127.0.0.1", listener.addr.port, "127.0.0.2");
  const server = await listener.accept();
  try {
    await t.step("the hub side sees 127.0.0.2", () => {
      strictEqual(server.remoteAddr.hostname, "127.0.0.2");
    });
    await t.step("lines go both ways, read as from a Deno.TcpConn", async () => {
      await client.write(new TextEncoder().encode("a\n"));
      const buffer = new Uint8Array(16);
      const count = await server.read(buffer);
      strictEqual(new TextDecoder().decode(buffer.subarray(0, count ?? 0)), "a\n");
      await server.write(new TextEncoder().encode("ok admitted\n"));
      const got = await client.read(buffer);
      strictEqual(new TextDecoder().decode(buffer.subarray(0, got ?? 0)), "ok admitted\n");
    });
    await t.step("the read ends when the peer closes", async () => {
      server.close();
      strictEqual(await client.read(new Uint8Array(16)), null);
    });
  } finally {
    client.close();
    try {
      server.close();
    } catch {
      // Closed by the last step.
    }
  }
});

Deno.test("source addresses are spread only past the threshold", () => {
  strictEqual(sourceAddressFor(0, 10_000, 25_000), undefined);
  const spread = Array.from({ length: 6 }, (_, index) => sourceAddressFor(index, 300, 100));
  deepStrictEqual(spread, [
    "127.0.0.1",
    "127.0.0.2",
    "127.0.0.3",
    "127.0.0.1",
    "127.0.0.2",
    "127.0.0.3",
  ]);
});
