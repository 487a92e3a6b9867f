/**
 * TLS end to end with certificates made by `consensus certs`: the real hub,
 * the real node.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runCli, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";

const RIDDLE = ["--riddle", "What has keys but can't open locks?", "--answer", "keyboard"];

Deno.test("a node joins over TLS with the project's own certificates; a wrong CA is refused clearly", async (t) => {
  const directory = await Deno.makeTempDir({ prefix: "consensus-tls-" });
  try {
    for (const name of ["hub", "other"]) {
      const made = await runCli(["certs", `${directory}/${name}`]);
      assertEquals(made.code, 0, made.stderr);
    }
    await using hub = await startServe([
      ...RIDDLE,
      "--tls-cert",
      `${directory}/hub/hub.pem`,
      "--tls-key",
      `${directory}/hub/hub-key.pem`,
      "--tls-port",
      "0",
    ]);
    const tlsLine = await hub.waitForLine((line) => line.startsWith("  TLS on port "));
    const tlsPort = Number(tlsLine.split(" ").at(-1));
    await t.step("the right answer over TLS is admitted and votes", async () => {
      const result = await runCli([
        "join",
        `tls://127.0.0.1:${tlsPort}`,
        "--tls-ca",
        `${directory}/hub/ca.pem`,
        "--answer",
        "keyboard",
        "--vote",
        "A",
        "--json",
      ]);
      assertEquals(result.code, 0, result.stderr);
      assertEquals(JSON.parse(result.stdout).vote.option, "A");
    });
    await t.step(
      "a CA that did not sign the hub's certificate is refused, saying why",
      async () => {
        const result = await runCli([
          "join",
          `tls://127.0.0.1:${tlsPort}`,
          "--tls-ca",
          `${directory}/other/ca.pem`,
          "--answer",
          "keyboard",
          "--discover",
        ]);
        assertEquals(result.code, 3, result.stderr);
        assert(result.stderr.includes("Cannot trust the hub at 127.0.0.1:"), result.stderr);
        assert(result.stderr.includes("invalid peer certificate: UnknownIssuer"), result.stderr);
      },
    );
    await t.step("plain text sent to the TLS port is dropped and the hub serves on", async () => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: tlsPort });
      await conn.write(new TextEncoder().encode("keyboard\nvote A\n"));
      const buffer = new Uint8Array(1024);
      const read = await conn.read(buffer).catch(() => null);
      conn.close();
      assert(
        read === null || !new TextDecoder().decode(buffer.subarray(0, read)).includes("admitted"),
      );
      const { client } = await TextClient.admitted(hub.port);
      using _ = client;
      await client.send("stats");
      await client.readUntil((line) => line.includes("1 vote"));
    });
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
