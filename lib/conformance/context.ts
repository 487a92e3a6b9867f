/**
 * What the conformance checks share: the hub's address and answer, the
 * connections they opened, what earlier checks learnt, and the steps many
 * checks repeat (passing the gate, a request and its reply).
 *
 * @module
 */

import {
  computeProof,
  deriveGateKey,
  type GateChallenge,
  parseChallengeLine,
  randomBase64,
} from "../protocol/gate_proof.ts";
import { GREETING_PREFIX } from "../protocol/messages.ts";
import {
  CheckFailure,
  expectLine,
  parseJsonLine,
  quote,
  readTextAdmission,
  rowCount,
  RunAborted,
  type TextBallot,
} from "./expect.ts";
import { GATE_PAUSE_MS, Probe, type ProbeTarget } from "./probe.ts";

/** An admitted node of the checker. */
export interface CheckerNode {
  /** Its connection. */
  probe: Probe;
  /** Its PIN, as the hub wrote it. */
  pin: string;
  /** Its name. */
  name: string;
  /** Its resume token. */
  token: string;
  /** Whether it speaks the JSON dialect. */
  json?: boolean;
}

/** What the checks of one dialect learn for the checks after them. */
export interface DialectFacts {
  /** The gate checks left their connection at a fresh question, ready for a right proof. */
  gateReady?: boolean;
  /** The ballot the vote checks use. */
  ballot?: number;
  /** Whether the checker proposed it (and can close it). */
  proposed?: boolean;
  /** Whether PROTOCOL.md makes it decide on the two nodes' votes. */
  decides?: boolean;
  /** Votes for option A on it before the checker voted. */
  countBefore?: number;
  /** Whether it is anonymous: a repeated vote is then refused (PROTOCOL.md section 9). */
  anonymous?: boolean;
}

/** State shared by the checks of one run. */
export interface ConformanceContext {
  /** The hub. */
  target: ProbeTarget;
  /** The gate answer. */
  answer: string;
  /** Every connection opened, closed at the end. */
  probes: Probe[];
  /** The checker's admitted nodes, by name (`a`, `b`, `c` in text; `j`, `k`, `l` in JSON). */
  nodes: Map<string, CheckerNode>;
  /** What the text checks learnt for the checks after them. */
  text: DialectFacts & {
    /** The connection the gate checks use. */
    gateProbe?: Probe;
    /** Its latest challenge. */
    challenge?: GateChallenge;
    /** The `#` lines after node A's admission. */
    admissionInfo?: string[];
    /** The oldest open ballot, from `ballots`. */
    oldest?: TextBallot;
    /** The token of the node that left with `exit`. */
    exitedToken?: string;
  };
  /** What the JSON checks learnt for the checks after them. */
  json: DialectFacts & {
    /** The connection the gate checks use. */
    gateProbe?: Probe;
    /** Its latest gate ask. */
    ask?: Record<string, unknown>;
    /** Node J's `admitted` event and its line. */
    admitted?: { line: string; reply: Record<string, unknown> };
    /** The oldest open ballot, from `ballots`. */
    oldest?: Record<string, unknown>;
    /** The next request id. */
    nextId: number;
  };
  /** Keys derived so far, by salt and iterations: PBKDF2 is slow on purpose. */
  keys: Map<string, CryptoKey>;
}

/**
 * Makes the context of a run.
 *
 * @param target The hub.
 * @param answer The gate answer.
 * @returns A fresh context.
 */
export function newContext(target: ProbeTarget, answer: string): ConformanceContext {
  return {
    target,
    answer,
    probes: [],
    nodes: new Map(),
    text: {},
    json: { nextId: 1 },
    keys: new Map(),
  };
}

/**
 * One of the checker's admitted nodes.
 *
 * @param context The run.
 * @param key Its name in the run (`a`, `j`, ...).
 * @returns The node.
 * @throws {CheckFailure} When it was not admitted.
 */
export function node(context: ConformanceContext, key: string): CheckerNode {
  const found = context.nodes.get(key);
  if (!found) throw new CheckFailure(`node ${key} to be admitted`, "it was not");
  return found;
}

/**
 * Opens a connection that is closed at the end of the run.
 *
 * @param context The run.
 * @returns The connection.
 */
export async function openProbe(context: ConformanceContext): Promise<Probe> {
  const probe = await Probe.open(context.target);
  context.probes.push(probe);
  return probe;
}

