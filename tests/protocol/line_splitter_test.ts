import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { LineSplitter } from "../../lib/protocol/line_splitter.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("LF, CR and CRLF each end one line", () => {
  const splitter = new LineSplitter();
  assertEquals(splitter.push(bytes("a\nb\rc\r\nd\n")), [
    { kind: "line", text: "a" },
    { kind: "line", text: "b" },
    { kind: "line", text: "c" },
    { kind: "line", text: "d" },
  ]);
});

Deno.test("a CRLF split across two chunks is one line end", () => {
  const splitter = new LineSplitter();
  assertEquals(splitter.push(bytes("vote A\r")), [{ kind: "line", text: "vote A" }]);
  assertEquals(splitter.push(bytes("\nstats\n")), [{ kind: "line", text: "stats" }]);
});

Deno.test("one command sent a byte at a time comes out whole", () => {
  const splitter = new LineSplitter();
  const items = [...bytes("receive all\n")].flatMap((byte) =>
    splitter.push(new Uint8Array([byte]))
  );
  assertEquals(items, [{ kind: "line", text: "receive all" }]);
});

Deno.test("a multi-byte character split across chunks decodes", () => {
  const splitter = new LineSplitter();
  const encoded = bytes("name zoë\n");
  assertEquals(splitter.push(encoded.subarray(0, 8)), []);
  assertEquals(splitter.push(encoded.subarray(8)), [{ kind: "line", text: "name zoë" }]);
});

Deno.test("an over-long line is reported as soon as the cap is crossed, then skipped to its end", () => {
  const splitter = new LineSplitter({ maxLineBytes: 8 });
  assertEquals(splitter.push(bytes("0123456789")), [{ kind: "too-long", maxBytes: 8 }]);
  assertEquals(splitter.push(bytes("more and more")), []);
  assertEquals(splitter.push(bytes("\nstats\n")), [{ kind: "line", text: "stats" }]);
});

Deno.test("invalid UTF-8 spoils only its own line", () => {
  const splitter = new LineSplitter();
  const chunk = new Uint8Array([0x76, 0xff, 0xfe, 0x0a, ...bytes("stats\n")]);
  assertEquals(splitter.push(chunk), [{ kind: "invalid-utf8" }, { kind: "line", text: "stats" }]);
});

Deno.test("the read buffer may be reused by the caller", () => {
  const splitter = new LineSplitter();
  const buffer = bytes("abc");
  assertEquals(splitter.push(buffer), []);
  buffer.set(bytes("xyz"));
  assertEquals(splitter.push(bytes("\n")), [{ kind: "line", text: "abc" }]);
});

Deno.test("a line of exactly the cap is taken whole, one byte more is too long", () => {
  const splitter = new LineSplitter({ maxLineBytes: 4 });
  assertEquals(splitter.push(bytes("abcd\nabcde\nok\n")), [
    { kind: "line", text: "abcd" },
    { kind: "too-long", maxBytes: 4 },
    { kind: "line", text: "ok" },
  ]);
  assertEquals(splitter.push(bytes("ab")), []);
  assertEquals(splitter.push(bytes("cd\nabc")), [{ kind: "line", text: "abcd" }]);
  assertEquals(splitter.push(bytes("de\n")), [{ kind: "too-long", maxBytes: 4 }]);
});
