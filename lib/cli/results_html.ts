/**
 * The minutes of a meeting as one self-contained HTML file (`consensus
 * results ... --html FILE`): every closed ballot with its bars, numbers,
 * method and closing reason, and the journal's head hash for `audit`. No
 * script and nothing fetched: it reads offline and prints as it shows (pure).
 *
 * @module
 */

import type { BallotTerms } from "../election/events.ts";
import type { DecisionView } from "../protocol/messages.ts";
import { escapeForTerminal } from "../protocol/text_safety.ts";

/** One closed ballot of the report. */
export interface ReportBallot {
  /** Its outcome and numbers. */
  decision: DecisionView;
  /** Its terms, when the source has them (a data directory does, a running hub does not). */
  terms?: BallotTerms | undefined;
}

/** What the report holds. */
export interface MeetingReport {
  /** Where the results come from, for people: `data directory D, meeting 3` or `hub H:P`. */
  source: string;
  /** The meeting, when read from a data directory. */
  meeting?: { id: number; started: string | null; ended: string | null; status: string };
  /** The journal's head hash and entry count, when read from a data directory. */
  journal?: { headHash: string; entries: number };
  /** The closed ballots, oldest first. */
  ballots: ReportBallot[];
  /** When the report was made, ISO 8601. */
  generatedAt: string;
}

const STYLE = `body { font-family: system-ui, sans-serif; color: #1b1f24; max-width: 56rem;
  margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0.2rem; }
.facts { color: #4a545e; margin: 0.2rem 0; }
.hash { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
section { border: 1px solid #d5dbe2; border-radius: 0.5rem; padding: 0.8rem 1.2rem; margin: 1rem 0;
  break-inside: avoid; }
h2 { font-size: 1.25rem; margin: 0.2rem 0 0.4rem; overflow-wrap: anywhere; }
.outcome { font-weight: 700; }
.outcome.none { color: #b34700; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
td { padding: 0.2rem 0.4rem; vertical-align: middle; }
td.label { width: 30%; overflow-wrap: anywhere; }
td.number { width: 5rem; text-align: right; font-variant-numeric: tabular-nums; }
.bar { height: 1.1rem; background: #e3e8ef; border-radius: 0.2rem; overflow: hidden;
  print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.fill { height: 100%; background: #1565c0; }
.winner .fill { background: #2e7d32; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0.4rem 0; }
dt { color: #4a545e; }
dd { margin: 0; overflow-wrap: anywhere; }`;

/**
 * Writes text for HTML: markup characters as entities, and controls and
 * bidirectional overrides shown escaped, as the terminal shows them.
 *
 * @param text Untrusted text.
 * @returns Safe HTML text.
 *
 * @example
 * ```ts
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(escapeHtml(`<b a="1">&'`), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
 * ```
 */
export function escapeHtml(text: string): string {
  return escapeForTerminal(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * Builds the report.
 *
 * @param report What it holds.
 * @returns A complete HTML document.
 */
export function resultsHtml(report: MeetingReport): string {
  const title = report.meeting ? `Meeting ${report.meeting.id}: results` : "Results";
  const facts: string[] = [`Source: ${escapeHtml(report.source)}`];
  if (report.meeting) {
    facts.push(
      `Started ${escapeHtml(report.meeting.started ?? "?")}; ${
        report.meeting.ended
          ? `ended ${escapeHtml(report.meeting.ended)}`
          : escapeHtml(report.meeting.status)
      }`,
    );
  }
  facts.push(
    `${report.ballots.length} closed ballot${report.ballots.length === 1 ? "" : "s"}; ` +
      `report made ${escapeHtml(report.generatedAt)}`,
  );
  const journal = report.journal
    ? `<p class="facts">Journal head hash (check it with <code>consensus audit</code>), after ${report.journal.entries} entries: <span class="hash">${report.journal.headHash}</span></p>`
    : `<p class="facts">No journal head hash: these results were read from a running hub; a report from its data directory (<code>--data</code>) carries it.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${facts.map((fact) => `<p class="facts">${fact}</p>`).join("\n")}
${journal}
${
    report.ballots.length === 0
      ? "<p>No ballot was closed.</p>"
      : report.ballots.map(ballotSection).join("\n")
  }
</body>
</html>
`;
}

function ballotSection({ decision, terms }: ReportBallot): string {
  const total = Object.values(decision.counts).reduce((sum, votes) => sum + votes, 0);
  const scale = Math.max(decision.electorate, total, 1);
  const outcome = decision.option === null
    ? `<p class="outcome none">No decision</p>`
    : `<p class="outcome">Decided: ${escapeHtml(decision.label ?? decision.option)}</p>`;
  const rows = decision.options.map((option) => {
    const votes = decision.counts[option.key] ?? 0;
    const width = Math.round((votes / scale) * 1000) / 10;
    const winner = option.key === decision.option ? ' class="winner"' : "";
    return `<tr${winner}><td class="label">${escapeHtml(option.key)}) ${
      escapeHtml(option.label)
    }</td><td><div class="bar" role="meter" aria-valuemin="0" aria-valuemax="${scale}" aria-valuenow="${votes}" aria-label="${
      escapeHtml(option.label)
    }"><div class="fill" style="width: ${width}%"></div></div></td><td class="number">${votes}</td></tr>`;
  }).join("\n");
  const details: [string, string][] = [
    ["Votes", `${total} of ${decision.electorate} in the electorate`],
    ["Reason", decision.reason],
    ["Closed by", decision.cause],
  ];
  if (terms) {
    const switches = [
      terms.allowChange ? "votes could change" : "",
      terms.hideResults ? "results hidden until closed" : "",
      terms.anonymous ? "anonymous" : "",
      terms.repeat ? "standing question" : "",
    ].filter((word) => word !== "");
    details.push(["Rule", terms.rule], ["Electorate", terms.electorate]);
    if (terms.deadline !== undefined) {
      details.push(["Deadline", new Date(terms.deadline).toISOString()]);
    }
    if (switches.length > 0) details.push(["Switches", switches.join(", ")]);
  }
  return `<section data-ballot="${decision.ballot}">
<h2>Ballot ${decision.ballot}: ${escapeHtml(decision.question)}</h2>
${outcome}
<table>
${rows}
</table>
<dl>
${details.map(([term, value]) => `<dt>${term}</dt><dd>${escapeHtml(value)}</dd>`).join("\n")}
</dl>
</section>`;
}
