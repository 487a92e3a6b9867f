/**
 * `deno task bench:votes [--votes N]`: the hub's vote path in one process, without the
 * network. A line is read as a request (text or JSON dialect), the vote is
 * decided on a hub of 1,000 members, and the reply is written as the dialect
 * sends it. It prints, per vote, the bytes V8 allocated (the garbage its
 * collector clears later: the same on every run of the same code, where
 * timings on a shared machine are not) and the time taken.
 *
 * The network benchmark (`deno task bench`) says what the hub does as a
 * whole; this says what the hub's own code costs per vote, so that a change
 * to parsing, deciding or replying can be weighed alone.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";
import { Gate } from "../lib/hub/gate.ts";
import { Hub } from "../lib/hub/hub.ts";
import { type Caller, runService } from "../lib/hub/services.ts";
import { type Dialect, JSON_DIALECT, TEXT_DIALECT } from "../lib/protocol/dialect.ts";
import { parseJsonMessage } from "../lib/protocol/json_dialect.ts";
import { isErrorReply, type Request } from "../lib/protocol/messages.ts";
import { parseTextCommand } from "../lib/protocol/text_dialect.ts";

/** Members of the hub, each voting in turn. */
const MEMBERS = 1_000;
/** Votes before counting: the code is compiled by then. */
const WARM_UP_VOTES = 200_000;
/** Votes counted per dialect, unless `--votes N` says otherwise. */
const COUNTED_VOTES = 2_000_000;

/** What one dialect needs: its two vote lines, and how a line becomes a request. */
interface DialectCase {
  dialect: Dialect;
  /** Vote A, then vote B: with changes allowed, every vote is a real change. */
  lines: readonly [string, string];
  parse: (line: string) => Request;
}

const CASES: readonly DialectCase[] = [
  {
    dialect: TEXT_DIALECT,
    lines: ["vote A", "vote B"],
    parse: (line) => parseTextCommand(line) as Request,
  },
  {
    dialect: JSON_DIALECT,
    lines: ['{"id":1,"op":"vote","option":"A"}', '{"id":2,"op":"vote","option":"B"}'],
    parse: (line) => {
      const message = parseJsonMessage(line);
      if (message.kind !== "request") throw new Error(`Cannot read ${line}`);
      return message.request;
    },
  },
];

/** A member that takes what it is sent and drops it: only the hub's own work is measured. */
function silentMember(dialect: Dialect): Caller & { node: number } {
  return {
    dialect,
    node: 0,
    awaitingReply: false,
    draftInfo: undefined,
    send: () => {},
    defer: () => {},
    close: () => {},
    ask: () => Promise.reject(new Error("Cannot ask: this vote names its option")),
  };
}

/** A hub whose standing question is open, with its members admitted. */
async function hubWithMembers(dialect: Dialect): Promise<{ hub: Hub; members: Caller[] }> {
  const hub = new Hub({
    gate: new Gate({ question: "q", answer: "a" }),
    standing: {
      question: "Would you rather be able to fly or be invisible?",
      options: ["be able to fly", "be invisible"],
      rule: "plurality",
      allowChange: true,
    },
  });
  const members: Caller[] = [];
  for (let index = 0; index < MEMBERS; index++) {
    const member = silentMember(dialect);
    member.node = (await hub.admit(member, { address: "127.0.0.1", port: 10_000 + index })).node;
    members.push(member);
  }
  return { hub, members };
}

/** Runs `count` votes, member after member, A then B; returns the reply bytes (kept, so none is skipped). */
function vote(hub: Hub, members: readonly Caller[], testCase: DialectCase, count: number): number {
  let replied = 0;
  for (let index = 0; index < count; index++) {
    const member = members[index % members.length]!;
    const line = testCase.lines[Math.floor(index / members.length) % 2]!;
    const reply = runService(hub, member, testCase.parse(line));
    if (reply instanceof Promise) throw new Error("Cannot measure: a vote waited");
    if (isErrorReply(reply)) throw new Error(`Cannot measure: ${reply.message}`);
    member.awaitingReply = false;
    replied += testCase.dialect.reply(null, reply).length;
  }
  return replied;
}

/** Bytes V8 has allocated since the process started (Deno's `node:v8` has the field; its types do not). */
function allocatedBytes(): number {
  const total = (getHeapStatistics() as { total_allocated_bytes?: number }).total_allocated_bytes;
  if (typeof total !== "number") throw new Error("Cannot measure: V8 gives no allocation count");
  return total;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { votes: { type: "string" } } });
  const counted = values.votes === undefined ? COUNTED_VOTES : Number(values.votes);
  if (!Number.isSafeInteger(counted) || counted < 1) {
    console.error(`Cannot measure: --votes takes a whole number above 0, got ${values.votes}`);
    Deno.exit(2);
  }
  console.log(
    `${MEMBERS} members, ${counted.toLocaleString("en")} votes per dialect after ${
      WARM_UP_VOTES.toLocaleString("en")
    } to warm up`,
  );
  for (const testCase of CASES) {
    const { hub, members } = await hubWithMembers(testCase.dialect);
    vote(hub, members, testCase, WARM_UP_VOTES);
    const allocatedBefore = allocatedBytes();
    const start = performance.now();
    vote(hub, members, testCase, counted);
    const ms = performance.now() - start;
    const allocated = allocatedBytes() - allocatedBefore;
    console.log(
      `  ${testCase.dialect.name.padEnd(4)}  ${
        (allocated / counted).toFixed(0)
      } bytes allocated per vote, ${(ms * 1e6 / counted).toFixed(0)} ns per vote`,
    );
    hub.stop();
  }
}
