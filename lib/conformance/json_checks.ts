/**
 * The checks of the JSON dialect (PROTOCOL.md section 8 and the JSON forms of
 * sections 4 to 6, 9 and 12), run when the hub offers it: node J passes the
 * gate after two failed tries, node K joins and is watched by J, node L drops,
 * resumes and leaves.
 *
 * @module
 */

import { type GateChallenge, verifyProof } from "../protocol/gate_proof.ts";
import { SERVICES } from "../protocol/messages.ts";
import {
  admitJson,
  type ConformanceContext,
  type DialectFacts,
  jsonRequest,
  node,
  openAtGate,
  prove,
  WRONG_ANSWER,
} from "./context.ts";
import {
  CheckFailure,
  CheckSkipped,
  decidesWithTwoVotes,
  expectFields,
  expectJsonError,
  expectPin,
  parseJsonLine,
  quote,
} from "./expect.ts";
import { GATE_PAUSE_MS, PRESENCE_QUIET_MS } from "./probe.ts";
import type { Check } from "./runner.ts";

type JsonCheck = Check<ConformanceContext>;
type Json = Record<string, unknown>;

const OFFERED = "json.offered";
const ADMITTED = "json.gate-proof";
const TWO_NODES = "json.second-node";

/** Reads a gate ask and checks its fields (PROTOCOL.md section 4.1). */
function readGateAsk(line: string, triesLeft: number): { ask: Json; challenge: GateChallenge } {
  const ask = parseJsonLine(line);
  const challenge = ask.challenge as GateChallenge | undefined;
  if (
    ask.ask !== "gate" || typeof ask.id !== "string" || typeof ask.question !== "string" ||
    ask.triesLeft !== triesLeft || challenge?.kdf !== "pbkdf2-sha256" ||
    typeof challenge.salt !== "string" || typeof challenge.nonce !== "string" ||
    typeof challenge.iterations !== "number"
  ) {
    throw new CheckFailure(
      `{"id":"hN","ask":"gate","question":...,"triesLeft":${triesLeft},"challenge":{"kdf":"pbkdf2-sha256",...}}`,
      quote(line),
    );
  }
  return { ask, challenge };
}

/**
 * Sends a request with a fresh id and expects `{"id", "ok": true, "op"}`.
 *
 * @returns The reply.
 */
async function expectOk(context: ConformanceContext, key: string, request: Json): Promise<Json> {
  const id = context.json.nextId++;
  const { line, reply } = await jsonRequest(node(context, key).probe, { id, ...request });
  expectFields(reply, { id, ok: true, op: request.op }, line);
  return reply;
}

/** Sends a request that the hub answers with a question; returns the ask. */
async function expectAsk(
  context: ConformanceContext,
  key: string,
  request: Json | undefined,
  ask: string,
): Promise<{ id: number; ask: Json }> {
  const id = context.json.nextId++;
  const probe = node(context, key).probe;
  if (request) await probe.sendJson({ id, ...request });
  const line = await probe.reply(`{"id":"hN","ask":"${ask}"}`);
  const message = parseJsonLine(line);
  if (message.ask !== ask || typeof message.id !== "string") {
    throw new CheckFailure(`{"id":"hN","ask":"${ask}",...}`, quote(line));
  }
  return { id, ask: message };
}

/** Answers an ask and expects the reply of the request that asked. */
async function answerAsk(
  context: ConformanceContext,
  key: string,
  ask: Json,
  answer: Json,
  requestId: number,
  op: string,
): Promise<Json> {
  const { line, reply } = await jsonRequest(node(context, key).probe, { id: ask.id, ...answer });
  expectFields(reply, { id: requestId, ok: true, op }, line);
  return reply;
}

function expectShape(ok: boolean, expected: string, value: unknown): void {
  if (!ok) throw new CheckFailure(expected, quote(JSON.stringify(value)));
}

async function expectEvent(
  context: ConformanceContext,
  key: string,
  event: string,
  match: (message: Json) => boolean,
  expected: string,
): Promise<Json> {
  const line = await node(context, key).probe.event((text) => {
    try {
      const message = JSON.parse(text);
      return message.event === event && match(message);
    } catch {
      return false;
    }
  }, expected);
  return parseJsonLine(line);
}

