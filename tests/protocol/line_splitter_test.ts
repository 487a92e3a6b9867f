import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { concatBytes } from "../../lib/protocol/bytes.ts";
import { type LineItem, LineSplitter } from "../../lib/protocol/line_splitter.ts";

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

/** What the splitter must give for the whole input, line by line, however it is cut. */
function referenceItems(input: Uint8Array, maxLineBytes: number): LineItem[] {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const items: LineItem[] = [];
  let start = 0;
  for (let index = 0; index < input.length; index++) {
    const byte = input[index];
    if (byte !== 0x0a && byte !== 0x0d) continue;
    const line = input.subarray(start, index);
    if (line.length > maxLineBytes) items.push({ kind: "too-long", maxBytes: maxLineBytes });
    else {
      try {
        items.push({ kind: "line", text: decoder.decode(line) });
      } catch {
        items.push({ kind: "invalid-utf8" });
      }
    }
    if (byte === 0x0d && input[index + 1] === 0x0a) index++;
    start = index + 1;
  }
  // An unfinished line shows only once it is over the cap.
  if (input.length - start > maxLineBytes) items.push({ kind: "too-long", maxBytes: maxLineBytes });
  return items;
}

Deno.test("however the bytes are cut into chunks, the lines are the same", () => {
  // ASCII, a two-byte character, line ends, a byte order mark and bytes that are never UTF-8.
  const pieces = ["a", "b", " ", "é", "\n", "\r", "\r\n", "\ufeff"].map((piece) => bytes(piece))
    .concat([new Uint8Array([0xff]), new Uint8Array([0xc3])]);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: pieces.length - 1 }), { maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
      fc.integer({ min: 1, max: 8 }),
      (picks, cuts, maxLineBytes) => {
        const input = concatBytes(picks.map((pick) => pieces[pick]!));
        const splitter = new LineSplitter({ maxLineBytes });
        const items: LineItem[] = [];
        let at = 0;
        for (let cut = 0; at < input.length; cut++) {
          const size = cuts[cut % cuts.length]!;
          items.push(...splitter.push(input.slice(at, at + size)));
          at += size;
        }
        assertEquals(items, referenceItems(input, maxLineBytes));
      },
    ),
    { numRuns: 2000 },
  );
});
