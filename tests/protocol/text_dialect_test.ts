import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { formatJsonPush } from "../../lib/protocol/json_dialect.ts";
import {
  formatTextPush,
  formatTextReply,
  parseTextCommand,
} from "../../lib/protocol/text_dialect.ts";

Deno.test("text commands with inline arguments", () => {
  assertEquals(parseTextCommand("  VOTE  be invisible "), { op: "vote", option: "be invisible" });
  assertEquals(parseTextCommand("receive 206"), { op: "receive", target: 206 });
  assertEquals(parseTextCommand("negotiate yes"), { op: "negotiate", grant: true });
  assertEquals(parseTextCommand("negotiate deny"), { op: "negotiate", grant: false });
  assertEquals(parseTextCommand("setup services=print,scan constraints=a4"), {
    op: "setup",
    info: { services: ["print", "scan"], capabilities: [], constraints: ["a4"] },
  });
  assertEquals(parseTextCommand("name alice"), { op: "name", name: "alice" });
  assertEquals(parseTextCommand(""), undefined);
});

Deno.test("a vote names its ballot by a leading number of at most 9 digits", () => {
  assertEquals(parseTextCommand("vote 3 A"), { op: "vote", ballot: 3, option: "A" });
  assertEquals(parseTextCommand("vote 3"), { op: "vote", ballot: 3 });
  assertEquals(parseTextCommand("vote\t12 \t be  invisible"), {
    op: "vote",
    ballot: 12,
    option: "be invisible",
  });
  // Not a ballot number: the whole argument is the option.
  assertEquals(parseTextCommand("vote 3A"), { op: "vote", option: "3A" });
  assertEquals(parseTextCommand("vote 1234567890 A"), { op: "vote", option: "1234567890 A" });
});

Deno.test("blanks between the words of a command count as one space, whatever they are", () => {
  const word = fc.stringMatching(/^[A-Za-z0-9=,>"]{1,8}$/);
  const blanks = fc.stringMatching(/^[ \t\u00a0\u3000]{1,3}$/);
  const command = fc.constantFrom("vote", "VOTE", "setup", "name", "receive", "close", "stats");
  fc.assert(
    fc.property(
      command,
      fc.array(fc.tuple(blanks, word), { maxLength: 4 }),
      blanks,
      (head, rest, end) => {
        const typed = head + rest.map(([blank, text]) => blank + text).join("") + end;
        const plain = [head, ...rest.map(([, text]) => text)].join(" ");
        assertEquals(parseTextCommand(typed), parseTextCommand(plain));
      },
    ),
  );
});

Deno.test("text commands without arguments leave them to be asked", () => {
  for (const op of ["setup", "negotiate", "receive", "vote", "name"]) {
    assertEquals(parseTextCommand(op), { op });
  }
});

Deno.test("unknown commands and bad arguments are refused with a code", () => {
  assertEquals((parseTextCommand("dance") as { code: string }).code, "unknown-command");
  assertEquals((parseTextCommand("receive someone") as { code: string }).code, "bad-request");
  assertEquals((parseTextCommand("negotiate maybe") as { code: string }).code, "bad-request");
  assertEquals((parseTextCommand("setup colour=red") as { code: string }).code, "bad-request");
  assertEquals((parseTextCommand("stats now") as { code: string }).code, "bad-request");
  assertEquals(
    (parseTextCommand("setup services=\u001b[2J") as { code: string }).code,
    "invalid-text",
  );
});

Deno.test("a reply with rows says how many rows follow", () => {
  const text = formatTextReply({
    op: "discover",
    nodes: [
      { pin: 206, name: "alice", address: "127.0.0.1", port: 5000 },
      { pin: 311, name: "bob", address: "127.0.0.1", port: 5001 },
    ],
  });
  assertEquals(
    text,
    "ok discover: 2 nodes\n  206 alice 127.0.0.1:5000\n  311 bob 127.0.0.1:5001\n",
  );
});

Deno.test("pushed lines are marked and escaped", () => {
  assertEquals(
    formatTextPush({ event: "joined", pin: 206, name: "a\u001bb", address: "127.0.0.1", port: 5 }),
    "! joined 206 a\\x1bb 127.0.0.1:5\n",
  );
});

Deno.test("a presence summary reads the same in both dialects (PROTOCOL.md 12.1)", () => {
  const push = { event: "presence", joined: 312, left: 4, resumed: 0, connected: 5000 } as const;
  assertEquals(formatTextPush(push), "! presence joined 312 left 4 resumed 0 connected 5000\n");
  assertEquals(
    formatJsonPush(push),
    '{"event":"presence","joined":312,"left":4,"resumed":0,"connected":5000}\n',
  );
});
