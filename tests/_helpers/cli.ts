/**
 * Runs the real program as a child process, with exactly the permissions
 * that the compile tasks grant the released binary.
 *
 * @module
 */

import { LineSource } from "../../lib/protocol/line_source.ts";

const root = new URL("../../", import.meta.url);

/** Runtime flags (permissions, V8's) of the `compile:linux-x64` task in deno.json. */
export const PERMISSIONS: string[] = await (async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const task: string = config.tasks["compile:linux-x64"];
  return task.split(/\s+/u).filter((word) =>
    word.startsWith("--allow-") || word.startsWith("--v8-flags=")
  );
})();

/** Path of main.ts. */
export const MAIN = new URL("main.ts", root).pathname;

/** The command line that runs the program, for tools such as tmux. */
export function cliCommand(args: string[]): string[] {
  return [Deno.execPath(), "run", "--quiet", ...PERMISSIONS, MAIN, ...args];
}

/**
 * The environment variable that pins the program's multicast DNS to one
 * interface, and its value in tests: loopback, so that no test ever sends a
 * packet off the machine.
 */
export const MDNS_LOOPBACK = { CONSENSUS_MDNS_INTERFACE: "127.0.0.1" };

/**
 * Spawns the program with no input, its output piped, its multicast DNS
 * pinned to loopback.
 *
 * @param args Its arguments.
 * @returns The child process.
 */
function spawnCli(args: string[]): Deno.ChildProcess {
  const [command, ...rest] = cliCommand(args);
  return new Deno.Command(command!, {
    args: rest,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...MDNS_LOOPBACK },
  }).spawn();
}

/** Result of a finished run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the program to its end (killed after `timeoutMs`).
 *
 * @param args Its arguments.
 * @param timeoutMs Upper bound.
 * @returns Exit code and output.
 */
export async function runCli(args: string[], timeoutMs = 20_000): Promise<CliResult> {
  const child = spawnCli(args);
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already ended.
    }
  }, timeoutMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A `consensus serve` process that is listening. */
export interface ServeProcess extends AsyncDisposable {
  port: number;
  /** Lines printed so far. */
  lines: string[];
  /** Text printed on standard error so far (with `{ stderr: true }`; otherwise it is shown). */
  errors: string[];
  child: Deno.ChildProcess;
  /** Waits (up to 5 s) for a printed line that matches, and returns it. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
  /** Types a line on the hub's standard input (with `{ stdin: true }`). */
  type(line: string): Promise<void>;
}

/**
 * Starts `consensus serve` on 127.0.0.1 and a free port, and waits for the
 * line that says where it listens.
 *
 * @param args Extra arguments of serve.
 * @param options `stdin` to type on its input; `env` to add environment
 * variables (e.g. {@linkcode MDNS_LOOPBACK}: a hub on 127.0.0.1 is announced only then);
 * `stderr` to collect its standard error in `errors` instead of showing it.
 * @returns The process; `await using` stops it.
 */
export async function startServe(
  args: string[] = [],
  options: { stdin?: boolean; env?: Record<string, string>; stderr?: boolean } = {},
): Promise<ServeProcess> {
  // Each hub keeps its own journal: none unless the test names a directory.
  const data = args.includes("--data") || args.includes("--cluster") ? [] : ["--data", ":memory:"];
  const port = args.includes("--port") ? [] : ["--port", "0"];
  const [command, ...rest] = cliCommand([
    "serve",
    "--host",
    "127.0.0.1",
    ...port,
    ...data,
    ...args,
  ]);
  const child = new Deno.Command(command!, {
    args: rest,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: options.stderr ? "piped" : "inherit",
    ...(options.env ? { env: options.env } : {}),
  }).spawn();
  const errors: string[] = [];
  const collectingErrors = options.stderr
    ? child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (text) => void errors.push(text) }),
    ).catch(() => {})
    : undefined;
  const input = options.stdin ? child.stdin.getWriter() : undefined;
  const type = async (line: string) => {
    if (!input) throw new Error("startServe: give { stdin: true } to type on the hub's input");
    await input.write(new TextEncoder().encode(`${line}\n`));
  };
  const reader = child.stdout.getReader();
  const source = new LineSource(streamReader(reader), { maxLineBytes: 1 << 20 });
  const lines: string[] = [];
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already ended.
    }
    await child.status;
    await input?.close().catch(() => {});
    await reader.cancel().catch(() => {});
    await collectingErrors;
  };
  let listeningPort = 0;
  const deadline = setTimeout(() => stop(), 15_000);
  for (;;) {
    const item = await source.next();
    if (!item) break;
    if (item.kind !== "line") continue;
    lines.push(item.text);
    const match = /listening on [^ ]*:(\d+)/u.exec(item.text);
    if (match) {
      listeningPort = Number(match[1]);
      break;
    }
  }
  clearTimeout(deadline);
  if (listeningPort === 0) throw new Error(`serve did not start:\n${lines.join("\n")}`);
  // Keep collecting the log in the background so the pipe never fills.
  (async () => {
    for (;;) {
      const item = await source.next().catch(() => undefined);
      if (!item) return;
      if (item.kind === "line") lines.push(item.text);
    }
  })();
  const waitForLine = async (match: (line: string) => boolean) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = lines.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`serve never printed the line:\n${lines.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    port: listeningPort,
    lines,
    errors,
    child,
    waitForLine,
    type,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Adapts a stream reader to the `read(buffer)` shape of a connection, keeping
 * what does not fit for the next call.
 *
 * @param reader A reader of a child's output.
 * @returns Something {@linkcode LineSource} reads from.
 */
export function streamReader(reader: ReadableStreamDefaultReader<Uint8Array>) {
  let rest: Uint8Array = new Uint8Array(0);
  return {
    async read(buffer: Uint8Array): Promise<number | null> {
      if (rest.length === 0) {
        const { value, done } = await reader.read();
        if (done || !value) return null;
        rest = value;
      }
      const count = Math.min(rest.length, buffer.length);
      buffer.set(rest.subarray(0, count));
      rest = rest.subarray(count);
      return count;
    },
  };
}

/** A program started in the background whose output lines are collected as they come. */
export interface BackgroundProcess extends AsyncDisposable {
  child: Deno.ChildProcess;
  /** Lines printed on stdout so far. */
  lines: string[];
  /** Waits (up to `waitMs`) for a printed line that matches, and returns it. */
  waitForLine(match: (line: string) => boolean, waitMs?: number): Promise<string>;
  /** Waits for the exit; returns the code and every stdout line. */
  finished(): Promise<{ code: number; lines: string[] }>;
}

/**
 * Starts the program with some arguments and collects its output lines.
 *
 * @param args Its arguments.
 * @returns The process; `await using` kills it if still running.
 */
export function startCli(args: string[]): BackgroundProcess {
  const child = spawnCli(args);
  const lines: string[] = [];
  const source = new LineSource(streamReader(child.stdout.getReader()), { maxLineBytes: 1 << 20 });
  const reading = (async () => {
    for (;;) {
      const item = await source.next().catch(() => undefined);
      if (!item) return;
      if (item.kind === "line") lines.push(item.text);
    }
  })();
  const stderr = child.stderr.pipeTo(new WritableStream()).catch(() => {});
  const waitForLine = async (match: (line: string) => boolean, waitMs = 10_000) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = lines.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`${args.join(" ")} never printed the line:\n${lines.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const finished = async () => {
    const status = await child.status;
    await reading;
    await stderr;
    return { code: status.code, lines };
  };
  return {
    child,
    lines,
    waitForLine,
    finished,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already ended.
      }
      await finished();
    },
  };
}