/**
 * Makes every node of the run leave with `exit` and waits until the hub closes
 * each connection, so that the hub has counted them out before what comes next.
 *
 * @param context The run.
 */
export async function leaveAll(context: ConformanceContext): Promise<void> {
  await Promise.all([...context.nodes.values()].map(async (node) => {
    try {
      await node.probe.send(node.json ? '{"op":"exit"}' : "exit");
      await node.probe.closedByHub("the hub to close the connection after exit");
    } catch {
      // A hub that does not close is reported by the exit checks; here it is only left behind.
    }
    node.probe.close();
  }));
  context.nodes.clear();
}

/**
 * Closes every connection of the run.
 *
 * @param context The run.
 */
export function closeAll(context: ConformanceContext): void {
  for (const probe of context.probes) probe.close();
}

/**
 * Reads the greeting (PROTOCOL.md section 3).
 *
 * @param probe A fresh connection.
 * @returns The line.
 * @throws {CheckFailure} Unless it starts with `# consensus/1 hub`.
 */
export async function readGreeting(probe: Probe): Promise<string> {
  const line = await probe.line(`a greeting starting "${GREETING_PREFIX}"`);
  if (!line.startsWith(GREETING_PREFIX)) {
    throw new CheckFailure(`a greeting starting "${GREETING_PREFIX}"`, quote(line));
  }
  return line;
}

/**
 * Reads the challenge line and the gate question (PROTOCOL.md section 4.1).
 *
 * @param probe A connection at the gate.
 * @returns The challenge and the question.
 * @throws {CheckFailure} When they do not come in that form.
 */
export async function readTextQuestion(
  probe: Probe,
): Promise<{ challenge: GateChallenge; question: string }> {
  const expected = '"# challenge pbkdf2-sha256 SALT ITERATIONS NONCE"';
  const line = await probe.line(expected);
  const challenge = parseChallengeLine(line);
  if (!challenge) throw new CheckFailure(expected, quote(line));
  const asked = await probe.line('"? QUESTION"');
  const question = expectLine(asked, /^\? (.+)$/u, '"? QUESTION"')[1]!;
  return { challenge, question };
}

/**
 * Connects and reads the greeting, the challenge and the gate question.
 *
 * @param context The run.
 * @returns The connection, at the gate, and its challenge.
 */
export async function openAtGate(
  context: ConformanceContext,
): Promise<{ probe: Probe; challenge: GateChallenge }> {
  const probe = await openProbe(context);
  await readGreeting(probe);
  return { probe, challenge: (await readTextQuestion(probe)).challenge };
}

/**
 * Computes a proof of an answer for a challenge (PROTOCOL.md section 5).
 *
 * @param context The run (its key cache).
 * @param challenge The hub's challenge.
 * @param answer The answer to prove; the run's answer when left out.
 * @returns The node's nonce and proof, base64, and the key (to check the hub's proof).
 */
export async function prove(
  context: ConformanceContext,
  challenge: GateChallenge,
  answer = context.answer,
): Promise<{ nonce: string; proof: string; key: CryptoKey }> {
  const cacheKey = `${challenge.salt} ${challenge.iterations} ${answer}`;
  let key = context.keys.get(cacheKey);
  if (!key) {
    key = await deriveGateKey(answer, challenge.salt, challenge.iterations);
    context.keys.set(cacheKey, key);
  }
  const nonce = randomBase64();
  return { nonce, proof: await computeProof(key, "node", challenge.nonce, nonce), key };
}

/** A wrong answer the checker proves to see the hub refuse it. */
export const WRONG_ANSWER = "conformance-not-the-answer";

/**
 * Connects and passes the gate in the text dialect with a proof, then reads
 * the admission lines up to the reply of a `ping` it sends.
 *
 * @param context The run.
 * @returns The node, and the `#` lines that followed the admission.
 * @throws {CheckFailure} When any step does not go as PROTOCOL.md says.
 */
export async function admitText(
  context: ConformanceContext,
): Promise<{ node: CheckerNode; info: string[] }> {
  const { probe, challenge } = await openAtGate(context);
  return await sendTextProof(context, probe, challenge);
}

/**
 * Sends a right proof at the gate and reads the admission.
 *
 * @param context The run.
 * @param probe A connection whose gate question was just read.
 * @param challenge Its challenge.
 * @returns The node and the `#` lines after admission.
 */
