// A restore report as one self-contained HTML page (inline style, no scripts, no external
// resources), every value escaped; it prints as is (the PDF is this page printed).
import { escapeHtml } from "../http/html.ts";
import { chartDays, dayChartSvg, MAX_DAY_BARS } from "./day-chart-svg.ts";
import type { Count, RestoreReport } from "./restore-report.ts";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.totals td{font-weight:bold}
.note{color:#555;max-width:60em}.warn{color:#8a4b00;font-weight:bold}
svg.chart{display:block;max-width:100%;height:auto}figure{margin:.5em 0}
@page{margin:14mm}
@media print{body{margin:0;font-size:10pt}h1,h2{break-after:avoid;page-break-after:avoid}
tr,svg.chart,.totals{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
table{max-width:100%}td{overflow-wrap:anywhere}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

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

/** The caveat about `initiatedBy` through Cloud Connect, with how often the organization shows. */
function initiatorNote(report: RestoreReport): string {
  const self = report.initiators.find((c) => c.value === report.organization)?.sessions ?? 0;
  const here =
    self === 0
      ? ""
      : ` Here ${self} session${self === 1 ? "" : "s"} name the organization ${escapeHtml(report.organization)} as initiator.`;
  return `<p class="note">Through Cloud Connect, VBO may record the organization itself, not a person, as the initiator (<code>initiatedBy</code>): the service provider's restore on the tenant's behalf. The client host still names the restoring machine.${here}</p>`;
}

function busiestDays(report: RestoreReport): string {
  const days = chartDays(report.byDay);
  const all = report.byDay.length;
  const caption =
    all > MAX_DAY_BARS
      ? `Sessions per day (UTC): the ${days.length} busiest of ${all} days with sessions, in date order`
      : `Sessions per day (UTC), every day with sessions`;
  const chart =
    days.length === 0
      ? ""
      : `<figure>${dayChartSvg(days, caption)}<figcaption class="note">${escapeHtml(caption)}.</figcaption></figure>`;
  return `<h2>Busiest days (UTC)</h2>
${chart}
${table(
  ["Day", "Sessions"],
  report.busiestDays.map((c) => [c.value, c.sessions]),
)}`;
}

function watchedSection(report: RestoreReport): string {
  const n = report.totals.watchedEvents;
  const notes: string[] = [];
  if (report.watchlistError !== null)
    notes.push(
      `<p class="warn">VBO's audit items could not be read (${escapeHtml(report.watchlistError)}): only the configuration's entries (<code>servers[].watchlist.subjects</code>) were checked.</p>`,
    );
  if (report.watchlistSubjects === 0)
    notes.push(
      `<p class="note">Nothing is watched on this server${report.watchlistError === null ? "" : " that could be read"}: no audit items in VBO and no <code>servers[].watchlist.subjects</code> in the configuration, so no event could count here. Watch a user or group with <code>vbo-restore-exporter audit items add --organization ORG SUBJECT</code> (VBO's audit items) or list it in <code>servers[].watchlist</code> (README: VBO's audit watchlist).</p>`,
    );
  const head = `<h2>Watched data accessed</h2>
${notes.join("\n")}
<p>${n} event${n === 1 ? "" : "s"} touched a watched subject (${report.watchlistSubjects} subject${report.watchlistSubjects === 1 ? "" : "s"} watched on this server when the report was made).</p>`;
  if (n === 0) return head;
  return `${head}
${table(
  ["Subject", "Events"],
  report.watchedBySubject.map((c) => [c.value, c.sessions]),
)}
${table(
  ["Time", "Subject", "Initiated by", "Client host", "Event", "Item", "Session"],
  report.watched.map((w) => [
    w.time,
    w.subject,
    w.initiatedBy ?? "unknown",
    w.clientHost,
    w.eventType,
    w.item ?? "",
    w.sessionId,
  ]),
)}`;
}

function unreadableSection(report: RestoreReport): string {
  if (report.unreadable.length === 0) return "";
  return `<h2>Records that could not be read</h2>
<p class="note">VBO sent these records for the period but they could not be read; they are not in the counts above.</p>
${table(
  ["What", "Session", "Record", "Reason", "Field", "Message"],
  report.unreadable.map((u) => [
    u.kind,
    u.sessionId ?? "",
    u.recordId ?? "",
    u.reason,
    u.field ?? "",
    u.message,
  ]),
)}`;
}

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
<tr><th>Watched events</th><td class="num">${t.watchedEvents}</td></tr>
<tr><th>Records that could not be read</th><td class="num">${t.unreadableRecords}</td></tr>
</tbody></table>
${busiestDays(report)}
${watchedSection(report)}
${counts("Sessions by restore type", "Restore type", report.byType)}
${counts("Sessions by result", "Result", report.byResult)}
${counts("Sessions by client host", "Client host", report.byClientHost)}
${counts("Initiators", "Initiated by", report.initiators)}
${initiatorNote(report)}
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
<h2>Items by action</h2>
${table(
  ["Action", "Items", "Bytes"],
  report.itemsByAction.map((a) => [a.action, a.items, `${a.bytes} (${bytes(a.bytes)})`]),
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
${unreadableSection(report)}
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
