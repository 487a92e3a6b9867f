/**
 * The web board and the phone page in a real headless Chromium: live bars
 * and the decision banner from votes over TCP (text and JSON) and from a
 * phone; hostile text stays text; the token and the Origin check keep
 * strangers out; eight board tabs are all live; a phone whose socket is cut
 * comes back as the same node. Screenshots are saved for a person to look at.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { artifactsDirectory, hasBrowser, launchBrowser } from "../_helpers/browser.ts";
import { type ServeProcess, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";

const ANSWER = "keyboard";
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const WAIT = { timeout: 10_000 };
const ignore = { sanitizeOps: false, sanitizeResources: false, ignore: !hasBrowser() };
const artifacts = artifactsDirectory();
console.log(`screenshots: ${artifacts}`);

/** Starts serve with a board and reads the board and phone URLs from its banner. */
async function startBoardHub(
  args: string[],
): Promise<ServeProcess & { board: string; phone: string }> {
  const hub = await startServe(["--board", "127.0.0.1:0", "--answer", ANSWER, ...args]);
  const url = async (label: string) =>
    (await hub.waitForLine((line) => line.trimStart().startsWith(label))).split(label)[1]!.trim();
  return Object.assign(hub, { board: await url("board:"), phone: await url("phones:") });
}

/** A node over TCP speaking the text dialect, admitted. */
async function textNode(port: number): Promise<TextClient> {
  const { client } = await TextClient.admitted(port, ANSWER);
  return client;
}

/** A node over TCP speaking the JSON dialect, admitted under a name. */
async function jsonNode(port: number, name: string): Promise<TextClient> {
  const client = await TextClient.connect(port);
  await client.readUntil((line) => line.startsWith("? "));
  await client.send(JSON.stringify({ answer: ANSWER, name }));
  await client.readUntil((line) => line.includes('"event":"admitted"'));
  return client;
}

/** Opens the phone page in a mobile context and joins through the gate. */
async function joinFromPhone(browser: Browser, url: string, name: string): Promise<Page> {
  const context = await browser.newContext(PHONE);
  const phone = await context.newPage();
  await phone.goto(url);
  await phone.fill("#answer", ANSWER);
  await phone.fill("#name", name);
  await phone.click("#gate button");
  await phone.waitForSelector("#me:not([hidden])", WAIT);
  return phone;
}

function meter(ballot: number, option: string, votes: number): string {
  return `[data-ballot="${ballot}"] [role=meter][data-option="${option}"][aria-valuenow="${votes}"]`;
}

Deno.test({
  name: "the board shows votes from text, JSON and phone nodes live, then the decision",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub([
      "--question",
      "Ship the release?",
      "--options",
      "yes,no",
      "--rule",
      "majority",
    ]);
    await using browser = await launchBrowser();
    const board = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await board.goto(hub.board);
    await board.waitForSelector(meter(1, "A", 0), WAIT);
    const phone = await joinFromPhone(browser, hub.phone, "phone-ann");
    using text = await textNode(hub.port);
    using json = await jsonNode(hub.port, "json-bob");
    await board.waitForSelector('#status:has-text("3 connected")', WAIT);

    await text.send("vote yes");
    await board.waitForSelector(meter(1, "A", 1), WAIT);
    await phone.click('[data-ballot="1"] button[data-option="B"]');
    await board.waitForSelector(meter(1, "B", 1), WAIT);
    assertEquals(
      await board.getAttribute(`[data-ballot="1"] [role=meter][data-option="B"]`, "aria-valuemax"),
      "3",
    );
    await board.screenshot({ path: `${artifacts}/board-live.png` });

    await json.send(JSON.stringify({ id: 1, op: "vote", option: "yes" }));
    await board.waitForSelector("#decision:not([hidden])", WAIT);
    const banner = await board.textContent("#decision");
    assert(banner!.includes("Decided: yes (Ship the release?)"), banner!);
    assert(banner!.includes("3 of 3 voted"), banner!);
    await board.waitForSelector('#announcer:has-text("Decided: yes")', WAIT);
    await board.screenshot({ path: `${artifacts}/board-decided.png` });

    await phone.waitForSelector(".outcome", WAIT);
    assert((await phone.textContent(".outcome"))!.includes("decided: yes"));
    await phone.screenshot({ path: `${artifacts}/phone.png` });
  },
});

