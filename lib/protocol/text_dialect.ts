/**
 * The text dialect: what a person at netcat, or another team's plain socket
 * client, reads and types. Every line the hub sends starts with a mark that
 * says what it is (see PROTOCOL.md):
 *
 * - `? ` the hub asks and waits for the next line,
 * - `ok ` a reply, possibly followed by rows that start with two spaces,
 * - `err CODE: ` a refusal,
 * - `! ` a pushed event,
 * - `# ` information (greeting, menu).
 *
 * @module
 */

import type { BallotOption, NodeInfo, VoteCounts } from "../election/events.ts";
import { isMethodWord } from "../election/methods/method_spec.ts";
import type { ProposalInput } from "../election/proposal.ts";
import { formatPercent } from "../election/percent.ts";
import {
  type Ask,
  type BallotView,
  type DecisionView,
  type ErrorReply,
  INFO_FIELDS,
  type InfoField,
  type Push,
  refuse,
  type Reply,
  type Request,
  type ServiceHelp,
} from "./messages.ts";
import { escapeForTerminal as safe } from "./text_safety.ts";
import { splitWords, validateInfo } from "./validate.ts";

// Made once: a regular expression written in a function is a new object at
// every call, and these run at every line.
const BLANK = /\s/u;
const NOT_SINGLE_SPACED = /\s\s|[^\S ]/u;
const BALLOT_FIRST = /^(\d{1,9})(?: |$)/u;
const NOT_LOWER_ASCII = /[^a-z]/u;

/**
 * Decodes one typed line into a request.
 *
 * @param line A line without its line end.
 * @returns The request, a refusal, or `undefined` for a blank line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseTextCommand("vote A"), { op: "vote", option: "A" });
 * assertEquals(parseTextCommand("receive all"), { op: "receive", target: "all" });
 * ```
 */
export function parseTextCommand(line: string): Request | ErrorReply | undefined {
  const trimmed = line.trim();
  if (trimmed === "") return undefined;
  // The command word, and the rest with its blanks made single spaces. A
  // line is split no further than its command needs: at thousands of votes
  // a second, every array made per line counts.
  const blank = trimmed.search(BLANK);
  const word = blank < 0 ? trimmed : trimmed.slice(0, blank);
  // Commands are lower-case ASCII: a word typed that way is not copied to lower-case.
  const command = NOT_LOWER_ASCII.test(word) ? word.toLowerCase() : word;
  const argument = blank < 0 ? "" : singleSpaced(trimmed.slice(blank + 1).trimStart());
  switch (command) {
    case "help":
    case "discover":
    case "stats":
    case "ballots":
    case "results":
    case "ping":
    case "exit":
      if (argument !== "") {
        return refuse("bad-request", `Cannot run ${command}: it takes no arguments`);
      }
      return { op: command };
    case "setup":
      return argument === "" ? { op: "setup" } : parseSetupArguments(argument.split(" "));
    case "name":
      return argument === "" ? { op: "name" } : { op: "name", name: argument };
    case "negotiate": {
      if (argument === "") return { op: "negotiate" };
      const grant = parsePermission(argument);
      if (grant === undefined) {
        return refuse(
          "bad-request",
          `Cannot negotiate: say grant or deny, not "${safe(argument)}"`,
        );
      }
      return { op: "negotiate", grant };
    }
    case "receive": {
      if (argument === "") return { op: "receive" };
      const target = parseReceiveTarget(argument);
      return target ??
        refuse("bad-request", `Cannot receive: give a PIN or all, not "${safe(argument)}"`);
    }
    case "vote":
      return parseVoteArguments(argument);
    case "propose":
      return parseProposal(trimmed.slice(word.length));
    case "close": {
      if (!/^\d{1,9}$/u.test(argument)) {
        return refuse("bad-request", "Cannot close: give the ballot's number, e.g. close 2");
      }
      return { op: "close", ballot: Number(argument) };
    }
    default:
      return refuse(
        "unknown-command",
        `Cannot run "${safe(word)}": not a service; send help for the menu`,
      );
  }
}

