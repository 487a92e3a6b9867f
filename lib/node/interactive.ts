/**
 * The interactive node: answers the gate at a prompt, then offers the
 * services in a menu chosen with the arrow keys. Pushed events are printed
 * above the menu as they arrive: the menu is taken down, the event printed,
 * and the menu drawn again with the cursor where it was, so the screen stays
 * readable and the next Enter picks what the user was looking at.
 *
 * @module
 */

import { styleText } from "node:util";
import { checkbox, input, select } from "@inquirer/prompts";
import type { BallotOption, NodeInfo, VoteCounts } from "../election/events.ts";
import { formatPercent } from "../election/percent.ts";
import { parseDeadline } from "../election/proposal.ts";
import { defaultRuleFor, formatMethod, parseMethod } from "../election/methods/method_spec.ts";
import { parseRule } from "../election/rules.ts";
import { SERVICES } from "../protocol/messages.ts";
import type { Ask, BallotView, Push, Reply, Request, ServiceName } from "../protocol/messages.ts";
import {
  describeBallot,
  describeDecision,
  describeInfo,
  formatTextPush,
  formatTextReply,
  parseWordsAnswer,
} from "../protocol/text_dialect.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import type { Output } from "../cli/runtime.ts";
import { ConnectionLostError, RequestRefusedError } from "./errors.ts";
import { type HubAddress, HubClient, type JoinOptions } from "./hub_client.ts";
import { promptMethodVote } from "./vote_prompts.ts";

/** What the interactive node starts with. */
export interface InteractiveOptions {
  /** Host name or address of the hub. */
  host: string;
  /** Its port. */
  port: number;
  /** Other hubs of the same election, tried in order (see `ConnectOptions.alternates`). */
  alternates?: readonly HubAddress[];
  /** Connect with TLS, trusting these CAs. */
  tls?: { caCerts: string[] };
  /** Gate answer given on the command line; asked when missing or wrong. */
  answer?: string;
  /** Name to show the others; the hub picks `node-PIN` when left out. */
  name?: string;
  /**
   * How long to keep trying to resume after the connection drops, in
   * milliseconds; 0 never resumes.
   * @default {30000}
   */
  resumeForMs?: number;
}

/** A prompt function that can be taken down when an event arrives. */
type Prompt<T> = (signal: AbortSignal) => Promise<T>;

/** One entry of a menu. */
interface MenuChoice<T> {
  value: T;
  name: string;
  description?: string;
}

/** What a menu entry asks the hub for (the JSON dialect's request objects). */
type OutgoingRequest = Request | Record<string, unknown>;

/** The main menu: voting first, then node info, then the node itself. */
const MENU: MenuChoice<ServiceName>[] = ([
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
] as const).map((name) => ({
  value: name,
  name,
  // The hub's own menu texts, but for stats, which draws a chart here.
  description: name === "stats"
    ? "votes per option of the open ballots, with a chart"
    : SERVICES.find((service) => service.name === name)!.summary,
}));

/** Switches of a proposal, as the JSON dialect names them. */
const PROPOSAL_FLAGS = [
  { value: "frozen", name: "frozen electorate (only the nodes connected now vote)" },
  { value: "allowChange", name: "votes can change" },
  { value: "hideResults", name: "results hidden until it closes" },
  { value: "anonymous", name: "anonymous" },
] as const;

/** Why the node ends when the connection is gone for good (the client has tried to resume). */
const CONNECTION_LOST = "Lost the connection to the hub and could not resume it";

/** A reply that is this slow is worth a word: the connection may be resuming. */
const PATIENCE_MS = 3000;

/**
 * Runs the interactive node until the user leaves (the `exit` entry or
 * Ctrl-C at a prompt).
 *
 * @param options Where to join.
 * @param output Where to print.
 * @throws {ConnectionLostError} When the connection ends and cannot be resumed.
 */
