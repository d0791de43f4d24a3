// The landing page's "Watched data accessed" section: the newest restore events that touched a
// subject of the watchlist (who, from where, which subject and item), linked to their sessions.
import type { WatchedAccessView } from "../pipeline/status.ts";
import { AUDIT_FEED_PATH } from "./audit-feed.ts";
import { escapeClipped, escapeHtml } from "./html.ts";
import { cardLabels, cardTable } from "./page-shell.ts";
import { sessionHref } from "./session-query.ts";
import { vboTimeHtml } from "./time-text.ts";

export const WATCHED_COLUMNS = [
  "Event (UTC)",
  "Watched subject",
  "Who",
  "From where",
  "Organization",
  "Action",
  "Item",
] as const;

function row(a: WatchedAccessView): string {
  const href = sessionHref({ server: a.server, id: a.sessionId });
  const where =
    a.clientGateway === null ? a.clientHost : `${a.clientHost ?? ""} (via ${a.clientGateway})`;
  return `<tr><td><a href="${escapeHtml(href)}">${vboTimeHtml(a.time) || escapeHtml(a.sessionId)}</a></td><td class="w"><strong>${escapeClipped(
    a.subject,
  )}</strong></td><td class="w">${escapeClipped(a.initiatedBy)}</td><td class="w">${escapeClipped(
    where,
  )}</td><td class="w">${escapeClipped(a.organization)}</td><td class="n">${escapeClipped(
    a.eventType,
    24,
  )}</td><td class="w">${escapeClipped(a.itemName ?? a.itemSource)}</td></tr>`;
}

/** Empty when nothing watched was accessed within the feed's retention. */
export function watchedSection(accesses: readonly WatchedAccessView[]): string {
  if (accesses.length === 0) return "";
  const feed = AUDIT_FEED_PATH.replace(/^\//, "");
  return `<h2>Watched data accessed</h2>
<p class="summary">The newest <strong>${accesses.length}</strong> restore events that touched a watched mailbox, user, group or site (VBO's audit items and the configuration's watchlist). All of them, as JSON: <a href="${escapeHtml(feed)}">${escapeHtml(feed)}</a>.</p>
${cardTable("watched", WATCHED_COLUMNS, accesses.map(row))}`;
}

export function watchedSectionStyle(): string {
  return cardLabels("watched", WATCHED_COLUMNS);
}
