/**
 * The interactive node in a real pseudo-terminal: tmux runs `consensus join`
 * without `--answer`, the test types keys and reads the screen as a person
 * would see it.
 */

import type { HubEvent } from "../../lib/election/events.ts";
import type { Journal } from "../../lib/store/journal.ts";
import { ANSWER, startTestHub } from "../_helpers/hub_fixture.ts";
import { cliCommand, MDNS_LOOPBACK, startServe } from "../_helpers/cli.ts";
import { TextClient } from "../_helpers/text_client.ts";
import { testNeeding } from "../_helpers/tools.ts";

/** The main menu's entries, top to bottom, as a person sees them. */
const SERVICES = [
  "vote",
  "stats",
  "ballots",
  "results",
  "propose",
  "close",
  "discover",
  "setup",
  "negotiate",
  "receive",
  "name",
  "exit",
];
const MAIN_MENU = "Choose a service";
/** The fixture's standing question. */
const QUESTION = "Would you rather be able to fly or be invisible?";
const VOTE_MENU = `Ballot 1: ${QUESTION}`;
const SIZE = { columns: 120, rows: 40 };
/** Upper bound of each wait for the screen. */
const WAIT_MS = 10_000;
/** Time between two looks at the screen. */
const POLL_MS = 50;
/** What the shell around the program prints, with the status, when it ends. */
const EXIT_MARK = "The program exited with status";
/** Every test here drives a terminal in tmux. */
const tmuxTest = testNeeding("tmux", "tmux");

tmuxTest("the interactive node at a terminal: gate, vote, pushes, stats, exit", async (t) => {
  await using hub = startTestHub();
  const port = hub.address.port;
  // With the terminal's node, three connected: two votes for A decide.
  using first = (await TextClient.admitted(port)).client;
  using second = (await TextClient.admitted(port)).client;
  await using terminal = await Terminal.start(cliCommand(["join", `127.0.0.1:${port}`]));

  // The phases share one screen: after a failed one, the next would only time out.
  const phases: [string, () => Promise<void>][] = [
    ["asks the gate question, leaves no trace of it, and shows the open ballot", async () => {
      const screen = await answerGate(terminal);
      check(!screen.includes("What has keys"), "the answered gate prompt is still shown", screen);
      check(
        isAbove(
          screen,
          `Ballot 1 open: ${QUESTION} A) be able to fly  B) be invisible (rule seed, live)`,
          MAIN_MENU,
        ),
        "the open ballot is not shown",
        screen,
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "vote");
    }],
    ["votes with the arrow keys", async () => {
      await terminal.choose(MAIN_MENU, "vote");
      // One ballot open: the options come at once.
      await terminal.waitFor(
        "the vote menu",
        (screen) => readMenu(screen, VOTE_MENU) !== undefined,
      );
      // Down to B and back up to A: both arrows move the cursor.
      await terminal.moveTo(VOTE_MENU, "B) be invisible");
      await terminal.choose(VOTE_MENU, "A) be able to fly");
      const screen = await terminal.waitFor(
        "the vote's reply and the menu below it",
        (text) => isAbove(text, "ok vote A (be able to fly) recorded on ballot 1", MAIN_MENU),
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "vote");
      check(readMenu(screen, VOTE_MENU) === undefined, "the vote menu is left over", screen);
    }],
    ["prints pushed events above an intact menu that keeps its cursor", async () => {
      await terminal.moveTo(MAIN_MENU, "stats");
      await first.send("vote A");
      let screen = await terminal.waitFor(
        "the consensus push above the menu",
        (text) =>
          isAbove(
            text,
            "! consensus ballot 1: A (be able to fly) - 2 of 3 connected voted A: 66.7% > 50%",
            MAIN_MENU,
          ) &&
          isAbove(text, `! ballot 2 open: ${QUESTION}`, MAIN_MENU),
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "stats");

      const { client, pin } = await TextClient.admitted(port);
      using third = client;
      screen = await terminal.waitFor(
        "the joined push above the menu",
        (text) => isAbove(text, `! joined ${pin} node-${pin} 127.0.0.1:`, MAIN_MENU),
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "stats");
      third.close();
      screen = await terminal.waitFor(
        "the left push above the menu",
        (text) => isAbove(text, `! left ${pin} node-${pin} (dropped)`, MAIN_MENU),
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "stats");
    }],
    ["shows stats as a bar chart", async () => {
      // One vote for B on ballot 2 is no decision (one vote is never enough).
      await second.send("vote B");
      await second.readUntil((line) => line.startsWith("ok vote B"));
      await terminal.choose(MAIN_MENU, "stats");
      const screen = await terminal.waitFor(
        "the chart and the menu below it",
        (text) => isAbove(text, "Ballot 1 decided A (be able to fly): 2 of 3", MAIN_MENU),
      );
      const lines = screen.split("\n");
      const expected = [
        /^Ballot 2: Would you rather be able to fly or be invisible\? \(rule seed, 1 of 3 voted\)$/u,
        /^ {2}A be able to fly ░{20} 0 \(0%\)$/u,
        /^ {2}B be invisible {3}█{20} 1 \(100%\)$/u,
        /^Ballot 1 decided A \(be able to fly\): 2 of 3 connected voted A: 66\.7% > 50%$/u,
      ];
      const heading = lines.findLastIndex((line) => expected[0]!.test(line));
      check(heading !== -1, "no stats heading", screen);
      expected.forEach((pattern, offset) =>
        check(pattern.test(lines[heading + offset] ?? ""), `no line like ${pattern}`, screen)
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "stats");
    }],
    ["leaves with exit", async () => {
      await terminal.choose(MAIN_MENU, "exit");
      const screen = await terminal.waitFor("the goodbye", (text) => /^Bye\.$/mu.test(text));
      check(readMenu(screen, MAIN_MENU) === undefined, "the menu stayed after exit", screen);
      const status = await terminal.waitForExit();
      check(status === 0, `the node exited with status ${status}`, screen);
    }],
  ];
  for (const [name, phase] of phases) {
    if (!await t.step(name, phase)) break;
  }
});