const GATE_CHECKS: JsonCheck[] = [
  {
    id: OFFERED,
    section: "8.1",
    title: "a first JSON line switches to JSON; the gate is asked again in JSON",
    required: false,
    async run(context) {
      const { probe, challenge } = await openAtGate(context);
      await probe.sendJson({ name: "conf-j" });
      const line = await probe.reply('{"id":"h2","ask":"gate",...}');
      if (!line.trimStart().startsWith("{")) {
        throw new CheckSkipped(
          `the hub does not offer the JSON dialect: it answered ${quote(line)}`,
        );
      }
      const { ask, challenge: repeated } = readGateAsk(line, 3);
      if (repeated.nonce !== challenge.nonce || repeated.salt !== challenge.salt) {
        throw new CheckFailure("the challenge of the text line repeated", quote(line));
      }
      Object.assign(context.json, { gateProbe: probe, ask });
    },
  },
  {
    id: "json.gate-wrong-answer",
    section: "4.4",
    title: "a wrong proof gives the wrong-answer event, then the gate ask again",
    required: true,
    needs: [OFFERED],
    async run(context) {
      const run = context.json;
      const probe = run.gateProbe!;
      const challenge = run.ask!.challenge as GateChallenge;
      const { nonce, proof } = await prove(context, challenge, WRONG_ANSWER);
      await probe.sendJson({ id: run.ask!.id, proof, nonce });
      const line = await probe.reply('{"event":"wrong-answer","triesLeft":2,...}', GATE_PAUSE_MS);
      const message = parseJsonLine(line);
      expectFields(message, { event: "wrong-answer", triesLeft: 2 }, line);
      run.ask = readGateAsk(await probe.reply('{"ask":"gate","triesLeft":2,...}'), 2).ask;
    },
  },
  {
    id: "json.gate-not-admitted",
    section: "4.3",
    title: "a request at the gate gives not-admitted with its id",
    required: true,
    needs: ["json.gate-wrong-answer"],
    async run(context) {
      const run = context.json;
      const probe = run.gateProbe!;
      await probe.sendJson({ id: 7, op: "stats" });
      expectJsonError(
        await probe.reply('{"id":7,"ok":false,...}', GATE_PAUSE_MS),
        7,
        "not-admitted",
      );
      run.ask = readGateAsk(await probe.reply('{"ask":"gate","triesLeft":1,...}'), 1).ask;
      run.gateReady = true;
    },
  },
  {
    id: ADMITTED,
    section: "5",
    title: "a right proof gives admitted, with the hub's own proof (node J)",
    required: true,
    needs: [OFFERED],
    async run(context) {
      const run = context.json;
      let probe = run.gateProbe!;
      let challenge = run.ask!.challenge as GateChallenge;
      let id = run.ask!.id;
      if (!run.gateReady) {
        ({ probe, challenge } = await openAtGate(context));
        id = undefined;
      }
      const { nonce, proof, key } = await prove(context, challenge);
      const { line, reply } = await jsonRequest(probe, {
        ...(id === undefined ? { name: "conf-j" } : { id }),
        proof,
        nonce,
      });
      if (reply.event !== "admitted") {
        throw new CheckFailure('{"event":"admitted",...}', quote(line));
      }
      context.nodes.set("j", {
        probe,
        pin: String(reply.pin),
        name: String(reply.name),
        token: String(reply.token),
        json: true,
      });
      const hubProof = typeof reply.proof === "string" ? reply.proof : "";
      if (!await verifyProof(key, "hub", challenge.nonce, nonce, hubProof)) {
        throw new CheckFailure(
          'a "proof" field with the hub\'s proof (PROTOCOL.md section 5)',
          quote(line),
        );
      }
      context.json.admitted = { line, reply };
    },
  },
  {
    id: "json.admitted",
    section: "12",
    title: "admitted carries pin, name, token, resumed, ballots, services",
    required: true,
    needs: [ADMITTED],
    run(context) {
      const { line, reply } = context.json.admitted!;
      expectPin(reply.pin);
      expectShape(typeof reply.pin === "number", '"pin" as a JSON number', reply.pin);
      expectFields(reply, { name: "conf-j", resumed: false }, line);
      const services = reply.services as { name?: unknown }[] | undefined;
      expectShape(
        typeof reply.token === "string" && /^[A-Za-z0-9_-]{22}$/u.test(reply.token) &&
          Array.isArray(reply.ballots) && Array.isArray(services) &&
          services.map((service) => service.name).join() ===
            SERVICES.map((service) => service.name).join(),
        '"token" of 22 base64url characters, "ballots" array, "services" of the 14 services in order',
        reply,
      );
      return Promise.resolve();
    },
  },
];

