// The landing page: each server's polling status and the latest restore sessions (who, from
// where, what, result), rendered on the server with every value escaped.
import type { RecentSession, ServerStatus } from "../pipeline/status.ts";
import { escapeHtml } from "./html.ts";

export interface LandingPageView {
  readonly version: string;
  /** Epoch milliseconds, for "12s ago". */
  readonly now: number;
  readonly servers: readonly ServerStatus[];
  readonly sessions: readonly RecentSession[];
  /** A notice shown at the top (e.g. the demo banner); plain text. */
  readonly notice?: string | undefined;
}

function ago(now: number, at: number | null): string {
  if (at === null) return "never";
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  const text =
    seconds < 120
      ? `${seconds}s ago`
      : seconds < 7200
        ? `${Math.round(seconds / 60)}m ago`
        : `${Math.round(seconds / 3600)}h ago`;
  return `<time datetime="${escapeHtml(new Date(at).toISOString())}">${escapeHtml(text)}</time>`;
}

function serverState(status: ServerStatus): string {
  if (status.polls === 0 && status.lastError === null) return '<td class="pending">pending</td>';
  return status.up ? '<td class="up">up</td>' : '<td class="down">down</td>';
}

function serverRow(now: number, s: ServerStatus): string {
  const error = s.lastError
    ? `${escapeHtml(s.lastError.reason)}: ${escapeHtml(s.lastError.message)} (${ago(now, s.lastError.at)})`
    : "";
  return `<tr><td>${escapeHtml(s.server)}</td><td>${escapeHtml(s.url)}</td>${serverState(s)}<td>${escapeHtml(
    s.apiVersion ?? "",
  )}</td><td>${escapeHtml(s.serverVersion ?? "")}</td><td>${ago(now, s.lastPollStartedAt)}</td><td>${ago(
    now,
    s.lastSuccessAt,
  )}</td><td>${escapeHtml(s.polls)}</td><td class="error">${error}</td></tr>`;
}

function resultCell(session: RecentSession): string {
  const running = session.endTime === null;
  const text = running ? session.state : session.result;
  const cls = running
    ? "running"
    : /^success$/i.test(session.result)
      ? "up"
      : /^warning$/i.test(session.result)
        ? "warn"
        : "down";
  return `<td class="${cls}">${escapeHtml(text)}</td>`;
}

function sessionRow(session: RecentSession): string {
  return `<tr><td>${escapeHtml(session.creationTime)}</td><td>${escapeHtml(session.server)}</td><td>${escapeHtml(
    session.initiatedBy ?? "",
  )}</td><td>${escapeHtml(session.clientHost)}</td><td>${escapeHtml(session.organization)}</td><td>${escapeHtml(
    session.restoreType,
  )}</td>${resultCell(session)}<td>${escapeHtml(session.eventCount)}</td><td>${escapeHtml(
    session.endTime ?? "",
  )}</td></tr>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.up{color:#17702a}.down{color:#b00020}.warn{color:#a05a00}.running,.pending{color:#555}
.error{max-width:40em;word-break:break-word}.notice{background:#fff6d6;border:1px solid #e8d48a;padding:.6em 1em}`;

export function renderLandingPage(view: LandingPageView): string {
  const notice = view.notice ? `<p class="notice">${escapeHtml(view.notice)}</p>` : "";
  const servers =
    view.servers.length === 0
      ? "<p>No servers are assigned to this replica.</p>"
      : `<table><thead><tr><th>Server</th><th>URL</th><th>State</th><th>API</th><th>VBO version</th><th>Last poll</th><th>Last success</th><th>Polls</th><th>Last error</th></tr></thead><tbody>${view.servers
          .map((s) => serverRow(view.now, s))
          .join("")}</tbody></table>`;
  const sessions =
    view.sessions.length === 0
      ? "<p>No restore sessions seen yet.</p>"
      : `<table><thead><tr><th>Started</th><th>Server</th><th>Who</th><th>From where</th><th>Organization</th><th>What</th><th>Result</th><th>Events</th><th>Ended</th></tr></thead><tbody>${view.sessions
          .map(sessionRow)
          .join("")}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VBO restore exporter</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>VBO restore exporter</h1>
<p>Version ${escapeHtml(view.version)} · <a href="metrics">Metrics</a> · <a href="healthz">Health</a> · <a href="readyz">Readiness</a></p>
${notice}<h2>Servers</h2>
${servers}
<h2>Latest restore sessions</h2>
${sessions}
</body></html>
`;
}
