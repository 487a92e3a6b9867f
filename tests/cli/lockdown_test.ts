import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { PERMISSIONS } from "../_helpers/cli.ts";

Deno.test("after start-up the hub cannot write outside (or inside) its data directory; the journal still works", async () => {
  const directory = await Deno.makeTempDir({ prefix: "consensus-lockdown-" });
  const outside = `${await Deno.makeTempDir({ prefix: "consensus-outside-" })}/stolen.txt`;
  try {
    const probe = new URL("../_fixtures/lockdown_probe.ts", import.meta.url).pathname;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", ...PERMISSIONS, probe, directory, outside],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
    assertEquals(JSON.parse(text), {
      journal: "written",
      outside: "NotCapable",
      inside: "NotCapable",
      read: "NotCapable",
    });
    const exists = await Deno.stat(outside).then(() => true, () => false);
    assertEquals(exists, false);
  } finally {
    await Deno.remove(directory, { recursive: true });
    await Deno.remove(outside.slice(0, outside.lastIndexOf("/")), { recursive: true });
  }
});
