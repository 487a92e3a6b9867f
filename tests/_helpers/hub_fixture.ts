/**
 * A real hub on 127.0.0.1 and a free port, with the report's riddle as gate.
 *
 * @module
 */

import { DEFAULT_OPTION_LABELS, DEFAULT_QUESTION } from "../../lib/election/ballot.ts";
import { Gate } from "../../lib/hub/gate.ts";
import { type RunningHub, startHub, type StartHubOptions } from "../../lib/hub/server.ts";

/** The report's gate. */
export const RIDDLE = "What has keys but can't open locks?";
/** Its answer. */
export const ANSWER = "keyboard";

/**
 * Starts a hub for one test; `await using` stops it and every session.
 *
 * @param options Overrides of the defaults.
 * @returns The running hub, disposable.
 */
export function startTestHub(
  options: Partial<StartHubOptions> = {},
): RunningHub & AsyncDisposable {
  const running = startHub({
    host: "127.0.0.1",
    port: 0,
    standing: { question: DEFAULT_QUESTION, options: DEFAULT_OPTION_LABELS },
    gate: new Gate({ question: RIDDLE, answer: ANSWER }),
    ...options,
  });
  return Object.assign(running, { [Symbol.asyncDispose]: () => running.close() });
}