export async function runInteractive(options: InteractiveOptions, output: Output): Promise<void> {
  const client = await HubClient.connect({
    host: options.host,
    port: options.port,
    resumeForMs: options.resumeForMs ?? 30_000,
    tls: options.tls,
    alternates: options.alternates ?? [],
  });
  const screen = new PushAwareScreen(output);
  let admitted = false;
  try {
    const admission = await client.join(gateAnswers(options, output));
    admitted = true;
    output.out(`Correct! Your PIN is ${admission.pin} and your name is ${safe(admission.name)}.`);
    output.out(
      admission.ballots.length === 0
        ? "No ballot is open."
        : admission.ballots.map((ballot) => `Ballot ${describeBallot(ballot)}`).join("\n"),
    );
    const ballots = new OpenBallots(admission.ballots);
    const context: Context = { screen, ballots, pin: admission.pin, draft: undefined };
    client.onEvent((push) => {
      // Follow the ballots before a vote menu, taken down by this push, is drawn again.
      ballots.follow(push);
      screen.push(formatTextPush(push).trimEnd());
    });
    client.onDrop(() =>
      screen.push(
        `Connection lost; trying to resume for up to ${
          Math.round((options.resumeForMs ?? 30_000) / 1000)
        } s...`,
      )
    );
    client.onResume((again) => {
      context.pin = again.pin;
      const who = `${safe(again.name)} (PIN ${again.pin})`;
      screen.push(`Connection resumed as ${who}; events meanwhile were missed.`);
      // Ballots may have opened or closed while the node was away.
      const known = new Set(ballots.list.map((ballot) => ballot.ballot));
      ballots.replace(again.ballots);
      for (const ballot of ballots.list) {
        if (!known.has(ballot.ballot)) screen.push(`Ballot ${describeBallot(ballot)}`);
      }
    });
    client.onAsk((ask) => answerAsk(ask, screen));
    // The hub may go while any prompt is up, even one being typed in: nothing
    // typed there could be sent, so every prompt is taken down. The client
    // has tried to resume by then.
    client.closed.then(() => screen.end(new ConnectionLostError(CONNECTION_LOST)));
    const menu = menuPrompt(() => "Choose a service", () => MENU);
    for (;;) {
      const choice = await screen.prompt(menu);
      if (choice === "exit") break;
      try {
        const request = await gatherRequest(choice, context);
        if (!request) continue;
        const reply = await patiently(client.request(request), screen);
        if (reply.op === "setup") context.draft = reply.info;
        ballots.learn(reply);
        screen.print(present(reply));
      } catch (error) {
        if (error instanceof RequestRefusedError) {
          screen.print(`Refused: ${safe(error.message)}`);
        } else if (error instanceof ConnectionLostError) {
          // A request in flight fails the same way the menu does: one message for one cause.
          throw new ConnectionLostError(CONNECTION_LOST);
        } else {
          throw error;
        }
      }
    }
  } catch (error) {
    // Ctrl-C at a prompt means "leave", as the exit entry does; anything
    // else is for main.ts to report.
    if (!isExitPromptError(error)) throw error;
  } finally {
    // Say goodbye so the others see "left (exit)" rather than "dropped"; a
    // hub that does not answer within a second is left anyway.
    if (admitted) {
      const goodbye = client.request({ op: "exit" }).catch(() => {});
      const patience = AbortSignal.timeout(1000);
      await Promise.race([goodbye, new Promise((done) => patience.onabort = done)]);
    }
    client.close();
  }
  output.out("Bye.");
}

/** What the menu entries share. */
interface Context {
  screen: PushAwareScreen;
  ballots: OpenBallots;
  /** This node's PIN, to find the ballots it proposed. */
  pin: number;
  /** Node info declared last, offered again by `setup`. */
  draft: NodeInfo | undefined;
}

/**
 * Where the gate answers come from: the `--answer` flag first, then a
 * prompt. The answered prompt is cleared because the hub's verdict follows
 * at once ("Correct!" or "Wrong answer"); a tick beside a wrong answer would
 * mislead.
 */
function gateAnswers(options: InteractiveOptions, output: Output): JoinOptions {
  let given = options.answer;
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    answer: async (question, triesLeft) => {
      if (given !== undefined) {
        const answer = given;
        given = undefined;
        return answer;
      }
      if (triesLeft < 3) {
        output.out(`Wrong answer; ${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left.`);
      }
      return await input({
        message: safe(question),
        // An Enter pressed by accident should not spend one of the tries.
        validate: (value) => value.trim() !== "" || "Type an answer",
      }, { clearPromptOnDone: true });
    },
  };
}

