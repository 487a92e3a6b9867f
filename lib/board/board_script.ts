/**
 * The board's script: renders each snapshot of the board feed (see
 * board_view.ts). Read-only: it never sends anything.
 *
 * @module
 */

import { COMMON_SCRIPT } from "./common_script.ts";

/** The board's script, served as `/board.js`. */
export const BOARD_SCRIPT = `${COMMON_SCRIPT}
var announced = {};
var firstSnapshot = true;
var retryMs = 500;

function announce(text) {
  var line = el("p", "", text);
  var region = byId("announcer");
  region.appendChild(line);
  while (region.childNodes.length > 5) region.removeChild(region.firstChild);
}

function optionRow(option, count, scale) {
  var row = el("div", "row");
  var label = el("span", "label", option.label);
  label.id = "label-" + Math.random().toString(36).slice(2);
  var meter = el("div", "meter");
  meter.setAttribute("role", "meter");
  meter.setAttribute("aria-labelledby", label.id);
  meter.setAttribute("aria-valuemin", "0");
  meter.setAttribute("aria-valuemax", String(scale));
  meter.setAttribute("aria-valuenow", String(count));
  meter.setAttribute("aria-valuetext", count + (count === 1 ? " vote" : " votes") + ", " +
    percent(count, scale) + "%");
  meter.dataset.option = option.key;
  var fill = el("div", "fill");
  fill.style.width = percent(count, scale) + "%";
  meter.appendChild(fill);
  row.appendChild(label);
  row.appendChild(meter);
  row.appendChild(el("span", "count", String(count)));
  return row;
}

function ballotCard(ballot) {
  var card = el("article", "ballot");
  card.dataset.ballot = String(ballot.ballot);
  card.appendChild(el("h2", "", ballot.question));
  var meta = "Ballot " + ballot.ballot + " · rule " + ballot.rule;
  if (ballot.anonymous) meta += " · anonymous";
  if (ballot.deadline) meta += " · closes " + new Date(ballot.deadline).toLocaleTimeString();
  card.appendChild(el("p", "meta", meta));
  if (ballot.counts === null) {
    card.appendChild(el("p", "votes", "Results are hidden until the ballot closes · " +
      ballot.electorateSize + " in the electorate"));
    return card;
  }
  card.appendChild(el("p", "votes", ballot.voted + " of " + ballot.electorateSize + " voted"));
  var scale = Math.max(ballot.electorateSize, ballot.voted, 1);
  ballot.options.forEach(function (option) {
    card.appendChild(optionRow(option, ballot.counts[option.key] || 0, scale));
  });
  return card;
}

function showDecision(decided) {
  var banner = byId("decision");
  var last = decided[decided.length - 1];
  if (!last) { banner.hidden = true; return; }
  banner.hidden = false;
  banner.className = last.option === null ? "decision none" : "decision";
  var title = last.option === null
    ? "No decision on " + last.question
    : "Decided: " + last.label + " (" + last.question + ")";
  banner.querySelector(".decision-title").textContent = safe(title);
  var total = Object.keys(last.counts).reduce(function (sum, key) {
    return sum + last.counts[key];
  }, 0);
  banner.querySelector(".decision-reason").textContent = safe(last.reason + " · " + total +
    " of " + last.electorate + " voted");
  banner.dataset.ballot = String(last.ballot);
  if (!announced["d" + last.ballot]) {
    announced["d" + last.ballot] = true;
    if (!firstSnapshot) announce(title + ". " + last.reason);
  }
}

function render(snapshot) {
  var stats = snapshot.stats;
  setText("status", "Live · " + snapshot.connected + " connected");
  setText("join-command", "consensus join " + snapshot.join.address);
  setText("gate-question", snapshot.join.question);
  setText("phone-url", snapshot.join.phoneUrl);
  var list = byId("ballots");
  var cards = stats.ballots.map(ballotCard);
  list.replaceChildren.apply(list, cards);
  byId("no-ballots").hidden = cards.length > 0;
  stats.ballots.forEach(function (ballot) {
    if (!announced["b" + ballot.ballot]) {
      announced["b" + ballot.ballot] = true;
      if (!firstSnapshot) announce("New ballot: " + ballot.question);
    }
  });
  showDecision(stats.decided);
  var ticker = byId("ticker");
  ticker.replaceChildren.apply(ticker, snapshot.ticker.slice().reverse().map(function (entry) {
    return el("li", "", new Date(entry.at).toLocaleTimeString() + " " + entry.text);
  }));
  firstSnapshot = false;
}

function connect() {
  var socket = new WebSocket(socketUrl("/ws/board"));
  socket.onopen = function () { retryMs = 500; };
  socket.onmessage = function (event) { render(JSON.parse(event.data)); };
  socket.onclose = function () {
    setText("status", "Connection lost; reconnecting…");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  };
}

document.addEventListener("DOMContentLoaded", function () {
  byId("qr").src = "/qr.svg" + location.search;
  connect();
});
`;