tmuxTest("several ballots at a terminal: propose, pick the ballot to vote on, close", async (t) => {
  await using hub = startTestHub({ allowPropose: true });
  const port = hub.address.port;
  // Two connected: one vote is not a majority, so the ballot stays open until closed.
  using watcher = (await TextClient.admitted(port)).client;
  await using terminal = await Terminal.start(cliCommand(["join", `127.0.0.1:${port}`]));
  let pin = "";
  const lunch = "Lunch? A) pizza  B) soup";

  const phases: [string, () => Promise<void>][] = [
    ["proposes a ballot with the prompts", async () => {
      pin = /Your PIN is (\d+)/u.exec(await answerGate(terminal))![1]!;
      await terminal.choose(MAIN_MENU, "propose");
      await terminal.answer("? Question", "Lunch?");
      await terminal.answer("? Method", "");
      await terminal.answer("? Options (separated by commas)", "pizza, soup");
      // The defaults: one choice each, the seed rule, no deadline, no switch.
      await terminal.answer("? Rule", "");
      await terminal.answer("? Deadline", "");
      await terminal.answer("? Switches", "");
      const screen = await terminal.waitFor(
        "the proposal's reply and the menu below it",
        (text) =>
          isAbove(
            text,
            `ok propose: ballot 2 open: ${lunch} (rule seed, live, proposed by ${pin})`,
            MAIN_MENU,
          ),
      );
      checkMenu(screen, MAIN_MENU, SERVICES, "propose");
      await watcher.readUntil((line) => line.startsWith(`! ballot 2 open: ${lunch}`));
    }],
    ["asks which ballot, then the option", async () => {
      await terminal.choose(MAIN_MENU, "vote");
      const screen = await terminal.waitFor(
        "the ballot menu",
        (text) => readMenu(text, "Which ballot?") !== undefined,
      );
      checkMenu(screen, "Which ballot?", [`1) ${QUESTION}`, "2) Lunch?"], `1) ${QUESTION}`);
      await terminal.choose("Which ballot?", "2) Lunch?");
      await terminal.waitFor(
        "the options of ballot 2",
        (text) => readMenu(text, "Ballot 2: Lunch?") !== undefined,
      );
      await terminal.choose("Ballot 2: Lunch?", "B) soup");
      await terminal.waitFor(
        "the vote's reply",
        (text) => isAbove(text, "ok vote B (soup) recorded on ballot 2", MAIN_MENU),
      );
    }],
    ["closes the ballot it proposed", async () => {
      await terminal.choose(MAIN_MENU, "close");
      const title = "Close which of your ballots?";
      const screen = await terminal.waitFor(
        "the ballots to close",
        (text) => readMenu(text, title) !== undefined,
      );
      checkMenu(screen, title, ["2) Lunch?", "another (type its number)"], "2) Lunch?");
      await terminal.choose(title, "2) Lunch?");
      await terminal.waitFor(
        "the closing reply",
        (text) => isAbove(text, "ok close: ballot 2 ", MAIN_MENU),
      );
      await watcher.readUntil((line) => / ballot 2: /u.test(line) && line.startsWith("! "));
    }],
    ["lists the closed ballots", async () => {
      await terminal.choose(MAIN_MENU, "results");
      const screen = await terminal.waitFor(
        "the results",
        (text) => isAbove(text, "ok results: 1 closed", MAIN_MENU),
      );
      const lines = screen.split("\n");
      const heading = lines.findLastIndex((line) => line === "ok results: 1 closed");
      check(/^ {2}ballot 2 /u.test(lines[heading + 1] ?? ""), "ballot 2 is not listed", screen);
      checkMenu(screen, MAIN_MENU, SERVICES, "results");
    }],
  ];
  for (const [name, phase] of phases) {
    if (!await t.step(name, phase)) break;
  }
});

