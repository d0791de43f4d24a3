// The durable state (node:sqlite): sessions seen, events seen, metric counters and cursors, written
// in one transaction per batch together with every BatchSink (the log outbox).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Logger } from "../logger.ts";
import { organizationLabel, restoreTypeLabel, splitClientHost } from "../pipeline/labels.ts";
import type { RecentSession } from "../pipeline/status.ts";
import type { BatchSink, PollResult } from "../pipeline/types.ts";
import type { RestoreSession } from "../vbo/types.ts";
import {
  type BatchCounts,
  countBatch,
  type SessionLabels,
  sessionDurationSeconds,
} from "./counting.ts";
import { newerStateFile, stateDirFailure, unusableStateFile } from "./errors.ts";
import { openFailure } from "./open-failure.ts";
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from "./schema.ts";

export const STATE_FILE_NAME = "state.sqlite";

export interface LabelPolicy {
  /** Distinct client_host values admitted per server before overflow to "other". */
  readonly clientHostLimit: number;
  /** Count every session under client_host="" instead. */
  readonly dropClientHostLabel: boolean;
}

export interface ServerState {
  /** Every session started before this instant (epoch ms) has been committed; null before the first poll. */
  readonly cursorMs: number | null;
  /** Sessions committed while still running. */
  readonly runningSessionIds: readonly string[];
  /** When each of them started (epoch ms), by id. */
  readonly runningSince: ReadonlyMap<string, number>;
}

export interface CounterRow {
  readonly metric: string;
  readonly labels: readonly string[];
  readonly value: number;
}

export interface StateStore {
  readonly db: DatabaseSync;
  readonly file: string;
  /** Commits one batch atomically; returns what it added to the metrics. Throws (rolled back) on failure. */
  commitPoll(
    result: PollResult,
    sinks: readonly BatchSink[],
    policy?: LabelPolicy,
    cursorMs?: number,
  ): BatchCounts;
  serverState(server: string): ServerState;
  /**
   * Moves the cursor back to `ms` when it is later (it was set while VBO's clock ran ahead); true
   * when it moved. Moving back only makes the next poll read again what it already knows.
   */
  pullCursorBack(server: string, ms: number): boolean;
  /** Ids of the sessions of `ids` that are committed already. */
  knownSessionIds(server: string, ids: readonly string[]): Set<string>;
  /** Ids of the committed events of one session. */
  seenEventIds(server: string, sessionId: string): Set<string>;
  recentSessions(limit: number): RecentSession[];
  /** Stops tracking a running session the server no longer has (it is not counted as finished). */
  forgetRunning(server: string, sessionId: string): void;
  counterRows(): CounterRow[];
  /** Durations of every finished session, streamed row by row (memory does not grow with history). */
  durationRows(): Iterable<{ labels: [string, string, string]; seconds: number }>;
  lastSessionRows(): { labels: [string, string, string, string]; seconds: number }[];
  runningRows(): { labels: [string, string, string, string]; count: number }[];
  close(): void;
}

const DEFAULT_POLICY: LabelPolicy = { clientHostLimit: 500, dropClientHostLabel: false };
const LAST_TS_METRIC = "vbo_last_restore_session_timestamp_seconds";

function openDatabase(file: string): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (error) {
    throw openFailure(file, error, "open");
  }
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const names = new Set(tables.map((t) => t.name));
    if (names.size === 0) {
      db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('application', ?), ('schema_version', '0')",
      ).run(APPLICATION_ID);
    } else if (!names.has("meta")) {
      throw unusableStateFile(file, "is an SQLite database of another program");
    }
    const meta = db.prepare("SELECT key, value FROM meta").all() as {
      key: string;
      value: string;
    }[];
    const read = (key: string) => meta.find((m) => m.key === key)?.value;
    if (read("application") !== APPLICATION_ID)
      throw unusableStateFile(file, "is an SQLite database of another program");
    const version = Number(read("schema_version") ?? "NaN");
    if (!Number.isInteger(version) || version < 0)
      throw unusableStateFile(file, "has an unreadable schema version");
    if (version > SCHEMA_VERSION) throw newerStateFile(file, version, SCHEMA_VERSION);
    // A file the exporter may read but not write opens fine and fails only at the first commit:
    // this write that changes nothing finds it now.
    db.exec("UPDATE meta SET value = value WHERE 0");
    for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
      db.exec("BEGIN IMMEDIATE");
      try {
        db.exec(MIGRATIONS[next - 1] ?? "");
        db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(next));
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    }
    return db;
  } catch (error) {
    db.close();
    throw openFailure(file, error, "prepare");
  }
}

