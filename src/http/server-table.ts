// The servers table of the landing page: each server's polling state, versions, last poll and
// last error; during a first backfill, what the poller's status says about it.
import type { ServerStatus } from "../pipeline/status.ts";
import { escapeClipped, escapeHtml } from "./html.ts";
import { cardLabels, cardTable } from "./page-shell.ts";
import { agoHtml } from "./time-text.ts";

const COLUMNS = [
  "Server",
  "URL",
  "State",
  "API",
  "VBO version",
  "Last poll",
  "Last success",
  "Polls",
  "Last error",
] as const;

/**
 * Progress of a first backfill. The slot where the poller's progress figures (how far through the
 * history it is) will be shown once ServerStatus carries them; empty until then.
 */
function backfillProgress(_status: ServerStatus): string {
  return "";
}

function stateCell(now: number, s: ServerStatus): string {
  if (s.polls === 0 && s.lastError === null) {
    if (s.lastPollStartedAt === null) return '<td class="pending">pending</td>';
    return `<td class="pending">first poll running, since ${agoHtml(now, s.lastPollStartedAt)}<span class="progress">${backfillProgress(s)}</span></td>`;
  }
  return s.up ? '<td class="up">up</td>' : '<td class="down">down</td>';
}

function serverRow(now: number, s: ServerStatus): string {
  const error = s.lastError
    ? `${escapeHtml(s.lastError.reason)}: ${escapeClipped(s.lastError.message, 400)} (${agoHtml(now, s.lastError.at)})`
    : "";
  return `<tr><td>${escapeHtml(s.server)}</td><td class="w">${escapeClipped(s.url)}</td>${stateCell(now, s)}<td>${escapeHtml(
    s.apiVersion ?? "",
  )}</td><td>${escapeClipped(s.serverVersion ?? "")}</td><td>${agoHtml(now, s.lastPollStartedAt)}</td><td>${agoHtml(
    now,
    s.lastSuccessAt,
  )}</td><td class="num">${escapeHtml(s.polls)}</td><td class="w error">${error}</td></tr>`;
}

export function serverTable(now: number, servers: readonly ServerStatus[]): string {
  return cardTable(
    "servers",
    COLUMNS,
    servers.map((s) => serverRow(now, s)),
  );
}

export function serverTableStyle(): string {
  return cardLabels("servers", COLUMNS);
}