tmuxTest(
  "ranked and consent ballots at a terminal: a ranking picked choice by choice, a block with its reason",
  async (t) => {
    await using hub = startTestHub({
      standing: {
        question: "Capital?",
        options: ["Memphis", "Nashville", "Knoxville"],
        method: "ranked:irv",
      },
      allowPropose: true,
    });
    using watcher = (await TextClient.admitted(hub.address.port)).client;
    await using terminal = await Terminal.start(
      cliCommand(["join", `127.0.0.1:${hub.address.port}`]),
    );
    const title = (n: number, so: string) => `Ballot 1: Capital?: your choice number ${n}${so}`;
    const phases: [string, () => Promise<void>][] = [
      ["ranks two options with the arrow keys, then stops", async () => {
        await answerGate(terminal);
        await terminal.choose(MAIN_MENU, "vote");
        await terminal.choose(title(1, ""), "C) Knoxville");
        const screen = await terminal.waitFor(
          "the second pick, without the first",
          (text) => readMenu(text, title(2, ", so far C")) !== undefined,
        );
        checkMenu(
          screen,
          title(2, ", so far C"),
          ["A) Memphis", "B) Nashville", "(rank no more)"],
          "A) Memphis",
        );
        await terminal.choose(title(2, ", so far C"), "A) Memphis");
        await terminal.choose(title(3, ", so far C>A"), "(rank no more)");
        await terminal.waitFor(
          "the vote's reply",
          (text) =>
            isAbove(text, "ok vote C>A (Knoxville > Memphis) recorded on ballot 1", MAIN_MENU),
        );
      }],
      ["blocks a consent proposal, giving the reason", async () => {
        await watcher.send("propose Adopt the budget? | | consent");
        await watcher.readUntil((line) => line.startsWith("ok propose: ballot 2"));
        await terminal.waitFor(
          "the new ballot",
          (text) => isAbove(text, "! ballot 2 open", MAIN_MENU),
        );
        await terminal.choose(MAIN_MENU, "vote");
        await terminal.choose("Which ballot?", "2) Adopt the budget?");
        await terminal.choose("Ballot 2: Adopt the budget?", "block");
        await terminal.answer("? Why do you block?", "we have no budget");
        await terminal.waitFor(
          "the vote's reply",
          (text) =>
            isAbove(text, 'ok vote D "we have no budget" (block) recorded on ballot 2', MAIN_MENU),
        );
      }],
    ];
    for (const [name, phase] of phases) {
      if (!await t.step(name, phase)) break;
    }
  },
);

