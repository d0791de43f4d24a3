// One poll batch into the state tables, shaped by the batch: each session written once with its
// final values, event ids kept only for sessions still running, lookups in one query each, and one
// counter upsert per distinct row. Runs inside the caller's transaction.
import type { DatabaseSync } from "node:sqlite";
import {
  boundLabel,
  DEFAULT_LABEL_LIMITS,
  DEFAULT_LABEL_MAX_LENGTH,
  type LabelLimits,
  organizationLabel,
  restoreTypeLabel,
  splitClientHost,
} from "../pipeline/labels.ts";
import type { PollResult } from "../pipeline/types.ts";
import type { RestoreSession } from "../vbo/types.ts";
import {
  type BatchCounts,
  type CounterIncrement,
  countBatch,
  type SessionLabels,
  sessionDurationSeconds,
} from "./counting.ts";
import { labelGuards } from "./label-guard.ts";

export interface LabelPolicy {
  /** Distinct client_host values admitted per server before overflow to "other". */
  readonly clientHostLimit: number;
  /** Count every session under client_host="" instead. */
  readonly dropClientHostLabel: boolean;
  /** Most characters of a label value from VBO (see boundLabel); default 128. */
  readonly labelMaxLength?: number;
  /** Distinct values per server of each other label from VBO before overflow to "other". */
  readonly labelLimits?: LabelLimits;
}

export const LAST_TS_METRIC = "vbo_last_restore_session_timestamp_seconds";

export type CommitPoll = (
  result: PollResult,
  policy: LabelPolicy,
  cursorMs?: number,
) => BatchCounts;

/** `ids` as one bound parameter, for `IN (SELECT value FROM json_each(?))`. */
export const idList = (ids: Iterable<string>): string => JSON.stringify([...ids]);