Deno.test({
  name: "hostile names, questions and options show as inert text on the board",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub(["--allow-propose"]);
    await using browser = await launchBrowser();
    const board = await browser.newPage();
    const dialogs: string[] = [];
    board.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    await board.goto(hub.board);
    await board.waitForSelector("[role=meter]", WAIT);
    using script = await jsonNode(hub.port, "<script>alert(1)</script>");
    using image = await jsonNode(hub.port, "<img/src=x/onerror=alert(2)>");
    // Names with controls or bidirectional overrides are refused by the hub itself.
    await script.send(JSON.stringify({ id: 1, op: "name", name: "evil\u202etxt" }));
    await script.readUntil((line) => line.includes('"code":"invalid-text"'));
    // And so are questions with them; markup is allowed, and must stay text on the board.
    await image.send(JSON.stringify({
      id: 2,
      op: "propose",
      question: "rtl\u202eevil bell\u0007?",
      options: ["a", "b"],
    }));
    await image.readUntil((line) => line.includes('"code":"invalid-proposal"'));
    await image.send(JSON.stringify({
      id: 3,
      op: "propose",
      question: "<img src=x onerror=alert(3)> & <iframe src=/>?",
      options: ["<script>alert(4)</script>", "<b>bold</b>"],
    }));
    await image.readUntil((line) => line.includes('"op":"propose"'));
    await board.waitForSelector('[data-ballot="2"]', WAIT);
    const question = await board.textContent('[data-ballot="2"] h2');
    assertEquals(question, "<img src=x onerror=alert(3)> & <iframe src=/>?");
    const labels = await board.$$eval(
      '[data-ballot="2"] .label',
      (nodes) => nodes.map((node) => node.textContent),
    );
    assertEquals(labels, ["<script>alert(4)</script>", "<b>bold</b>"]);
    const ticker = await board.textContent("#ticker");
    assert(ticker!.includes("<script>alert(1)</script> (PIN"), ticker!);
    assert(ticker!.includes("<img/src=x/onerror=alert(2)> (PIN"), ticker!);
    assertEquals(
      await board.$$eval(
        "main img, main script, main b, main iframe, #ticker img, #ticker script",
        (nodes) => nodes.length,
      ),
      0,
    );
    assertEquals(dialogs, []);
    await board.screenshot({ path: `${artifacts}/board-hostile.png` });
  },
});

Deno.test({
  name: "a wrong token gets 403 and a page on another site cannot open the sockets",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub([]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const wrong = hub.board.replace(/token=[^&]+/u, "token=wrong");
    assertEquals((await page.goto(wrong))?.status(), 403);
    assertEquals((await page.goto(hub.board.replace(/\?.*$/u, "")))?.status(), 403);
    // A page on another origin that knows the token still cannot use the sockets.
    const socketUrl = hub.phone.replace("http://", "ws://").replace("/vote", "/ws/node");
    const evil = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
      new Response(
        `<!doctype html><title>waiting</title><script>
          const socket = new WebSocket(${JSON.stringify(socketUrl)});
          socket.onopen = () => document.title = "opened";
          socket.onerror = () => document.title = "refused";
        </script>`,
        { headers: { "content-type": "text/html" } },
      ));
    try {
      await page.goto(`http://127.0.0.1:${evil.addr.port}/`);
      await page.waitForFunction('document.title !== "waiting"', undefined, WAIT);
      assertEquals(await page.title(), "refused");
    } finally {
      await evil.shutdown();
    }
  },
});

