/**
 * The checks of the JSON dialect (PROTOCOL.md section 8 and the JSON forms of
 * sections 4, 9 and 12), run when the hub offers it.
 *
 * @module
 */

import type { ConformanceContext } from "./context.ts";
import type { Check } from "./runner.ts";

/** Every check of the JSON dialect, in order. */
export const JSON_CHECKS: readonly Check<ConformanceContext>[] = [];
