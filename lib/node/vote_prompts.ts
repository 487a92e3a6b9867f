/**
 * The interactive node's prompt for a vote, by the ballot's method:
 * checkboxes for marks (`choice:N`, `approval`), a number per option for
 * `score`, one pick after another with the arrow keys for a ranking, and
 * the four positions (with the reason for a block) for `consent`.
 * A `choice` ballot keeps the node's own one-option menu.
 *
 * @module
 */

import { checkbox, input, number, select } from "@inquirer/prompts";
import type { VoteInput } from "../election/methods/cast_vote.ts";
import { MAX_REASON_LENGTH } from "../election/methods/cast_vote.ts";
import { parseMethod } from "../election/methods/method_spec.ts";
import type { BallotView } from "../protocol/messages.ts";
import { escapeForTerminal as safe } from "../protocol/text_safety.ts";

/** Shows one prompt (with the signal that takes it down) and returns its answer. */
export type PromptRunner = <T>(prompt: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Marks the end of a ranking in the ranking menu (no option key is empty). */
const RANK_NO_MORE = "";

/**
 * Asks for a vote in the ballot's method.
 *
 * @param ballot The ballot (its method is not `choice`).
 * @param run Shows a prompt.
 * @returns The vote's fields, for a `vote` request.
 */
export async function promptMethodVote(ballot: BallotView, run: PromptRunner): Promise<VoteInput> {
  const spec = parseMethod(ballot.method);
  const title = `Ballot ${ballot.ballot}: ${safe(ballot.question)}`;
  const choices = ballot.options.map((option) => ({
    value: option.key,
    name: `${option.key}) ${safe(option.label)}`,
  }));
  switch (spec.kind) {
    case "choice":
    case "approval": {
      const max = spec.kind === "choice" ? spec.max : choices.length;
      const limit = spec.kind === "choice" ? `, at most ${max}` : "";
      const options = await run((signal) =>
        checkbox({
          message: `${title} (space to tick${limit}, Enter when done)`,
          choices,
          required: true,
          validate: (picked) => picked.length <= max || `Tick at most ${max}`,
        }, { signal })
      );
      return { options };
    }
    case "consent": {
      const position = await run((signal) =>
        select({
          message: title,
          choices: ["agree", "abstain", "disagree", "block"].map((value) => ({
            value,
            name: value,
          })),
        }, { signal })
      );
      if (position !== "block") return { option: position };
      const reason = await run((signal) =>
        input({
          message: "Why do you block? (everyone is told)",
          validate: (value) =>
            (value.trim() !== "" && value.trim().length <= MAX_REASON_LENGTH) ||
            `Give the reason, at most ${MAX_REASON_LENGTH} characters`,
        }, { signal })
      );
      return { option: "block", reason: reason.trim() };
    }
    case "score": {
      const scores: Record<string, number> = {};
      for (const option of ballot.options) {
        const score = await run((signal) =>
          number({
            message: `${title}: score for ${option.key}) ${
              safe(option.label)
            } (${spec.min} to ${spec.max}, empty to leave it out)`,
            min: spec.min,
            max: spec.max,
            step: 1,
            required: false,
          }, { signal })
        );
        if (score !== undefined) scores[option.key] = score;
      }
      return { scores };
    }
    case "ranked": {
      const ranking: string[] = [];
      while (ranking.length < choices.length) {
        const left = choices.filter((choice) => !ranking.includes(choice.value));
        const stop = ranking.length > 0 ? [{ value: RANK_NO_MORE, name: "(rank no more)" }] : [];
        const so = ranking.length > 0 ? `, so far ${ranking.join(">")}` : "";
        const next = await run((signal) =>
          select({
            message: `${title}: your choice number ${ranking.length + 1}${so}`,
            choices: [...left, ...stop],
            pageSize: left.length + stop.length,
          }, { signal })
        );
        if (next === RANK_NO_MORE) break;
        ranking.push(next);
      }
      return { ranking };
    }
  }
}