Deno.test({
  name: "eight board tabs are all live",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub([]);
    await using browser = await launchBrowser();
    const context = await browser.newContext();
    const tabs: Page[] = [];
    for (let index = 0; index < 8; index++) {
      const tab = await context.newPage();
      await tab.goto(hub.board);
      tabs.push(tab);
    }
    await Promise.all(tabs.map((tab) => tab.waitForSelector(meter(1, "A", 0), WAIT)));
    using voter = await textNode(hub.port);
    await voter.send("vote A");
    await Promise.all(tabs.map((tab) => tab.waitForSelector(meter(1, "A", 1), WAIT)));
  },
});

Deno.test({
  name: "the phone page comes back as the same node after its socket is cut",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub(["--options", "yes,no", "--allow-change"]);
    const target = Number(new URL(hub.phone).port);
    await using relay = startRelay(target);
    await using browser = await launchBrowser();
    const phoneUrl = hub.phone.replace(`:${target}/`, `:${relay.port}/`);
    const phone = await joinFromPhone(browser, phoneUrl, "sleepy");
    const pin = await phone.textContent("#my-pin");
    relay.cut();
    await phone.waitForSelector('#status:has-text("Back in")', WAIT);
    assertEquals(await phone.textContent("#my-pin"), pin);
    await hub.waitForLine((line) => line.startsWith("resumed") && line.includes("sleepy"));
    await phone.click('[data-ballot="1"] button[data-option="A"]');
    await phone.waitForSelector('[data-ballot="1"] button.chosen[data-option="A"]', WAIT);
    await phone.screenshot({ path: `${artifacts}/phone-resumed.png` });
  },
});

Deno.test({
  name: "a phone on plain http under a LAN name, without WebCrypto, still proves the answer",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub([]);
    // Any name but localhost makes plain http an insecure context, where browsers withhold
    // crypto.subtle; the name is mapped to loopback so that nothing leaves the machine.
    await using browser = await launchBrowser(["--host-resolver-rules=MAP phone.test 127.0.0.1"]);
    const url = hub.phone.replace("127.0.0.1", "phone.test");
    const context = await browser.newContext(PHONE);
    const probe = await context.newPage();
    await probe.goto(url);
    assertEquals(await probe.evaluate("[window.isSecureContext, typeof crypto.subtle]"), [
      false,
      "undefined",
    ]);
    await probe.close();
    const phone = await joinFromPhone(browser, url, "lan-phone");
    assert((await phone.textContent("#my-name")) === "lan-phone");
    await hub.waitForLine((line) => line.startsWith("joined") && line.includes("lan-phone"));
  },
});

Deno.test({
  name: "with --hide-results the board shows no counts until the ballot closes",
  ...ignore,
  async fn() {
    await using hub = await startBoardHub(["--hide-results", "--rule", "majority"]);
    await using browser = await launchBrowser();
    const board = await browser.newPage();
    await board.goto(hub.board);
    await board.waitForSelector('[data-ballot="1"]:has-text("Results are hidden")', WAIT);
    using first = await textNode(hub.port);
    await first.send("vote A");
    await first.readUntil((line) => line.startsWith("ok vote"));
    await board.waitForSelector('[data-ballot="1"]:has-text("1 in the electorate")', WAIT);
    assertEquals(await board.$$eval("[role=meter]", (nodes) => nodes.length), 0);
    await board.waitForSelector("#decision:not([hidden])", WAIT);
    assert((await board.textContent("#decision"))!.includes("1 of 1 voted"));
  },
});

/** A TCP relay to the web server whose connections the test can cut, as a phone that sleeps loses its own. */
function startRelay(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const pumps = new Set<Promise<void>>();
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    await from.readable.pipeTo(to.writable, { preventClose: false }).catch(() => {});
    for (const conn of [from, to]) {
      open.delete(conn);
      try {
        conn.close();
      } catch {
        // Closed already.
      }
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      open.add(client);
      open.add(server);
      for (const pump of [pipe(client, server), pipe(server, client)]) {
        pumps.add(pump);
        pump.finally(() => pumps.delete(pump));
      }
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut() {
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // Closed already.
        }
      }
      open.clear();
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      this.cut();
      await accepting;
      await Promise.all(pumps);
    },
  };
}