const SERVICE_CHECKS: JsonCheck[] = [
  {
    id: TWO_NODES,
    section: "8.1",
    title: "a second node is admitted with a proof and a name in its first line (node K)",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      // The text checks let many nodes in and out: K's arrival must not fall in a summary.
      await new Promise((resolve) => setTimeout(resolve, PRESENCE_QUIET_MS));
      context.nodes.set("k", (await admitJson(context, "conf-k")).node);
    },
  },
  {
    id: "json.push-joined",
    section: "12",
    title: "J receives joined for K",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const k = node(context, "k");
      const event = await expectEvent(
        context,
        "j",
        "joined",
        (message) => String(message.pin) === k.pin,
        `{"event":"joined","pin":${k.pin},"name":"conf-k","address":...,"port":...}`,
      );
      expectShape(
        event.name === "conf-k" && typeof event.address === "string" &&
          typeof event.port === "number",
        `{"event":"joined","pin":${k.pin},"name":"conf-k","address":"...","port":N}`,
        event,
      );
    },
  },
  {
    id: "json.help",
    section: "8.3",
    title: "help: services with name, usage, summary",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const reply = await expectOk(context, "j", { op: "help" });
      const services = reply.services as Json[] | undefined;
      expectShape(
        Array.isArray(services) && services.length === 14 &&
          services.every((service) =>
            typeof service.name === "string" && typeof service.usage === "string" &&
            typeof service.summary === "string"
          ),
        '"services": 14 objects {"name","usage","summary"}',
        reply,
      );
    },
  },
  {
    id: "json.name",
    section: "8.2",
    title: "name with a name; the other node receives renamed",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const k = node(context, "k");
      const reply = await expectOk(context, "k", { op: "name", name: "conf-k2" });
      expectShape(reply.name === "conf-k2", '"name":"conf-k2"', reply);
      await expectEvent(
        context,
        "j",
        "renamed",
        (message) =>
          String(message.pin) === k.pin && message.name === "conf-k2" &&
          message.previous === "conf-k",
        `{"event":"renamed","pin":${k.pin},"name":"conf-k2","previous":"conf-k"}`,
      );
      k.name = "conf-k2";
    },
  },
  {
    id: "json.setup",
    section: "8.2",
    title: "setup with lists",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const reply = await expectOk(context, "k", {
        op: "setup",
        services: ["print"],
        capabilities: [],
      });
      expectShape(
        JSON.stringify(reply.info) ===
          JSON.stringify({ services: ["print"], capabilities: [], constraints: [] }),
        '"info":{"services":["print"],"capabilities":[],"constraints":[]}',
        reply,
      );
    },
  },
  {
    id: "json.negotiate",
    section: "8.2",
    title: 'negotiate with "grant": true stores; the other node receives stored',
    required: true,
    needs: ["json.setup"],
    async run(context) {
      const k = node(context, "k");
      const reply = await expectOk(context, "k", { op: "negotiate", grant: true });
      expectShape(reply.stored === true, '"stored":true', reply);
      await expectEvent(
        context,
        "j",
        "stored",
        (message) => String(message.pin) === k.pin,
        `{"event":"stored","pin":${k.pin},"name":"${k.name}"}`,
      );
    },
  },
  {
    id: "json.discover",
    section: "8.3",
    title: "discover lists both nodes with pin, name, address, port",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const reply = await expectOk(context, "j", { op: "discover" });
      const nodes = (reply.nodes ?? []) as Json[];
      for (const key of ["j", "k"]) {
        const { pin } = node(context, key);
        expectShape(
          Array.isArray(nodes) &&
            nodes.some((entry) =>
              String(entry.pin) === pin && typeof entry.name === "string" &&
              typeof entry.address === "string" && typeof entry.port === "number"
            ),
          `a node {"pin":${pin},"name","address","port"}`,
          reply,
        );
      }
    },
  },
  {
    id: "json.receive",
    section: "8.3",
    title: "receive with a pin",
    required: true,
    needs: ["json.negotiate"],
    async run(context) {
      const k = node(context, "k");
      const reply = await expectOk(context, "j", { op: "receive", pin: Number(k.pin) });
      const infos = reply.infos as Json[] | undefined;
      expectShape(
        Array.isArray(infos) && infos.length === 1 && String(infos[0]!.pin) === k.pin &&
          JSON.stringify(infos[0]!.info) ===
            JSON.stringify({ services: ["print"], capabilities: [], constraints: [] }),
        `"infos":[{"pin":${k.pin},"name":...,"info":{"services":["print"],"capabilities":[],"constraints":[]}}]`,
        reply,
      );
    },
  },
  {
    id: "json.ping",
    section: "8.3",
    title: "ping",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      await expectOk(context, "j", { op: "ping" });
    },
  },
  {
    id: "json.results",
    section: "8.4",
    title: "results: an array of outcomes",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const reply = await expectOk(context, "j", { op: "results" });
      expectShape(Array.isArray(reply.results), '"results":[...]', reply);
    },
  },
  {
    id: "json.ballots",
    section: "8.4",
    title: "ballots: the open ballots with their terms",
    required: true,
    needs: [TWO_NODES],
    async run(context) {
      const reply = await expectOk(context, "j", { op: "ballots" });
      const ballots = reply.ballots as Json[] | undefined;
      const oldest = ballots?.[0];
      expectShape(
        oldest !== undefined && typeof oldest.ballot === "number" &&
          Array.isArray(oldest.options) && typeof oldest.rule === "string" &&
          (oldest.electorate === "live" || oldest.electorate === "frozen") &&
          typeof oldest.allowChange === "boolean" && typeof oldest.repeat === "boolean",
        '"ballots": at least one {"ballot","question","options","rule","electorate",...}',
        reply,
      );
      const run = context.json;
      run.ballot = oldest!.ballot as number;
      run.oldest = oldest!;
      run.anonymous = oldest!.anonymous === true;
    },
  },
  {
    id: "json.stats",
    section: "8.4",
    title: "stats: counts, voted and electorateSize of each open ballot",
    required: true,
    needs: ["json.ballots"],
    async run(context) {
      const run = context.json;
      const reply = await expectOk(context, "j", { op: "stats" });
      const entry = ((reply.ballots ?? []) as Json[]).find((ballot) =>
        ballot.ballot === run.ballot
      );
      expectShape(
        entry !== undefined && typeof entry.electorateSize === "number" &&
          Array.isArray(reply.decided),
        `"ballots":[{"ballot":${run.ballot},...,"counts":{...},"voted":N,"electorateSize":N}],"decided":[...]`,
        reply,
      );
      const counts = entry!.counts as Record<string, number> | null;
      run.countBefore = counts?.A ?? 0;
      const terms = run.oldest!;
      run.decides = decidesWithTwoVotes(
        String(terms.rule),
        String(terms.electorate),
        entry!.electorateSize as number,
      );
    },
  },
];

