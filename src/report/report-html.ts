// A restore report as one self-contained HTML page (inline style, no scripts, no external
// resources), every value escaped.
import { escapeHtml } from "../http/html.ts";
import type { Count, RestoreReport } from "./restore-report.ts";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.totals td{font-weight:bold}`;

function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  if (rows.length === 0) return "<p>None.</p>";
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${row.map((c) => (typeof c === "number" ? `<td class="num">${c}</td>` : `<td>${escapeHtml(c)}</td>`)).join("")}</tr>`,
    )
    .join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const counts = (title: string, label: string, list: readonly Count[]) =>
  `<h2>${escapeHtml(title)}</h2>${table(
    [label, "Sessions"],
    list.map((c) => [c.value, c.sessions]),
  )}`;

export function renderReportHtml(report: RestoreReport): string {
  const t = report.totals;
  const title = `Restore activity of ${report.organization}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Server ${escapeHtml(report.server)}, sessions started from ${escapeHtml(report.from)} to ${escapeHtml(report.to)}.</p>
<table class="totals"><tbody>
<tr><th>Sessions</th><td class="num">${t.sessions}</td></tr>
<tr><th>Failed sessions</th><td class="num">${t.failedSessions}</td></tr>
<tr><th>Events</th><td class="num">${t.events}</td></tr>
<tr><th>Items</th><td class="num">${t.items}</td></tr>
<tr><th>Item bytes</th><td class="num">${t.itemBytes} (${escapeHtml(bytes(t.itemBytes))})</td></tr>
<tr><th>Failed events</th><td class="num">${t.failedEvents}</td></tr>
</tbody></table>
${counts("Sessions by restore type", "Restore type", report.byType)}
${counts("Sessions by result", "Result", report.byResult)}
${counts("Sessions by client host", "Client host", report.byClientHost)}
${counts("Initiators", "Initiated by", report.initiators)}
${counts("Busiest days (UTC)", "Day", report.busiestDays)}
<h2>Failures</h2>
${table(
  ["Time", "Session", "Event", "Item", "Message"],
  report.failures.map((f) => [
    f.time,
    f.sessionId,
    f.eventType ?? "session",
    f.item ?? "",
    f.message,
  ]),
)}
<h2>Items</h2>
${table(
  ["Time", "Session", "Event", "Status", "Item", "Type", "Bytes"],
  report.items.map((i) => [
    i.time,
    i.sessionId,
    i.eventType,
    i.status,
    i.name,
    i.type ?? "",
    i.sizeBytes,
  ]),
)}
<h2>Appendix: sessions</h2>
${table(
  [
    "Start",
    "End",
    "Session",
    "Type",
    "Result",
    "Initiated by",
    "Client host",
    "Events",
    "Items",
    "Bytes",
  ],
  report.sessions.map((s) => [
    s.start,
    s.end ?? "",
    s.name ?? s.id,
    s.restoreType,
    s.result,
    s.initiatedBy ?? "",
    s.clientHost,
    s.events,
    s.items,
    s.itemBytes,
  ]),
)}
</body></html>
`;
}
