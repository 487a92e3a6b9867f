/**
 * The interactive node: answers the gate at a prompt, then offers the
 * services in a menu chosen with the arrow keys. Pushed events are printed
 * above the menu as they arrive: the menu is taken down, the event printed,
 * and the menu drawn again, so the screen stays readable.
 *
 * @module
 */

import { input, select } from "@inquirer/prompts";
import type { BallotOption, NodeInfo, VoteCounts } from "../election/events.ts";
import { formatPercent } from "../election/seed_rule.ts";
import type { Ask, Push, Reply, ServiceName } from "../protocol/messages.ts";
import {
  describeInfo,
  formatTextPush,
  formatTextReply,
  parseWordsAnswer,
} from "../protocol/text_dialect.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";
import type { Output } from "../cli/runtime.ts";
import { RequestRefusedError } from "./errors.ts";
import { HubClient } from "./hub_client.ts";

/** What the interactive node starts with. */
export interface InteractiveOptions {
  host: string;
  port: number;
  /** Gate answer given on the command line; asked when missing or wrong. */
  answer?: string;
  name?: string;
}

/** A prompt function that can be taken down when an event arrives. */
type Prompt<T> = (signal: AbortSignal) => Promise<T>;

const MENU: { value: ServiceName; name: string; description: string }[] = [
  { value: "vote", name: "vote", description: "vote in the open round" },
  { value: "stats", name: "stats", description: "votes per option, with a chart" },
  { value: "discover", name: "discover", description: "list the connected nodes" },
  { value: "setup", name: "setup", description: "declare your node info" },
  { value: "negotiate", name: "negotiate", description: "let the hub store your node info" },
  { value: "receive", name: "receive", description: "get stored node info" },
  { value: "name", name: "name", description: "choose the name others see" },
  { value: "exit", name: "exit", description: "leave" },
];

/**
 * Runs the interactive node until the user leaves or the hub goes away.
 *
 * @param options Where to join.
 * @param output Where to print.
 */
export async function runInteractive(options: InteractiveOptions, output: Output): Promise<void> {
  const client = await HubClient.connect({ host: options.host, port: options.port });
  const screen = new PushAwareScreen(output);
  try {
    let given = options.answer;
    const admission = await client.join(
      {
        name: options.name,
        answer: async (question, triesLeft) => {
          if (given !== undefined) {
            const answer = given;
            given = undefined;
            return answer;
          }
          if (triesLeft < 3) {
            output.out(`Wrong answer; ${triesLeft} ${triesLeft === 1 ? "try" : "tries"} left.`);
          }
          return await input({ message: safe(question) });
        },
      } as Parameters<HubClient["join"]>[0],
    );
    output.out(`Correct! Your PIN is ${admission.pin} and your name is ${safe(admission.name)}.`);
    output.out(`Round ${admission.open.round}: ${safe(admission.open.question)}`);
    client.onEvent((push) => screen.push(formatTextPush(push).trimEnd()));
    client.onAsk((ask) => answerAsk(ask, screen));
    const hubGone = client.closed.then(() => "gone" as const);
    let draft: NodeInfo | undefined;
    for (;;) {
      const choice = await Promise.race([
        screen.prompt((signal) =>
          select<ServiceName>(
            { message: "Choose a service", choices: MENU, pageSize: MENU.length },
            {
              signal,
              clearPromptOnDone: true,
            },
          )
        ),
        hubGone,
      ]);
      if (choice === "gone") {
        output.out("The hub closed the connection.");
        return;
      }
      if (choice === "exit") {
        await client.request({ op: "exit" }).catch(() => {});
        output.out("Bye.");
        return;
      }
      try {
        const request = await gatherRequest(choice, client, screen, draft);
        if (!request) continue;
        const reply = await client.request(request);
        if (reply.op === "setup") draft = reply.info;
        screen.print(present(reply));
      } catch (error) {
        if (error instanceof RequestRefusedError) screen.print(`Refused: ${safe(error.message)}`);
        else throw error;
      }
    }
  } finally {
    client.close();
  }
}