const PROMPT_CHECKS: JsonCheck[] = [
  {
    id: "json.name-ask",
    section: "8.6",
    title: "name without a name asks name; the answer carries the ask's id",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const { id, ask } = await expectAsk(context, "j", { op: "name" }, "name");
      const reply = await answerAsk(context, "j", ask, { answer: "conf-j2" }, id, "name");
      expectShape(reply.name === "conf-j2", '"name":"conf-j2"', reply);
      node(context, "j").name = "conf-j2";
    },
  },
  {
    id: "json.answer-pending",
    section: "8.6",
    title: "a request while a question is pending gets answer-pending",
    required: true,
    needs: ["json.negotiate"],
    async run(context) {
      const k = node(context, "k");
      const { id, ask } = await expectAsk(context, "j", { op: "receive" }, "receive");
      const probe = node(context, "j").probe;
      await probe.sendJson({ id: 99, op: "stats" });
      expectJsonError(await probe.reply('{"id":99,"ok":false,...}'), 99, "answer-pending");
      const reply = await answerAsk(context, "j", ask, { answer: Number(k.pin) }, id, "receive");
      expectShape(
        Array.isArray(reply.infos) && reply.infos.length === 1,
        '"infos":[one node]',
        reply,
      );
    },
  },
  {
    id: "json.setup-ask",
    section: "8.6",
    title: "setup without lists asks services, capabilities, constraints",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      let asked = await expectAsk(context, "j", { op: "setup" }, "services");
      const requestId = asked.id;
      await node(context, "j").probe.sendJson({ id: asked.ask.id, answer: "print, scan" });
      asked = await expectAsk(context, "j", undefined, "capabilities");
      await node(context, "j").probe.sendJson({ id: asked.ask.id, answer: "-" });
      asked = await expectAsk(context, "j", undefined, "constraints");
      const reply = await answerAsk(context, "j", asked.ask, { answer: "" }, requestId, "setup");
      expectShape(
        JSON.stringify(reply.info) ===
          JSON.stringify({ services: ["print", "scan"], capabilities: [], constraints: [] }),
        '"info":{"services":["print","scan"],"capabilities":[],"constraints":[]}',
        reply,
      );
    },
  },
  {
    id: "json.negotiate-ask",
    section: "8.6",
    title: "negotiate without grant asks permission",
    required: true,
    needs: ["json.setup-ask"],
    async run(context) {
      const { id, ask } = await expectAsk(context, "j", { op: "negotiate" }, "permission");
      const reply = await answerAsk(context, "j", ask, { grant: false }, id, "negotiate");
      expectShape(reply.stored === false, '"stored":false', reply);
    },
  },
];

