/**
 * Every process the benchmark starts: spawned through `sh` so that the
 * file-descriptor limit can be raised (Deno cannot call setrlimit), logged
 * to a file, and registered so that all of them are stopped at the end, on
 * failure and on Ctrl-C.
 *
 * @module
 */

/** Options for {@linkcode startProcess}. */
export interface StartProcessOptions {
  /** For messages. */
  name: string;
  /** The program. */
  command: string;
  /** Its arguments. */
  args: string[];
  /** Where its standard output and error go. */
  logPath: string;
  /** Working directory. */
  cwd?: string;
  /**
   * Open-file limit asked for; the hard limit when that is lower.
   * @default {65536}
   */
  fdLimit?: number;
  /** Piped standard input and output instead of the log file (the load generator). */
  piped?: boolean;
}

const running = new Set<ManagedProcess>();
/** Cleared by {@linkcode stopAll}: a run being torn down starts nothing new. */
let accepting = true;

/** A process the benchmark started; {@linkcode ManagedProcess.stop} ends it. */
export class ManagedProcess {
  /** For messages. */
  readonly name: string;
  /** Its log file. */
  readonly logPath: string;
  /** The child (its pid is the program's own: `sh` execs it). */
  readonly child: Deno.ChildProcess;
  #exited = false;
  readonly #status: Promise<Deno.CommandStatus>;

  constructor(name: string, logPath: string, child: Deno.ChildProcess) {
    this.name = name;
    this.logPath = logPath;
    this.child = child;
    this.#status = child.status.finally(() => {
      this.#exited = true;
      running.delete(this);
    });
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** Whether it has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** Resolves with its exit status. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#status;
  }

  /**
   * Waits until a line of its log matches.
   *
   * @param pattern What to look for.
   * @param timeoutMs How long to wait.
   * @returns The match.
   * @throws {Error} When it exits first or the time runs out, with the log's tail.
   */
  async waitForLog(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const text = await readText(this.logPath);
      const match = text.match(pattern);
      if (match) return match;
      if (this.#exited) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const lines = (await readText(this.logPath)).split("\n").filter((line) => line.trim() !== "");
    // The line that says why (Deno's "error: ..."), else the last one.
    const why = lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? "no output";
    throw new Error(
      `Cannot start ${this.name}: ${
        this.#exited ? "it exited" : `no ${pattern} in its log after ${timeoutMs} ms`
      } (${why.trim()})\n${lines.slice(-8).join("\n")}`,
    );
  }

  /**
   * Resident memory now, from `/proc/PID/status`.
   *
   * @returns VmRSS in KiB.
   */
  rssKb(): number {
    return readRssKb(this.pid);
  }

  /**
   * Sends it a signal; nothing happens when it has exited.
   *
   * @param name The signal, e.g. `SIGUSR2`.
   */
  signal(name: Deno.Signal): void {
    if (!this.#exited) signal(this.child, name);
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => timer = setTimeout(resolve, ms, false));
    try {
      return await Promise.race([this.#status.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops it: SIGTERM, then SIGKILL if it has not exited within `graceMs`;
   * with `graceMs` 0, SIGKILL at once (a benchmark does not measure shutdown).
   *
   * @param graceMs How long to wait after SIGTERM.
   */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.#exited) return;
    if (graceMs > 0) {
      signal(this.child, "SIGTERM");
      if (await this.#exitsWithin(graceMs)) return;
    }
    signal(this.child, "SIGKILL");
    await this.#exitsWithin(2_000);
  }
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // Already gone.
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return "";
  }
}

/**
 * Resident memory of a process.
 *
 * @param pid Its id.
 * @returns VmRSS in KiB, or NaN when it is gone.
 */
export function readRssKb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * CPU time a process has used so far.
 *
 * @param pid Its id.
 * @returns User plus system time in seconds, or NaN when it is gone.
 */
export function readCpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return NaN;
  }
}

/**
 * Open-file limit of a process.
 *
 * @param pid Its id.
 * @returns The soft limit, or NaN.
 */
export function readFdLimit(pid: number): number {
  try {
    const limits = Deno.readTextFileSync(`/proc/${pid}/limits`);
    const match = limits.match(/^Max open files\s+(\d+)/m);
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The hard open-file limit, as a started process could raise its own to
 * (`sh -c 'ulimit -Hn'`): Deno cannot read or raise it itself.
 *
 * @returns The limit; Infinity when unlimited, NaN when it cannot be read.
 */
export async function readHardFdLimit(): Promise<number> {
  try {
    const output = await new Deno.Command("sh", {
      args: ["-c", "ulimit -Hn"],
      stdout: "piped",
      stderr: "null",
    }).output();
    const text = new TextDecoder().decode(output.stdout).trim();
    return text === "unlimited" ? Infinity : output.success ? Number(text) : NaN;
  } catch {
    return NaN;
  }
}

// `ulimit -n N` fails when N is above the hard limit: then take the hard limit.
const RAISE_LIMIT_AND_EXEC =
  'ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; ' +
  "shift; ";

/**
 * Starts a process through `sh`, with the open-file limit raised.
 *
 * @param options See {@linkcode StartProcessOptions}.
 * @returns The running process, registered for {@linkcode stopAll}.
 * @throws {Error} Once {@linkcode stopAll} has been called.
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  if (!accepting) throw new Error(`Cannot start ${options.name}: the benchmark is stopping`);
  // Emptied now, not by the shell's redirection later: a waiter must never
  // read what a previous process left in the same file.
  Deno.writeTextFileSync(options.logPath, "");
  const script = RAISE_LIMIT_AND_EXEC +
    (options.piped ? 'exec "$@" 2>>"$BENCH_LOG"' : 'exec "$@" >"$BENCH_LOG" 2>&1');
  const child = new Deno.Command("sh", {
    args: ["-c", script, "sh", String(options.fdLimit ?? 65536), options.command, ...options.args],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { BENCH_LOG: options.logPath },
    stdin: options.piped ? "piped" : "null",
    stdout: options.piped ? "piped" : "null",
    stderr: "null",
  }).spawn();
  const managed = new ManagedProcess(options.name, options.logPath, child);
  running.add(managed);
  return managed;
}

/** Stops every process still running; none can be started afterwards. */
export async function stopAll(): Promise<void> {
  accepting = false;
  await Promise.all([...running].map((process) => process.stop(2_000)));
}

/**
 * Whether a program is on the PATH.
 *
 * @param program Its name.
 * @returns Its path, or undefined.
 */
export async function findProgram(program: string): Promise<string | undefined> {
  try {
    const output = await new Deno.Command("sh", {
      args: ["-c", 'command -v "$1"', "sh", program],
      stdout: "piped",
      stderr: "null",
    }).output();
    const path = new TextDecoder().decode(output.stdout).trim();
    return output.success && path !== "" ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds a free loopback port (bind port 0, read it, release it).
 *
 * @returns The port.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
