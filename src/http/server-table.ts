// The servers table of the landing page: each server's polling state, versions, last poll and
// last error; during a first backfill, what the poller's status says about it.
import type { ServerStatus } from "../pipeline/status.ts";
import { escapeClipped, escapeHtml } from "./html.ts";
import { cardLabels, cardTable } from "./page-shell.ts";
import { agoHtml, durationText, utcText } from "./time-text.ts";

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
 * Progress of a backfill (or any long poll) under way, from the poller's own figures: a bar, the
 * time reached against VBO's now, sessions and events so far, the pace and the time left.
 */
function backfillProgress(status: ServerStatus): string {
  const p = status.progress;
  if (p === null || p === undefined) return "";
  const percent = Math.round(p.ratio * 1000) / 10;
  const pace =
    p.sessionsPerSecond === null
      ? ""
      : `, ${escapeHtml(p.sessionsPerSecond)} sessions/s, ${escapeHtml(p.eventsPerSecond ?? 0)} events/s`;
  const left =
    p.remainingSeconds === null ? "" : `, about ${durationText(p.remainingSeconds)} left`;
  return ` <progress max="1" value="${escapeHtml(p.ratio)}">${escapeHtml(percent)}%</progress> ${escapeHtml(percent)}%: up to ${utcText(p.reachedMs)} of ${utcText(p.toMs)}; ${escapeHtml(p.sessions)} sessions, ${escapeHtml(p.events)} events${pace}${left}`;
}

function stateCell(now: number, s: ServerStatus): string {
  if (s.polls === 0 && s.lastError === null) {
    if (s.lastPollStartedAt === null) return '<td class="pending">pending</td>';
    return `<td class="pending">first poll running, since ${agoHtml(now, s.lastPollStartedAt)}<span class="progress">${backfillProgress(s)}</span></td>`;
  }
  // A later long poll (a restart after a long stop, say) shows its figures beside the state.
  const figures = backfillProgress(s);
  const progress = figures === "" ? "" : `<span class="progress">${figures}</span>`;
  return s.up ? `<td class="up">up${progress}</td>` : `<td class="down">down${progress}</td>`;
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
