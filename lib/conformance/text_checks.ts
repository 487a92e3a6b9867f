/**
 * The checks of the text dialect (PROTOCOL.md sections 2 to 7, 9, 12 and
 * 15), in the order they run: the gate on one connection, then two admitted
 * nodes, A and B, that watch each other's pushes, then a third, C, that drops,
 * resumes and leaves.
 *
 * @module
 */

import { SERVICES } from "../protocol/messages.ts";
import {
  admitText,
  type ConformanceContext,
  node,
  openAtGate,
  openProbe,
  prove,
  readAdmissionInfo,
  readGreeting,
  readTextQuestion,
  readTextReply,
  sendTextProof,
  textRequest,
  WRONG_ANSWER,
} from "./context.ts";
import {
  CheckFailure,
  CheckSkipped,
  decidesWithTwoVotes,
  expectLine,
  expectPin,
  expectTextError,
  quote,
  readTextAdmission,
  readTextBallot,
  readTextStats,
} from "./expect.ts";
import { GATE_PAUSE_MS } from "./probe.ts";
import type { Check } from "./runner.ts";

type TextCheck = Check<ConformanceContext>;

const ADMITTED = "text.gate-proof";
const SETUP_ANSWERS = [
  ["services", "print"],
  ["capabilities", "-"],
  ["constraints", "a4-only"],
] as const;
const TWO_NODES = "text.second-node";

/** Escapes text for a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}

async function expectHead(
  context: ConformanceContext,
  key: string,
  command: string | Uint8Array,
  pattern: RegExp,
  expected: string,
) {
  const reply = await textRequest(node(context, key).probe, command);
  expectLine(reply.head, pattern, expected);
  return reply;
}

/** Sends a vote (or the answer to the vote question) and expects it recorded for A. */
async function expectVoteRecorded(
  context: ConformanceContext,
  key: string,
  command: string,
  ballot: number,
) {
  await expectHead(
    context,
    key,
    command,
    new RegExp(`^ok vote A \\(.*\\) recorded on ballot ${ballot}$`, "u"),
    `"ok vote A (LABEL) recorded on ballot ${ballot}"`,
  );
}

