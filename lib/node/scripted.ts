/**
 * The scripted node: does what its flags say, in a fixed order, prints the
 * outcome (for people or as one JSON object), and never prompts. When the
 * connection drops it resumes by itself and carries on.
 *
 * @module
 */

import type { NodeInfo } from "../election/events.ts";
import type { DecisionView, Push, Reply } from "../protocol/messages.ts";
import { describeDecision, formatTextPush, formatTextReply } from "../protocol/text_dialect.ts";
import { escapeForTerminal } from "../protocol/text_safety.ts";
import type { Output } from "../cli/runtime.ts";
import { type Admission, type HubAddress, HubClient } from "./hub_client.ts";
import { NoDecisionError, TimeoutError } from "./errors.ts";

/** What a scripted run does; each action runs when its field is set. */
export interface ScriptedPlan {
  host: string;
  port: number;
  /** Other hubs of the same election, tried in order (see `ConnectOptions.alternates`). */
  alternates?: readonly HubAddress[];
  /** Connect with TLS, trusting these CAs. */
  tls?: { caCerts: string[] };
  /** The gate answer. */
  answer: string;
  name?: string;
  /** Node info to declare with `setup`. */
  setup?: NodeInfo;
  /** Answer to the hub's permission question in `negotiate`. */
  negotiate?: "grant" | "deny";
  discover?: boolean;
  receive?: number | "all";
  /** Ballot to vote on (needed when several are open). */
  ballot?: number;
  vote?: string;
  /** Wait for the outcome of the ballot voted on (or of the next ballot to close). */
  wait?: boolean;
  stats?: boolean;
  /** Print pushed events until the hub closes or the time runs out. */
  follow?: boolean;
  /** Bounds the whole run, in milliseconds. */
  timeoutMs: number;
  /** Print one JSON object instead of lines for people. */
  json: boolean;
}

type Closing = Extract<Push, { event: "consensus" | "closed" }>;

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
  const client = await HubClient.connect({
    host: plan.host,
    port: plan.port,
    signal,
    tls: plan.tls,
    alternates: plan.alternates ?? [],
  });
  try {
    const admission: Admission = await client.join({
      name: plan.name,
      // A script's answer is given once: a second try would send the same words.
      answer: (_question, triesLeft) => Promise.resolve(triesLeft === 3 ? plan.answer : undefined),
    }, signal);
    Object.assign(result, { pin: admission.pin, name: admission.name, ballots: admission.ballots });
    say(
      `joined ${plan.host}:${plan.port} as ${
        escapeForTerminal(admission.name)
      } (PIN ${admission.pin})`,
    );
    client.onAsk((ask) =>
      Promise.resolve(ask.ask === "permission" ? plan.negotiate ?? "deny" : "")
    );
    client.onResume((again) =>
      say(`resumed as ${escapeForTerminal(again.name)} (PIN ${again.pin})`)
    );

    const run = async <R extends Reply>(key: string, request: Record<string, unknown>) => {
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
    let waitBallot = plan.ballot;
    if (plan.vote !== undefined) {
      const request: Record<string, unknown> = { op: "vote", option: plan.vote };
      if (plan.ballot !== undefined) request.ballot = plan.ballot;
      const reply = await run<Extract<Reply, { op: "vote" }>>("vote", request);
      waitBallot = reply.ballot;
    }
    if (plan.wait) {
      const closing = await waitForClosing(client, waitBallot, signal, plan.timeoutMs);
      result[closing.option === null ? "closed" : "consensus"] = closing;
      say(
        closing.option === null
          ? describeDecision(closing)
          : `consensus ${describeDecision(closing)}`,
      );
      if (closing.option === null) {
        if (plan.json) output.out(JSON.stringify(result));
        throw new NoDecisionError(
          `Ballot ${closing.ballot} closed without a decision: ${closing.reason}`,
        );
      }
    }
    if (plan.stats) await run("stats", { op: "stats" });
    if (plan.follow) await follow(client, plan, output, signal, stop);
    if (plan.json) output.out(JSON.stringify(result));
    await bounded(client.request({ op: "exit" }), AbortSignal.timeout(2000)).catch(() => {});
  } finally {
    client.close();
  }
}

/**
 * Waits for a ballot to close. Events pushed while the node was away are
 * missed, so after a resume it asks for the results.
 */
async function waitForClosing(
  client: HubClient,
  ballot: number | undefined,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<DecisionView> {
  const matches = (view: { ballot: number }) => ballot === undefined || view.ballot === ballot;
  const pushed = client.waitForEvent(
    (push): push is Closing =>
      (push.event === "consensus" || push.event === "closed") && matches(push),
    signal,
  ).then(({ event: _event, ...view }) => view as DecisionView);
  let unlisten = () => {};
  const afterResume = new Promise<DecisionView>((resolve) => {
    unlisten = client.onResume(() => {
      client.request<Extract<Reply, { op: "results" }>>({ op: "results" }).then((reply) => {
        const found = ballot === undefined ? undefined : reply.results.find(matches);
        if (found) resolve(found);
      }, () => {});
    });
  });
  try {
    return await Promise.race([pushed, afterResume]);
  } catch (error) {
    throw error instanceof TimeoutError
      ? new TimeoutError(
        `No decision${ballot === undefined ? "" : ` on ballot ${ballot}`} within ${
          timeoutMs / 1000
        } s`,
      )
      : error;
  } finally {
    unlisten();
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
