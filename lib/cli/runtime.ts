/**
 * The few runtime facts the commands need, behind small functions so the
 * rest of the code does not touch `Deno.*` for them.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Where a command writes. */
export interface Output {
  /** Writes a line to standard output. */
  out(line: string): void;
  /** Writes a line to standard error. */
  err(line: string): void;
}

/** Standard output and error of this process. */
export const STANDARD_OUTPUT: Output = {
  out: (line) => writeAllSync(Deno.stdout, `${line}\n`),
  err: (line) => writeAllSync(Deno.stderr, `${line}\n`),
};

/**
 * Whether a person is at the keyboard: both standard input and output are terminals.
 *
 * @returns `true` for an interactive run.
 */
export function isInteractive(): boolean {
  return Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
}

/**
 * Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
 *
 * @returns A promise and a function that stops listening.
 */
export function onShutdownSignal(): { signal: Promise<void>; dispose(): void } {
  let dispose = () => {};
  const signal = new Promise<void>((resolve) => {
    const names: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
    const handler = () => resolve();
    for (const name of names) Deno.addSignalListener(name, handler);
    dispose = () => {
      for (const name of names) Deno.removeSignalListener(name, handler);
    };
  });
  return { signal, dispose };
}

function writeAllSync(file: { writeSync(bytes: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}

/**
 * Lets an operator measure what the hub really keeps: when the runtime was
 * started with `--v8-flags=--expose-gc` (never the case for a normal run),
 * SIGUSR2 runs a full garbage collection. Otherwise it does nothing.
 *
 * @returns A function that stops listening.
 */
export function collectGarbageOnSignal(): () => void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect !== "function" || Deno.build.os === "windows") return () => {};
  const handler = () => collect();
  Deno.addSignalListener("SIGUSR2", handler);
  return () => Deno.removeSignalListener("SIGUSR2", handler);
}
