// The landing page, a small restore-activity view: each server's polling status, then the latest
// restore sessions (who, from where, what, result) filtered by the query string, with counts per
// organization and client host. Rendered on the server with every value escaped.
import type { RecentSession, ServerStatus, WatchedAccessView } from "../pipeline/status.ts";
import { exploreUrl, type GrafanaLinks, sessionsLogql } from "./grafana-explore.ts";
import { escapeClipped, escapeHtml } from "./html.ts";
import { cardLabels, cardTable, renderPage } from "./page-shell.ts";
import { serverTable, serverTableStyle } from "./server-table.ts";
import {
  choices,
  countBy,
  type FilterKey,
  MAX_FILTER_LENGTH,
  MAX_LIMIT,
  matches,
  pageHref,
  resultKey,
  type SessionQuery,
  sessionHref,
} from "./session-query.ts";
import { durationText, parseIsoMs, utcText, vboTimeHtml } from "./time-text.ts";
import { watchedSection, watchedSectionStyle } from "./watched-section.ts";

export interface LandingPageView {
  readonly version: string;
  /** Epoch milliseconds, for "12s ago". */
  readonly now: number;
  readonly servers: readonly ServerStatus[];
  /** The newest sessions in the state, newest first: what the filters and counts work on. */
  readonly sessions: readonly RecentSession[];
  /** How many sessions were asked of the state; as many came back means older ones exist. */
  readonly window: number;
  readonly query: SessionQuery;
  /** Seconds between reloads while auto-refresh is on. */
  readonly refreshSeconds: number;
  readonly grafana: GrafanaLinks | null;
  /** A notice shown at the top (e.g. the demo banner); plain text. */
  readonly notice?: string | undefined;
  /** Leaves the servers out (a tenant user: the servers and their errors are the provider's). */
  readonly hideServers?: boolean;
  /** The newest accesses to watched data, newest first (already cut to the user's organizations). */
  readonly watched?: readonly WatchedAccessView[];
}

const SESSION_COLUMNS = [
  "Started (UTC)",
  "Server",
  "Who",
  "From where",
  "Organization",
  "What",
  "Result",
  "Events",
  "Duration",
] as const;
const COUNT_COLUMNS = ["Sessions", "Failed"] as const;
const TOP = 10;
/** Characters shown of values that are short words (type, result); VBO's enums fit. */
const SHORT = 24;

const FILTER_LABELS: Readonly<Record<FilterKey, string>> = {
  server: "Server",
  organization: "Organization",
  client_host: "Client host",
  type: "Type",
  result: "Result",
};

function resultCell(session: RecentSession): string {
  const key = resultKey(session);
  const text = key === "running" ? session.state : session.result;
  const cls =
    key === "running" ? "running" : key === "success" ? "up" : key === "warning" ? "warn" : "down";
  return `<td class="n ${cls}">${escapeClipped(text, SHORT)}</td>`;
}

function durationCell(session: RecentSession): string {
  if (session.endTime === null) return '<td class="n"></td>';
  const start = parseIsoMs(session.creationTime);
  const end = parseIsoMs(session.endTime);
  const seconds = start === null || end === null ? null : (end - start) / 1000;
  const ended = end === null ? session.endTime : utcText(end);
  return `<td class="n" title="${escapeHtml(`Ended ${ended}`)}">${escapeHtml(durationText(seconds))}</td>`;
}

function sessionRow(session: RecentSession): string {
  const started = vboTimeHtml(session.creationTime) || escapeHtml(session.id);
  return `<tr><td><a href="${escapeHtml(sessionHref(session))}">${started}</a></td><td class="w">${escapeClipped(
    session.server,
  )}</td><td class="w">${escapeClipped(session.initiatedBy)}</td><td class="w">${escapeClipped(
    session.clientHost,
  )}</td><td class="w">${escapeClipped(session.organization)}</td><td class="n">${escapeClipped(
    session.restoreType,
    SHORT,
  )}</td>${resultCell(session)}<td class="num">${escapeHtml(session.eventCount)}</td>${durationCell(
    session,
  )}</tr>`;
}

function filterForm(view: LandingPageView): string {
  const { query } = view;
  const selects = (Object.keys(FILTER_LABELS) as FilterKey[]).map((key) => {
    const selected = query.filters[key];
    const options = choices(view.sessions, key, selected).map(
      (value) =>
        `<option value="${escapeHtml(value)}"${value === selected ? " selected" : ""}>${escapeClipped(value, 60)}</option>`,
    );
    return `<label>${FILTER_LABELS[key]}<select name="${key}"><option value="">all</option>${options.join("")}</select></label>`;
  });
  const hidden = [
    query.limit === query.defaultLimit
      ? ""
      : `<input type="hidden" name="limit" value="${escapeHtml(query.limit)}">`,
    query.refresh ? "" : '<input type="hidden" name="refresh" value="off">',
  ].join("");
  return `<form class="filters" method="get" action="./">${selects.join("")}${hidden}<button type="submit">Apply</button><a href="${escapeHtml(
    pageHref(query, { filters: {} }),
  )}">Clear filters</a></form>`;
}