/**
 * Reads a grant or a denial, in the words people use for it.
 *
 * @param answer For example `grant`, `yes`, `deny`, `n`.
 * @returns `true` to grant, `false` to deny, `undefined` when unclear.
 */
export function parsePermission(answer: string): boolean | undefined {
  const word = answer.trim().toLowerCase();
  if (["grant", "yes", "y", "allow", "true"].includes(word)) return true;
  if (["deny", "no", "n", "refuse", "false"].includes(word)) return false;
  return undefined;
}

/**
 * Reads the argument of `receive`.
 *
 * @param answer A PIN or `all`.
 * @returns The request, or `undefined` when it is neither.
 */
export function parseReceiveTarget(answer: string): Request | undefined {
  const word = answer.trim().toLowerCase();
  if (word === "all") return { op: "receive", target: "all" };
  if (/^\d{1,9}$/u.test(word)) return { op: "receive", target: Number(word) };
  return undefined;
}

/**
 * `vote A`, `vote 3 A` (ballot 3), `vote 3` (ballot 3, option asked), `vote` (asked).
 *
 * @param argument What follows `vote`, single-spaced.
 */
function parseVoteArguments(argument: string): Request {
  if (argument === "") return { op: "vote" };
  const ballotFirst = BALLOT_FIRST.exec(argument);
  if (ballotFirst) {
    const ballot = Number(ballotFirst[1]);
    const option = argument.slice(ballotFirst[0].length);
    return option === "" ? { op: "vote", ballot } : { op: "vote", ballot, option };
  }
  return { op: "vote", option: argument };
}

/** The text with every run of blanks made one space; most lines have none to change. */
function singleSpaced(text: string): string {
  return NOT_SINGLE_SPACED.test(text) ? text.split(/\s+/u).join(" ") : text;
}

/** Flags of `propose`, as typed in its fifth field. */
const PROPOSAL_FLAGS: Record<string, (input: ProposalInput) => void> = {
  frozen: (input) => input.electorate = "frozen",
  live: (input) => input.electorate = "live",
  change: (input) => input.allowChange = true,
  hidden: (input) => input.hideResults = true,
  anonymous: (input) => input.anonymous = true,
};

/**
 * Reads `propose QUESTION | OPTION, OPTION [| [METHOD] RULE [| DEADLINE [| FLAGS]]]`. The
 * third field may start with a method (`ranked:irv`, `consent majority`); a consent
 * proposal leaves its options empty (`propose Adopt it? | | consent`).
 *
 * @param text Everything after the word `propose`.
 * @returns The request, or why it cannot be read.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(parseProposal(" Lunch? | pizza, soup | majority | 10m | frozen"), {
 *   op: "propose",
 *   proposal: {
 *     question: "Lunch?",
 *     options: ["pizza", "soup"],
 *     rule: "majority",
 *     deadline: "10m",
 *     electorate: "frozen",
 *   },
 * });
 * ```
 */
export function parseProposal(text: string): Request | ErrorReply {
  const fields = text.split("|").map((field) => field.trim());
  const [question = "", options = "", ruleField = "", deadline = "", flags = ""] = fields;
  const [first = "", ...rest] = ruleField.split(/\s+/u);
  const method = isMethodWord(first) ? first : undefined;
  const rule = method === undefined ? ruleField : rest.join(" ");
  const consent = method?.toLowerCase() === "consent";
  if (fields.length > 5 || question === "" || (options === "" && !consent)) {
    return refuse(
      "bad-request",
      "Cannot propose: write propose QUESTION | OPTION, OPTION [| [METHOD] RULE [| DEADLINE [| FLAGS]]]",
    );
  }
  const proposal: ProposalInput = {
    question,
    options: options === "" ? [] : options.split(",").map((option) => option.trim()),
  };
  if (method !== undefined) proposal.method = method;
  if (rule !== "") proposal.rule = rule;
  if (deadline !== "") proposal.deadline = deadline;
  for (const flag of splitWords(flags.toLowerCase())) {
    const apply = PROPOSAL_FLAGS[flag];
    if (!apply) {
      return refuse(
        "bad-request",
        `Cannot propose: unknown flag "${
          safe(flag)
        }"; use frozen, live, change, hidden or anonymous`,
      );
    }
    apply(proposal);
  }
  return { op: "propose", proposal };
}

