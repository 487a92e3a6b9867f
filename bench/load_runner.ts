/**
 * Runs load-generator jobs for the suite: in a child process (the default:
 * the generator gets its own event loop and heap, apart from the suite's
 * bookkeeping) or in the suite's own process.
 *
 * @module
 */

import type { Job, JobControl, ResultOf } from "./jobs.ts";
import { runJob } from "./load.ts";
import type { WorkerInput, WorkerOutput } from "./load_worker.ts";
import { type ManagedProcess, startProcess } from "./processes.ts";
import { sourceAddresses } from "./source_address.ts";

/** Where the load generator runs. */
export type LoadMode = "child" | "inproc";

/** Runs jobs, one at a time. */
export interface LoadRunner {
  /** Where the generator runs. */
  readonly mode: LoadMode;
  /** Its process id (the suite's own when in-process). */
  readonly pid: number;
  /**
   * Runs a job.
   *
   * @param job What to do.
   * @param control Called at the job's control points.
   * @returns Its result.
   */
  run<J extends Job>(job: J, control?: JobControl): Promise<ResultOf<J>>;
  /** Stops the generator. */
  close(): Promise<void>;
}

const NO_CONTROL: JobControl = { at: () => Promise.resolve() };

/**
 * A runner in this process.
 *
 * @returns The runner.
 */
export function inProcessRunner(): LoadRunner {
  return {
    mode: "inproc",
    pid: Deno.pid,
    run: <J extends Job>(job: J, control = NO_CONTROL) =>
      runJob(job, control) as Promise<ResultOf<J>>,
    close: () => Promise.resolve(),
  };
}

/**
 * Starts the generator as a child process.
 *
 * @param logPath Where its standard error goes.
 * @returns The runner.
 */
export function childRunner(logPath: string): LoadRunner {
  const process: ManagedProcess = startProcess({
    name: "load generator",
    command: Deno.execPath(),
    // Every loopback source address it may connect from (see source_address.ts).
    args: [
      "run",
      `--allow-net=${sourceAddresses().join(",")}`,
      new URL("./load_worker.ts", import.meta.url).pathname,
    ],
    logPath,
    piped: true,
  });
  const writer = process.child.stdin.getWriter();
  const lines = readLines(process.child.stdout);
  const encoder = new TextEncoder();
  const send = (input: WorkerInput) => writer.write(encoder.encode(`${JSON.stringify(input)}\n`));
  let busy = false;
  return {
    mode: "child",
    pid: process.pid,
    async run<J extends Job>(job: J, control = NO_CONTROL): Promise<ResultOf<J>> {
      if (busy) throw new Error("Cannot run two jobs at once on one load generator");
      busy = true;
      try {
        await send({ type: "job", job });
        for (;;) {
          const { value, done } = await lines.next();
          if (done) throw new Error(`Cannot run job: the load generator exited (see ${logPath})`);
          const output = JSON.parse(value) as WorkerOutput;
          if (output.type === "at") {
            await control.at(output.point);
            await send({ type: "release" });
          } else if (output.type === "error") {
            throw new Error(output.message);
          } else {
            return output.result as ResultOf<J>;
          }
        }
      } finally {
        busy = false;
      }
    },
    async close() {
      try {
        await writer.close();
      } catch {
        // Already closed.
      }
      await process.stop(2_000);
    },
  };
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
}
