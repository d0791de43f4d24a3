// The quarantine in the state: one row per record VBO sent that could not be read (kept with its
// scrubbed, bounded JSON, the reason and the field), until it reads well and is taken (resolved).
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
  const resolve = db.prepare(
    `UPDATE quarantine SET resolved_at_ms = ?
     WHERE server = ? AND session_id = ? AND resolved_at_ms IS NULL
       AND (? IS NULL OR kind IN (SELECT value FROM json_each(?)))`,
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