tmuxTest("Ctrl-C at the menu leaves as exit does", async () => {
  await using hub = startTestHub();
  using watcher = (await TextClient.admitted(hub.address.port)).client;
  await using terminal = await Terminal.start(
    cliCommand(["join", `127.0.0.1:${hub.address.port}`]),
  );
  const pin = /Your PIN is (\d+)/u.exec(await answerGate(terminal))![1];
  await terminal.press("C-c");
  const status = await terminal.waitForExit();
  const screen = await terminal.capture();
  check(status === 0, `the node exited with status ${status}`, screen);
  check(/^Bye\.$/mu.test(screen), "no goodbye", screen);
  check(readMenu(screen, MAIN_MENU) === undefined, "the menu stayed", screen);
  // The hub was told: the others see a departure, not a dropped connection.
  await watcher.readUntil((line) => line.startsWith(`! left ${pin} node-${pin} (exit)`));
});

tmuxTest("a hub that restarts with its journal: the node resumes under its menu", async () => {
  const journal = new ReplayJournal();
  let hub = startTestHub({ journal });
  const port = hub.address.port;
  try {
    await using terminal = await Terminal.start(cliCommand(["join", `127.0.0.1:${port}`]));
    const pin = /Your PIN is (\d+)/u.exec(await answerGate(terminal))![1]!;
    await terminal.moveTo(MAIN_MENU, "stats");
    await hub.close();
    hub = await restartHub(port, { journal });
    let screen = await terminal.waitFor(
      "the resume above the menu",
      (text) =>
        isAbove(
          text,
          `Connection resumed as node-${pin} (PIN ${pin}); events meanwhile were missed.`,
          MAIN_MENU,
        ),
    );
    checkMenu(screen, MAIN_MENU, SERVICES, "stats");
    // The connection works again: the vote reaches the hub.
    await terminal.choose(MAIN_MENU, "vote");
    await terminal.waitFor("the vote menu", (text) => readMenu(text, VOTE_MENU) !== undefined);
    await terminal.choose(VOTE_MENU, "B) be invisible");
    screen = await terminal.waitFor(
      "the vote's reply",
      (text) => isAbove(text, "ok vote B (be invisible) recorded on ballot 1", MAIN_MENU),
    );
    await terminal.choose(MAIN_MENU, "exit");
    const status = await terminal.waitForExit();
    check(status === 0, `the node exited with status ${status}`, await terminal.capture());
  } finally {
    await hub.close();
  }
});

tmuxTest(
  "a hub that comes back without the node takes the menu down and ends it with 7",
  async () => {
    let hub = startTestHub();
    const port = hub.address.port;
    try {
      await using terminal = await Terminal.start(cliCommand(["join", `127.0.0.1:${port}`]));
      await answerGate(terminal);
      await hub.close();
      // A new hub with an empty journal does not know the node's resume token.
      hub = await restartHub(port);
      const status = await terminal.waitForExit();
      const screen = await terminal.capture();
      check(status === 7, `the node exited with status ${status}`, screen);
      check(
        /^consensus: Lost the connection to the hub and could not resume it$/mu.test(screen),
        "the node did not say why it ended",
        screen,
      );
      check(!screen.includes(MAIN_MENU), "the menu stayed", screen);
    } finally {
      await hub.close();
    }
  },
);