/** The gate, as a node at netcat meets it. */
const GATE_CHECKS: TextCheck[] = [
  {
    id: "text.greeting",
    section: "3",
    title: "greeting line first",
    required: true,
    async run(context) {
      const probe = await openProbe(context);
      context.text.gateProbe = probe;
      await readGreeting(probe);
    },
  },
  {
    id: "text.challenge",
    section: "4.1",
    title: "challenge line, then the gate question",
    required: true,
    needs: ["text.greeting"],
    async run(context) {
      const { challenge } = await readTextQuestion(context.text.gateProbe!);
      context.text.challenge = challenge;
    },
  },
  {
    id: "text.gate-not-admitted",
    section: "4.3",
    title: "a service at the gate is refused, a try is used, the question comes again",
    required: true,
    needs: ["text.challenge"],
    async run(context) {
      const probe = context.text.gateProbe!;
      await probe.send("stats");
      const line = await probe.reply('"err not-admitted: ...; 2 tries left"', GATE_PAUSE_MS);
      expectTextError(line, "not-admitted");
      expectLine(line, /; 2 tries left$/u, 'a message ending "; 2 tries left"');
      const before = context.text.challenge!.nonce;
      context.text.challenge = (await readTextQuestion(probe)).challenge;
      if (context.text.challenge.nonce === before) {
        throw new CheckFailure("a new challenge nonce after a failed try", "the same nonce");
      }
    },
  },
  {
    id: "text.gate-wrong-answer",
    section: "4.4",
    title: "a wrong proof gives wrong-answer, the question comes again",
    required: true,
    needs: ["text.gate-not-admitted"],
    async run(context) {
      const probe = context.text.gateProbe!;
      const { nonce, proof } = await prove(context, context.text.challenge!, WRONG_ANSWER);
      await probe.send(`proof ${nonce} ${proof}`);
      const line = await probe.reply('"err wrong-answer: ...; 1 try left"', GATE_PAUSE_MS);
      expectTextError(line, "wrong-answer");
      expectLine(line, /; 1 try left$/u, 'a message ending "; 1 try left"');
      context.text.challenge = (await readTextQuestion(probe)).challenge;
      context.text.gateReady = true;
    },
  },
  {
    id: ADMITTED,
    section: "5",
    title: "a right proof admits the node (node A)",
    required: true,
    needs: ["text.challenge"],
    async run(context) {
      // On the connection the gate checks used when they went through, else on a new one.
      let probe = context.text.gateProbe!;
      let challenge = context.text.challenge!;
      if (!context.text.gateReady) {
        ({ probe, challenge } = await openAtGate(context));
      }
      const admitted = await sendTextProof(context, probe, challenge);
      context.nodes.set("a", admitted.node);
      context.text.admissionInfo = admitted.info;
    },
  },
  {
    id: "text.pin",
    section: "15",
    title: "PIN of 3 or more digits, default name node-PIN",
    required: true,
    needs: [ADMITTED],
    run(context) {
      const a = node(context, "a");
      expectPin(a.pin);
      if (a.name !== `node-${a.pin}`) {
        throw new CheckFailure(`the name node-${a.pin}`, quote(a.name));
      }
      return Promise.resolve();
    },
  },
  {
    id: "text.admission",
    section: "4.5",
    title: "resume token and menu lines after ok admitted",
    required: true,
    needs: [ADMITTED],
    run(context) {
      const a = node(context, "a");
      const info = context.text.admissionInfo ?? [];
      if (!/^[A-Za-z0-9_-]{22}$/u.test(a.token)) {
        throw new CheckFailure(
          '"# Resume token: TOKEN ..." with 22 characters of base64url',
          quote(info.find((line) => line.startsWith("# Resume")) ?? info.join(" | ")),
        );
      }
      for (const service of SERVICES) {
        if (!info.some((line) => line.startsWith(`# ${service.name}`))) {
          throw new CheckFailure(`a menu line "# ${service.name} ..."`, quote(info.join(" | ")));
        }
      }
      return Promise.resolve();
    },
  },
  {
    id: "text.gate-three-tries",
    section: "4.4",
    title: "three failed tries: bye, then the hub closes",
    required: true,
    needs: ["text.greeting"],
    async run(context) {
      const probe = await openProbe(context);
      await readGreeting(probe);
      for (const left of ["2 tries left", "1 try left", "no tries left"]) {
        const { challenge } = await readTextQuestion(probe);
        const { nonce, proof } = await prove(context, challenge, WRONG_ANSWER);
        await probe.send(`proof ${nonce} ${proof}`);
        const line = await probe.reply(`"err wrong-answer: ...; ${left}"`, GATE_PAUSE_MS);
        expectTextError(line, "wrong-answer");
        expectLine(line, new RegExp(`; ${left}$`, "u"), `a message ending "; ${left}"`);
      }
      const bye = await probe.reply('"# REASON" (bye)');
      expectLine(bye, /^# \S/u, '"# REASON" (bye)');
      await probe.closedByHub("the hub to close the connection after bye");
    },
  },
  {
    id: "text.gate-http",
    section: "4.3",
    title: "an HTTP request gets bye and the connection closes",
    required: true,
    needs: ["text.greeting"],
    async run(context) {
      const { probe } = await openAtGate(context);
      await probe.send("GET / HTTP/1.1");
      expectLine(await probe.reply('"# REASON" (bye)'), /^# \S/u, '"# REASON" (bye)');
      await probe.closedByHub("the hub to close the connection after bye");
    },
  },
  {
    id: "text.plain-answer",
    section: "4.2",
    title: "a plain answer admits, or is refused with plain-answer-refused",
    required: true,
    needs: ["text.greeting"],
    async run(context) {
      const { probe } = await openAtGate(context);
      await probe.send(context.answer);
      const line = await probe.reply(
        '"ok admitted: ..." or "err plain-answer-refused: ..."',
        GATE_PAUSE_MS,
      );
      if (line.startsWith("err ")) expectTextError(line, "plain-answer-refused");
      else {
        readTextAdmission(line);
        await probe.send("exit");
        await probe.closedByHub("the hub to close the connection after exit");
      }
    },
  },
  {
    id: "text.bad-token",
    section: "6",
    title: "an unknown resume token gives bad-token",
    required: true,
    needs: ["text.greeting"],
    async run(context) {
      const { probe } = await openAtGate(context);
      await probe.send("resume AAAAAAAAAAAAAAAAAAAAAA");
      expectTextError(await probe.reply('"err bad-token: ..."', GATE_PAUSE_MS), "bad-token");
      probe.close();
    },
  },
];

/** Services with their arguments inline and with prompts, and the pushes another node sees. */
const SERVICE_CHECKS: TextCheck[] = [
  {
    id: TWO_NODES,
    section: "4.5",
    title: "a second node is admitted (node B)",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      context.nodes.set("b", (await admitText(context)).node);
    },
  },
  {
    id: "text.push-joined",
    section: "12",
    title: "A receives joined for B",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const b = node(context, "b");
      await node(context, "a").probe.event(
        (line) => line.startsWith(`! joined ${b.pin} `),
        `"! joined ${b.pin} ${b.name} ADDRESS:PORT"`,
      ).then((line) =>
        expectLine(
          line,
          new RegExp(`^! joined ${b.pin} ${literal(b.name)} \\S+:\\d+$`, "u"),
          `"! joined ${b.pin} ${b.name} ADDRESS:PORT"`,
        )
      );
    },
  },
  {
    id: "text.help",
    section: "7.5",
    title: "help: ok menu: 14 services, one row each, in order",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const reply = await expectHead(
        context,
        "a",
        "help",
        /^ok menu: 14 services$/u,
        '"ok menu: 14 services"',
      );
      SERVICES.forEach((service, index) =>
        expectLine(
          reply.rows[index] ?? "",
          new RegExp(`^ {2}${service.name}\\b`, "u"),
          `row ${index + 1} "  ${service.name} ..."`,
        )
      );
    },
  },
  {
    id: "text.name-inline",
    section: "7.3",
    title: "name NAME",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      await expectHead(
        context,
        "b",
        "name conf-b",
        /^ok name set to conf-b$/u,
        '"ok name set to conf-b"',
      );
    },
  },
  {
    id: "text.push-renamed",
    section: "12",
    title: "the other node receives renamed",
    required: true,
    needs: ["text.name-inline"],
    async run(context) {
      const b = node(context, "b");
      await node(context, "a").probe.event(
        (line) => line === `! renamed ${b.pin} conf-b (was ${b.name})`,
        `"! renamed ${b.pin} conf-b (was ${b.name})"`,
      );
      b.name = "conf-b";
    },
  },
  {
    id: "text.name-prompt",
    section: "7.4",
    title: "name with no argument asks ? Your name?",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      await expectHead(context, "a", "name", /^\? Your name\?$/u, '"? Your name?"');
      await expectHead(
        context,
        "a",
        "conf-a",
        /^ok name set to conf-a$/u,
        '"ok name set to conf-a"',
      );
      node(context, "a").name = "conf-a";
    },
  },
  {
    id: "text.setup-inline",
    section: "7.3",
    title: "setup services=W,W capabilities=W",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      await expectHead(
        context,
        "b",
        "setup services=print,scan capabilities=colour",
        /^ok node info set: services print,scan; capabilities colour; constraints -$/u,
        '"ok node info set: services print,scan; capabilities colour; constraints -"',
      );
    },
  },
  {
    id: "text.negotiate-inline",
    section: "7.3",
    title: "negotiate grant stores the info",
    required: true,
    needs: ["text.setup-inline"],
    async run(context) {
      await expectHead(
        context,
        "b",
        "negotiate grant",
        /^ok negotiate: node info stored \(services print,scan; capabilities colour; constraints -\)$/u,
        '"ok negotiate: node info stored (services print,scan; capabilities colour; constraints -)"',
      );
    },
  },
  {
    id: "text.push-stored",
    section: "12",
    title: "the other node receives stored",
    required: true,
    needs: ["text.negotiate-inline"],
    async run(context) {
      const b = node(context, "b");
      await node(context, "a").probe.event(
        (line) => line.startsWith(`! stored ${b.pin}`),
        `"! stored ${b.pin} ${b.name}"`,
      ).then((line) => expectLine(line, new RegExp(`^! stored ${b.pin} \\S+$`, "u")));
    },
  },
  {
    id: "text.setup-prompt",
    section: "7.4",
    title: "setup with no argument asks the three lists",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const a = node(context, "a");
      let reply = await textRequest(a.probe, "setup");
      for (const [list, answer] of SETUP_ANSWERS) {
        const question = `? Your ${list} (words separated by commas, or - for none)?`;
        expectLine(reply.head, new RegExp(`^${literal(question)}$`, "u"), quote(question));
        reply = await textRequest(a.probe, answer);
      }
      expectLine(
        reply.head,
        /^ok node info set: services print; capabilities -; constraints a4-only$/u,
        '"ok node info set: services print; capabilities -; constraints a4-only"',
      );
    },
  },
  {
    id: "text.negotiate-prompt",
    section: "7.4",
    title: "negotiate with no argument asks permission; deny stores nothing",
    required: true,
    needs: ["text.setup-prompt"],
    async run(context) {
      await expectHead(
        context,
        "a",
        "negotiate",
        /^\? May the hub store your node info \(services print; capabilities -; constraints a4-only\)\? \[grant\/deny\]$/u,
        '"? May the hub store your node info (services print; capabilities -; constraints a4-only)? [grant/deny]"',
      );
      await expectHead(
        context,
        "a",
        "deny",
        /^ok negotiate: permission denied, node info not stored$/u,
        '"ok negotiate: permission denied, node info not stored"',
      );
    },
  },
  {
    id: "text.discover",
    section: "7.5",
    title: "discover lists both nodes as PIN NAME ADDRESS:PORT",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const reply = await expectHead(
        context,
        "a",
        "discover",
        /^ok discover: \d+ nodes?$/u,
        '"ok discover: N nodes"',
      );
      for (const key of ["a", "b"]) {
        const { pin, name } = node(context, key);
        const pattern = new RegExp(`^ {2}${pin} ${literal(name)} \\S+:\\d+$`, "u");
        if (!reply.rows.some((row) => pattern.test(row))) {
          throw new CheckFailure(
            `a row "  ${pin} ${name} ADDRESS:PORT"`,
            quote(reply.rows.join(" | ")),
          );
        }
      }
    },
  },
  {
    id: "text.receive-inline",
    section: "7.5",
    title: "receive PIN returns the stored info",
    required: true,
    needs: ["text.negotiate-inline"],
    async run(context) {
      const b = node(context, "b");
      const reply = await expectHead(
        context,
        "a",
        `receive ${b.pin}`,
        /^ok receive: 1 node$/u,
        '"ok receive: 1 node"',
      );
      expectLine(
        reply.rows[0] ?? "",
        new RegExp(
          `^ {2}${b.pin} ${
            literal(b.name)
          } services print,scan; capabilities colour; constraints -$`,
          "u",
        ),
        `"  ${b.pin} ${b.name} services print,scan; capabilities colour; constraints -"`,
      );
    },
  },
  {
    id: "text.receive-prompt",
    section: "7.4",
    title: "receive with no argument asks ? Whose node info? [PIN/all]",
    required: true,
    needs: ["text.negotiate-inline"],
    async run(context) {
      const b = node(context, "b");
      await expectHead(
        context,
        "a",
        "receive",
        /^\? Whose node info\? \[PIN\/all\]$/u,
        '"? Whose node info? [PIN/all]"',
      );
      const reply = await expectHead(
        context,
        "a",
        "all",
        /^ok receive: \d+ nodes?$/u,
        '"ok receive: N nodes"',
      );
      if (!reply.rows.some((row) => row.startsWith(`  ${b.pin} `))) {
        throw new CheckFailure(`a row for PIN ${b.pin}`, quote(reply.rows.join(" | ")));
      }
    },
  },
  {
    id: "text.ping",
    section: "7.5",
    title: "ping gives ok pong",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      await expectHead(context, "a", "ping", /^ok pong$/u, '"ok pong"');
    },
  },
  {
    id: "text.results",
    section: "7.5",
    title: "results: ok results: N closed, one outcome row each",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const reply = await expectHead(
        context,
        "a",
        "results",
        /^ok results: \d+ closed$/u,
        '"ok results: N closed"',
      );
      for (const row of reply.rows) {
        expectLine(
          row,
          /^ {2}ballot \d+ (decided [A-Z] \(|closed \()/u,
          '"  ballot ID decided|closed ..."',
        );
      }
    },
  },
  {
    id: "text.ballots",
    section: "7.5",
    title: "ballots lists the open ballots (the standing question at least)",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const reply = await expectHead(
        context,
        "a",
        "ballots",
        /^ok ballots: [1-9]\d* open$/u,
        '"ok ballots: N open", N at least 1',
      );
      const ballots = reply.rows.map((row) => readTextBallot(row.slice(2)));
      const oldest = ballots[0]!;
      context.text.ballot = oldest.id;
      context.text.oldest = oldest;
    },
  },
  {
    id: "text.stats",
    section: "7.5",
    title: "stats: counts per option of each open ballot",
    required: true,
    needs: ["text.ballots"],
    async run(context) {
      const reply = await expectHead(
        context,
        "a",
        "stats",
        /^ok stats: \d+ open ballots?, \d+ closed shown; \d+ rows?$/u,
        '"ok stats: N open ballots, K closed shown; R rows"',
      );
      const stats = readTextStats(reply.rows).get(context.text.ballot!);
      if (!stats) {
        throw new CheckFailure(
          `a row "  ballot ${context.text.ballot}: QUESTION (rule ..., V votes, E in the electorate)"`,
          quote(reply.rows.join(" | ")),
        );
      }
      const ballot = context.text.oldest!;
      context.text.countBefore = stats.counts.A ?? 0;
      context.text.anonymous = ballot.anonymous;
      context.text.decides = decidesWithTwoVotes(ballot.rule, ballot.electorate, stats.electorate);
    },
  },
];

