// The quarantine in the state: one row per record VBO sent that could not be read (kept with its
// scrubbed, bounded JSON, the reason and the field), until it reads well and is taken (resolved),
// or its session, ended on VBO, is finished without it after a grace (given up: kept, still open).
import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import type { UnreadableRecord } from "../vbo/unreadable.ts";

/** A quarantined record as the state keeps it. */
export interface QuarantineRow {
  readonly server: string;
  readonly kind: string;
  readonly key: string;
  readonly recordId: string | null;
  readonly sessionId: string | null;
  readonly reason: string;
  readonly field: string | null;
  readonly message: string;
  readonly raw: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly resolvedAtMs: number | null;
  /** Reads since its session was seen ended that still found it unreadable. */
  readonly endedReads: number;
  /** When a read first found it unreadable with its session ended (epoch ms); null before. */
  readonly endedSeenMs: number | null;
  /**
   * When its session was finished without it (epoch ms): it was never counted and is not read
   * again. The row stays open (resolvedAtMs null).
   */
  readonly givenUpAtMs: number | null;
}

/** How far a record still unreadable after its session ended is into its grace. */
export interface EndedGrace {
  readonly endedReads: number;
  readonly endedSeenMs: number;
}

/** Sessions finished without their unreadable records, per server (a counter's value). */
export interface GivenUpCount {
  readonly server: string;
  readonly sessions: number;
}

/** Rows quarantined per server, kind and reason (resolved ones included: a counter's value). */
export interface QuarantineCount {
  readonly server: string;
  readonly kind: string;
  readonly reason: string;
  readonly count: number;
}

export interface QuarantineTable {
  /** Keeps the record (inside the caller's transaction); true when it was not quarantined yet. */
  add(server: string, record: UnreadableRecord, nowMs: number): boolean;
  /**
   * Marks the open rows of the session (of `kinds`, default all: its events, its events list and
   * the session itself) resolved; returns how many.
   */
  resolveSession(
    server: string,
    sessionId: string,
    nowMs: number,
    kinds?: readonly string[],
  ): number;
  /**
   * Tells the records of one read of an ended session that were still unreadable (inside the
   * caller's transaction): each counts one more read since the session ended, the first one
   * setting when. Returns each one's grace so far (records not quarantined are left out).
   */
  readAfterEnd(server: string, records: readonly UnreadableRecord[], nowMs: number): EndedGrace[];
  /**
   * The session is finished without `records` (inside the caller's transaction): they are marked
   * given up and stay open; its other open rows (records that read well and were taken) are
   * resolved. Returns how many were given up.
   */
  giveUp(
    server: string,
    sessionId: string,
    records: readonly UnreadableRecord[],
    nowMs: number,
  ): number;
  /** Sessions finished without some of their records, per server (given up and still open). */
  givenUpCounts(): GivenUpCount[];
  /** The open rows of a server. */
  open(server: string): QuarantineRow[];
  /** Rows, newest first; only open ones unless `all`. */
  list(options: { server?: string | null; all?: boolean; limit: number }): QuarantineRow[];
  counts(): QuarantineCount[];
}

/** What identifies a record across polls: its id, or (without one) its place or its JSON. */
export function quarantineKey(record: UnreadableRecord): string {
  const hash = () => `#${createHash("sha256").update(record.raw).digest("hex").slice(0, 16)}`;
  if (record.kind === "event_list") return record.sessionId ?? hash();
  if (record.kind === "session") return record.recordId ?? hash();
  const at = record.recordId ?? (record.position === null ? hash() : `@${record.position}`);
  return `${record.sessionId ?? ""}/${at}`;
}

interface Row {
  server: string;
  kind: string;
  record_key: string;
  record_id: string | null;
  session_id: string | null;
  reason: string;
  field: string | null;
  message: string;
  raw: string;
  first_seen_ms: number;
  last_seen_ms: number;
  resolved_at_ms: number | null;
  ended_reads: number;
  ended_seen_ms: number | null;
  given_up_at_ms: number | null;
}

const toRow = (r: Row): QuarantineRow => ({
  server: r.server,
  kind: r.kind,
  key: r.record_key,
  recordId: r.record_id,
  sessionId: r.session_id,
  reason: r.reason,
  field: r.field,
  message: r.message,
  raw: r.raw,
  firstSeenMs: r.first_seen_ms,
  lastSeenMs: r.last_seen_ms,
  resolvedAtMs: r.resolved_at_ms,
  endedReads: Number(r.ended_reads),
  endedSeenMs: r.ended_seen_ms,
  givenUpAtMs: r.given_up_at_ms,
});