/**
 * The ballots open now, kept current from pushed events and replies, so that
 * a vote menu drawn again after a ballot opened or closed shows what is open.
 */
class OpenBallots {
  readonly #open = new Map<number, BallotView>();

  constructor(ballots: readonly BallotView[]) {
    this.replace(ballots);
  }

  /** The open ballots, oldest first. */
  get list(): BallotView[] {
    return [...this.#open.values()].sort((left, right) => left.ballot - right.ballot);
  }

  /** The ballot with this number, while it is open. */
  get(ballot: number): BallotView | undefined {
    return this.#open.get(ballot);
  }

  /** Starts over from a full list (the admission, a resume, `ballots`, `stats`). */
  replace(ballots: readonly BallotView[]): void {
    this.#open.clear();
    for (const ballot of ballots) this.#open.set(ballot.ballot, ballot);
  }

  /** Follows a pushed event: a ballot opened, decided or closed. */
  follow(push: Push): void {
    if (push.event === "ballot") {
      const { event: _event, ...ballot } = push;
      this.#open.set(ballot.ballot, ballot);
    } else if (push.event === "consensus" || push.event === "closed") {
      this.#open.delete(push.ballot);
    }
  }

  /** Learns from a reply: the hub may not push a node its own proposal or closing. */
  learn(reply: Reply): void {
    switch (reply.op) {
      case "ballots":
      case "stats":
        this.replace(reply.ballots);
        break;
      case "propose":
        this.#open.set(reply.ballot.ballot, reply.ballot);
        break;
      case "close":
        this.#open.delete(reply.result.ballot);
        break;
    }
  }
}

/** Asks for what a service needs, then builds its request; `undefined` when there is nothing to send. */
async function gatherRequest(
  service: Exclude<ServiceName, "exit">,
  context: Context,
): Promise<OutgoingRequest | undefined> {
  const { screen } = context;
  switch (service) {
    case "vote":
      return await gatherVote(context);
    case "propose":
      return await gatherProposal(screen);
    case "close":
      return await gatherClose(context);
    case "setup": {
      const info: NodeInfo = { services: [], capabilities: [], constraints: [] };
      for (const field of ["services", "capabilities", "constraints"] as const) {
        const answer = await screen.prompt((signal) =>
          input({
            message: `Your ${field} (words separated by commas)`,
            default: context.draft?.[field].join(",") ?? "",
          }, { signal }), false);
        info[field] = parseWordsAnswer(answer);
      }
      return { op: "setup", ...info };
    }
    case "receive": {
      const target = await screen.prompt((signal) =>
        input({
          message: "Whose node info? (a PIN, or all)",
          default: "all",
          validate: (value) => /^(all|\d+)$/iu.test(value.trim()) || "Give a PIN or all",
        }, { signal }), false);
      const word = target.trim().toLowerCase();
      return { op: "receive", pin: word === "all" ? "all" : Number(word) };
    }
    case "name": {
      const name = await screen.prompt(
        (signal) => input({ message: "Your name" }, { signal }),
        false,
      );
      return { op: "name", name };
    }
    case "negotiate":
    case "discover":
    case "stats":
    case "ballots":
    case "results":
    case "help":
      return { op: service };
  }
}

/**
 * Picks the ballot (when several are open), then the option. A ballot that
 * closes while its menu is up takes the menu away, with a word why.
 */
async function gatherVote({ screen, ballots }: Context): Promise<OutgoingRequest | undefined> {
  if (ballots.list.length === 0) {
    screen.print("No ballot is open.");
    return undefined;
  }
  let chosen: number | undefined = ballots.list[0]!.ballot;
  if (ballots.list.length > 1) {
    chosen = await screen.prompt(unlessGone(
      () => ballots.list.length > 0,
      menuPrompt(
        () => "Which ballot?",
        () =>
          ballots.list.map((ballot) => ({
            value: ballot.ballot,
            name: `${ballot.ballot}) ${safe(ballot.question)}`,
            description: `method ${ballot.method}, rule ${ballot.rule}`,
          })),
      ),
    ));
    if (chosen === undefined) {
      screen.print("Every ballot closed before you voted.");
      return undefined;
    }
  }
  const ballot = chosen;
  const view = ballots.get(ballot);
  if (view !== undefined && view.method !== "choice") {
    // Checkboxes and numbers are not redrawn for pushes: their ticks would be lost.
    const vote = await promptMethodVote(view, (prompt) => screen.prompt(prompt, false));
    return { op: "vote", ballot, ...vote };
  }
  const option = await screen.prompt(unlessGone(
    () => ballots.get(ballot) !== undefined,
    menuPrompt(
      () => `Ballot ${ballot}: ${safe(ballots.get(ballot)?.question ?? "")}`,
      () =>
        (ballots.get(ballot)?.options ?? []).map((choice: BallotOption) => ({
          value: choice.key,
          name: `${choice.key}) ${safe(choice.label)}`,
        })),
    ),
  ));
  if (option === undefined) {
    screen.print(`Ballot ${ballot} closed before you voted.`);
    return undefined;
  }
  return { op: "vote", ballot, option };
}

/** Asks for a new ballot's question, options, rule, deadline and switches. */
async function gatherProposal(screen: PushAwareScreen): Promise<OutgoingRequest> {
  const ask = (message: string, extra: Omit<Parameters<typeof input>[0], "message"> = {}) =>
    screen.prompt((signal) => input({ message, ...extra }, { signal }), false);
  const question = await ask("Question", {
    validate: (value) => value.trim() !== "" || "Type the question",
  });
  const method = await ask(
    "Method (choice, choice:N, consent, approval, score:0..5, ranked:irv, ranked:borda, ranked:schulze)",
    { default: "choice", validate: (value) => syntaxProblem(() => parseMethod(value)) ?? true },
  );
  const spec = parseMethod(method);
  // A consent proposal's options are fixed: agree, abstain, disagree, block.
  const options = spec.kind === "consent" ? "" : await ask("Options (separated by commas)", {
    validate: (value) => splitOptions(value).length >= 2 || "Give at least two options",
  });
  const rule = await ask(
    "Rule (seed, majority, supermajority:2/3, unanimous, plurality; +quorum:P)",
    {
      default: defaultRuleFor(spec),
      validate: (value) => syntaxProblem(() => parseRule(value)) ?? true,
    },
  );
  const deadline = await ask("Deadline (e.g. 10m, 2h, 2026-12-01T17:00:00Z; empty for none)", {
    // Only the wording is checked here: whether it is in the future is the hub's call, by its clock.
    validate: (value) =>
      value.trim() === "" || (syntaxProblem(() => parseDeadline(value, Date.now())) ?? true),
  });
  const flags = await screen.prompt(
    (signal) =>
      checkbox({
        message: "Switches (space to tick, Enter when done)",
        choices: PROPOSAL_FLAGS.map((flag) => ({ value: flag.value, name: flag.name })),
      }, { signal }),
    false,
  );
  const request: Record<string, unknown> = {
    op: "propose",
    question: question.trim(),
    options: splitOptions(options),
    method: formatMethod(spec),
    rule: rule.trim(),
  };
  if (deadline.trim() !== "") request.deadline = deadline.trim();
  for (const flag of flags) {
    if (flag === "frozen") request.electorate = "frozen";
    else request[flag] = true;
  }
  return request;
}

/** Picks one of the open ballots this node proposed, or takes a typed number. */
async function gatherClose(context: Context): Promise<OutgoingRequest | undefined> {
  const { screen, ballots } = context;
  const mine = () => ballots.list.filter((ballot) => ballot.proposer === context.pin);
  let chosen: number | "other" | undefined = "other";
  if (mine().length > 0) {
    chosen = await screen.prompt(unlessGone(
      () => mine().length > 0,
      menuPrompt<number | "other">(
        () => "Close which of your ballots?",
        () => [
          ...mine().map((ballot) => ({
            value: ballot.ballot,
            name: `${ballot.ballot}) ${safe(ballot.question)}`,
          })),
          { value: "other", name: "another (type its number)" },
        ],
      ),
    ));
    if (chosen === undefined) {
      screen.print("Your ballots closed meanwhile.");
      return undefined;
    }
  }
  if (chosen === "other") {
    const typed = await screen.prompt((signal) =>
      input({
        message: "Number of the ballot to close",
        validate: (value) => /^[1-9]\d{0,8}$/u.test(value.trim()) || "Give the ballot's number",
      }, { signal }), false);
    chosen = Number(typed.trim());
  }
  return { op: "close", ballot: chosen };
}

/** The hub asks during a request; today that is the permission in `negotiate`. */
async function answerAsk(ask: Ask, screen: PushAwareScreen): Promise<string> {
  if (ask.ask !== "permission") return "";
  return await screen.prompt(menuPrompt(
    () => `May the hub store your node info (${describeInfo(ask.info)})?`,
    () => [{ value: "grant", name: "grant" }, { value: "deny", name: "deny" }],
  ));
}

/**
 * A menu that, when taken down for a pushed event and drawn again, opens on
 * the entry the cursor was on. Without this a push sends the cursor back to
 * the first entry, and an Enter pressed just after it picks an entry the user
 * never chose. The message and the entries are read at each drawing, so a
 * redrawn menu shows what is current.
 *
 * @param message The question above the entries.
 * @param choices The entries.
 * @returns A prompt for {@linkcode PushAwareScreen.prompt}.
 */
function menuPrompt<T>(
  message: () => string,
  choices: () => readonly MenuChoice<T>[],
): Prompt<T> {
  let current: T | undefined;
  return (signal) => {
    const shown = choices();
    const kept = shown.find((choice) => choice.value === current);
    const start = kept ? { default: kept.value } : {};
    return select<T>({
      message: message(),
      choices: shown,
      pageSize: shown.length,
      ...start,
      theme: {
        style: {
          // The select prompt has no "cursor moved" hook, but it styles the
          // line under the cursor ("❯ name") with `highlight` at each drawing:
          // that is where the cursor is noted. The colour is the library's own.
          highlight: (text: string) => {
            const name = text.slice(text.indexOf(" ") + 1);
            current = shown.find((choice) => choice.name === name)?.value ?? current;
            return styleText("cyan", text);
          },
        },
      },
    }, { signal, clearPromptOnDone: true });
  };
}

/**
 * A prompt that is not drawn again once what it asks about is gone (a
 * ballot closed while its menu was up): it then answers `undefined`.
 */
function unlessGone<T>(stillThere: () => boolean, prompt: Prompt<T>): Prompt<T | undefined> {
  return (signal) => stillThere() ? prompt(signal) : Promise.resolve(undefined);
}

/**
 * Waits for a reply; one that is slow to come gets a word, since the
 * connection may have dropped and be resuming meanwhile.
 */
async function patiently<R>(reply: Promise<R>, screen: PushAwareScreen): Promise<R> {
  const slow = AbortSignal.timeout(PATIENCE_MS);
  // A prompt up meanwhile (the permission asked in `negotiate`) is the wait, not the hub.
  const onSlow = () => {
    if (screen.idle) screen.print("Waiting for the hub (the connection may be resuming)...");
  };
  slow.addEventListener("abort", onSlow, { once: true });
  try {
    return await reply;
  } finally {
    slow.removeEventListener("abort", onSlow);
  }
}

/** Whether a prompt ended because the user pressed Ctrl-C. */
function isExitPromptError(error: unknown): boolean {
  return error instanceof Error && error.name === "ExitPromptError";
}

/** The options of a proposal as typed: separated by commas, blanks dropped. */
function splitOptions(text: string): string[] {
  return text.split(",").map((option) => option.trim()).filter((option) => option !== "");
}

/** The message of a `SyntaxError` thrown by `read`, for a prompt's validation. */
function syntaxProblem(read: () => unknown): string | undefined {
  try {
    read();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxError) return error.message;
    // Out of range (a deadline in the past) is the hub's call.
    return undefined;
  }
}

