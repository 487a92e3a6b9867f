/**
 * The phone page's script: a node of the JSON dialect over a WebSocket. It
 * proves the gate answer with WebCrypto exactly as `consensus join` does
 * (gate_proof.ts): the answer never leaves the phone. The resume token is
 * kept in the tab (sessionStorage), so that a phone that slept comes back
 * as the same node with its PIN and votes.
 *
 * @module
 */

import { COMMON_SCRIPT } from "./common_script.ts";
import { SHA256_SCRIPT } from "./sha256_script.ts";

/** The phone page's script, served as `/vote.js`. */
export const VOTE_SCRIPT = `${COMMON_SCRIPT}${SHA256_SCRIPT}
var TOKEN_KEY = "consensus-resume-token";
var socket = null;
var challenge = null;
var gateAsk = null;
var proving = null;
var nextId = 1;
var pendingVotes = {};
var ballots = {};
var myVotes = {};
var retryMs = 500;
var encoder = new TextEncoder();

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function toBase64(bytes) {
  var binary = "";
  for (var index = 0; index < bytes.length; index++) binary += String.fromCharCode(bytes[index]);
  return btoa(binary);
}

function fromBase64(text) {
  var binary = atob(text);
  var bytes = new Uint8Array(binary.length);
  for (var index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function normalizeAnswer(answer) { return answer.normalize("NFKC").trim().toLowerCase(); }

// The gate key, with sign(message) giving HMAC-SHA-256 bytes: WebCrypto where the browser
// offers it (a secure context), else the page's own SHA-256, so that a phone on plain http
// over the LAN proves the answer the same way.
async function deriveGateKey(answer, salt, iterations) {
  var password = encoder.encode(normalizeAnswer(answer));
  if (!window.crypto || !crypto.subtle) {
    var bytes = pbkdf2Sha256(password, fromBase64(salt), iterations);
    return { sign: function (message) { return Promise.resolve(hmacSha256(bytes, message)); } };
  }
  var material = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  var bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: fromBase64(salt), iterations: iterations },
    material, 256);
  var key = await crypto.subtle.importKey("raw", bits, { name: "HMAC", hash: "SHA-256" }, false,
    ["sign"]);
  return {
    sign: async function (message) {
      return new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
    },
  };
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  var difference = 0;
  for (var index = 0; index < a.length; index++) difference |= a[index] ^ b[index];
  return difference === 0;
}

function proofMessage(role, hubNonce, nodeNonce) {
  return encoder.encode("consensus/1 gate " + role + "\\n" + hubNonce + "\\n" + nodeNonce);
}

function showGate(question, message) {
  byId("gate").hidden = false;
  byId("me").hidden = true;
  if (question !== undefined) setText("gate-question", question);
  setText("gate-message", message || "");
  setText("status", "Answer the question to join");
}

async function onGateSubmit(event) {
  event.preventDefault();
  if (!challenge || proving) return;
  var button = byId("gate").querySelector("button");
  button.disabled = true;
  setText("gate-message", "Checking…");
  try {
    var key = await deriveGateKey(byId("answer").value, challenge.salt, challenge.iterations);
    var nodeNonce = toBase64(crypto.getRandomValues(new Uint8Array(16)));
    var proof = toBase64(await key.sign(proofMessage("node", challenge.nonce, nodeNonce)));
    proving = { key: key, hubNonce: challenge.nonce, nodeNonce: nodeNonce };
    var message = { proof: proof, nonce: nodeNonce };
    if (gateAsk) message.id = gateAsk;
    var name = byId("name").value.trim();
    if (name !== "") message.name = name;
    send(message);
  } finally {
    button.disabled = false;
  }
}

async function onAdmitted(push) {
  if (push.proof !== undefined && proving) {
    // The hub proves it knows the answer too: a hub that does not is an impostor.
    var expected = await proving.key.sign(proofMessage("hub", proving.hubNonce, proving.nodeNonce));
    var genuine = sameBytes(expected, fromBase64(push.proof));
    if (!genuine) {
      setText("status", "This is not the real hub: it does not know the answer");
      sessionStorage.removeItem(TOKEN_KEY);
      socket.close();
      return;
    }
  }
  proving = null;
  sessionStorage.setItem(TOKEN_KEY, push.token);
  byId("gate").hidden = true;
  byId("me").hidden = false;
  setText("my-name", push.name);
  setText("my-pin", String(push.pin));
  setText("status", push.resumed ? "Back in · live" : "Joined · live");
  ballots = {};
  push.ballots.forEach(function (ballot) { ballots[ballot.ballot] = ballot; });
  renderBallots();
}

function renderBallots() {
  var list = byId("ballots");
  var ids = Object.keys(ballots).map(Number).sort(function (a, b) { return a - b; });
  list.replaceChildren.apply(list, ids.map(function (id) { return ballotCard(ballots[id]); }));
  if (ids.length === 0) list.appendChild(el("p", "quiet", "No ballot is open right now."));
}

function ballotCard(ballot) {
  var card = el("article", "ballot");
  card.dataset.ballot = String(ballot.ballot);
  var title = el("h2", "", ballot.question);
  title.id = "question-" + ballot.ballot;
  card.appendChild(title);
  var chosen = myVotes[ballot.ballot];
  var locked = chosen !== undefined && !ballot.allowChange;
  card.appendChild(el("p", "meta", chosen === undefined
    ? "Ballot " + ballot.ballot + " · rule " + ballot.rule
    : "Your vote: " + chosen.label + (locked ? "" : " (you may change it)")));
  var group = el("div", "options");
  group.setAttribute("role", "group");
  group.setAttribute("aria-labelledby", title.id);
  ballot.options.forEach(function (option) {
    var button = el("button", "big", option.label);
    button.type = "button";
    button.dataset.option = option.key;
    if (chosen && chosen.option === option.key) button.classList.add("chosen");
    button.disabled = locked;
    button.addEventListener("click", function () { vote(ballot.ballot, option.key); });
    group.appendChild(button);
  });
  card.appendChild(group);
  return card;
}

function vote(ballot, option) {
  var id = nextId++;
  pendingVotes[id] = ballot;
  setText("message", "");
  send({ id: id, op: "vote", ballot: ballot, option: option });
}

function onOutcome(push) {
  delete ballots[push.ballot];
  renderBallots();
  var text = push.option === null
    ? "Ballot " + push.ballot + " closed without a decision: " + push.reason
    : "Ballot " + push.ballot + " decided: " + push.label + ". " + push.reason;
  var outcomes = byId("outcomes");
  outcomes.insertBefore(el("p", "outcome", text), outcomes.firstChild);
}

function onError(message) {
  if (message.code === "bad-token" || message.code === "token-expired") {
    sessionStorage.removeItem(TOKEN_KEY);
    setText("status", "Your place was not kept; answer the question to join again");
    return;
  }
  if (pendingVotes[message.id] !== undefined) delete pendingVotes[message.id];
  // Also below the gate: a refused name does not stop the proof, and is seen once in.
  setText("message", message.message);
  if (!byId("gate").hidden) setText("gate-message", message.message);
}

function onMessage(message) {
  if (message.ask === "gate") {
    challenge = message.challenge;
    gateAsk = message.id;
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      showGate(message.question, byId("gate-message").textContent);
    }
    return;
  }
  if (message.ok === true) {
    if (message.op === "vote") {
      delete pendingVotes[message.id];
      myVotes[message.ballot] = { option: message.option, label: message.label };
      renderBallots();
    }
    return;
  }
  if (message.ok === false) { onError(message); return; }
  switch (message.event) {
    case "admitted": onAdmitted(message); break;
    case "wrong-answer": proving = null; showGate(undefined, message.message); break;
    case "ballot": ballots[message.ballot] = message; renderBallots(); break;
    case "consensus": case "closed": onOutcome(message); break;
    case "ping": send({ op: "ping" }); break;
    case "bye": setText("status", message.reason); break;
  }
}

function onLine(line) {
  if (line.startsWith("# challenge ")) {
    var parts = line.split(" ");
    challenge = { kdf: parts[2], salt: parts[3], iterations: Number(parts[4]), nonce: parts[5] };
  } else if (line.startsWith("? ")) {
    // The first gate question comes in text, before the switch to JSON.
    if (!sessionStorage.getItem(TOKEN_KEY)) showGate(line.slice(2));
  } else if (line.startsWith("{")) {
    onMessage(JSON.parse(line));
  }
}

function connect() {
  socket = new WebSocket(socketUrl("/ws/node"));
  socket.onopen = function () {
    retryMs = 500;
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      setText("status", "Coming back…");
      send({ resume: token });
    }
  };
  socket.onmessage = function (event) { onLine(String(event.data)); };
  socket.onclose = function () {
    socket = null;
    challenge = null;
    proving = null;
    setText("status", "Connection lost; reconnecting…");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

document.addEventListener("DOMContentLoaded", function () {
  byId("gate").addEventListener("submit", onGateSubmit);
  connect();
});
`;
