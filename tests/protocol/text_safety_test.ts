import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { escapeForTerminal, findUnsafeCharacter } from "../../lib/protocol/text_safety.ts";

Deno.test("NUL, ESC, BEL, DEL, C1 and bidirectional overrides are found", () => {
  for (
    const [text, name] of [
      ["a\u0000", "U+0000"],
      ["\u001b[2J", "U+001B"],
      ["ding\u0007", "U+0007"],
      ["x\u007f", "U+007F"],
      ["\u009b31m", "U+009B"],
      ["abc\u202etxt.exe", "U+202E"],
      ["\u2066isolate", "U+2066"],
      ["tab\there", "U+0009"],
    ]
  ) {
    assertEquals(findUnsafeCharacter(text!), name, JSON.stringify(text));
  }
  assertEquals(findUnsafeCharacter("zoë 🗳 ok"), undefined);
});

Deno.test("unsafe characters are shown escaped, the rest unchanged", () => {
  assertEquals(escapeForTerminal("a\u001b[31mb\u202ec zoë"), "a\\x1b[31mb\\u202ec zoë");
});
