// The durable state (node:sqlite): sessions seen, events seen, metric counters, cursors, the log
// outbox's tables and the quarantine. The store owns the only connection; everything is written
// through transaction(fn), and commitPoll writes one poll batch together with every BatchSink (the
// log outbox) in one.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describeError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RecentSession } from "../pipeline/status.ts";
import type { BatchSink, PollResult } from "../pipeline/types.ts";
import type { RestoreSession } from "../vbo/types.ts";
import {
  type CommitPoll,
  idList,
  LAST_TS_METRIC,
  type LabelPolicy,
  pollCommitter,
} from "./commit-poll.ts";
import type { BatchCounts } from "./counting.ts";
import { openDatabase } from "./database.ts";
import { stateDirFailure } from "./errors.ts";
import { type OutboxReads, outboxTables } from "./outbox-tables.ts";
import { type QuarantineTable, quarantineTable } from "./quarantine-table.ts";
import { type Transact, transactor } from "./transaction.ts";
import { type WatchedAccess, watchedAccessTable } from "./watched-accesses.ts";

export type { LabelPolicy } from "./commit-poll.ts";
export type { StateTransaction } from "./transaction.ts";

export const STATE_FILE_NAME = "state.sqlite";

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
  readonly file: string;
  /**
   * Runs `work` in one transaction (synchronously: node:sqlite is) and returns what it returned;
   * a throw rolls everything back. The only way to write the database.
   */
  readonly transaction: Transact;
  /** The log outbox's pending chunks and dead letters, read outside a transaction. */
  readonly outbox: OutboxReads;
  /** Records VBO sent that could not be read (each write its own transaction). */
  readonly quarantine: QuarantineTable;
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
  /** Ids of the committed events of each of `sessionIds` (one query), by session id. */
  seenEventIdsOf(server: string, sessionIds: readonly string[]): Map<string, Set<string>>;
  /** The newest sessions, newest first; with `organizations`, only theirs. */
  recentSessions(limit: number, organizations?: readonly string[]): RecentSession[];
  /** Stops tracking a running session the server no longer has (it is not counted as finished). */
  forgetRunning(server: string, sessionId: string): void;
  counterRows(): CounterRow[];
  /** Durations of every finished session, streamed row by row (memory does not grow with history). */
  durationRows(): Iterable<{ labels: [string, string, string]; seconds: number }>;
  lastSessionRows(): { labels: [string, string, string, string]; seconds: number }[];
  runningRows(): { labels: [string, string, string, string]; count: number }[];
  /** Watched accesses after the cursor `since` (0: from the oldest kept), oldest first. */
  watchedAccesses(since: number, limit: number): WatchedAccess[];
  /** The newest watched accesses, newest first (the landing page's list). */
  latestWatchedAccesses(limit: number): WatchedAccess[];
  /** Forgets watched accesses observed before `beforeMs` (the feed's retention); returns how many. */
  pruneWatchedAccesses(beforeMs: number): number;
  /** Sessions and events committed, over every server. */
  totals(): { sessions: number; events: number };
  /** Bytes of the database file in use, after a checkpoint (free pages are reused, not counted). */
  bytesInUse(): number;
  close(): void;
}

const DEFAULT_POLICY: LabelPolicy = { clientHostLimit: 500, dropClientHostLabel: false };