/** Bad input: id, the raw line, the id the error carries, its code. */
const BAD_INPUT: [string, string, (context: ConformanceContext) => string, unknown, string][] = [
  ["not-json", "8.5", () => "not json {", null, "bad-request"],
  ["unknown-command", "8.2", () => '{"id":"e1","op":"dance"}', "e1", "unknown-command"],
  ["wrong-type", "8.2", () => '{"id":"e2","op":"receive","pin":"123"}', "e2", "bad-request"],
  ["unknown-pin", "9", () => '{"id":"e3","op":"receive","pin":5}', "e3", "unknown-pin"],
  [
    "invalid-text",
    "15",
    () => '{"id":"e4","op":"name","name":"a\\u001b[31m"}',
    "e4",
    "invalid-text",
  ],
  [
    "unknown-ballot",
    "9",
    () => '{"id":"e5","op":"vote","ballot":999999999,"option":"A"}',
    "e5",
    "unknown-ballot",
  ],
  [
    "unknown-option",
    "9",
    (context) =>
      JSON.stringify({
        id: "e6",
        op: "vote",
        ballot: context.json.ballot ?? 1,
        option: "no-such-option-zz",
      }),
    "e6",
    "unknown-option",
  ],
  ["no-question", "8.6", () => '{"id":"h999","answer":"x"}', "h999", "bad-request"],
];

const ERROR_CHECKS: JsonCheck[] = [
  ...BAD_INPUT.map(([id, section, line, replyId, code]): JsonCheck => ({
    id: `json.error-${id}`,
    section,
    title: `${code} with id ${JSON.stringify(replyId)}`,
    required: true,
    needs: id === "unknown-option" ? ["json.ballots"] : [ADMITTED],
    async run(context) {
      const probe = node(context, "j").probe;
      await probe.send(line(context));
      expectJsonError(
        await probe.reply(`{"id":${JSON.stringify(replyId)},"ok":false,...}`),
        replyId,
        code,
      );
    },
  })),
  {
    id: "json.error-keeps-serving",
    section: "8.5",
    title: "after bad input the node is still served",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      await expectOk(context, "j", { op: "ping" });
    },
  },
];