/** Events kept in memory across hubs, as a journal on disk keeps them across restarts. */
class ReplayJournal implements Journal {
  readonly durable = true;
  readonly pending = false;
  readonly #events: HubEvent[] = [];

  load(): HubEvent[] {
    return structuredClone(this.#events);
  }

  append(event: HubEvent): void {
    this.#events.push(structuredClone(event));
  }

  flush(): void {}

  end(): void {}

  close(): void {}
}

/**
 * Starts a hub again on the port of one just closed (the port may take a
 * moment to be free again).
 */
async function restartHub(
  port: number,
  options: Parameters<typeof startTestHub>[0] = {},
): Promise<ReturnType<typeof startTestHub>> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      return startTestHub({ ...options, port });
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/**
 * Waits for the gate question, types the answer, and waits for the menu.
 *
 * @returns The screen with the menu.
 */
async function answerGate(terminal: Terminal): Promise<string> {
  await terminal.waitFor(
    "the gate question",
    (screen) => screen.includes("? What has keys but can't open locks?"),
  );
  await terminal.type(ANSWER);
  await terminal.press("Enter");
  return await terminal.waitFor(
    "the admission and the menu",
    (text) =>
      /^Correct! Your PIN is \d+ and your name is node-\d+\.$/mu.test(text) &&
      readMenu(text, MAIN_MENU) !== undefined,
  );
}

/** A menu as drawn by the select prompt: its title line and the entries under it. */
interface MenuView {
  /** Index of the title line. */
  title: number;
  /** Entry names, top to bottom. */
  entries: string[];
  /** The entry under the cursor. */
  cursor: string | undefined;
}

/**
 * Finds the last menu with this title on a screen.
 *
 * @returns The menu, or `undefined` when none is drawn.
 */
function readMenu(screen: string, title: string): MenuView | undefined {
  const lines = screen.split("\n");
  const titleLine = lines.findLastIndex((line) => line === `? ${title}`);
  if (titleLine === -1) return undefined;
  const entries: string[] = [];
  let cursor: string | undefined;
  for (const line of lines.slice(titleLine + 1)) {
    const entry = /^(❯| ) (\S.*)$/u.exec(line);
    if (!entry) break;
    entries.push(entry[2]!);
    if (entry[1] === "❯") cursor = entry[2];
  }
  return entries.length === 0 ? undefined : { title: titleLine, entries, cursor };
}

/**
 * Checks that a menu is drawn whole and once: its title, each entry in
 * order, one cursor, one help line, and no remnant of an earlier drawing.
 */
function checkMenu(screen: string, title: string, entries: string[], cursor: string): void {
  const menu = readMenu(screen, title);
  check(menu !== undefined, `no "${title}" menu`, screen);
  const lines = screen.split("\n");
  const count = (match: (line: string) => boolean) => lines.filter(match).length;
  // A remnant of an old drawing may be a whole menu or its one-line answered form.
  check(count((line) => line.includes(title)) === 1, `"${title}" is not shown once`, screen);
  check(
    JSON.stringify(menu.entries) === JSON.stringify(entries),
    `the menu shows ${JSON.stringify(menu.entries)}, not ${JSON.stringify(entries)}`,
    screen,
  );
  for (const entry of entries) {
    const drawn = count((line) => line === `  ${entry}` || line === `❯ ${entry}`);
    check(drawn === 1, `the entry "${entry}" is drawn ${drawn} times`, screen);
  }
  check(menu.cursor === cursor, `the cursor is on ${menu.cursor}, not ${cursor}`, screen);
  check(count((line) => line.startsWith("↑↓ navigate")) === 1, "the help line is not once", screen);
}

/** Whether a line starting with `text` is above the menu titled `title`. */
function isAbove(screen: string, text: string, title: string): boolean {
  const menu = readMenu(screen, title);
  const line = screen.split("\n").findLastIndex((candidate) => candidate.startsWith(text));
  return menu !== undefined && line !== -1 && line < menu.title;
}

/** Fails with the screen in the message. */
function check(condition: boolean, problem: string, screen: string): asserts condition {
  if (!condition) throw new Error(`${problem}; the screen:\n${screen}`);
}

/** A program running in a detached tmux session on its own tmux server. */
class Terminal implements AsyncDisposable {
  /** A socket of our own, so the test never touches a tmux server it did not start. */
  readonly #socket = `interactive2-test-${crypto.randomUUID()}`;
  readonly #target = "node";

