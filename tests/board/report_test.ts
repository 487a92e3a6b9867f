/**
 * `consensus results --html FILE`: the minutes of a meeting open in a real
 * browser with the network off and show every ballot, its bars and numbers,
 * and the journal's head hash that `consensus audit` prints.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { artifactsDirectory, hasBrowser, launchBrowser } from "../_helpers/browser.ts";
import { runCli, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";

Deno.test({
  name: "the HTML report opens offline and shows every ballot with the journal's head hash",
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: !hasBrowser(),
  async fn() {
    const data = await Deno.makeTempDir({ prefix: "consensus-report-" });
    try {
      {
        await using hub = await startServe([
          "--data",
          data,
          "--answer",
          "keyboard",
          "--question",
          "<b>Lunch</b> & <script>x</script>?",
          "--options",
          "pizza,soup",
          "--rule",
          "majority",
        ]);
        const voters = await Promise.all(
          [0, 1, 2].map(() => TextClient.admitted(hub.port, "keyboard")),
        );
        // One after the other, soup first: the second pizza decides ballot 1.
        for (const [index, { client }] of voters.entries()) {
          await client.send(index === 0 ? "vote 1 soup" : "vote 1 pizza");
          await client.readUntil((line) => line.startsWith("ok vote"));
        }
        await hub.waitForLine((line) => line.startsWith("consensus ballot 1"));
        for (const { client } of voters) client.close();
      } // The hub stops cleanly: the second round closes as hub-stopped.
      const file = `${artifactsDirectory()}/report.html`;
      const written = await runCli([
        "results",
        "--data",
        data,
        "--meeting",
        "latest",
        "--html",
        file,
      ]);
      assertEquals(written.code, 0, written.stderr);
      const audit = await runCli(["audit", data]);
      const head = /head hash ([0-9a-f]{64})/u.exec(audit.stdout)?.[1];
      assert(head, audit.stdout);

      await using browser = await launchBrowser();
      const context = await browser.newContext();
      await context.setOffline(true);
      const requests: string[] = [];
      context.on("request", (request) => requests.push(request.url()));
      const page = await context.newPage();
      await page.goto(`file://${file}`);
      assertEquals(await page.$$eval("section[data-ballot]", (nodes) => nodes.length), 2);
      const first = await page.textContent('section[data-ballot="1"]');
      assert(first!.includes("Ballot 1: <b>Lunch</b> & <script>x</script>?"), first!);
      assert(first!.includes("Decided: pizza"), first!);
      assert(first!.includes("Rule") && first!.includes("majority"), first!);
      assertEquals(
        await page.getAttribute(
          'section[data-ballot="1"] [role=meter][aria-label="pizza"]',
          "aria-valuenow",
        ),
        "2",
      );
      assert((await page.textContent('section[data-ballot="2"]'))!.includes("hub-stopped"));
      assert((await page.textContent("body"))!.includes(head!), "the head hash of audit");
      assertEquals(await page.$$eval("script, b", (nodes) => nodes.length), 0);
      assertEquals(requests.filter((url) => !url.startsWith("file:")), []);
      await page.screenshot({ path: `${artifactsDirectory()}/report.png`, fullPage: true });
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  },
});