const VOTE_CHECKS: JsonCheck[] = [
  {
    id: "json.propose",
    section: "9",
    title: "propose opens a ballot (when the hub allows it); the other node receives ballot",
    required: false,
    needs: ["json.stats"],
    async run(context) {
      const run = context.json;
      const j = node(context, "j");
      const id = run.nextId++;
      const { line, reply } = await jsonRequest(j.probe, {
        id,
        op: "propose",
        question: "Conformance check (JSON)?",
        options: ["yes", "no"],
        rule: "plurality",
      });
      if ((reply.error as Json | undefined)?.code === "not-allowed") {
        throw new CheckSkipped("the hub does not allow propose (its operator's choice)");
      }
      expectFields(reply, { id, ok: true, op: "propose" }, line);
      const ballot = reply.ballot as Json;
      expectShape(
        typeof ballot?.ballot === "number" && ballot.rule === "plurality" &&
          String(ballot.proposer) === j.pin && ballot.repeat === false,
        `"ballot":{"ballot":N,...,"rule":"plurality",...,"repeat":false,"proposer":${j.pin}}`,
        reply,
      );
      Object.assign(run, {
        ballot: ballot.ballot,
        proposed: true,
        countBefore: 0,
        anonymous: false,
      });
      await expectEvent(
        context,
        "k",
        "ballot",
        (message) => message.ballot === ballot.ballot,
        `{"event":"ballot","ballot":${ballot.ballot},...}`,
      );
    },
  },
  {
    id: "json.vote-ask",
    section: "8.6",
    title: "vote without an option asks vote with the ballot",
    required: true,
    needs: ["json.stats"],
    async run(context) {
      const ballot = context.json.ballot!;
      const { id, ask } = await expectAsk(context, "j", { op: "vote", ballot }, "vote");
      expectShape(
        (ask.ballot as Json | undefined)?.ballot === ballot,
        `"ballot":{"ballot":${ballot},...}`,
        ask,
      );
      const reply = await answerAsk(context, "j", ask, { answer: "A" }, id, "vote");
      expectFields(reply, { ballot, option: "A", changed: false }, JSON.stringify(reply));
    },
  },
  {
    id: "json.vote-counted-once",
    section: "9",
    title: 'the same vote again: "changed": false, counted once',
    required: true,
    needs: ["json.vote-ask"],
    async run(context) {
      const run = context.json;
      const ballot = run.ballot!;
      if (run.anonymous) {
        // On an anonymous ballot the hub cannot tell a repeat from a second vote.
        const id = run.nextId++;
        await node(context, "j").probe.sendJson({ id, op: "vote", ballot, option: "A" });
        expectJsonError(await node(context, "j").probe.reply("an error"), id, "already-voted");
      } else {
        const reply = await expectOk(context, "j", { op: "vote", ballot, option: "A" });
        expectFields(reply, { ballot, option: "A", changed: false }, JSON.stringify(reply));
      }
      const stats = await expectOk(context, "j", { op: "stats" });
      const entry = ((stats.ballots ?? []) as Json[]).find((item) => item.ballot === ballot);
      if (!entry) {
        throw new CheckFailure(
          `ballot ${ballot} still open in stats`,
          quote(JSON.stringify(stats)),
        );
      }
      const counts = entry.counts as Record<string, number> | null;
      if (counts === null) return;
      const expected = (run.countBefore ?? 0) + 1;
      if (counts.A !== expected) {
        throw new CheckFailure(
          `"counts":{"A":${expected},...} (one node voted A twice)`,
          quote(JSON.stringify(counts)),
        );
      }
    },
  },
  {
    id: "json.vote",
    section: "8.2",
    title: "vote with ballot and option",
    required: true,
    needs: ["json.vote-ask", TWO_NODES],
    async run(context) {
      const ballot = context.json.ballot!;
      const reply = await expectOk(context, "k", { op: "vote", ballot, option: "A" });
      expectFields(reply, { ballot, option: "A", changed: false }, JSON.stringify(reply));
    },
  },
  {
    id: "json.push-consensus",
    section: "12",
    title: "both nodes receive consensus with the counts",
    required: true,
    needs: ["json.vote"],
    async run(context) {
      const run = context.json;
      const ballot = run.ballot!;
      const expected = `{"event":"consensus","ballot":${ballot},"option":"A",...,"counts":{"A":${
        (run.countBefore ?? 0) + 2
      },...}}`;
      // The ballot's closing event, whichever it is: a `closed` one then fails as not a consensus.
      const closing = (text: string) =>
        /"event":"(consensus|closed)"/u.test(text) && JSON.parse(text).ballot === ballot;
      if (run.proposed) {
        const id = run.nextId++;
        const j = node(context, "j");
        await j.probe.sendJson({ id, op: "close", ballot });
        const line = await j.probe.event(
          closing,
          expected,
        );
        checkOutcome(parseJsonLine(line), run, expected);
        const replyLine = await j.probe.reply('{"id":N,"ok":true,"op":"close"}');
        expectFields(parseJsonLine(replyLine), { id, ok: true, op: "close" }, replyLine);
      } else if (!run.decides) {
        throw new CheckSkipped(
          "the standing ballot's rule or electorate need not decide on two votes, and propose is not allowed",
        );
      }
      for (const key of run.proposed ? ["k"] : ["j", "k"]) {
        const line = await node(context, key).probe.event(
          closing,
          expected,
        );
        checkOutcome(parseJsonLine(line), run, expected);
      }
    },
  },
];

