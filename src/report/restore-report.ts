// The restore activity of one organization over a period, computed from its VBO sessions and
// their events: sessions by type, result and client host, initiators, items with sizes,
// failures, watched-data accesses, the busiest days and every session. Pure: the command reads
// VBO, this counts.
import { type Watchlist, watchedSubjectOf } from "../audit/watchlist.ts";
import { restoreTypeLabel, splitClientHost } from "../pipeline/labels.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";
import type { UnreadableKind, UnreadableReason, UnreadableRecord } from "../vbo/unreadable.ts";

/** Items by what was done to them (VBO's event type: Restore, Export, Send, Save, View, ...). */
export interface ActionCount {
  readonly action: string;
  readonly items: number;
  readonly bytes: number;
}

/** Events that touched one watched subject. */
export interface SubjectCount {
  readonly subject: string;
  readonly events: number;
}

export interface Count {
  readonly value: string;
  readonly sessions: number;
}

export interface ReportItem {
  readonly sessionId: string;
  readonly time: string;
  readonly eventType: string;
  readonly status: string;
  readonly name: string;
  readonly type: string | null;
  readonly sizeBytes: number;
}

/** An event that touched a subject of the watchlist (VBO's audit items and local entries). */
export interface ReportWatchedAccess {
  readonly sessionId: string;
  readonly time: string;
  /** The watched subject's label (UPN, group, site), as in vbo.audit.subject. */
  readonly subject: string;
  readonly eventType: string;
  readonly item: string | null;
  readonly initiatedBy: string | null;
  readonly clientHost: string;
}

/** A record VBO sent for the period that could not be read: not counted, listed instead. */
export interface ReportUnreadable {
  readonly kind: UnreadableKind;
  readonly sessionId: string | null;
  readonly recordId: string | null;
  readonly reason: UnreadableReason;
  readonly field: string | null;
  readonly message: string;
}

export interface ReportFailure {
  readonly sessionId: string;
  readonly time: string;
  /** The session itself failed (eventType null), or one of its events. */
  readonly eventType: string | null;
  readonly item: string | null;
  readonly message: string;
}

export interface ReportSession {
  readonly id: string;
  readonly name: string | null;
  readonly restoreType: string;
  readonly start: string;
  readonly end: string | null;
  readonly result: string;
  readonly initiatedBy: string | null;
  readonly clientHost: string;
  readonly events: number;
  readonly items: number;
  readonly itemBytes: number;
}

export interface RestoreReport {
  readonly server: string;
  readonly organization: string;
  /** ISO 8601, the period [from, to). */
  readonly from: string;
  readonly to: string;
  readonly totals: {
    readonly sessions: number;
    readonly failedSessions: number;
    /** Sessions still running when the report was made (result "Running": not final yet). */
    readonly runningSessions: number;
    readonly events: number;
    readonly items: number;
    readonly itemBytes: number;
    readonly failedEvents: number;
    /** Events that touched a watched subject. */
    readonly watchedEvents: number;
    /** Records VBO sent that could not be read (not in the other counts; see `unreadable`). */
    readonly unreadableRecords: number;
  };
  readonly byType: readonly Count[];
  readonly byResult: readonly Count[];
  readonly byClientHost: readonly Count[];
  readonly initiators: readonly Count[];
  /** The ten days (UTC) with the most sessions, most first. */
  /** Items by action, most items first. */
  readonly itemsByAction: readonly ActionCount[];
  readonly busiestDays: readonly Count[];
  /** Sessions per day (UTC) of every day of the period with sessions, in date order. */
  readonly byDay: readonly Count[];
  readonly items: readonly ReportItem[];
  readonly failures: readonly ReportFailure[];
  /** Events that touched a watched subject, oldest first (the watchlist as it was at report time). */
  readonly watched: readonly ReportWatchedAccess[];
  /** Watched events per subject, most first. */
  readonly watchedBySubject: readonly SubjectCount[];
  readonly unreadable: readonly ReportUnreadable[];
  /** How many subjects the watchlist had when the report was made (0: none configured). */
  readonly watchlistSubjects: number;
  /** Why VBO's audit items could not be read (only local entries were checked); null when read. */
  readonly watchlistError: string | null;
  /** Every session of the period, oldest first. */
  readonly sessions: readonly ReportSession[];
}