function countTable(
  view: LandingPageView,
  matching: readonly RecentSession[],
  key: "organization" | "client_host",
): string {
  const { counts, distinct } = countBy(matching, key, TOP);
  const title = key === "organization" ? "By organization" : "By client host";
  if (counts.length === 0) return `<section><h3>${title}</h3><p>None.</p></section>`;
  const rows = counts.map((c) => {
    const href = pageHref(view.query, { filters: { ...view.query.filters, [key]: c.value } });
    const value =
      c.value.length > MAX_FILTER_LENGTH
        ? escapeClipped(c.value)
        : `<a href="${escapeHtml(href)}">${escapeClipped(c.value)}</a>`;
    return `<tr><td class="w">${value}</td><td class="num">${c.sessions}</td><td class="num">${c.failed}</td></tr>`;
  });
  const more = distinct > counts.length ? `<p>…and ${distinct - counts.length} more.</p>` : "";
  return `<section><h3>${title}</h3>${cardTable(`count-${key}`, [FILTER_LABELS[key], ...COUNT_COLUMNS], rows)}${more}</section>`;
}

function summary(view: LandingPageView, shown: number, matching: number): string {
  const { query } = view;
  const filtered = Object.keys(query.filters).length > 0;
  const windowFull = view.sessions.length >= view.window;
  const of = filtered ? `${matching} matching sessions` : `${matching} sessions`;
  const scope = windowFull ? ` among the newest ${view.window} in the state` : "";
  const more =
    matching > shown && query.limit < MAX_LIMIT
      ? ` · <a href="${escapeHtml(pageHref(query, { limit: Math.min(MAX_LIMIT, query.limit * 4) }))}">show more</a>`
      : "";
  const refresh = query.refresh
    ? `Refreshes every ${view.refreshSeconds} s · <a href="${escapeHtml(pageHref(query, { refresh: false }))}">pause</a>`
    : `Auto-refresh paused · <a href="${escapeHtml(pageHref(query, { refresh: true }))}">resume</a>`;
  return `<p class="summary">Showing the latest <strong>${shown}</strong> of <strong>${of}</strong>${scope}${more}. ${refresh}</p>`;
}

function grafanaLink(
  view: LandingPageView,
  matching: readonly RecentSession[],
  shown: readonly RecentSession[],
): string {
  if (view.grafana === null) return "";
  const oldest = shown.length === 0 ? null : parseIsoMs(shown[shown.length - 1]?.creationTime);
  const from = (oldest ?? view.now - 86_400_000) - 5 * 60_000;
  const expr = sessionsLogql(view.query.filters, matching[0]?.result);
  const url = exploreUrl(view.grafana, expr, from, view.now);
  return `<a href="${escapeHtml(url)}" rel="noreferrer">Audit log in Grafana</a>`;
}

/** A note when a server is still in its first poll: its history is read oldest first. */
function backfillNote(view: LandingPageView): string {
  const first = view.servers.filter((s) => s.polls === 0 && s.lastPollStartedAt !== null);
  if (first.length === 0) return "";
  const names = first.map((s) => escapeHtml(s.server)).join(", ");
  return `<p class="notice">The first poll of ${names} is still reading the server's history, oldest first: the sessions below are the newest read so far, not yet the newest on the server.</p>`;
}

export function renderLandingPage(view: LandingPageView): string {
  const matching = view.sessions.filter((s) => matches(s, view.query.filters));
  const shown = matching.slice(0, view.query.limit);
  const servers =
    view.servers.length === 0
      ? "<p>No servers are assigned to this replica.</p>"
      : serverTable(view.now, view.servers);
  let sessions: string;
  if (view.sessions.length === 0) {
    sessions = "<p>No restore sessions seen yet.</p>";
  } else {
    const table =
      shown.length === 0
        ? `<p>No session matches these filters. <a href="${escapeHtml(pageHref(view.query, { filters: {} }))}">Clear filters</a></p>`
        : cardTable("sessions", SESSION_COLUMNS, shown.map(sessionRow));
    sessions = `${filterForm(view)}${summary(view, shown.length, matching.length)}${table}<div class="counts">${countTable(
      view,
      matching,
      "organization",
    )}${countTable(view, matching, "client_host")}</div>`;
  }
  const grafana = grafanaLink(view, matching, shown);
  return renderPage({
    title: "VBO restore exporter",
    version: view.version,
    refreshSeconds: view.query.refresh ? view.refreshSeconds : null,
    links: grafana === "" ? [] : [grafana],
    notice: view.notice,
    style: [
      serverTableStyle(),
      cardLabels("sessions", SESSION_COLUMNS),
      cardLabels("count-organization", [FILTER_LABELS.organization, ...COUNT_COLUMNS]),
      cardLabels("count-client_host", [FILTER_LABELS.client_host, ...COUNT_COLUMNS]),
      watchedSectionStyle(),
    ].join(""),
    body: `${view.hideServers === true ? "" : `<h2>Servers</h2>\n${servers}\n${backfillNote(view)}`}${watchedSection(view.watched ?? [])}<h2>Latest restore sessions</h2>
${sessions}`,
  });
}