/** Opens (creating when missing) the state database in `dir`. */
export function openStateStore(options: { dir: string; logger?: Logger }): StateStore {
  try {
    mkdirSync(options.dir, { recursive: true });
  } catch (error) {
    throw stateDirFailure(options.dir, error);
  }
  const file = join(options.dir, STATE_FILE_NAME);
  const db = openDatabase(file);
  const outbox = outboxTables(db);
  const transaction = transactor(db, outbox, (error) =>
    options.logger?.error({ err: describeError(error) }, "an after-commit step failed"),
  );
  const commit: CommitPoll = pollCommitter(db);
  const accesses = watchedAccessTable(db);
  const quarantined = quarantineTable(db);
  const quarantine: QuarantineTable = {
    ...quarantined,
    add: (server, record, nowMs) => transaction(() => quarantined.add(server, record, nowMs)),
    resolveSession: (server, id, nowMs, kinds) =>
      transaction(() => quarantined.resolveSession(server, id, nowMs, kinds)),
    readAfterEnd: (server, records, nowMs) =>
      transaction(() => quarantined.readAfterEnd(server, records, nowMs)),
    giveUp: (server, id, records, nowMs) =>
      transaction(() => quarantined.giveUp(server, id, records, nowMs)),
  };
  const statements = {
    sessionKnown: db.prepare(
      "SELECT id FROM sessions WHERE server = ? AND id IN (SELECT value FROM json_each(?))",
    ),
    seenEvents: db.prepare("SELECT event_id FROM seen_events WHERE server = ? AND session_id = ?"),
    seenEventsOf: db.prepare(
      "SELECT session_id, event_id FROM seen_events WHERE server = ? AND session_id IN (SELECT value FROM json_each(?))",
    ),
    forgetRunning: db.prepare(
      "UPDATE sessions SET finished = 2 WHERE server = ? AND id = ? AND finished = 0",
    ),
    forgetEvents: db.prepare("DELETE FROM seen_events WHERE server = ? AND session_id = ?"),
    cursor: db.prepare("SELECT cursor_ms FROM cursors WHERE server = ?"),
    pullCursorBack: db.prepare(
      "UPDATE cursors SET cursor_ms = ? WHERE server = ? AND cursor_ms > ?",
    ),
    running: db.prepare(
      "SELECT id, creation_ns / 1000000 AS creation_ms FROM sessions WHERE server = ? AND finished = 0",
    ),
    recent: db.prepare(
      `SELECT server, id, organization, restore_type, client_host, initiated_by, creation_text, end_text, state, result, event_count
       FROM sessions ORDER BY creation_ns DESC LIMIT ?`,
    ),
    recentOf: db.prepare(
      `SELECT server, id, organization, restore_type, client_host, initiated_by, creation_text, end_text, state, result, event_count
       FROM sessions WHERE organization IN (SELECT value FROM json_each(?)) ORDER BY creation_ns DESC LIMIT ?`,
    ),
    counters: db.prepare("SELECT metric, labels, value FROM counters WHERE metric != ?"),
    durations: db.prepare(
      "SELECT server, organization, restore_type, duration_seconds FROM sessions WHERE finished = 1 AND duration_seconds IS NOT NULL",
    ),
    lastSessions: db.prepare("SELECT labels, value FROM counters WHERE metric = ?"),
    runningRows: db.prepare(
      "SELECT server, organization, restore_type, client_host, count(*) AS n FROM sessions WHERE finished = 0 GROUP BY server, organization, restore_type, client_host",
    ),
    totals: db.prepare(
      "SELECT count(*) AS sessions, coalesce(sum(event_count), 0) AS events FROM sessions",
    ),
  };
  const pragma = (name: string): number =>
    Number(Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);

  return {
    file,
    transaction,
    outbox,
    quarantine,
    commitPoll(result, sinks, policy = DEFAULT_POLICY, cursorMs) {
      return transaction((tx) => {
        const counts = commit(result, policy, cursorMs);
        accesses.insert(result);
        for (const sink of sinks) sink.writeInTransaction(tx, result);
        return counts;
      });
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
      const rows = statements.sessionKnown.all(server, idList(ids)) as { id: string }[];
      return new Set(rows.map((r) => r.id));
    },
    seenEventIds(server, sessionId) {
      const rows = statements.seenEvents.all(server, sessionId) as { event_id: string }[];
      return new Set(rows.map((r) => r.event_id));
    },
    seenEventIdsOf(server, sessionIds) {
      const out = new Map<string, Set<string>>(sessionIds.map((id) => [id, new Set<string>()]));
      const rows = statements.seenEventsOf.all(server, idList(sessionIds)) as {
        session_id: string;
        event_id: string;
      }[];
      for (const r of rows) out.get(r.session_id)?.add(r.event_id);
      return out;
    },
    watchedAccesses: (since, limit) => accesses.list(since, limit),
    latestWatchedAccesses: (limit) => accesses.latest(limit),
    pruneWatchedAccesses: (beforeMs) => transaction(() => accesses.prune(beforeMs)),
    recentSessions(limit, organizations) {
      const n = Math.max(0, Math.floor(limit));
      const rows = (
        organizations === undefined
          ? statements.recent.all(n)
          : statements.recentOf.all(JSON.stringify(organizations), n)
      ) as {
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
      transaction(() => {
        statements.forgetRunning.run(server, sessionId);
        statements.forgetEvents.run(server, sessionId);
      });
    },
    counterRows() {
      const rows = statements.counters.all(LAST_TS_METRIC) as {
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
      const rows = statements.durations.iterate() as Iterable<{
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
      const rows = statements.lastSessions.all(LAST_TS_METRIC) as {
        labels: string;
        value: number;
      }[];
      return rows.map((r) => ({
        labels: JSON.parse(r.labels) as [string, string, string, string],
        seconds: r.value,
      }));
    },
    runningRows() {
      const rows = statements.runningRows.all() as {
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
    totals() {
      const row = statements.totals.get() as { sessions: number; events: number };
      return { sessions: Number(row.sessions), events: Number(row.events) };
    },
    bytesInUse() {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
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