function parseSetupArguments(tokens: string[]): Request | ErrorReply {
  const lists: Partial<Record<InfoField, string[]>> = {};
  for (const token of tokens) {
    const equals = token.indexOf("=");
    const key = (equals < 0 ? token : token.slice(0, equals)).toLowerCase();
    const field = INFO_FIELDS.find((candidate) => candidate === key);
    if (equals < 0 || !field) {
      return refuse(
        "bad-request",
        `Cannot set up: "${safe(token)}" is not services=, capabilities= or constraints=`,
      );
    }
    lists[field] = [...(lists[field] ?? []), ...parseWordsAnswer(token.slice(equals + 1))];
  }
  const info = validateInfo(lists);
  return "code" in info ? info : { op: "setup", info };
}

/**
 * Encodes a successful reply: an `ok` line, then rows that start with two
 * spaces; the `ok` line says how many rows follow.
 *
 * @param reply The reply.
 * @returns The lines, each ending in LF.
 */
export function formatTextReply(reply: Reply): string {
  switch (reply.op) {
    case "help":
      return lines(`ok menu: ${reply.services.length} services`, menuRows(reply.services));
    case "setup":
      return lines(`ok node info set: ${describeInfo(reply.info)}`);
    case "name":
      return lines(`ok name set to ${safe(reply.name)}`);
    case "discover":
      return lines(
        `ok discover: ${plural(reply.nodes.length, "node")}`,
        reply.nodes.map((node) =>
          `${node.pin} ${safe(node.name)} ${safe(node.address)}:${node.port}`
        ),
      );
    case "negotiate":
      return lines(
        reply.stored
          ? `ok negotiate: node info stored (${describeInfo(reply.info)})`
          : "ok negotiate: permission denied, node info not stored",
      );
    case "receive":
      return lines(
        `ok receive: ${plural(reply.infos.length, "node")}`,
        reply.infos.map((entry) => `${entry.pin} ${safe(entry.name)} ${describeInfo(entry.info)}`),
      );
    case "vote":
      return lines(
        `ok vote ${reply.option} (${safe(reply.label)}) ${
          reply.changed ? "changed" : "recorded"
        } on ballot ${reply.ballot}`,
      );
    case "stats": {
      const rows: string[] = [];
      for (const ballot of reply.ballots) {
        const votes = ballot.voted === null
          ? "results hidden until it closes"
          : plural(ballot.voted, "vote");
        rows.push(
          `ballot ${ballot.ballot}: ${safe(ballot.question)} (${
            ballot.method === "choice" ? "" : `method ${ballot.method}, `
          }rule ${ballot.rule}, ${votes}, ${ballot.electorateSize} in the electorate)`,
        );
        if (ballot.counts) rows.push(...countRows(ballot.options, ballot.counts));
      }
      for (const decision of reply.decided) {
        rows.push(describeDecision(decision));
        rows.push(...countRows(decision.options, decision.counts));
      }
      return lines(
        `ok stats: ${
          plural(reply.ballots.length, "open ballot")
        }, ${reply.decided.length} closed shown; ${plural(rows.length, "row")}`,
        rows,
      );
    }
    case "ballots":
      return lines(`ok ballots: ${reply.ballots.length} open`, reply.ballots.map(describeBallot));
    case "results":
      return lines(
        `ok results: ${reply.results.length} closed`,
        reply.results.map(describeDecision),
      );
    case "propose":
      return lines(`ok propose: ballot ${describeBallot(reply.ballot)}`);
    case "close":
      return lines(`ok close: ${describeDecision(reply.result)}`);
    case "ping":
      return lines("ok pong");
    case "exit":
      return lines("ok bye");
  }
}