/** A reply for people; stats get a bar chart per open ballot. */
function present(reply: Reply): string {
  if (reply.op !== "stats") return formatTextReply(reply).trimEnd();
  const lines: string[] = [];
  if (reply.ballots.length === 0) lines.push("No ballot is open.");
  for (const ballot of reply.ballots) {
    const votes = ballot.voted === null
      ? `${ballot.electorateSize} in the electorate`
      : `${ballot.voted} of ${ballot.electorateSize} voted`;
    const method = ballot.method === "choice" ? "" : `method ${ballot.method}, `;
    lines.push(
      `Ballot ${ballot.ballot}: ${safe(ballot.question)} (${method}rule ${ballot.rule}, ${votes})`,
    );
    if (ballot.counts === null) lines.push("  results hidden until it closes");
    else lines.push(...barChart(ballot.options, ballot.counts));
  }
  for (const decision of reply.decided) {
    const text = describeDecision(decision);
    lines.push(text.charAt(0).toUpperCase() + text.slice(1));
    lines.push(...barChart(decision.options, decision.counts));
  }
  return lines.join("\n");
}

/**
 * Draws votes per option as bars of 20 cells.
 *
 * @param options The options.
 * @param counts Votes per option key.
 * @returns One line per option.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const options = [{ key: "A", label: "fly" }, { key: "B", label: "hide" }];
 * assertEquals(barChart(options, { A: 3, B: 1 }), [
 *   `  A fly  ${"█".repeat(15)}${"░".repeat(5)} 3 (75%)`,
 *   `  B hide ${"█".repeat(5)}${"░".repeat(15)} 1 (25%)`,
 * ]);
 * ```
 */