/** An event about an item (lifecycle entries have type None and no item). */
function isItem(event: RestoreEvent): boolean {
  const type = event.type.trim().toLowerCase();
  return (type !== "" && type !== "none") || (event.itemName ?? "") !== "";
}

const failed = (status: string) => status.trim().toLowerCase() === "failed";

/** VBO's result of a session still running is interim ("Success" while it works): not final. */
const stopped = (session: RestoreSession) => session.state.trim().toLowerCase() === "stopped";

/** The result a report counts: VBO's for an ended session, "Running" for one still running. */
export const RUNNING_RESULT = "Running";

function counted(values: readonly string[], limit = Number.POSITIVE_INFINITY): Count[] {
  const map = new Map<string, number>();
  for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
  return [...map]
    .map(([value, sessions]) => ({ value, sessions }))
    .sort((a, b) => b.sessions - a.sessions || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

function byAction(items: readonly ReportItem[]): ActionCount[] {
  const map = new Map<string, { items: number; bytes: number }>();
  for (const item of items) {
    const entry = map.get(item.eventType) ?? { items: 0, bytes: 0 };
    entry.items += 1;
    entry.bytes += item.sizeBytes;
    map.set(item.eventType, entry);
  }
  return [...map]
    .map(([action, c]) => ({ action, items: c.items, bytes: c.bytes }))
    .sort((a, b) => b.items - a.items || (a.action < b.action ? -1 : 1));
}

const nsToIso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

/** One session of the period as the report keeps it: its row and what its events contributed. */
export interface SessionSummary {
  readonly creationNs: bigint;
  readonly failed: boolean;
  /** Still running on VBO when it was read: its result is not final. */
  readonly running: boolean;
  readonly row: ReportSession;
  readonly items: readonly ReportItem[];
  readonly failures: readonly ReportFailure[];
  readonly watched: readonly ReportWatchedAccess[];
  readonly failedEvents: number;
}

/**
 * A session and its events reduced to what the report shows, so a long period's raw events need
 * not be held until the end (the collector summarizes each session as it is read).
 */
export function summarizeSession(
  session: RestoreSession,
  list: readonly RestoreEvent[],
  watchlist: Watchlist = { subjects: [] },
): SessionSummary {
  const host = splitClientHost(session.clientHost).host;
  const items: ReportItem[] = [];
  const failures: ReportFailure[] = [];
  const watched: ReportWatchedAccess[] = [];
  let sessionBytes = 0;
  let failedEvents = 0;
  const ended = stopped(session);
  if (ended && failed(session.result))
    failures.push({
      sessionId: session.id,
      time: session.endTime?.text ?? session.creationTime.text,
      eventType: null,
      item: null,
      message: session.details ?? "the session failed",
    });
  for (const event of list) {
    const subject =
      watchlist.subjects.length === 0
        ? null
        : watchedSubjectOf(watchlist, {
            sessionType: session.type,
            organization: session.organization,
            source: event.source,
            userId: event.userId,
            groupId: event.groupId,
            siteId: event.siteId,
          });
    if (subject !== null)
      watched.push({
        sessionId: session.id,
        time: event.startTime.text,
        subject: subject.label,
        eventType: event.type,
        item: event.itemName,
        initiatedBy: session.initiatedBy,
        clientHost: host,
      });
    if (failed(event.status)) {
      failedEvents += 1;
      failures.push({
        sessionId: session.id,
        time: event.startTime.text,
        eventType: event.type,
        item: event.itemName,
        message: event.message,
      });
    }
    if (!isItem(event)) continue;
    sessionBytes += event.itemSizeBytes;
    items.push({
      sessionId: session.id,
      time: event.startTime.text,
      eventType: event.type,
      status: event.status,
      name: event.itemName ?? "",
      type: event.itemType,
      sizeBytes: event.itemSizeBytes,
    });
  }
  return {
    creationNs: session.creationTime.ns,
    failed: ended && failed(session.result),
    running: !ended,
    row: {
      id: session.id,
      name: session.name,
      restoreType: restoreTypeLabel(session.type),
      start: session.creationTime.text,
      end: session.endTime?.text ?? null,
      result: ended ? session.result : RUNNING_RESULT,
      initiatedBy: session.initiatedBy,
      clientHost: host,
      events: list.length,
      items: items.length,
      itemBytes: sessionBytes,
    },
    items,
    failures,
    watched,
    failedEvents,
  };
}

interface ReportFrame {
  readonly server: string;
  readonly organization: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The server's watchlist at report time; absent: nothing is watched. */
  readonly watchlist?: Watchlist;
  /** Records the listings passed over (a session, an event or a session's events list). */
  readonly unreadable?: readonly UnreadableRecord[];
  readonly watchlistError?: string | null;
}

/** The report of the period from its sessions' summaries (those outside the period left out). */
export function assembleReport(
  input: ReportFrame & { readonly summaries: readonly SessionSummary[] },
): RestoreReport {
  const watchlist = input.watchlist ?? { subjects: [] };
  const unreadable: ReportUnreadable[] = (input.unreadable ?? []).map((r) => ({
    kind: r.kind,
    sessionId: r.sessionId,
    recordId: r.recordId,
    reason: r.reason,
    field: r.field,
    message: r.message,
  }));
  const fromNs = BigInt(input.fromMs) * 1_000_000n;
  const toNs = BigInt(input.toMs) * 1_000_000n;
  const inPeriod = input.summaries
    .filter((s) => s.creationNs >= fromNs && s.creationNs < toNs)
    .sort((a, b) => (a.creationNs < b.creationNs ? -1 : a.creationNs > b.creationNs ? 1 : 0));
  const items = inPeriod.flatMap((s) => s.items);
  const failures = inPeriod.flatMap((s) => s.failures);
  const watched = inPeriod.flatMap((s) => s.watched);
  const sessions = inPeriod.map((s) => s.row);
  const days = inPeriod.map((s) => nsToIso(s.creationNs).slice(0, 10));
  return {
    server: input.server,
    organization: input.organization,
    from: new Date(input.fromMs).toISOString(),
    to: new Date(input.toMs).toISOString(),
    totals: {
      sessions: sessions.length,
      failedSessions: inPeriod.filter((s) => s.failed).length,
      runningSessions: inPeriod.filter((s) => s.running).length,
      events: sessions.reduce((sum, s) => sum + s.events, 0),
      items: items.length,
      itemBytes: items.reduce((sum, item) => sum + item.sizeBytes, 0),
      failedEvents: inPeriod.reduce((sum, s) => sum + s.failedEvents, 0),
      watchedEvents: watched.length,
      unreadableRecords: unreadable.length,
    },
    byType: counted(sessions.map((s) => s.restoreType)),
    byResult: counted(sessions.map((s) => s.result || "unknown")),
    byClientHost: counted(sessions.map((s) => s.clientHost)),
    initiators: counted(sessions.map((s) => s.initiatedBy ?? "unknown")),
    busiestDays: counted(days, 10),
    itemsByAction: byAction(items),
    byDay: counted(days).sort((a, b) => (a.value < b.value ? -1 : 1)),
    items,
    failures,
    watched,
    watchedBySubject: counted(watched.map((w) => w.subject)).map((c) => ({
      subject: c.value,
      events: c.sessions,
    })),
    unreadable,
    watchlistSubjects: watchlist.subjects.length,
    watchlistError: input.watchlistError ?? null,
    sessions,
  };
}