type BadLine = string | Uint8Array | ((context: ConformanceContext) => string);

/** Bad input: id, section, what it is, the line, and the error code PROTOCOL.md section 14 gives it. */
const BAD_INPUT: [string, string, string, BadLine, string][] = [
  ["unknown-command", "7.6", "an unknown command", "dance", "unknown-command"],
  ["arguments", "7.3", "arguments to help", "help me", "bad-request"],
  ["permission", "7.3", "negotiate maybe", "negotiate maybe", "bad-request"],
  ["unknown-pin", "9", "receive of a PIN nobody has", "receive 5", "unknown-pin"],
  ["invalid-text", "16", "a name with ESC", "name a\x1b[31m", "invalid-text"],
  ["unknown-ballot", "9", "a vote on no ballot", "vote 999999999 A", "unknown-ballot"],
  [
    "unknown-option",
    "9",
    "a vote for no option",
    (context) => `vote ${context.text.ballot ?? 1} no-such-option-zz`,
    "unknown-option",
  ],
  ["close", "7.3", "close without a number", "close", "bad-request"],
  [
    "invalid-utf8",
    "2.3",
    "a line that is not UTF-8",
    new Uint8Array([0x76, 0xff, 0x0a]),
    "invalid-utf8",
  ],
];

const ERROR_CHECKS: TextCheck[] = [
  ...BAD_INPUT.map(([id, section, title, line, code]): TextCheck => ({
    id: `text.error-${id}`,
    section,
    title: `${title} gives ${code}`,
    required: true,
    needs: typeof line === "function" ? ["text.ballots"] : [ADMITTED],
    async run(context) {
      const reply = await textRequest(
        node(context, "a").probe,
        typeof line === "function" ? line(context) : line,
      );
      expectTextError(reply.head, code);
    },
  })),
  {
    id: "text.error-line-too-long",
    section: "2.2",
    title: "a line over the limit gives line-too-long",
    required: false,
    needs: [ADMITTED],
    async run(context) {
      const reply = await textRequest(node(context, "a").probe, "x".repeat(8193));
      if (reply.head.startsWith("err unknown-command")) {
        throw new CheckSkipped("the hub's line limit is above 8192 bytes (set by its operator)");
      }
      expectTextError(reply.head, "line-too-long");
    },
  },
  {
    id: "text.error-keeps-serving",
    section: "7.6",
    title: "after bad input the node is still served",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      await expectHead(context, "a", "ping", /^ok pong$/u, '"ok pong"');
    },
  },
];