export function barChart(options: readonly BallotOption[], counts: VoteCounts): string[] {
  const total = Object.values(counts).reduce((sum, votes) => sum + votes, 0);
  const width = Math.max(...options.map((option) => safe(option.label).length));
  return options.map((option) => {
    const votes = counts[option.key] ?? 0;
    const cells = total === 0 ? 0 : Math.round((20 * votes) / total);
    const share = total === 0 ? "0%" : formatPercent((100 * votes) / total);
    return `  ${option.key} ${safe(option.label).padEnd(width)} ${"█".repeat(cells)}${
      "░".repeat(20 - cells)
    } ${votes} (${share})`;
  });
}

/**
 * Keeps prompts and pushed events apart on the screen: while a menu is up,
 * an event takes it down, is printed, and the menu is drawn again below it.
 */
class PushAwareScreen {
  readonly #output: Output;
  #active: { controller: AbortController; interruptible: boolean } | undefined;
  #waiting: string[] = [];
  #ended: Error | undefined;

  constructor(output: Output) {
    this.#output = output;
  }

  /** Whether no prompt is up. */
  get idle(): boolean {
    return this.#active === undefined;
  }

  /** Shows a pushed event now, or as soon as the prompt on screen is down. */
  push(line: string): void {
    if (!this.#active) {
      this.#output.out(line);
      return;
    }
    this.#waiting.push(line);
    // Several events in a burst abort once and are printed together.
    if (this.#active.interruptible) this.#active.controller.abort();
  }

  /** Prints a reply, or a note while no prompt is up. */
  print(text: string): void {
    if (this.#active) this.push(text);
    else this.#output.out(text);
  }

  /**
   * Takes down whatever prompt is up, for good: it and every later prompt
   * fail with `error`.
   */
  end(error: Error): void {
    this.#ended = error;
    this.#active?.controller.abort();
  }

  /**
   * Shows a prompt until answered. A menu is taken down and redrawn for each
   * pushed event; a text prompt is left alone (taking it down would lose what
   * is being typed) and the events wait until it is answered.
   */
  async prompt<T>(render: Prompt<T>, interruptible = true): Promise<T> {
    for (;;) {
      if (this.#ended) throw this.#ended;
      const controller = new AbortController();
      this.#active = { controller, interruptible };
      try {
        return await render(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      } finally {
        // The prompt has cleared itself by now (the library erases it before
        // its promise settles), so the events land where it was.
        this.#active = undefined;
        for (const line of this.#waiting.splice(0)) this.#output.out(line);
      }
    }
  }
}
