/**
 * Which meeting a starting hub writes, and with what terms: a new meeting
 * takes the flags; a resumed one keeps its stored terms, and a flag that
 * contradicts them stops the start with a usage error (exit 2) that names
 * the difference and the way out.
 *
 * @module
 */

import type { ProposalInput } from "../election/proposal.ts";
import { answerCheck, answerMatches, createJoinCode } from "../hub/gate.ts";
import {
  type MeetingTerms,
  standingInput,
  standingTerms,
  termDifferences,
} from "../hub/meeting_terms.ts";
import { type Journal, MemoryJournal } from "../store/journal.ts";
import { type MeetingChoice, type MeetingStart, openMeeting } from "../store/meetings.ts";
import { UsageError } from "./usage_error.ts";

/** What the flags ask of the meeting. */
export interface MeetingRequest {
  /** `:memory:` or a data directory. */
  data: string;
  /** New, resume, or let the directory decide. */
  choice: MeetingChoice;
  /** Names of the flags given. */
  given: ReadonlySet<string>;
  /** The gate question the flags give. */
  gateQuestion: string;
  /** The gate answer, when `--answer` was given. */
  answer: string | undefined;
  /** The standing question the flags give. */
  standing: ProposalInput;
}

/** The meeting a hub is about to serve. */
export interface PreparedMeeting {
  /** Its number in the data directory (1 for a meeting kept in memory). */
  id: number;
  /** New or resumed. */
  start: MeetingStart;
  /** When it started, milliseconds since the epoch. */
  startedAt: number;
  /** Its journal, held by this hub. */
  journal: Journal;
  /** The gate question. */
  gateQuestion: string;
  /** The gate answer. */
  answer: string;
  /** The join code to print, when the hub made one up (now or when the meeting started). */
  joinCode: string | undefined;
  /** The standing question. */
  standing: ProposalInput;
}

/** Short help after a refused resume: the whole usage would bury the message. */
const RESUME_HELP = "Run consensus serve --help for every option.";

/**
 * Opens the meeting the request names and settles its terms.
 *
 * @param request What the flags ask.
 * @param now The time, milliseconds since the epoch.
 * @returns The meeting, its journal held.
 * @throws {UsageError} When a flag contradicts a resumed meeting's terms.
 * @throws {DataDirectoryError} When the data directory cannot be used.
 */
export async function prepareMeeting(
  request: MeetingRequest,
  now: number = Date.now(),
): Promise<PreparedMeeting> {
  if (request.data === ":memory:") {
    const joinCode = request.answer === undefined ? createJoinCode() : undefined;
    return {
      id: 1,
      start: "new",
      startedAt: now,
      journal: new MemoryJournal(),
      gateQuestion: request.gateQuestion,
      answer: request.answer ?? joinCode!,
      joinCode,
      standing: request.standing,
    };
  }
  const opened = openMeeting(request.data, request.choice);
  try {
    const stored = opened.stored;
    if (opened.start !== "new" && stored) {
      const terms = JSON.parse(stored.terms) as Partial<MeetingTerms>;
      const meeting = await resumed(
        request,
        opened.id,
        opened.start,
        stored.startedAt,
        opened.journal,
        terms,
      );
      // Its terms hold: it runs again (a refused resume leaves it as it was).
      opened.journal.writeMeeting({ ...stored, endedAt: null });
      return meeting;
    }
    const { terms, answer, joinCode } = await freshTerms(request);
    opened.journal.writeMeeting({
      id: opened.id,
      startedAt: now,
      endedAt: null,
      terms: JSON.stringify(terms),
    });
    return {
      id: opened.id,
      start: opened.start,
      startedAt: now,
      journal: opened.journal,
      gateQuestion: request.gateQuestion,
      answer,
      joinCode,
      standing: request.standing,
    };
  } catch (error) {
    opened.journal.close();
    throw error;
  }
}

async function resumed(
  request: MeetingRequest,
  id: number,
  start: MeetingStart,
  startedAt: number,
  journal: Journal,
  stored: Partial<MeetingTerms>,
): Promise<PreparedMeeting> {
  // A meeting adopted from before meetings has no stored terms: the flags decide.
  if (stored.answerCheck === undefined || stored.gateQuestion === undefined) {
    const joinCode = request.answer === undefined ? createJoinCode() : undefined;
    return {
      id,
      start,
      startedAt,
      journal,
      gateQuestion: request.gateQuestion,
      answer: request.answer ?? joinCode!,
      joinCode,
      standing: request.standing,
    };
  }
  const held = await holdToTerms(request, stored as MeetingTerms, (differences) => {
    const how = start === "resumed" ? "--resume continues" : "this data directory resumes";
    return new UsageError(
      `Cannot resume meeting ${id}: ${how} it with its own terms, and these flags differ:\n` +
        differences.map((line) => `  ${line}`).join("\n") +
        `\nStart a new meeting with --new (meeting ${id} stays readable), or drop these flags.`,
      RESUME_HELP,
    );
  });
  return { id, start, startedAt, journal, ...held };
}

/** The gate and the standing question a hub runs with. */
export interface HeldTerms {
  /** The gate question. */
  gateQuestion: string;
  /** The gate answer. */
  answer: string;
  /** The join code to print, when it was made up rather than chosen. */
  joinCode: string | undefined;
  /** The standing question. */
  standing: ProposalInput;
}

/**
 * Terms for a new meeting or election, from the flags: a join code is made
 * up when no answer was chosen, and only a check of the answer is kept.
 *
 * @param request The flags.
 * @returns The terms to store, and the answer and join code to run with.
 */
export async function freshTerms(
  request: Pick<MeetingRequest, "answer" | "gateQuestion" | "standing">,
): Promise<{ terms: MeetingTerms; answer: string; joinCode: string | undefined }> {
  const joinCode = request.answer === undefined ? createJoinCode() : undefined;
  const answer = request.answer ?? joinCode!;
  const terms: MeetingTerms = {
    gateQuestion: request.gateQuestion,
    answerCheck: await answerCheck(answer),
    joinCode: joinCode ?? null,
    standing: standingTerms(request.standing),
  };
  return { terms, answer, joinCode };
}

/**
 * Holds a hub to terms stored before (a resumed meeting, an election other
 * hubs serve): the flags given must agree with them.
 *
 * @param request The flags.
 * @param stored The stored terms.
 * @param refuse Makes the error for the flags that differ.
 * @returns What to run with.
 * @throws {UsageError} From `refuse`, when a flag differs.
 */
export async function holdToTerms(
  request: Omit<MeetingRequest, "data" | "choice">,
  stored: MeetingTerms,
  refuse: (differences: string[]) => UsageError,
): Promise<HeldTerms> {
  const terms: MeetingTerms = {
    gateQuestion: stored.gateQuestion,
    answerCheck: stored.answerCheck,
    joinCode: stored.joinCode ?? null,
    standing: stored.standing ?? null,
  };
  const differences = termDifferences(terms, {
    given: request.given,
    gateQuestion: request.gateQuestion,
    standing: standingTerms(request.standing),
    answerMatches: request.answer !== undefined &&
      await answerMatches(request.answer, terms.answerCheck),
  });
  if (differences.length > 0) throw refuse(differences);
  return {
    gateQuestion: terms.gateQuestion,
    answer: request.answer ?? terms.joinCode!,
    joinCode: request.answer === undefined ? terms.joinCode! : undefined,
    standing: terms.standing === null ? request.standing : standingInput(terms.standing),
  };
}
