/**
 * The web pages' HTML and style, built into the program (no CDN, no build
 * step: the pages work on a LAN without internet). No inline script or
 * style: the Content-Security-Policy forbids both, so that a name that
 * somehow became markup could still not run.
 *
 * @module
 */

const HEAD = (title: string, script: string) =>
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/style.css">
<script src="/${script}" defer></script>
</head>`;

/** The board, for the projector: read-only. */
export const BOARD_PAGE = `${HEAD("consensus: live board", "board.js")}
<body class="board">
<header>
<h1>consensus</h1>
<p id="status" role="status">Connecting…</p>
</header>
<div id="decision" class="decision" hidden>
<p class="decision-title"></p>
<p class="decision-reason"></p>
</div>
<div class="layout">
<main>
<section id="ballots" aria-label="Open ballots"></section>
<p id="no-ballots" class="quiet" hidden>No ballot is open.</p>
</main>
<aside>
<section class="join" aria-labelledby="join-title">
<h2 id="join-title">How to join</h2>
<img id="qr" alt="QR code of the phone page" width="220" height="220">
<p>On a phone: <span id="phone-url" class="url"></span></p>
<p>From a terminal: <code id="join-command"></code></p>
<p>Gate question: <q id="gate-question"></q></p>
</section>
<section aria-labelledby="ticker-title">
<h2 id="ticker-title">Arrivals and departures</h2>
<ol id="ticker" class="ticker"></ol>
</section>
</aside>
</div>
<div id="announcer" class="visually-hidden" aria-live="polite"></div>
</body>
</html>
`;

/** The phone page: answer the gate, get a PIN, vote. */
export const VOTE_PAGE = `${HEAD("consensus: vote", "vote.js")}
<body class="phone">
<header>
<h1>consensus</h1>
<p id="status" role="status">Connecting…</p>
</header>
<main>
<form id="gate" hidden>
<p id="gate-question" class="question"></p>
<label for="answer">Your answer</label>
<input id="answer" name="answer" autocomplete="off" autocapitalize="off" spellcheck="false" required>
<label for="name">Your name (optional, no spaces)</label>
<input id="name" name="name" autocomplete="nickname" maxlength="32">
<button type="submit" class="big">Join</button>
<p id="gate-message" class="message" role="alert"></p>
</form>
<section id="me" hidden>
<p>You are <strong id="my-name"></strong>, PIN <strong id="my-pin"></strong></p>
</section>
<p id="message" class="message" role="alert"></p>
<section id="ballots" aria-label="Open ballots"></section>
<section id="outcomes" aria-live="polite" aria-label="Outcomes"></section>
</main>
</body>
</html>
`;

/** The style of both pages. */
export const STYLE =
  `:root { color-scheme: light; --ink: #1b1f24; --accent: #1565c0; --bar: #e3e8ef; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, sans-serif; color: var(--ink); background: #fafbfc; }
header { display: flex; align-items: baseline; gap: 1rem; padding: 0.75rem 1.5rem;
  background: var(--ink); color: #fff; }
header h1 { margin: 0; font-size: 1.4rem; }
header p { margin: 0; opacity: 0.85; }
h2 { margin: 0 0 0.5rem; }
.quiet { color: #5c6670; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.layout { display: grid; grid-template-columns: 1fr 22rem; gap: 1.5rem; padding: 1.5rem; }
.ballot { background: #fff; border: 1px solid #d5dbe2; border-radius: 0.5rem; padding: 1rem 1.25rem;
  margin-bottom: 1rem; }
.ballot h2, .ballot h3 { font-size: 1.6rem; overflow-wrap: anywhere; }
.meta { color: #5c6670; margin: 0 0 0.75rem; }
.row { display: grid; grid-template-columns: 10rem 1fr 6rem; align-items: center; gap: 0.75rem;
  margin: 0.4rem 0; font-size: 1.25rem; }
.row .label { overflow-wrap: anywhere; }
.meter { height: 2rem; background: var(--bar); border-radius: 0.25rem; overflow: hidden; }
.fill { height: 100%; width: 0; background: var(--accent); transition: width 0.3s ease; }
.count { text-align: right; font-variant-numeric: tabular-nums; }
.decision { margin: 1rem 1.5rem 0; padding: 1rem 1.25rem; border-radius: 0.5rem;
  background: #e8f5e9; border: 2px solid #2e7d32; font-size: 1.3rem; }
.decision.none { background: #fff3e0; border-color: #ef6c00; }
.decision p { margin: 0.2rem 0; overflow-wrap: anywhere; }
.decision-title { font-weight: 700; font-size: 1.6rem; }
.join img { display: block; width: 220px; height: 220px; background: #fff; }
.url, code { overflow-wrap: anywhere; }
.ticker { padding-left: 1.2rem; margin: 0; }
.ticker li { margin: 0.2rem 0; overflow-wrap: anywhere; unicode-bidi: isolate; }
.phone main { padding: 1rem; max-width: 36rem; margin: 0 auto; }
.phone label { display: block; margin: 0.75rem 0 0.25rem; font-weight: 600; }
.phone input { width: 100%; font-size: 1.2rem; padding: 0.6rem; }
.question { font-size: 1.3rem; font-weight: 600; overflow-wrap: anywhere; }
button.big { display: block; width: 100%; min-height: 3.5rem; margin: 0.6rem 0; font-size: 1.3rem;
  border: 0; border-radius: 0.5rem; background: var(--accent); color: #fff; }
button.big:disabled { background: #9aa5b1; }
button.big.chosen { background: #2e7d32; }
.message { color: #b00020; min-height: 1.2rem; }
.outcome { padding: 0.6rem 0.8rem; margin: 0.5rem 0; border-left: 4px solid #2e7d32; background: #fff; }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } }
`;
