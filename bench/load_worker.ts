/**
 * The load generator as its own process: reads jobs as JSON lines on
 * standard input, runs them one at a time, and writes each result as a JSON
 * line. A control point (see `ControlPoint`) is an `at` line; the job's
 * controller goes on after a `release` line.
 *
 * Run by {@link ./load_runner.ts}: `deno run --allow-net=127.0.0.1,...,127.0.0.16 bench/load_worker.ts`.
 *
 * @module
 */

import type { ControlPoint, Job } from "./jobs.ts";
import { runJob } from "./load.ts";

/** A line the suite sends. */
export type WorkerInput = { type: "job"; job: Job } | { type: "release" };

/** A line the worker sends. */
export type WorkerOutput =
  | { type: "result"; result: unknown }
  | { type: "error"; message: string }
  | { type: "at"; point: ControlPoint };

const encoder = new TextEncoder();

async function say(message: WorkerOutput): Promise<void> {
  const bytes = encoder.encode(`${JSON.stringify(message)}\n`);
  let offset = 0;
  while (offset < bytes.length) offset += await Deno.stdout.write(bytes.subarray(offset));
}

async function* readLines(): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
}

if (import.meta.main) {
  const lines = readLines();
  const nextInput = async (): Promise<WorkerInput | undefined> => {
    const { value, done } = await lines.next();
    return done ? undefined : JSON.parse(value) as WorkerInput;
  };
  for (;;) {
    const input = await nextInput();
    if (!input) break;
    if (input.type !== "job") continue;
    try {
      const result = await runJob(input.job, {
        async at(point) {
          await say({ type: "at", point });
          // The suite answers every control point with a release (or closes stdin).
          await nextInput();
        },
      });
      await say({ type: "result", result });
    } catch (error) {
      await say({ type: "error", message: (error as Error).message });
    }
  }
}