export async function sendTextProof(
  context: ConformanceContext,
  probe: Probe,
  challenge: GateChallenge,
): Promise<{ node: CheckerNode; info: string[] }> {
  const { nonce, proof } = await prove(context, challenge);
  await probe.send(`proof ${nonce} ${proof}`);
  // A refused proof may be answered after the hub's pause for failed tries.
  const line = await probe.reply('"ok admitted: ..."', GATE_PAUSE_MS);
  if (line.startsWith("err wrong-answer")) {
    throw new RunAborted(
      `The hub refused the proof of the answer given (${line}): is --answer its gate answer? ` +
        "Stopped before using up more tries at the gate",
    );
  }
  const admission = readTextAdmission(line);
  return await readAdmissionInfo(probe, admission.pin, admission.name);
}

/**
 * Reads the `#` lines after `ok admitted` or `ok resumed`, up to the reply of a `ping`.
 *
 * @param probe The connection just admitted.
 * @param pin Its PIN.
 * @param name Its name.
 * @returns The node and the lines.
 */
export async function readAdmissionInfo(
  probe: Probe,
  pin: string,
  name: string,
): Promise<{ node: CheckerNode; info: string[] }> {
  await probe.send("ping");
  const info: string[] = [];
  for (;;) {
    const line = await probe.reply('"ok pong" after the admission lines');
    if (line === "ok pong") break;
    if (!line.startsWith("# ")) {
      throw new CheckFailure('"# ..." lines after "ok admitted", then "ok pong"', quote(line));
    }
    info.push(line);
  }
  // The token's form is checked by the admission check; here it is only kept.
  const token = info.find((line) => line.startsWith("# Resume token: "))?.split(" ")[3] ?? "";
  return { node: { probe, pin, name, token }, info };
}

/** A text-dialect reply: its first line and its rows. */
export interface TextReply {
  /** The `ok` or `err` line (or a question). */
  head: string;
  /** Rows, with their indent. */
  rows: string[];
}

/**
 * Sends a command and reads its reply with its rows (PROTOCOL.md section 7.2).
 *
 * @param probe An admitted connection.
 * @param command The command line (or answer).
 * @returns The reply.
 */
export async function textRequest(probe: Probe, command: string | Uint8Array): Promise<TextReply> {
  await probe.send(command);
  return await readTextReply(probe);
}

/**
 * Reads a reply with its rows.
 *
 * @param probe An admitted connection.
 * @returns The reply.
 */
export async function readTextReply(probe: Probe): Promise<TextReply> {
  const head = await probe.reply("a reply");
  const rows: string[] = [];
  if (head.startsWith("ok ")) {
    for (let index = rowCount(head); index > 0; index--) {
      const row = await probe.reply(`${rowCount(head)} rows after ${quote(head)}`);
      if (!row.startsWith("  ")) {
        throw new CheckFailure(`${rowCount(head)} rows starting with two spaces`, quote(row));
      }
      rows.push(row);
    }
  }
  return { head, rows };
}

/**
 * Sends a JSON request and reads the next line that is not a push, as an object.
 *
 * @param probe A JSON connection.
 * @param message The request (or answer).
 * @returns The line and the object.
 */
export async function jsonRequest(
  probe: Probe,
  message: Record<string, unknown>,
): Promise<{ line: string; reply: Record<string, unknown> }> {
  await probe.sendJson(message);
  const line = await probe.reply("a JSON reply");
  return { line, reply: parseJsonLine(line) };
}

/**
 * Connects and passes the gate with a first JSON line carrying a proof and a name.
 *
 * @param context The run.
 * @param name The name to take.
 * @returns The node and its `admitted` event.
 */
export async function admitJson(
  context: ConformanceContext,
  name: string,
): Promise<{ node: CheckerNode; admitted: Record<string, unknown>; line: string }> {
  const { probe, challenge } = await openAtGate(context);
  const { nonce, proof } = await prove(context, challenge);
  const { line, reply } = await jsonRequest(probe, { proof, nonce, name });
  if (reply.event !== "admitted" || typeof reply.token !== "string") {
    throw new CheckFailure('{"event":"admitted","pin":...,"token":...}', quote(line));
  }
  return {
    node: {
      probe,
      pin: String(reply.pin),
      name: String(reply.name),
      token: reply.token,
      json: true,
    },
    admitted: reply,
    line,
  };
}