/** Opens (creating when missing) the state database in `dir`. */
export function openStateStore(options: { dir: string; logger?: Logger }): StateStore {
  try {
    mkdirSync(options.dir, { recursive: true });
  } catch (error) {
    throw stateDirFailure(options.dir, error);
  }
  const file = join(options.dir, STATE_FILE_NAME);
  const db = openDatabase(file);
  const statements = {
    insertSession: db.prepare(
      `INSERT INTO sessions (server, id, organization, restore_type, client_host, initiated_by, creation_ns, creation_text, end_text, state, result, finished, duration_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateSession: db.prepare(
      "UPDATE sessions SET end_text = ?, state = ?, result = ?, finished = ?, duration_seconds = ?, initiated_by = ? WHERE server = ? AND id = ?",
    ),
    sessionLabels: db.prepare(
      "SELECT organization, restore_type, client_host FROM sessions WHERE server = ? AND id = ?",
    ),
    sessionKnown: db.prepare("SELECT 1 AS known FROM sessions WHERE server = ? AND id = ?"),
    insertEvent: db.prepare(
      "INSERT OR IGNORE INTO seen_events (server, session_id, event_id) VALUES (?, ?, ?)",
    ),
    bumpEvents: db.prepare(
      "UPDATE sessions SET event_count = event_count + ? WHERE server = ? AND id = ?",
    ),
    seenEvents: db.prepare("SELECT event_id FROM seen_events WHERE server = ? AND session_id = ?"),
    // A finished session's events are never fetched again, so its event ids need not be kept:
    // the state file then grows by one row per session, not one per event.
    forgetEvents: db.prepare("DELETE FROM seen_events WHERE server = ? AND session_id = ?"),
    addCounter: db.prepare(
      "INSERT INTO counters (metric, labels, value) VALUES (?, ?, ?) ON CONFLICT (metric, labels) DO UPDATE SET value = value + excluded.value",
    ),
    maxCounter: db.prepare(
      "INSERT INTO counters (metric, labels, value) VALUES (?, ?, ?) ON CONFLICT (metric, labels) DO UPDATE SET value = max(value, excluded.value)",
    ),
    hostKnown: db.prepare("SELECT 1 AS known FROM client_hosts WHERE server = ? AND host = ?"),
    hostCount: db.prepare("SELECT count(*) AS n FROM client_hosts WHERE server = ?"),
    addHost: db.prepare("INSERT INTO client_hosts (server, host) VALUES (?, ?)"),
    cursor: db.prepare("SELECT cursor_ms FROM cursors WHERE server = ?"),
    setCursor: db.prepare(
      "INSERT INTO cursors (server, cursor_ms) VALUES (?, ?) ON CONFLICT (server) DO UPDATE SET cursor_ms = max(cursor_ms, excluded.cursor_ms)",
    ),
    pullCursorBack: db.prepare(
      "UPDATE cursors SET cursor_ms = ? WHERE server = ? AND cursor_ms > ?",
    ),
    running: db.prepare(
      "SELECT id, creation_ns / 1000000 AS creation_ms FROM sessions WHERE server = ? AND finished = 0",
    ),
  };

  let overflowed = 0;

  function clientHostLabel(server: string, raw: string | null, policy: LabelPolicy): string {
    if (policy.dropClientHostLabel) return "";
    const host = splitClientHost(raw).host;
    if (statements.hostKnown.get(server, host)) return host;
    const { n } = statements.hostCount.get(server) as { n: number };
    if (n < policy.clientHostLimit) {
      statements.addHost.run(server, host);
      return host;
    }
    overflowed++;
    return "other";
  }

  function insertSession(
    server: string,
    session: RestoreSession,
    policy: LabelPolicy,
  ): SessionLabels {
    const labels: SessionLabels = {
      organization: organizationLabel(session.organization),
      restoreType: restoreTypeLabel(session.type),
      clientHost: clientHostLabel(server, session.clientHost, policy),
    };
    statements.insertSession.run(
      server,
      session.id,
      labels.organization,
      labels.restoreType,
      labels.clientHost,
      session.initiatedBy,
      session.creationTime.ns,
      session.creationTime.text,
      session.endTime?.text ?? null,
      session.state,
      session.result,
      0,
      null,
    );
    return labels;
  }

  return {
    db,
    file,
    commitPoll(result, sinks, policy = DEFAULT_POLICY, cursorMs) {
      const server = result.server;
      overflowed = 0;
      db.exec("BEGIN IMMEDIATE");
      try {
        const labels = new Map<string, SessionLabels>();
        for (const session of result.newSessions) {
          if (statements.sessionKnown.get(server, session.id)) {
            throw new Error(`session ${session.id} of ${server} is already committed`);
          }
          labels.set(session.id, insertSession(server, session, policy));
        }
        const labelsOf = (id: string): SessionLabels => {
          const known = labels.get(id);
          if (known) return known;
          const row = statements.sessionLabels.get(server, id) as
            | { organization: string; restore_type: string; client_host: string }
            | undefined;
          if (!row) throw new Error(`session ${id} of ${server} is not committed`);
          const value = {
            organization: row.organization,
            restoreType: row.restore_type,
            clientHost: row.client_host,
          };
          labels.set(id, value);
          return value;
        };
        const finishedIds = new Set(result.finishedSessions.map((s) => s.id));
        for (const session of [
          ...result.updatedSessions,
          ...result.finishedSessions,
          ...result.newSessions,
        ]) {
          labelsOf(session.id);
          const finished = finishedIds.has(session.id) ? 1 : 0;
          statements.updateSession.run(
            session.endTime?.text ?? null,
            session.state,
            session.result,
            finished,
            finished ? sessionDurationSeconds(session) : null,
            session.initiatedBy,
            server,
            session.id,
          );
        }
        const perSession = new Map<string, number>();
        for (const { session, event } of result.newEvents) {
          labelsOf(session.id);
          const inserted = statements.insertEvent.run(server, session.id, event.id);
          if (Number(inserted.changes) !== 1)
            throw new Error(`event ${event.id} of session ${session.id} is already committed`);
          perSession.set(session.id, (perSession.get(session.id) ?? 0) + 1);
        }
        for (const [id, n] of perSession) statements.bumpEvents.run(n, server, id);
        for (const id of finishedIds) statements.forgetEvents.run(server, id);
        const batchCounts = countBatch(result, labelsOf);
        const counts: BatchCounts =
          overflowed === 0
            ? batchCounts
            : {
                ...batchCounts,
                counters: [
                  ...batchCounts.counters,
                  { metric: "vbo_client_host_overflow_total", labels: [server], value: overflowed },
                ],
              };
        for (const c of counts.counters)
          statements.addCounter.run(c.metric, JSON.stringify(c.labels), c.value);
        for (const l of counts.lastSessions)
          statements.maxCounter.run(LAST_TS_METRIC, JSON.stringify(l.labels), l.seconds);
        if (cursorMs !== undefined) statements.setCursor.run(server, Math.floor(cursorMs));
        for (const sink of sinks) sink.writeInTransaction(db, result);
        db.exec("COMMIT");
        return counts;
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      }
    },
    serverState(server) {
      const row = statements.cursor.get(server) as { cursor_ms: number } | undefined;
      const running = statements.running.all(server) as { id: string; creation_ms: number }[];
      return {
        cursorMs: row?.cursor_ms ?? null,
        runningSessionIds: running.map((r) => r.id),
        runningSince: new Map(running.map((r) => [r.id, r.creation_ms])),
      };
    },
    pullCursorBack(server, ms) {
      const to = Math.floor(ms);
      return Number(statements.pullCursorBack.run(to, server, to).changes) > 0;
    },
    knownSessionIds(server, ids) {
      const known = new Set<string>();
      for (const id of ids) if (statements.sessionKnown.get(server, id)) known.add(id);
      return known;
    },
    seenEventIds(server, sessionId) {
      const rows = statements.seenEvents.all(server, sessionId) as { event_id: string }[];
      return new Set(rows.map((r) => r.event_id));
    },
    recentSessions(limit) {
      const rows = db
        .prepare(
          `SELECT server, id, organization, restore_type, client_host, initiated_by, creation_text, end_text, state, result, event_count
           FROM sessions ORDER BY creation_ns DESC LIMIT ?`,
        )
        .all(Math.max(0, Math.floor(limit))) as {
        server: string;
        id: string;
        organization: string;
        restore_type: string;
        client_host: string;
        initiated_by: string | null;
        creation_text: string;
        end_text: string | null;
        state: string;
        result: string;
        event_count: number;
      }[];
      return rows.map((r) => ({
        server: r.server,
        id: r.id,
        organization: r.organization,
        restoreType: r.restore_type,
        clientHost: r.client_host,
        initiatedBy: r.initiated_by,
        creationTime: r.creation_text,
        endTime: r.end_text,
        state: r.state,
        result: r.result,
        eventCount: r.event_count,
      }));
    },
    forgetRunning(server, sessionId) {
      db.exec("BEGIN IMMEDIATE");
      try {
        db.prepare(
          "UPDATE sessions SET finished = 2 WHERE server = ? AND id = ? AND finished = 0",
        ).run(server, sessionId);
        statements.forgetEvents.run(server, sessionId);
        db.exec("COMMIT");
      } catch (error) {
        if (db.isTransaction) db.exec("ROLLBACK");
        throw error;
      }
    },
    counterRows() {
      const rows = db
        .prepare("SELECT metric, labels, value FROM counters WHERE metric != ?")
        .all(LAST_TS_METRIC) as {
        metric: string;
        labels: string;
        value: number;
      }[];
      return rows.map((r) => ({
        metric: r.metric,
        labels: JSON.parse(r.labels) as string[],
        value: r.value,
      }));
    },
    *durationRows() {
      const rows = db
        .prepare(
          "SELECT server, organization, restore_type, duration_seconds FROM sessions WHERE finished = 1 AND duration_seconds IS NOT NULL",
        )
        .iterate() as Iterable<{
        server: string;
        organization: string;
        restore_type: string;
        duration_seconds: number;
      }>;
      for (const r of rows)
        yield {
          labels: [r.server, r.organization, r.restore_type] as [string, string, string],
          seconds: r.duration_seconds,
        };
    },
    lastSessionRows() {
      const rows = db
        .prepare("SELECT labels, value FROM counters WHERE metric = ?")
        .all(LAST_TS_METRIC) as {
        labels: string;
        value: number;
      }[];
      return rows.map((r) => ({
        labels: JSON.parse(r.labels) as [string, string, string, string],
        seconds: r.value,
      }));
    },
    runningRows() {
      const rows = db
        .prepare(
          "SELECT server, organization, restore_type, client_host, count(*) AS n FROM sessions WHERE finished = 0 GROUP BY server, organization, restore_type, client_host",
        )
        .all() as {
        server: string;
        organization: string;
        restore_type: string;
        client_host: string;
        n: number;
      }[];
      return rows.map((r) => ({
        labels: [r.server, r.organization, r.restore_type, r.client_host],
        count: r.n,
      }));
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}

/** Stopped is final; Working, and the older Starting/Stopping or unknown states, are still running. */
export function isStopped(session: RestoreSession): boolean {
  return session.state.toLowerCase() === "stopped";
}