const PROPOSAL = "Conformance check? | yes, no | plurality";

/** Voting, counting, and the consensus push. */
const VOTE_CHECKS: TextCheck[] = [
  {
    id: "text.propose",
    section: "9",
    title: "propose opens a ballot (when the hub allows it)",
    required: false,
    needs: ["text.stats"],
    async run(context) {
      const a = node(context, "a");
      const reply = await textRequest(a.probe, `propose ${PROPOSAL}`);
      if (reply.head.startsWith("err not-allowed:")) {
        throw new CheckSkipped("the hub does not allow propose (its operator's choice)");
      }
      const match = expectLine(
        reply.head,
        new RegExp(
          `^ok propose: ballot (\\d+) open: Conformance check\\? A\\) yes {2}B\\) no \\(rule plurality, live, proposed by ${a.pin}\\)$`,
          "u",
        ),
        `"ok propose: ballot ID open: Conformance check? A) yes  B) no (rule plurality, live, proposed by ${a.pin})"`,
      );
      context.text.ballot = Number(match[1]);
      context.text.proposed = true;
      context.text.anonymous = false;
      context.text.countBefore = 0;
    },
  },
  {
    id: "text.push-ballot",
    section: "12",
    title: "the other node receives the new ballot",
    required: false,
    needs: ["text.propose", TWO_NODES],
    async run(context) {
      await node(context, "b").probe.event(
        (line) => line.startsWith(`! ballot ${context.text.ballot} open: `),
        `"! ballot ${context.text.ballot} open: ..."`,
      );
    },
  },
  {
    id: "text.vote-prompt",
    section: "7.4",
    title: "vote BALLOT asks for the option",
    required: true,
    needs: ["text.stats"],
    async run(context) {
      const ballot = context.text.ballot!;
      await expectHead(
        context,
        "a",
        `vote ${ballot}`,
        new RegExp(`^\\? Ballot ${ballot}: .* A\\) .* \\[A\\/B(\\/[A-Z])*\\]$`, "u"),
        `"? Ballot ${ballot}: QUESTION A) ...  B) ... [A/B]"`,
      );
      await expectVoteRecorded(context, "a", "A", ballot);
    },
  },
  {
    id: "text.vote-counted-once",
    section: "9",
    title: "the same vote again is acknowledged and counted once",
    required: true,
    needs: ["text.vote-prompt"],
    async run(context) {
      const ballot = context.text.ballot!;
      if (context.text.anonymous) {
        // On an anonymous ballot the hub cannot tell a repeat from a second vote.
        const again = await textRequest(node(context, "a").probe, `vote ${ballot} A`);
        expectTextError(again.head, "already-voted");
      } else await expectVoteRecorded(context, "a", `vote ${ballot} A`, ballot);
      const reply = await textRequest(node(context, "a").probe, "stats");
      const stats = readTextStats(reply.rows).get(ballot);
      if (!stats) {
        throw new CheckFailure(
          `ballot ${ballot} still open in stats`,
          quote(reply.rows.join(" | ")),
        );
      }
      if (stats.voted === null) return;
      const expected = (context.text.countBefore ?? 0) + 1;
      if (stats.counts.A !== expected) {
        throw new CheckFailure(
          `${expected} vote(s) for A on ballot ${ballot} (one node voted A twice)`,
          `${stats.counts.A ?? "no row"}`,
        );
      }
    },
  },
  {
    id: "text.vote-inline",
    section: "7.3",
    title: "vote BALLOT OPTION",
    required: true,
    needs: ["text.vote-prompt", TWO_NODES],
    async run(context) {
      const ballot = context.text.ballot!;
      await expectVoteRecorded(context, "b", `vote ${ballot} A`, ballot);
    },
  },
  {
    id: "text.push-consensus",
    section: "12",
    title: "both nodes receive consensus when the ballot is decided",
    required: true,
    needs: ["text.vote-inline"],
    async run(context) {
      const ballot = context.text.ballot!;
      const pattern = new RegExp(`^! consensus ballot ${ballot}: A \\(.*\\) - \\S`, "u");
      const expected = `"! consensus ballot ${ballot}: A (LABEL) - REASON"`;
      if (context.text.proposed) {
        const a = node(context, "a");
        await a.probe.send(`close ${ballot}`);
        await a.probe.event(
          (line) =>
            line.startsWith(`! consensus ballot ${ballot}:`) ||
            line.startsWith(`! closed ballot ${ballot}:`),
          expected,
        )
          .then((line) => expectLine(line, pattern, expected));
        expectLine(
          (await readTextReply(a.probe)).head,
          new RegExp(`^ok close: ballot ${ballot} decided A \\(yes\\): \\S`, "u"),
          `"ok close: ballot ${ballot} decided A (yes): REASON"`,
        );
      } else if (!context.text.decides) {
        throw new CheckSkipped(
          "the standing ballot's rule or electorate need not decide on two votes, and propose is not allowed",
        );
      }
      for (const key of context.text.proposed ? ["b"] : ["a", "b"]) {
        await node(context, key).probe.event(
          (line) =>
            line.startsWith(`! consensus ballot ${ballot}:`) ||
            line.startsWith(`! closed ballot ${ballot}:`),
          expected,
        ).then((line) => expectLine(line, pattern, expected));
      }
    },
  },
];