  private constructor() {}

  /**
   * Starts `command` in a terminal of {@linkcode SIZE}.
   *
   * @param command The program and its arguments.
   * @returns The terminal; `await using` ends the tmux server.
   */
  static async start(command: string[]): Promise<Terminal> {
    const terminal = new Terminal();
    // A shell around the program prints its exit status on the screen: tmux's
    // own #{pane_dead_status} stayed empty in many runs here (tmux 3.3a left
    // the exited program a zombie it never reaped).
    const script = `env TERM=xterm-256color NO_COLOR=1 "$@"; echo "${EXIT_MARK} $?"`;
    await terminal.#tmux([
      "new-session",
      "-d",
      "-s",
      terminal.#target,
      "-x",
      String(SIZE.columns),
      "-y",
      String(SIZE.rows),
      "sh",
      "-c",
      script,
      "sh",
      ...command,
      ";",
      "set-option",
      "-w",
      "-t",
      terminal.#target,
      // The pane stays after the shell ends, so that its last screen can be read.
      "remain-on-exit",
      "on",
    ]);
    return terminal;
  }

  /** The screen as text, one line per row, trailing spaces cut. */
  async capture(): Promise<string> {
    const text = await this.#tmux(["capture-pane", "-p", "-J", "-t", this.#target]);
    return text.split("\n").map((line) => line.trimEnd()).join("\n").trimEnd();
  }

  /** Types text literally. */
  async type(text: string): Promise<void> {
    await this.#tmux(["send-keys", "-t", this.#target, "-l", text]);
  }

  /** Presses a key by its tmux name (`Enter`, `Down`, `Up`). */
  async press(key: string): Promise<void> {
    await this.#tmux(["send-keys", "-t", this.#target, key]);
  }

  /**
   * Waits until the screen shows what `seen` looks for and has stopped
   * changing, so that keys sent next reach the prompt now drawn.
   *
   * @returns The screen.
   * @throws {Error} With the last screen, after {@linkcode WAIT_MS}.
   */
  async waitFor(what: string, seen: (screen: string) => boolean): Promise<string> {
    const deadline = Date.now() + WAIT_MS;
    let previous: string | undefined;
    let screen = "";
    for (let look = 0; look < WAIT_MS / POLL_MS && Date.now() < deadline; look++) {
      screen = await this.capture();
      if (screen === previous && seen(screen)) return screen;
      previous = screen;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(`Not seen within ${WAIT_MS / 1000} s: ${what}; the screen:\n${screen}`);
  }

  /** Moves the cursor of the menu titled `title` onto `entry`, one arrow key at a time. */
  async moveTo(title: string, entry: string): Promise<void> {
    let screen = await this.waitFor(`the "${title}" menu`, (text) => !!readMenu(text, title));
    for (let key = 0; key < 20; key++) {
      const menu = readMenu(screen, title)!;
      const from = menu.entries.indexOf(menu.cursor ?? "");
      const to = menu.entries.indexOf(entry);
      check(from !== -1 && to !== -1, `cannot move from ${menu.cursor} to ${entry}`, screen);
      if (from === to) return;
      await this.press(to > from ? "Down" : "Up");
      const next = menu.entries[to > from ? from + 1 : from - 1];
      screen = await this.waitFor(
        `the cursor on "${next}"`,
        (text) => readMenu(text, title)?.cursor === next,
      );
    }
    check(false, `the cursor did not reach ${entry}`, screen);
  }

  /**
   * Waits for a prompt whose line starts with `prompt`, types `text` (nothing
   * keeps the default) and presses Enter.
   */
  async answer(prompt: string, text: string): Promise<void> {
    await this.waitFor(
      `the prompt "${prompt}"`,
      (screen) => screen.split("\n").some((line) => line.startsWith(prompt)),
    );
    if (text !== "") await this.type(text);
    await this.press("Enter");
  }

  /** Picks an entry of a menu with the arrow keys and Enter. */
  async choose(title: string, entry: string): Promise<void> {
    await this.moveTo(title, entry);
    await this.press("Enter");
  }

  /**
   * Waits for the program to end.
   *
   * @returns Its exit status.
   */
  async waitForExit(): Promise<number> {
    const ended = (text: string) =>
      text.split("\n").find((line) => line.startsWith(`${EXIT_MARK} `));
    const screen = await this.waitFor("the end of the program", (text) => !!ended(text));
    return Number(ended(screen)!.slice(EXIT_MARK.length + 1));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // tmux leaves its socket file behind when the server is killed: remove it too.
    const socket = await this.#tmux(["display-message", "-p", "#{socket_path}"])
      .then((text) => text.trim()).catch(() => "");
    await this.#tmux(["kill-server"]).catch(() => {});
    if (socket !== "") await Deno.remove(socket).catch(() => {});
  }

  async #tmux(args: string[]): Promise<string> {
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command("tmux", {
        // No user configuration: the test sees tmux's defaults wherever it runs.
        args: ["-L", this.#socket, "-f", "/dev/null", ...args],
        env: { TERM: "xterm-256color" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(WAIT_MS),
      }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error("This test needs tmux on PATH (apt-get install tmux)", { cause: error });
      }
      throw error;
    }
    if (!result.success) {
      const message = new TextDecoder().decode(result.stderr).trim();
      throw new Error(`tmux ${args[0]} failed: ${message}`);
    }
    return new TextDecoder().decode(result.stdout);
  }
}

