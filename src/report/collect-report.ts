// Reads one organization's restore sessions of a period and their events from VBO and counts them
// into a report. Shared by the `report` command and the web's /reports; a record VBO sent that
// cannot be read is listed in the report, never a reason to fail it.
import type { Watchlist } from "../audit/watchlist.ts";
import { describeError, toReason } from "../errors.ts";
import { organizationLabel } from "../pipeline/labels.ts";
import type { RestoreEvent, VboClient } from "../vbo/types.ts";
import type { UnreadableRecord } from "../vbo/unreadable.ts";
import {
  assembleReport,
  type RestoreReport,
  type SessionSummary,
  summarizeSession,
} from "./restore-report.ts";

export type ReportReader = Pick<VboClient, "listRestoreSessions" | "listRestoreSessionEvents">;

export interface ReportRequest {
  readonly server: string;
  /** The organization's name as VBO sends it in sessions (the organization label). */
  readonly organization: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly watchlist?: Watchlist;
  /** Why VBO's audit items could not be read for the watchlist, when they could not. */
  readonly watchlistError?: string | null;
  readonly signal?: AbortSignal;
  /** Told after each session read (sessions read so far), for progress on long periods. */
  readonly onSession?: (read: number) => void;
  /**
   * At most this many sessions of the organization are read; one more fails the report with
   * ReportTooLarge (the web's bound on memory; the command reads any number).
   */
  readonly maxSessions?: number;
}

export class ReportTooLarge extends Error {
  override readonly name = "ReportTooLarge";
}

/** The organization a session's quarantined JSON names in its own field; null when it names none. */
function organizationOf(raw: string): string | null {
  try {
    const value = (JSON.parse(raw) as { organization?: unknown } | null)?.organization;
    return typeof value === "string" ? organizationLabel(value) : null;
  } catch {
    // Cut at MAX_RAW_CHARS: the first key of that name (VBO sends it before any nested object).
    const key = '"organization":';
    const at = raw.indexOf(key);
    if (at < 0) return null;
    const match = /^"(?:[^"\\]|\\.)*"/.exec(raw.slice(at + key.length));
    return match === null ? null : organizationLabel(JSON.parse(match[0]) as string);
  }
}

export async function collectReport(
  reader: ReportReader,
  request: ReportRequest,
): Promise<RestoreReport> {
  const watchlist =
    request.watchlist === undefined
      ? undefined
      : watchlistOf(request.watchlist, request.organization);
  const summaries: SessionSummary[] = [];
  const max = request.maxSessions ?? Number.POSITIVE_INFINITY;
  const unreadable: UnreadableRecord[] = [];
  const onUnreadable = (record: UnreadableRecord) => {
    unreadable.push(record);
  };
  // A session that cannot be read may be any organization's: it is listed when its organization
  // field is this one, so no other organization's record reaches this report (another's session
  // may name this organization elsewhere, e.g. as initiatedBy).
  const onUnreadableSession = (record: UnreadableRecord) => {
    if (organizationOf(record.raw) === request.organization) unreadable.push(record);
  };
  for await (const session of reader.listRestoreSessions(
    { startTimeFrom: new Date(request.fromMs), startTimeTo: new Date(request.toMs) },
    request.signal,
    onUnreadableSession,
  )) {
    if (organizationLabel(session.organization) !== request.organization) continue;
    if (summaries.length >= max)
      throw new ReportTooLarge(
        `the period has more than ${max} restore sessions of this organization`,
      );
    const events: RestoreEvent[] = [];
    try {
      for await (const event of reader.listRestoreSessionEvents(session.id, request.signal, {
        onUnreadable,
      }))
        events.push(event);
    } catch (error) {
      // VBO lists the session but not its events (seen on real servers): the session still counts.
      if (toReason(error) !== "not_found" || request.signal?.aborted) throw error;
      unreadable.push({
        kind: "event_list",
        recordId: null,
        sessionId: session.id,
        position: null,
        reason: "not_found",
        field: null,
        message: describeError(error),
        raw: "",
      });
    }
    // Only the summary is kept: the raw events of a long period would not fit in memory.
    summaries.push(summarizeSession(session, events, watchlist));
    request.onSession?.(summaries.length);
  }
  return assembleReport({
    server: request.server,
    organization: request.organization,
    fromMs: request.fromMs,
    toMs: request.toMs,
    summaries,
    unreadable,
    watchlistError: request.watchlistError ?? null,
    ...(watchlist === undefined ? {} : { watchlist }),
  });
}

/**
 * The subjects this organization's events can touch (its own and the local ones valid
 * everywhere), matched as watchedSubjectOf does: the report counts them, and how many subjects
 * other organizations watch is theirs.
 */
function watchlistOf(watchlist: Watchlist, organization: string): Watchlist {
  const own = organization.trim().toLowerCase();
  return {
    subjects: watchlist.subjects.filter(
      (s) => s.organization === null || s.organization.trim().toLowerCase() === own,
    ),
  };
}
