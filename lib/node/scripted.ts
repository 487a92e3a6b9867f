/**
 * The scripted node: does what its flags say, in a fixed order, prints the
 * outcome (for people or as one JSON object), and never prompts.
 *
 * @module
 */

import type { NodeInfo } from "../election/events.ts";
import type { Push, Reply } from "../protocol/messages.ts";
import { formatTextPush, formatTextReply } from "../protocol/text_dialect.ts";
import { escapeForTerminal } from "../protocol/text_safety.ts";
import type { Output } from "../cli/runtime.ts";
import { type Admission, HubClient } from "./hub_client.ts";
import { TimeoutError } from "./errors.ts";

/** What a scripted run does; each action runs when its field is set. */
export interface ScriptedPlan {
  host: string;
  port: number;
  /** The gate answer. */
  answer: string;
  name?: string;
  /** Node info to declare with `setup`. */
  setup?: NodeInfo;
  /** Answer to the hub's permission question in `negotiate`. */
  negotiate?: "grant" | "deny";
  discover?: boolean;
  receive?: number | "all";
  vote?: string;
  /** Wait for the consensus of the round voted in (or the next one). */
  wait?: boolean;
  stats?: boolean;
  /** Print pushed events until the hub closes or the time runs out. */
  follow?: boolean;
  /** Bounds the whole run, in milliseconds. */
  timeoutMs: number;
  /** Print one JSON object instead of lines for people. */
  json: boolean;
}

type ConsensusPush = Extract<Push, { event: "consensus" }>;

/**
 * Runs a plan against a hub.
 *
 * @param plan What to do.
 * @param output Where to print.
 * @param stop Resolves when the user interrupts (`--follow` ends there).
 * @returns When every action is done.
 * @throws The errors of `errors.ts`, mapped to exit codes by the caller.
 */
export async function runScripted(
  plan: ScriptedPlan,
  output: Output,
  stop?: Promise<void>,
): Promise<void> {
  const signal = AbortSignal.timeout(plan.timeoutMs);
  const result: Record<string, unknown> = { hub: `${plan.host}:${plan.port}` };
  const say = (text: string) => {
    if (!plan.json) output.out(text.trimEnd());
  };
  const client = await HubClient.connect({ host: plan.host, port: plan.port, signal });
  try {
    const joinOptions: Parameters<HubClient["join"]>[0] = {
      // A script's answer is given once: a second try would send the same words.
      answer: (_question, triesLeft) => Promise.resolve(triesLeft === 3 ? plan.answer : undefined),
    };
    if (plan.name !== undefined) joinOptions.name = plan.name;
    const admission: Admission = await client.join(joinOptions, signal);
    Object.assign(result, { pin: admission.pin, name: admission.name, round: admission.open });
    say(
      `joined ${plan.host}:${plan.port} as ${
        escapeForTerminal(admission.name)
      } (PIN ${admission.pin})`,
    );
    client.onAsk((ask) =>
      Promise.resolve(ask.ask === "permission" ? plan.negotiate ?? "deny" : "")
    );

    const run = async <R extends Reply>(
      key: string,
      request: Parameters<HubClient["request"]>[0],
    ) => {
      const reply = await bounded(client.request<R>(request), signal);
      const { op: _op, ...fields } = reply;
      result[key] = fields;
      say(formatTextReply(reply));
      return reply;
    };

    if (plan.setup) await run("setup", { op: "setup", ...plan.setup });
    if (plan.negotiate) await run("negotiate", { op: "negotiate" });
    if (plan.discover) await run("discover", { op: "discover" });
    if (plan.receive !== undefined) await run("receive", { op: "receive", pin: plan.receive });
    let waitRound = admission.open.round;
    if (plan.vote !== undefined) {
      const reply = await run<Extract<Reply, { op: "vote" }>>("vote", {
        op: "vote",
        option: plan.vote,
      });
      waitRound = reply.round;
    }
    if (plan.wait) {
      const consensus = await client.waitForEvent(
        (push): push is ConsensusPush => push.event === "consensus" && push.round >= waitRound,
        signal,
      ).catch((error) => {
        throw error instanceof TimeoutError
          ? new TimeoutError(`No consensus in round ${waitRound} within ${plan.timeoutMs / 1000} s`)
          : error;
      });
      const { event: _event, ...fields } = consensus;
      result.consensus = fields;
      say(formatTextPush(consensus).slice(2));
    }
    if (plan.stats) await run("stats", { op: "stats" });
    if (plan.follow) await follow(client, plan, output, signal, stop);
    if (plan.json) output.out(JSON.stringify(result));
    await bounded(client.request({ op: "exit" }), AbortSignal.timeout(2000)).catch(() => {});
  } finally {
    client.close();
  }
}

async function follow(
  client: HubClient,
  plan: ScriptedPlan,
  output: Output,
  signal: AbortSignal,
  stop: Promise<void> | undefined,
): Promise<void> {
  const print = (push: Push) =>
    output.out(plan.json ? JSON.stringify(push) : formatTextPush(push).trimEnd());
  client.events.forEach(print);
  const unlisten = client.onEvent(print);
  const timedOut = new Promise<void>((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
  await Promise.race([client.closed, timedOut, ...(stop ? [stop] : [])]);
  unlisten();
}

/** Waits for a promise, but not past the signal. */
function bounded<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new TimeoutError("Timed out waiting for the hub"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TimeoutError("Timed out waiting for the hub"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
