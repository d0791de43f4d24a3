// The restore activity of one organization over a period, computed from its VBO sessions and
// their events: sessions by type, result and client host, initiators, items with sizes,
// failures, the busiest days and every session. Pure: the command reads VBO, this counts.
import { restoreTypeLabel, splitClientHost } from "../pipeline/labels.ts";
import type { RestoreEvent, RestoreSession } from "../vbo/types.ts";

export interface SessionWithEvents {
  readonly session: RestoreSession;
  readonly events: readonly RestoreEvent[];
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
    readonly events: number;
    readonly items: number;
    readonly itemBytes: number;
    readonly failedEvents: number;
  };
  readonly byType: readonly Count[];
  readonly byResult: readonly Count[];
  readonly byClientHost: readonly Count[];
  readonly initiators: readonly Count[];
  /** The ten days (UTC) with the most sessions, most first. */
  readonly busiestDays: readonly Count[];
  readonly items: readonly ReportItem[];
  readonly failures: readonly ReportFailure[];
  /** Every session of the period, oldest first. */
  readonly sessions: readonly ReportSession[];
}

/** An event about an item (lifecycle entries have type None and no item). */
function isItem(event: RestoreEvent): boolean {
  const type = event.type.trim().toLowerCase();
  return (type !== "" && type !== "none") || (event.itemName ?? "") !== "";
}

const failed = (status: string) => status.trim().toLowerCase() === "failed";

function counted(values: readonly string[], limit = Number.POSITIVE_INFINITY): Count[] {
  const map = new Map<string, number>();
  for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
  return [...map]
    .map(([value, sessions]) => ({ value, sessions }))
    .sort((a, b) => b.sessions - a.sessions || (a.value < b.value ? -1 : 1))
    .slice(0, limit);
}

const nsToIso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

export function buildReport(input: {
  readonly server: string;
  readonly organization: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly sessions: readonly SessionWithEvents[];
}): RestoreReport {
  const fromNs = BigInt(input.fromMs) * 1_000_000n;
  const toNs = BigInt(input.toMs) * 1_000_000n;
  const inPeriod = input.sessions
    .filter(({ session }) => {
      const ns = session.creationTime.ns;
      return ns >= fromNs && ns < toNs;
    })
    .sort((a, b) => (a.session.creationTime.ns < b.session.creationTime.ns ? -1 : 1));
  const items: ReportItem[] = [];
  const failures: ReportFailure[] = [];
  const sessions: ReportSession[] = [];
  let events = 0;
  let failedEvents = 0;
  for (const { session, events: list } of inPeriod) {
    const host = splitClientHost(session.clientHost).host;
    let sessionItems = 0;
    let sessionBytes = 0;
    events += list.length;
    if (failed(session.result))
      failures.push({
        sessionId: session.id,
        time: session.endTime?.text ?? session.creationTime.text,
        eventType: null,
        item: null,
        message: session.details ?? "the session failed",
      });
    for (const event of list) {
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
      sessionItems += 1;
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
    sessions.push({
      id: session.id,
      name: session.name,
      restoreType: restoreTypeLabel(session.type),
      start: session.creationTime.text,
      end: session.endTime?.text ?? null,
      result: session.result,
      initiatedBy: session.initiatedBy,
      clientHost: host,
      events: list.length,
      items: sessionItems,
      itemBytes: sessionBytes,
    });
  }
  return {
    server: input.server,
    organization: input.organization,
    from: new Date(input.fromMs).toISOString(),
    to: new Date(input.toMs).toISOString(),
    totals: {
      sessions: sessions.length,
      failedSessions: inPeriod.filter(({ session }) => failed(session.result)).length,
      events,
      items: items.length,
      itemBytes: items.reduce((sum, item) => sum + item.sizeBytes, 0),
      failedEvents,
    },
    byType: counted(sessions.map((s) => s.restoreType)),
    byResult: counted(sessions.map((s) => s.result || "unknown")),
    byClientHost: counted(sessions.map((s) => s.clientHost)),
    initiators: counted(sessions.map((s) => s.initiatedBy ?? "unknown")),
    busiestDays: counted(
      inPeriod.map(({ session }) => nsToIso(session.creationTime.ns).slice(0, 10)),
      10,
    ),
    items,
    failures,
    sessions,
  };
}