export function quarantineTable(db: DatabaseSync): QuarantineTable {
  const insert = db.prepare(
    `INSERT INTO quarantine (server, kind, record_key, record_id, session_id, reason, field, message, raw, first_seen_ms, last_seen_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const seenAgain = db.prepare(
    `UPDATE quarantine SET last_seen_ms = ?, reason = ?, field = ?, message = ?, raw = ?, resolved_at_ms = NULL
     WHERE server = ? AND kind = ? AND record_key = ?`,
  );
  // A record taken after all is no longer given up (a give-up whose commit did not happen).
  const resolve = db.prepare(
    `UPDATE quarantine SET resolved_at_ms = ?, given_up_at_ms = NULL
     WHERE server = ? AND session_id = ? AND resolved_at_ms IS NULL
       AND (? IS NULL OR kind IN (SELECT value FROM json_each(?)))`,
  );
  const readEnded = db.prepare(
    `UPDATE quarantine SET ended_reads = ended_reads + 1, ended_seen_ms = coalesce(ended_seen_ms, ?)
     WHERE server = ? AND kind = ? AND record_key = ? AND resolved_at_ms IS NULL
     RETURNING ended_reads, ended_seen_ms`,
  );
  const markGivenUp = db.prepare(
    `UPDATE quarantine SET given_up_at_ms = coalesce(given_up_at_ms, ?)
     WHERE server = ? AND kind = ? AND record_key = ? AND resolved_at_ms IS NULL`,
  );
  const resolveOthers = db.prepare(
    `UPDATE quarantine SET resolved_at_ms = ?, given_up_at_ms = NULL
     WHERE server = ? AND session_id = ? AND resolved_at_ms IS NULL
       AND kind || char(0) || record_key NOT IN (SELECT value FROM json_each(?))`,
  );
  const givenUp = db.prepare(
    `SELECT server, count(DISTINCT session_id) AS n FROM quarantine
     WHERE given_up_at_ms IS NOT NULL AND resolved_at_ms IS NULL GROUP BY server`,
  );
  const open = db.prepare(
    "SELECT * FROM quarantine WHERE server = ? AND resolved_at_ms IS NULL ORDER BY first_seen_ms",
  );
  const list = db.prepare(
    `SELECT * FROM quarantine WHERE (?1 IS NULL OR server = ?1) AND (?2 = 1 OR resolved_at_ms IS NULL)
     ORDER BY last_seen_ms DESC, server, kind, record_key LIMIT ?3`,
  );
  const counts = db.prepare(
    "SELECT server, kind, reason, count(*) AS n FROM quarantine GROUP BY server, kind, reason",
  );
  return {
    add(server, record, nowMs) {
      const key = quarantineKey(record);
      const added = insert.run(
        server,
        record.kind,
        key,
        record.recordId,
        record.sessionId,
        record.reason,
        record.field,
        record.message,
        record.raw,
        nowMs,
        nowMs,
      );
      if (Number(added.changes) > 0) return true;
      seenAgain.run(
        nowMs,
        record.reason,
        record.field,
        record.message,
        record.raw,
        server,
        record.kind,
        key,
      );
      return false;
    },
    readAfterEnd(server, records, nowMs) {
      const graces: EndedGrace[] = [];
      for (const record of records) {
        const row = readEnded.get(nowMs, server, record.kind, quarantineKey(record)) as
          | { ended_reads: number; ended_seen_ms: number }
          | undefined;
        if (row !== undefined)
          graces.push({ endedReads: Number(row.ended_reads), endedSeenMs: row.ended_seen_ms });
      }
      return graces;
    },
    giveUp(server, sessionId, records, nowMs) {
      let count = 0;
      for (const record of records)
        count += Number(markGivenUp.run(nowMs, server, record.kind, quarantineKey(record)).changes);
      const kept = JSON.stringify(records.map((r) => `${r.kind}\u0000${quarantineKey(r)}`));
      resolveOthers.run(nowMs, server, sessionId, kept);
      return count;
    },
    givenUpCounts: () =>
      (givenUp.all() as { server: string; n: number }[]).map((r) => ({
        server: r.server,
        sessions: Number(r.n),
      })),
    resolveSession: (server, sessionId, nowMs, kinds) => {
      const only = kinds === undefined ? null : JSON.stringify(kinds);
      return Number(resolve.run(nowMs, server, sessionId, only, only).changes);
    },
    open: (server) => (open.all(server) as unknown as Row[]).map(toRow),
    list: ({ server = null, all = false, limit }) =>
      (list.all(server, all ? 1 : 0, Math.max(0, Math.floor(limit))) as unknown as Row[]).map(
        toRow,
      ),
    counts: () =>
      (counts.all() as { server: string; kind: string; reason: string; n: number }[]).map((r) => ({
        server: r.server,
        kind: r.kind,
        reason: r.reason,
        count: Number(r.n),
      })),
  };
}
