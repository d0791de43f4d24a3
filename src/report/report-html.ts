// A restore report as one self-contained HTML page (inline style, no scripts, no external
// resources), every value escaped; it prints as is (the PDF is this page printed).
import { escapeHtml } from "../http/html.ts";
import { parseIsoMs, utcText } from "../http/time-text.ts";
import { chartDays, dayChartSvg, MAX_DAY_BARS } from "./day-chart-svg.ts";
import type { Count, RestoreReport } from "./restore-report.ts";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.totals td{font-weight:bold}
.note{color:#555;max-width:60em}.warn{color:#8a4b00;font-weight:bold}
svg.chart{display:block;max-width:100%;height:auto}figure{margin:.5em 0}
table.wide{width:100%}td.text{overflow-wrap:anywhere}td.word,td.time,td.num{white-space:nowrap}
@media print{body{margin:0;font-size:9pt}h1,h2{break-after:avoid;page-break-after:avoid}
tr,svg.chart,.totals{break-inside:avoid;page-break-inside:avoid}thead{display:table-header-group}
table{max-width:100%}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`;

/** Paper sizes a printed report may take (CSS @page size names). */
export const PAPER_SIZES = ["A4", "Letter"] as const;
export type PaperSize = (typeof PAPER_SIZES)[number];

export interface ReportHtmlOptions {
  /** Default A4. */
  readonly paper?: PaperSize;
}

/** A VBO time as one short UTC form (`2026-11-04 07:56:37Z`); other text as it is. */
function when(text: string | null): string {
  if (text === null || text === "") return "";
  const ms = parseIsoMs(text);
  return ms === null ? text : utcText(ms);
}

/** A session id shortened for the detail tables (the appendix has each session whole). */
function shortId(id: string | null): string {
  if (id === null) return "";
  return id.length > 13 ? id.slice(0, 8) : id;
}

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

/**
 * A column's kind: free text that may wrap anywhere (names, paths, messages), a short word that
 * never breaks (types, results), a time, or a number. Numbers are right-aligned.
 */
type Column = readonly [label: string, kind?: "text" | "word" | "time" | "num"];

function table(
  head: readonly (string | Column)[],
  rows: readonly (readonly (string | number)[])[],
  wide = false,
): string {
  if (rows.length === 0) return "<p>None.</p>";
  const columns = head.map((h): Column => (typeof h === "string" ? [h] : h));
  const th = columns.map(([label]) => `<th>${escapeHtml(label)}</th>`).join("");
  const body = rows
    .map(
      (row) =>
        `<tr>${row
          .map((c, i) => {
            const kind = typeof c === "number" ? "num" : (columns[i]?.[1] ?? "text");
            return `<td class="${kind}">${escapeHtml(c)}</td>`;
          })
          .join("")}</tr>`,
    )
    .join("\n");
  return `<table${wide ? ' class="wide"' : ""}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
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
  return `<h2>Sessions per day (UTC)</h2>
${chart}
<h3>Busiest days</h3>
${table(
  ["Day", "Sessions"],
  report.busiestDays.map((c) => [c.value, c.sessions]),
)}`;
}

function runningNote(report: RestoreReport): string {
  const n = report.totals.runningSessions;
  if (n === 0) return "";
  return `<p class="note">${n} session${n === 1 ? " was" : "s were"} still running when the report was made: counted with the result <em>Running</em>, as VBO's result is final only once a session has stopped; their events so far are counted.</p>`;
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
  report.watchedBySubject.map((c) => [c.subject, c.events]),
)}
${table(
  [
    ["Time (UTC)", "time"],
    "Subject",
    "Initiated by",
    "Client host",
    ["Event", "word"],
    "Item",
    ["Session", "word"],
  ],
  report.watched.map((w) => [
    when(w.time),
    w.subject,
    w.initiatedBy ?? "unknown",
    w.clientHost,
    w.eventType,
    w.item ?? "",
    shortId(w.sessionId),
  ]),
  true,
)}`;
}

function unreadableSection(report: RestoreReport): string {
  if (report.unreadable.length === 0) return "";
  return `<h2>Records that could not be read</h2>
<p class="note">VBO sent these records for the period but they could not be read; they are not in the counts above.</p>
${table(
  [["What", "word"], ["Session", "word"], "Record", ["Reason", "word"], "Field", "Message"],
  report.unreadable.map((u) => [
    u.kind,
    shortId(u.sessionId),
    u.recordId ?? "",
    u.reason,
    u.field ?? "",
    u.message,
  ]),
)}`;
}

export function renderReportHtml(report: RestoreReport, options: ReportHtmlOptions = {}): string {
  const t = report.totals;
  const title = `Restore activity of ${report.organization}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}
@page{size:${options.paper ?? "A4"};margin:12mm}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Server ${escapeHtml(report.server)}, sessions started from ${escapeHtml(when(report.from))} up to (not including) ${escapeHtml(when(report.to))}.</p>
<table class="totals"><tbody>
<tr><th>Sessions</th><td class="num">${t.sessions}</td></tr>
<tr><th>Failed sessions</th><td class="num">${t.failedSessions}</td></tr>
<tr><th>Sessions still running</th><td class="num">${t.runningSessions}</td></tr>
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
${runningNote(report)}
<h2>Failures</h2>
${table(
  [["Time (UTC)", "time"], ["Session", "word"], ["Event", "word"], "Item", "Message"],
  report.failures.map((f) => [
    when(f.time),
    shortId(f.sessionId),
    f.eventType ?? "session",
    f.item ?? "",
    f.message,
  ]),
)}
<h2>Items by action</h2>
${table(
  [["Action", "word"], "Items", "Bytes", ["Size", "word"]],
  report.itemsByAction.map((a) => [a.action, a.items, a.bytes, bytes(a.bytes)]),
)}
<h2>Items</h2>
${table(
  [
    ["Time (UTC)", "time"],
    ["Session", "word"],
    ["Event", "word"],
    ["Status", "word"],
    "Item",
    "Type",
    "Bytes",
  ],
  report.items.map((i) => [
    when(i.time),
    shortId(i.sessionId),
    i.eventType,
    i.status,
    i.name,
    i.type ?? "",
    i.sizeBytes,
  ]),
  true,
)}
${unreadableSection(report)}
<h2>Appendix: sessions</h2>
${table(
  [
    ["Start (UTC)", "time"],
    ["End (UTC)", "time"],
    "Session",
    ["Type", "word"],
    ["Result", "word"],
    "Initiated by",
    "Client host",
    "Events",
    "Items",
    "Bytes",
  ],
  report.sessions.map((s) => [
    when(s.start),
    s.end === null ? "running" : when(s.end),
    s.name === null ? s.id : `${s.name} (${s.id})`,
    s.restoreType,
    s.result,
    s.initiatedBy ?? "",
    s.clientHost,
    s.events,
    s.items,
    s.itemBytes,
  ]),
  true,
)}
</body></html>
`;
}
