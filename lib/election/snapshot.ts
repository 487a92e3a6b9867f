/**
 * The folded state as text, and back: what a snapshot of an election's log
 * holds, so that a hub that joins a long election starts from the snapshot
 * and the entries after it instead of replaying every entry.
 *
 * @module
 */

import type { ElectionState } from "./state.ts";

/**
 * Writes a state as JSON text (maps and sets kept as such).
 *
 * @param state The state.
 * @returns Its text.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * import { createElectionState } from "./state.ts";
 * const state = createElectionState();
 * assertEquals(decodeState(encodeState(state)), state);
 * ```
 */
export function encodeState(state: ElectionState): string {
  return JSON.stringify(state, (_key, value: unknown) => {
    if (value instanceof Map) return { $map: [...value] };
    if (value instanceof Set) return { $set: [...value] };
    return value;
  });
}

/**
 * Reads a state written by {@linkcode encodeState}.
 *
 * @param text The text.
 * @returns The state, as the fold left it.
 * @throws {SyntaxError} When the text is not a state.
 */
export function decodeState(text: string): ElectionState {
  const state = JSON.parse(text, (_key, value: unknown) => {
    if (typeof value !== "object" || value === null) return value;
    if ("$map" in value && Array.isArray(value.$map)) return new Map(value.$map);
    if ("$set" in value && Array.isArray(value.$set)) return new Set(value.$set);
    return value;
  }) as ElectionState;
  if (!(state.ballots instanceof Map) || !(state.nodes instanceof Map)) {
    throw new SyntaxError("Cannot read the snapshot: it holds no election state");
  }
  // An open ballot is one object in both maps: the fold changes it through either.
  state.openBallots.clear();
  for (const ballot of state.ballots.values()) {
    if (!ballot.closed) state.openBallots.set(ballot.id, ballot);
  }
  return state;
}