Deno.test("join with no address at a terminal: several hubs on the LAN, a menu picks one", async () => {
  // Two real hubs announced on loopback (multicast pinned there, nothing leaves the machine).
  const announced = async (name: string) => {
    const hub = await startServe(["--answer", "keyboard", "--name", name], { env: MDNS_LOOPBACK });
    const line = await hub.waitForLine((text) => text.startsWith("  announced:"));
    return { hub, instance: `${name} [${/hub id ([0-9a-f]{6})/u.exec(line)![1]}]` };
  };
  const first = await announced("menu-first");
  await using _first = first.hub;
  const second = await announced("menu-second");
  await using _second = second.hub;
  await using terminal = await Terminal.start([
    "env",
    `CONSENSUS_MDNS_INTERFACE=${MDNS_LOOPBACK.CONSENSUS_MDNS_INTERFACE}`,
    ...cliCommand(["join", "--answer", "keyboard"]),
  ]);
  const title = "Several hubs answered: which one?";
  const entry = (hub: typeof first) =>
    `${hub.instance}  127.0.0.1:${hub.hub.port}  "What is the join code?"`;
  const screen = await terminal.waitFor("the hub menu", (text) => {
    const entries = readMenu(text, title)?.entries ?? [];
    return entries.includes(entry(first)) && entries.includes(entry(second));
  });
  check(readMenu(screen, title)!.cursor === entry(first), "the cursor is not on the first", screen);
  await terminal.choose(title, entry(second));
  await terminal.waitFor("the main menu", (text) => !!readMenu(text, MAIN_MENU));
  // The node is on the hub picked, and only there.
  await second.hub.waitForLine((line) => /^joined \d+ node-\d+ /u.test(line));
  check(
    !first.hub.lines.some((line) => line.startsWith("joined ")),
    "the other hub was joined",
    await terminal.capture(),
  );
  await terminal.choose(MAIN_MENU, "exit");
  const status = await terminal.waitForExit();
  check(status === 0, `the node exited with status ${status}`, await terminal.capture());
});