/** Asks for what a service needs, then builds its request. */
async function gatherRequest(
  service: Exclude<ServiceName, "exit">,
  client: HubClient,
  screen: PushAwareScreen,
  draft: NodeInfo | undefined,
): Promise<Parameters<HubClient["request"]>[0] | undefined> {
  switch (service) {
    case "vote": {
      const stats = await client.request<Extract<Reply, { op: "stats" }>>({ op: "stats" });
      const option = await screen.prompt((signal) =>
        select<string>({
          message: `Round ${stats.open.round}: ${safe(stats.open.question)}`,
          choices: stats.open.options.map((choice: BallotOption) => ({
            value: choice.key,
            name: `${choice.key}) ${safe(choice.label)}`,
          })),
        }, { signal, clearPromptOnDone: true })
      );
      return { op: "vote", option };
    }
    case "setup": {
      const info: NodeInfo = { services: [], capabilities: [], constraints: [] };
      for (const field of ["services", "capabilities", "constraints"] as const) {
        const answer = await screen.prompt((signal) =>
          input({
            message: `Your ${field} (words separated by commas)`,
            default: draft?.[field].join(",") ?? "",
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
    case "help":
      return { op: service };
  }
}

/** The hub asks during a request; today that is the permission in `negotiate`. */
async function answerAsk(ask: Ask, screen: PushAwareScreen): Promise<string> {
  if (ask.ask !== "permission") return "";
  return await screen.prompt((signal) =>
    select<string>({
      message: `May the hub store your node info (${describeInfo(ask.info)})?`,
      choices: [{ value: "grant", name: "grant" }, { value: "deny", name: "deny" }],
    }, { signal, clearPromptOnDone: true })
  );
}

/** A reply for people; stats get a bar chart. */
function present(reply: Reply): string {
  if (reply.op !== "stats") return formatTextReply(reply).trimEnd();
  const lines = [
    `Round ${reply.open.round}: ${safe(reply.open.question)} (${reply.open.connected} connected)`,
  ];
  lines.push(...barChart(reply.open.options, reply.open.counts));
  for (const decision of reply.decided) {
    lines.push(
      `Round ${decision.round}: ${decision.option} (${safe(decision.label)}) - ${
        safe(decision.reason)
      }`,
    );
  }
  return lines.join("\n");
}

/**
 * Draws votes per option as bars of 20 cells.
 *
 * @param options The options.
 * @param counts Votes per option key.
 * @returns One line per option.
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
 * Keeps prompts and pushed events apart on the screen: while a prompt is up,
 * an event takes it down, is printed, and the prompt is drawn again.
 */
class PushAwareScreen {
  readonly #output: Output;
  #active: AbortController | undefined;
  #prompting = false;
  #waiting: string[] = [];

  constructor(output: Output) {
    this.#output = output;
  }

  /** Shows a pushed event now, or as soon as the prompt on screen is down. */
  push(line: string): void {
    if (!this.#prompting) {
      this.#output.out(line);
      return;
    }
    this.#waiting.push(line);
    this.#active?.abort();
  }

  /** Prints a reply. */
  print(text: string): void {
    this.#output.out(text);
  }

  /**
   * Shows a prompt until answered. A menu is taken down and redrawn for each
   * pushed event; a text prompt is left alone (taking it down would lose what
   * is being typed) and the events wait until it is answered.
   */
  async prompt<T>(render: Prompt<T>, interruptible = true): Promise<T> {
    for (;;) {
      const controller = new AbortController();
      this.#prompting = true;
      this.#active = interruptible ? controller : undefined;
      try {
        return await render(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      } finally {
        this.#prompting = false;
        this.#active = undefined;
        for (const line of this.#waiting.splice(0)) this.#output.out(line);
      }
    }
  }
}