/**
 * Encodes a refusal.
 *
 * @param error The refusal.
 * @returns One `err` line.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(
 *   formatTextError({ code: "unknown-pin", message: "Cannot receive: no node has PIN 999" }),
 *   "err unknown-pin: Cannot receive: no node has PIN 999\n",
 * );
 * ```
 */
export function formatTextError(error: ErrorReply): string {
  return `err ${error.code}: ${safe(error.message)}\n`;
}

/**
 * Encodes a question the hub asks.
 *
 * @param ask The question.
 * @returns One `?` line (after `#` lines that give context, for a vote).
 */
export function formatTextAsk(ask: Ask): string {
  switch (ask.ask) {
    case "gate":
      return `? ${safe(ask.question)}\n`;
    case "permission":
      return `? May the hub store your node info (${describeInfo(ask.info)})? [grant/deny]\n`;
    case "vote": {
      const { ballot, question, options } = ask.ballot;
      return `? Ballot ${ballot}: ${safe(question)} ${describeOptions(options)} [${
        voteHint(ask.ballot.method, options)
      }]\n`;
    }
    case "receive":
      return "? Whose node info? [PIN/all]\n";
    case "name":
      return "? Your name?\n";
    default:
      return `? Your ${ask.ask} (words separated by commas, or - for none)?\n`;
  }
}

/**
 * Encodes a pushed event (or, for `admitted`, the reply that lets a node in).
 *
 * @param push The event.
 * @returns The lines, each ending in LF.
 */
export function formatTextPush(push: Push): string {
  switch (push.event) {
    case "admitted":
      return lines(
        `ok ${push.resumed ? "resumed" : "admitted"}: your PIN is ${push.pin}, your name is ${
          safe(push.name)
        }`,
      ) + infoLines([
        ...(push.proof === undefined ? [] : [`hub proof: ${push.proof}`]),
        `Resume token: ${push.token} (send "resume ${push.token}" at the gate to come back)`,
        "You may now vote and request node discovery and negotiation.",
        ...push.ballots.map((ballot) => `Ballot ${describeBallot(ballot)}`),
        ...menuRows(push.services),
      ]);
    case "wrong-answer":
      return formatTextError(refuse("wrong-answer", push.message));
    case "bye":
      return `# ${safe(push.reason)}\n`;
    case "ping":
      return `! ping: ${safe(push.message)}\n`;
    case "joined":
      return `! joined ${push.pin} ${safe(push.name)} ${safe(push.address)}:${push.port}\n`;
    case "resumed":
      return `! resumed ${push.pin} ${safe(push.name)}\n`;
    case "left":
      return `! left ${push.pin} ${safe(push.name)} (${push.reason})\n`;
    case "renamed":
      return `! renamed ${push.pin} ${safe(push.name)} (was ${safe(push.previous)})\n`;
    case "stored":
      return `! stored ${push.pin} ${safe(push.name)}\n`;
    case "presence":
      return `! presence joined ${push.joined} left ${push.left} resumed ${push.resumed} connected ${push.connected}\n`;
    case "hubs":
      return `! hubs ${push.hubs.length === 0 ? "none" : push.hubs.map(safe).join(" ")}\n`;
    case "ballot":
      return `! ballot ${describeBallot(push)}\n`;
    case "consensus":
      return `! consensus ballot ${push.ballot}: ${push.option} (${safe(push.label ?? "")}) - ${
        safe(push.reason)
      }\n`;
    case "closed":
      return `! closed ballot ${push.ballot}: ${safe(push.reason)} (${push.cause})\n`;
  }
}

/**
 * Describes a ballot on one line, e.g.
 * `2 open: Lunch? A) pizza  B) soup (rule majority, live, closes 2026-12-01T12:00:00.000Z)`.
 *
 * @param ballot The ballot.
 * @returns The description, safe for a terminal.
 */
