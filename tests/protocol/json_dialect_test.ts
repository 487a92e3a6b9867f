import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseJsonMessage } from "../../lib/protocol/json_dialect.ts";

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