/** A third node drops, resumes and leaves. */
const LIFE_CHECKS: TextCheck[] = [
  {
    id: "text.push-left-dropped",
    section: "12",
    title: "a node drops (node C); the others receive left (dropped)",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const { node: c } = await admitText(context);
      context.nodes.set("c", c);
      c.probe.close();
      await node(context, "a").probe.event(
        (line) => line.startsWith(`! left ${c.pin} `),
        `"! left ${c.pin} ${c.name} (dropped)"`,
      ).then((line) =>
        expectLine(line, new RegExp(`^! left ${c.pin} ${literal(c.name)} \\(dropped\\)$`, "u"))
      );
    },
  },
  {
    id: "text.resume",
    section: "6",
    title: "resume TOKEN brings C back; the others receive resumed",
    required: true,
    needs: ["text.push-left-dropped"],
    async run(context) {
      const c = node(context, "c");
      const { probe } = await openAtGate(context);
      await probe.send(`resume ${c.token}`);
      const admission = readTextAdmission(
        await probe.reply(`"ok resumed: your PIN is ${c.pin}, ..."`),
      );
      if (!admission.resumed || admission.pin !== c.pin) {
        throw new CheckFailure(
          `"ok resumed: your PIN is ${c.pin}, your name is ${c.name}"`,
          `PIN ${admission.pin}`,
        );
      }
      context.nodes.set("c", (await readAdmissionInfo(probe, c.pin, c.name)).node);
      await node(context, "a").probe.event(
        (line) => line.startsWith(`! resumed ${c.pin}`),
        `"! resumed ${c.pin} ${c.name}"`,
      );
    },
  },
  {
    id: "text.exit",
    section: "2.8",
    title: "exit: ok bye, the hub closes; the others receive left (exit)",
    required: true,
    needs: ["text.resume"],
    async run(context) {
      const c = node(context, "c");
      await expectHead(context, "c", "exit", /^ok bye$/u, '"ok bye"');
      await c.probe.closedByHub("the hub to close the connection after ok bye");
      context.nodes.delete("c");
      context.text.exitedToken = c.token;
      await node(context, "a").probe.event(
        (line) => line.startsWith(`! left ${c.pin} `),
        `"! left ${c.pin} ${c.name} (exit)"`,
      ).then((line) => expectLine(line, new RegExp(`^! left ${c.pin} \\S+ \\(exit\\)$`, "u")));
    },
  },
  {
    id: "text.token-expired",
    section: "6",
    title: "the token of a node that left gives token-expired",
    required: true,
    needs: ["text.exit"],
    async run(context) {
      const { probe } = await openAtGate(context);
      await probe.send(`resume ${context.text.exitedToken}`);
      expectTextError(
        await probe.reply('"err token-expired: ..."', GATE_PAUSE_MS),
        "token-expired",
      );
      // Get in after the failed try, so the hub forgets this address's failures.
      const { challenge } = await readTextQuestion(probe);
      const { node: d } = await sendTextProof(context, probe, challenge);
      await textRequest(d.probe, "exit");
    },
  },
];

/** Every check of the text dialect, in order. */
export const TEXT_CHECKS: readonly TextCheck[] = [
  ...GATE_CHECKS,
  ...SERVICE_CHECKS,
  ...ERROR_CHECKS,
  ...VOTE_CHECKS,
  ...LIFE_CHECKS,
];