/** The batch writer over `db` (its statements prepared once). */
export function pollCommitter(db: DatabaseSync): CommitPoll {
  const guards = labelGuards(db);
  const statements = {
    known: db.prepare(
      "SELECT id FROM sessions WHERE server = ? AND id IN (SELECT value FROM json_each(?))",
    ),
    labels: db.prepare(
      `SELECT id, organization, restore_type, client_host FROM sessions
       WHERE server = ? AND id IN (SELECT value FROM json_each(?))`,
    ),
    insertSession: db.prepare(
      `INSERT INTO sessions (server, id, organization, restore_type, client_host, initiated_by, creation_ns, creation_text, end_text, state, result, finished, event_count, duration_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateSession: db.prepare(
      `UPDATE sessions SET end_text = ?, state = ?, result = ?, finished = ?, duration_seconds = ?, initiated_by = ?, event_count = event_count + ?
       WHERE server = ? AND id = ?`,
    ),
    bumpEvents: db.prepare(
      "UPDATE sessions SET event_count = event_count + ? WHERE server = ? AND id = ?",
    ),
    insertEvent: db.prepare(
      "INSERT OR IGNORE INTO seen_events (server, session_id, event_id) VALUES (?, ?, ?)",
    ),
    // A finished session's events are never fetched again, so its event ids need not be kept:
    // the state file then grows by one row per session, not one per event.
    forgetEvents: db.prepare(
      "DELETE FROM seen_events WHERE server = ? AND session_id = ? RETURNING event_id",
    ),
    knownHosts: db.prepare(
      "SELECT host FROM client_hosts WHERE server = ? AND host IN (SELECT value FROM json_each(?))",
    ),
    hostCount: db.prepare("SELECT count(*) AS n FROM client_hosts WHERE server = ?"),
    addHost: db.prepare("INSERT INTO client_hosts (server, host) VALUES (?, ?)"),
    addCounter: db.prepare(
      "INSERT INTO counters (metric, labels, value) VALUES (?, ?, ?) ON CONFLICT (metric, labels) DO UPDATE SET value = value + excluded.value",
    ),
    maxCounter: db.prepare(
      "INSERT INTO counters (metric, labels, value) VALUES (?, ?, ?) ON CONFLICT (metric, labels) DO UPDATE SET value = max(value, excluded.value)",
    ),
    setCursor: db.prepare(
      "INSERT INTO cursors (server, cursor_ms) VALUES (?, ?) ON CONFLICT (server) DO UPDATE SET cursor_ms = max(cursor_ms, excluded.cursor_ms)",
    ),
  };

  /** client_host labels of the new sessions, in their order, admitting hosts up to the limit. */
  function clientHostLabels(
    server: string,
    sessions: readonly RestoreSession[],
    policy: LabelPolicy,
  ): { hosts: string[]; overflowed: number } {
    if (policy.dropClientHostLabel) return { hosts: sessions.map(() => ""), overflowed: 0 };
    const max = policy.labelMaxLength ?? DEFAULT_LABEL_MAX_LENGTH;
    const raw = sessions.map((s) => boundLabel(splitClientHost(s.clientHost).host, max));
    const known = new Set(
      (statements.knownHosts.all(server, idList(new Set(raw))) as { host: string }[]).map(
        (r) => r.host,
      ),
    );
    let count: number | null = null;
    let overflowed = 0;
    const hosts = raw.map((host) => {
      if (known.has(host)) return host;
      count ??= Number((statements.hostCount.get(server) as { n: number }).n);
      if (count < policy.clientHostLimit) {
        statements.addHost.run(server, host);
        known.add(host);
        count++;
        return host;
      }
      overflowed++;
      return "other";
    });
    return { hosts, overflowed };
  }

  return (result, policy, cursorMs) => {
    const server = result.server;
    const newIds = new Set(result.newSessions.map((s) => s.id));
    if (newIds.size !== result.newSessions.length)
      throw new Error(`a session of ${server} is twice in one batch`);
    for (const row of statements.known.all(server, idList(newIds)) as { id: string }[])
      throw new Error(`session ${row.id} of ${server} is already committed`);

    // Every session the batch touches, as last seen in it (a finished read wins).
    const finalRead = new Map<string, RestoreSession>();
    for (const s of result.newSessions) finalRead.set(s.id, s);
    for (const s of result.updatedSessions) finalRead.set(s.id, s);
    for (const s of result.finishedSessions) finalRead.set(s.id, s);
    const finishedIds = new Set(result.finishedSessions.map((s) => s.id));
    const eventsPerSession = new Map<string, string[]>();
    for (const { session, event } of result.newEvents) {
      const list = eventsPerSession.get(session.id);
      if (list) list.push(event.id);
      else eventsPerSession.set(session.id, [event.id]);
    }

    const labels = new Map<string, SessionLabels>();
    const max = policy.labelMaxLength ?? DEFAULT_LABEL_MAX_LENGTH;
    const guard = guards(server, policy.labelLimits ?? DEFAULT_LABEL_LIMITS);
    const { hosts, overflowed } = clientHostLabels(server, result.newSessions, policy);
    result.newSessions.forEach((s, i) => {
      labels.set(s.id, {
        organization: guard.admit(
          "organization",
          boundLabel(organizationLabel(s.organization), max),
        ),
        restoreType: guard.admit("restore_type", boundLabel(restoreTypeLabel(s.type), max)),
        clientHost: hosts[i] ?? "",
      });
    });
    const committed = new Set<string>();
    for (const id of [...finalRead.keys(), ...eventsPerSession.keys()])
      if (!newIds.has(id)) committed.add(id);
    if (committed.size > 0) {
      const rows = statements.labels.all(server, idList(committed)) as {
        id: string;
        organization: string;
        restore_type: string;
        client_host: string;
      }[];
      for (const r of rows)
        labels.set(r.id, {
          organization: r.organization,
          restoreType: r.restore_type,
          clientHost: r.client_host,
        });
      for (const id of committed)
        if (!labels.has(id)) throw new Error(`session ${id} of ${server} is not committed`);
    }

    // Event ids: kept for sessions still running after this batch, checked against what a
    // finishing session had (and then dropped with it).
    for (const [id, eventIds] of eventsPerSession) {
      if (finishedIds.has(id)) continue;
      for (const eventId of eventIds)
        if (Number(statements.insertEvent.run(server, id, eventId).changes) !== 1)
          throw new Error(`event ${eventId} of session ${id} is already committed`);
    }
    for (const id of finishedIds) {
      const seen = newIds.has(id)
        ? new Set<string>()
        : new Set(
            (statements.forgetEvents.all(server, id) as { event_id: string }[]).map(
              (r) => r.event_id,
            ),
          );
      for (const eventId of eventsPerSession.get(id) ?? []) {
        if (seen.has(eventId))
          throw new Error(`event ${eventId} of session ${id} is already committed`);
        seen.add(eventId);
      }
    }

    for (const [id, session] of finalRead) {
      const finished = finishedIds.has(id) ? 1 : 0;
      const duration = finished ? sessionDurationSeconds(session) : null;
      const eventCount = eventsPerSession.get(id)?.length ?? 0;
      if (newIds.has(id)) {
        const l = labels.get(id) as SessionLabels;
        statements.insertSession.run(
          server,
          id,
          l.organization,
          l.restoreType,
          l.clientHost,
          session.initiatedBy,
          session.creationTime.ns,
          session.creationTime.text,
          session.endTime?.text ?? null,
          session.state,
          session.result,
          finished,
          eventCount,
          duration,
        );
      } else {
        statements.updateSession.run(
          session.endTime?.text ?? null,
          session.state,
          session.result,
          finished,
          duration,
          session.initiatedBy,
          eventCount,
          server,
          id,
        );
      }
    }
    for (const [id, eventIds] of eventsPerSession)
      if (!finalRead.has(id)) statements.bumpEvents.run(eventIds.length, server, id);

    const batchCounts = countBatch(
      result,
      (id) => {
        const l = labels.get(id);
        if (!l) throw new Error(`session ${id} of ${server} is not committed`);
        return l;
      },
      max,
      guard.admit,
    );
    const overflow: CounterIncrement[] = [
      ...(overflowed === 0
        ? []
        : [
            {
              metric: "vbo_client_host_overflow_total" as const,
              labels: [server],
              value: overflowed,
            },
          ]),
      ...[...guard.overflowed()].map(([label, value]) => ({
        metric: "vbo_label_overflow_total" as const,
        labels: [server, label],
        value,
      })),
    ];
    const counts: BatchCounts =
      overflow.length === 0
        ? batchCounts
        : { ...batchCounts, counters: [...batchCounts.counters, ...overflow] };
    for (const c of counts.counters)
      statements.addCounter.run(c.metric, JSON.stringify(c.labels), c.value);
    for (const l of counts.lastSessions)
      statements.maxCounter.run(LAST_TS_METRIC, JSON.stringify(l.labels), l.seconds);
    if (cursorMs !== undefined) statements.setCursor.run(server, Math.floor(cursorMs));
    return counts;
  };
}
