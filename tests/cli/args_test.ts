import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { parseCommandArgs, parseHostPort } from "../../lib/cli/args.ts";
import { UsageError } from "../../lib/cli/usage_error.ts";

const options = {
  vote: { type: "string" },
  wait: { type: "boolean" },
  host: { type: "string", multiple: true },
} as const;

Deno.test("options with values, flags, repeats, short help and positionals", () => {
  assertEquals(
    parseCommandArgs(
      ["--vote", "A", "hub:7337", "--wait", "--host=a", "--host", "b", "-h"],
      options,
      "",
    ),
    { values: { vote: "A", wait: true, host: ["a", "b"], help: true }, positionals: ["hub:7337"] },
  );
  assertEquals(parseCommandArgs(["--", "--not-an-option"], options, "").positionals, [
    "--not-an-option",
  ]);
  assertEquals(parseCommandArgs(["--vote="], options, "").values.vote, "");
});

Deno.test("mistakes are usage errors that name the option", () => {
  const cases: [string[], string][] = [
    [["--vot", "A"], "Unknown option --vot"],
    [["-x"], "Unknown option -x"],
    [["--vote"], "Option --vote needs a value"],
    [["--vote", "--wait"], "Option --vote needs a value"],
    [["--wait=yes"], "Option --wait takes no value"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseCommandArgs(args, options, "usage"), (error: Error) => {
      return error instanceof UsageError && error.message === message;
    }, args.join(" "));
  }
});

Deno.test("addresses with and without port, IPv6 in brackets", () => {
  assertEquals(parseHostPort("10.0.0.5", 7337, ""), { host: "10.0.0.5", port: 7337 });
  assertEquals(parseHostPort(":9000", 7337, ""), { host: "127.0.0.1", port: 9000 });
  assertEquals(parseHostPort("[::1]", 7337, ""), { host: "::1", port: 7337 });
  assertThrows(() => parseHostPort("hub:99999", 7337, ""), UsageError);
});
