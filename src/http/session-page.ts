// One restore session's page: what the state knows of it, and its events read from VBO on demand
// (who did what to which item), with a link to its records in Grafana Explore.
import type { RecentSession, SessionEvent, SessionEvents } from "../pipeline/status.ts";
import { exploreUrl, type GrafanaLinks, sessionLogql, sessionRange } from "./grafana-explore.ts";
import { escapeClipped, escapeHtml } from "./html.ts";
import { cardLabels, cardTable, renderPage } from "./page-shell.ts";
import { resultKey } from "./session-query.ts";
import { durationText, parseIsoMs, vboTimeHtml } from "./time-text.ts";

export type EventsOutcome =
  | { readonly ok: true; readonly value: SessionEvents }
  | { readonly ok: false; readonly message: string }
  /** No reader in this process (nothing reads VBO on demand). */
  | null;

export interface SessionPageView {
  readonly version: string;
  readonly now: number;
  readonly server: string;
  readonly id: string;
  /** The session as the state has it; null when it is not among the sessions the page looked at. */
  readonly session: RecentSession | null;
  readonly events: EventsOutcome;
  readonly grafana: GrafanaLinks | null;
  readonly notice?: string | undefined;
}

const EVENT_COLUMNS = [
  "Started (UTC)",
  "Action",
  "Status",
  "Item",
  "Item type",
  "Size",
  "Source",
  "Target",
  "Message",
  "Duration",
] as const;

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;
/** Characters shown of values that are short words (action, status); VBO's enums fit. */
const SHORT = 24;

function sizeText(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return "";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

function statusClass(status: string): string {
  const s = status.trim().toLowerCase();
  if (s === "success") return "up";
  if (s === "warning" || s === "skipped" || s === "cancelled") return "warn";
  if (s === "running") return "running";
  return "down";
}

function eventRow(event: SessionEvent): string {
  const size = sizeText(event.itemSizeBytes);
  const sizeTitle = size === "" ? "" : ` title="${escapeHtml(event.itemSizeBytes)} bytes"`;
  return `<tr><td>${vboTimeHtml(event.startTime)}</td><td class="n">${escapeClipped(
    event.type,
    SHORT,
  )}</td><td class="n ${statusClass(event.status)}">${escapeClipped(event.status, SHORT)}</td><td class="w">${escapeClipped(
    event.itemName,
  )}</td><td class="w">${escapeClipped(event.itemType)}</td><td class="num n"${sizeTitle}>${escapeHtml(
    size,
  )}</td><td class="w">${escapeClipped(event.source)}</td><td class="w">${escapeClipped(
    event.target,
  )}</td><td class="w">${escapeClipped(event.message || event.title, 400)}</td><td class="n">${escapeHtml(
    durationText(event.durationSeconds),
  )}</td></tr>`;
}

function facts(view: SessionPageView): string {
  const s = view.session;
  const rows: [string, string][] = [
    ["Server", escapeHtml(view.server)],
    ["Session id", escapeHtml(view.id)],
  ];
  if (s !== null) {
    const start = parseIsoMs(s.creationTime);
    const end = parseIsoMs(s.endTime);
    const running = resultKey(s) === "running";
    rows.push(
      ["Started", vboTimeHtml(s.creationTime)],
      ["Ended", running ? escapeHtml(`still ${s.state}`) : vboTimeHtml(s.endTime)],
      [
        "Duration",
        escapeHtml(durationText(start === null || end === null ? null : (end - start) / 1000)),
      ],
      ["Who", escapeClipped(s.initiatedBy, 400)],
      ["From where", escapeClipped(s.clientHost, 400)],
      ["Organization", escapeClipped(s.organization, 400)],
      ["What", escapeClipped(s.restoreType)],
      ["Result", escapeClipped(running ? s.state : s.result)],
      ["Events counted", escapeHtml(s.eventCount)],
    );
  }
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

function eventsSection(view: SessionPageView): string {
  const outcome = view.events;
  if (outcome === null) return "<p>Reading events from VBO is not available here.</p>";
  if (!outcome.ok) {
    return `<p class="notice">Could not read the events of this session from ${escapeHtml(
      view.server,
    )}: ${escapeClipped(outcome.message, 600)}</p>`;
  }
  const { events, truncated } = outcome.value;
  if (events.length === 0) return "<p>VBO lists no events for this session.</p>";
  const note = truncated
    ? `<p>Showing the first ${events.length} events; the session has more (the audit log in Loki has them all).</p>`
    : `<p>${events.length} events, read from VBO just now.</p>`;
  return `${note}${cardTable("events", EVENT_COLUMNS, events.map(eventRow))}`;
}

function grafanaLink(view: SessionPageView): string {
  if (view.grafana === null) return "";
  const s = view.session;
  const [from, to] = sessionRange(
    parseIsoMs(s?.creationTime),
    s === null ? null : parseIsoMs(s.endTime),
    view.now,
  );
  const url = exploreUrl(view.grafana, sessionLogql(view), from, to);
  return `<a href="${escapeHtml(url)}" rel="noreferrer">This session's audit log in Grafana</a>`;
}

export function renderSessionPage(view: SessionPageView): string {
  const known =
    view.session === null
      ? "<p>This session is not among the newest sessions in the state (or not yet read).</p>"
      : "";
  const grafana = grafanaLink(view);
  return renderPage({
    title: `Restore session ${view.id}`,
    version: view.version,
    refreshSeconds: null,
    links: grafana === "" ? [] : [grafana],
    notice: view.notice,
    style: cardLabels("events", EVENT_COLUMNS),
    body: `<h2>Restore session</h2>
${facts(view)}${known}<h2>Events</h2>
${eventsSection(view)}`,
  });
}