export function describeBallot(ballot: BallotView): string {
  const details = [`rule ${ballot.rule}`, ballot.electorate];
  // `choice` is what every ballot was before methods: only the others are named.
  if (ballot.method !== "choice") details.unshift(`method ${ballot.method}`);
  if (ballot.deadline) details.push(`closes ${ballot.deadline}`);
  if (ballot.allowChange) details.push("votes can change");
  if (ballot.hideResults) details.push("results hidden until closed");
  if (ballot.anonymous) details.push("anonymous");
  if (ballot.proposer !== null) details.push(`proposed by ${ballot.proposer}`);
  return `${ballot.ballot} open: ${safe(ballot.question)} ${describeOptions(ballot.options)} (${
    details.join(", ")
  })`;
}

/**
 * Describes a closed ballot on one line.
 *
 * @param decision The outcome.
 * @returns For example `ballot 1 decided A (fly): 3 of 5 connected voted A: 60% > 50%`.
 */
export function describeDecision(decision: DecisionView): string {
  return decision.option === null
    ? `ballot ${decision.ballot} closed (${decision.cause}): ${safe(decision.reason)}`
    : `ballot ${decision.ballot} decided ${decision.option} (${safe(decision.label ?? "")}): ${
      safe(decision.reason)
    }`;
}

/**
 * Encodes lines of information (`# ` lines).
 *
 * @param texts The lines, without marks.
 * @returns The lines, each ending in LF.
 */
export function infoLines(texts: readonly string[]): string {
  return texts.map((text) => `# ${text}\n`).join("");
}

/**
 * Reads a text answer to one of the node info questions: words separated by
 * commas or spaces, `-` or nothing for none.
 *
 * @param answer The typed line.
 * @returns The words.
 */
export function parseWordsAnswer(answer: string): string[] {
  return answer.trim() === "-" ? [] : splitWords(answer);
}

/**
 * Describes node info on one line, e.g. `services print,scan; capabilities -; constraints -`.
 *
 * @param info The node info.
 * @returns The description, safe for a terminal.
 */
export function describeInfo(info: NodeInfo): string {
  return INFO_FIELDS.map((field) =>
    `${field} ${info[field].length ? safe(info[field].join(",")) : "-"}`
  )
    .join("; ");
}

/**
 * How to answer a vote question, by method: `A/B/C`, `e.g. C>A>B`, ...
 *
 * @param method The ballot's method.
 * @param options The ballot's options.
 * @returns The hint shown in brackets.
 */
export function voteHint(method: string, options: readonly BallotOption[]): string {
  const keys = options.map((option) => option.key);
  const [first = "A", second = "B"] = keys;
  const kind = method.split(":")[0];
  if (method.startsWith("choice:") || kind === "approval") {
    return `one or more of ${keys.join("/")}, e.g. ${first},${second}`;
  }
  if (kind === "consent") return 'agree/abstain/disagree/block "reason"';
  if (kind === "score") {
    const [, range = ""] = method.split(":");
    return `a score ${range} per option, e.g. ${first}=${range.split("..")[1]} ${second}=${
      range.split("..")[0]
    }`;
  }
  if (kind === "ranked") return `rank some or all, e.g. ${[...keys].reverse().join(">")}`;
  return keys.join("/");
}

function describeOptions(options: readonly BallotOption[]): string {
  return options.map((option) => `${option.key}) ${safe(option.label)}`).join("  ");
}

function menuRows(services: readonly ServiceHelp[]): string[] {
  const width = Math.max(...services.map((service) => service.usage.length));
  return services.map((service) => `${service.usage.padEnd(width)}  ${service.summary}`);
}

function countRows(options: readonly BallotOption[], counts: VoteCounts): string[] {
  const total = sum(counts);
  return options.map((option) => {
    const votes = counts[option.key] ?? 0;
    const share = total === 0 ? "0%" : formatPercent((100 * votes) / total);
    return `${option.key} ${votes} ${share} ${safe(option.label)}`;
  });
}

function lines(head: string, rows: readonly string[] = []): string {
  let text = `${head}\n`;
  for (const row of rows) text += `  ${row}\n`;
  return text;
}

function sum(counts: VoteCounts): number {
  let total = 0;
  for (const votes of Object.values(counts)) total += votes;
  return total;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
