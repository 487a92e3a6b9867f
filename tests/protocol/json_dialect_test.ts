import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { formatJsonReply, parseJsonMessage } from "../../lib/protocol/json_dialect.ts";
import type { Reply } from "../../lib/protocol/messages.ts";

Deno.test("JSON requests decode with their ids", () => {
  assertEquals(parseJsonMessage('{"id":"x","op":"receive","pin":"all"}'), {
    kind: "request",
    id: "x",
    request: { op: "receive", target: "all" },
  });
  assertEquals(parseJsonMessage('{"id":3,"op":"setup","services":["print"]}'), {
    kind: "request",
    id: 3,
    request: { op: "setup", info: { services: ["print"], capabilities: [], constraints: [] } },
  });
  assertEquals(parseJsonMessage('{"id":4,"op":"negotiate","grant":false}'), {
    kind: "request",
    id: 4,
    request: { op: "negotiate", grant: false },
  });
});

Deno.test("answers to the hub's questions decode to text", () => {
  assertEquals(parseJsonMessage('{"id":"h2","grant":true}'), {
    kind: "answer",
    id: "h2",
    answer: "grant",
  });
  assertEquals(parseJsonMessage('{"id":"h3","answer":206}'), {
    kind: "answer",
    id: "h3",
    answer: "206",
  });
});

Deno.test("malformed JSON lines are refused with the reason", () => {
  const cases: [string, string][] = [
    ["{not json", "bad-request"],
    ["[1,2]", "bad-request"],
    ['{"id":1,"op":"fly"}', "unknown-command"],
    ['{"id":1,"op":"vote","option":7}', "bad-request"],
    ['{"id":1,"op":"receive","pin":-4}', "bad-request"],
    ['{"id":1,"op":"setup","services":"print"}', "bad-request"],
    ['{"id":1,"op":"setup","services":["a b"]}', "invalid-text"],
    ['{"id":{"deep":1},"op":"stats"}', "bad-request"],
    ['{"id":1}', "bad-request"],
  ];
  for (const [line, code] of cases) {
    const message = parseJsonMessage(line);
    assertEquals(message.kind, "invalid", line);
    if (message.kind === "invalid") assertEquals(message.error.code, code, line);
  }
});

Deno.test("__proto__ in a request changes nothing shared", () => {
  const message = parseJsonMessage('{"id":1,"op":"stats","__proto__":{"polluted":true}}');
  assertEquals(message.kind, "request");
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("votes by method decode from their JSON fields; wrong types are refused", () => {
  assertEquals(parseJsonMessage('{"id":1,"op":"vote","ballot":2,"ranking":["C","A"]}'), {
    kind: "request",
    id: 1,
    request: { op: "vote", ballot: 2, ranking: ["C", "A"] },
  });
  assertEquals(parseJsonMessage('{"id":2,"op":"vote","scores":{"A":5,"B":-1}}'), {
    kind: "request",
    id: 2,
    request: { op: "vote", scores: { A: 5, B: -1 } },
  });
  assertEquals(parseJsonMessage('{"id":3,"op":"vote","option":"block","reason":"no budget"}'), {
    kind: "request",
    id: 3,
    request: { op: "vote", option: "block", reason: "no budget" },
  });
  assertEquals(parseJsonMessage('{"id":4,"op":"propose","question":"Go?","method":"consent"}'), {
    kind: "request",
    id: 4,
    request: { op: "propose", proposal: { question: "Go?", options: [], method: "consent" } },
  });
  for (
    const line of [
      '{"id":5,"op":"vote","ranking":"C>A"}',
      '{"id":5,"op":"vote","options":["A",1]}',
      '{"id":5,"op":"vote","scores":[5]}',
      '{"id":5,"op":"vote","scores":{"A":"5"}}',
      '{"id":5,"op":"vote","option":"block","reason":7}',
      '{"id":5,"op":"propose","question":"Go?","options":["a","b"],"method":3}',
    ]
  ) {
    const decoded = parseJsonMessage(line);
    assertEquals(decoded.kind === "invalid" && decoded.error.code, "bad-request", line);
  }
});

Deno.test("a reply line is the id, ok and the reply's fields, in that order", () => {
  const replies: Reply[] = [
    { op: "vote", ballot: 1, option: "A", label: "Yes", changed: false },
    { op: "ping" },
    { op: "name", name: 'zoë "quoted"' },
  ];
  for (const id of [7, "n1", null] as const) {
    for (const reply of replies) {
      assertEquals(formatJsonReply(id, reply), `${JSON.stringify({ id, ok: true, ...reply })}\n`);
    }
  }
});