function checkOutcome(event: Json, run: DialectFacts, expected: string): void {
  const counts = event.counts as Record<string, number> | undefined;
  if (
    event.event !== "consensus" || event.option !== "A" || counts?.A !== (run.countBefore ?? 0) + 2
  ) {
    throw new CheckFailure(expected, quote(JSON.stringify(event)));
  }
}

const LIFE_CHECKS: JsonCheck[] = [
  {
    id: "json.push-left-dropped",
    section: "12",
    title: "a node drops (node L); the others receive left with reason dropped",
    required: true,
    needs: [ADMITTED],
    async run(context) {
      const { node: l } = await admitJson(context, "conf-l");
      context.nodes.set("l", l);
      l.probe.close();
      await expectEvent(
        context,
        "j",
        "left",
        (message) => String(message.pin) === l.pin && message.reason === "dropped",
        `{"event":"left","pin":${l.pin},"name":"conf-l","reason":"dropped"}`,
      );
    },
  },
  {
    id: "json.resume",
    section: "6",
    title: 'a first line {"resume": TOKEN} brings L back; the others receive resumed',
    required: true,
    needs: ["json.push-left-dropped"],
    async run(context) {
      const l = node(context, "l");
      const { probe } = await openAtGate(context);
      const { line, reply } = await jsonRequest(probe, { resume: l.token });
      expectFields(reply, { event: "admitted", resumed: true }, line);
      if (String(reply.pin) !== l.pin) {
        throw new CheckFailure(`{"event":"admitted","pin":${l.pin},"resumed":true}`, quote(line));
      }
      context.nodes.set("l", { ...l, probe });
      await expectEvent(
        context,
        "j",
        "resumed",
        (message) => String(message.pin) === l.pin,
        `{"event":"resumed","pin":${l.pin},"name":"conf-l"}`,
      );
    },
  },
  {
    id: "json.exit",
    section: "8.3",
    title: "exit: the reply, then the hub closes; the others receive left with reason exit",
    required: true,
    needs: ["json.resume"],
    async run(context) {
      const l = node(context, "l");
      await expectOk(context, "l", { op: "exit" });
      await l.probe.closedByHub("the hub to close the connection after exit");
      context.nodes.delete("l");
      await expectEvent(
        context,
        "j",
        "left",
        (message) => String(message.pin) === l.pin && message.reason === "exit",
        `{"event":"left","pin":${l.pin},"name":"conf-l","reason":"exit"}`,
      );
    },
  },
];

/** Every check of the JSON dialect, in order. */
export const JSON_CHECKS: readonly JsonCheck[] = [
  ...GATE_CHECKS,
  ...SERVICE_CHECKS,
  ...PROMPT_CHECKS,
  ...ERROR_CHECKS,
  ...VOTE_CHECKS,
  ...LIFE_CHECKS,
];
