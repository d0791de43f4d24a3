// The durable log outbox and dead-letter table in the state store's SQLite database.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { OutboxFullError } from "./errors.ts";
import { encodeStoredRecord } from "./record-codec.ts";
import type { LogRecord } from "./records.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  record_key TEXT NOT NULL UNIQUE,
  server TEXT NOT NULL,
  time_unix_nano INTEGER NOT NULL,
  enqueued_at_ms INTEGER NOT NULL,
  size_bytes INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_outbox_drain_order ON log_outbox (time_unix_nano, id);
CREATE TABLE IF NOT EXISTS log_dead_letter (
  id INTEGER PRIMARY KEY,
  record_key TEXT NOT NULL,
  server TEXT NOT NULL,
  time_unix_nano INTEGER NOT NULL,
  enqueued_at_ms INTEGER NOT NULL,
  record TEXT NOT NULL,
  reason TEXT NOT NULL,
  status INTEGER,
  message TEXT NOT NULL,
  dead_lettered_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_dead_letter_reason ON log_dead_letter (reason, id);
`;

/** One pending record as the sender reads it. */
export interface OutboxEntry {
  readonly id: number;
  readonly record: string;
  readonly sizeBytes: number;
}

export interface DeadLetterEntry {
  readonly id: number;
  readonly recordKey: string;
  readonly server: string;
  readonly record: string;
  readonly reason: string;
  readonly status: number | null;
  readonly message: string;
  readonly deadLetteredAtMs: number;
}

export interface Outbox {
  /** Inserts records (synchronously, inside the caller's transaction); returns how many were new. */
  enqueue(db: DatabaseSync, records: readonly LogRecord[], nowMs: number): number;
  /** Oldest-first (record timestamp, then insertion order), bounded by count and bytes (≥ 1 record). */
  nextBatch(maxRecords: number, maxBytes: number): OutboxEntry[];
  /** Removes acknowledged records. */
  remove(ids: readonly number[]): void;
  /** Moves records to the dead-letter table with the reason, atomically. */
  deadLetter(
    ids: readonly number[],
    reason: string,
    status: number | null,
    message: string,
    nowMs: number,
  ): void;
  pendingCount(): number;
  /** Enqueue time of the oldest pending record (insertion order), or null when empty. */
  oldestEnqueuedAtMs(): number | null;
  deadLetterCount(): number;
  listDeadLetters(limit: number): DeadLetterEntry[];
  /** Moves dead letters (all, or those with one reason) back into the outbox; returns how many. */
  replayDeadLetters(reason: string | null, nowMs: number): number;
}

const utf8 = new TextEncoder();

function inTransaction(db: DatabaseSync, work: () => void): void {
  if (db.isTransaction) {
    work();
    return;
  }
  db.exec("BEGIN IMMEDIATE");
  try {
    work();
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function placeholders(count: number): string {
  return new Array(count).fill("?").join(",");
}

/** Creates the tables when missing and returns the outbox over them. */
export function openOutbox(db: DatabaseSync, maxRecords: number): Outbox {
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO log_outbox (record_key, server, time_unix_nano, enqueued_at_ms, size_bytes, record)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const count = db.prepare("SELECT count(*) AS n FROM log_outbox");
  const oldest = db.prepare("SELECT enqueued_at_ms AS t FROM log_outbox ORDER BY id LIMIT 1");
  const batch = db.prepare(
    "SELECT id, record, size_bytes FROM log_outbox ORDER BY time_unix_nano, id LIMIT ?",
  );
  const deadCount = db.prepare("SELECT count(*) AS n FROM log_dead_letter");
  const deadList = db.prepare(
    `SELECT id, record_key, server, record, reason, status, message, dead_lettered_at_ms
     FROM log_dead_letter ORDER BY id LIMIT ?`,
  );
  const replayAll = db.prepare(
    `INSERT OR IGNORE INTO log_outbox (record_key, server, time_unix_nano, enqueued_at_ms, size_bytes, record)
     SELECT record_key, server, time_unix_nano, ?2, length(CAST(record AS BLOB)), record
     FROM log_dead_letter WHERE ?1 IS NULL OR reason = ?1 ORDER BY id`,
  );
  const deleteDead = db.prepare("DELETE FROM log_dead_letter WHERE ?1 IS NULL OR reason = ?1");
  const byIds = new Map<string, StatementSync>();
  const prepared = (sql: string): StatementSync => {
    let statement = byIds.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      byIds.set(sql, statement);
    }
    return statement;
  };
  const pendingCount = (): number => Number((count.get() as { n: number }).n);

  return {
    enqueue(txDb, records, nowMs) {
      if (records.length === 0) return 0;
      const target = txDb === db ? insert : txDb.prepare(insert.sourceSQL);
      const pending = pendingCount();
      // A soft cap: a batch is refused only when the outbox is already full, so a single poll
      // larger than the cap (a first-start lookback) cannot wedge the pipeline for ever.
      if (pending >= maxRecords) throw new OutboxFullError(pending, maxRecords);
      let added = 0;
      for (const record of records) {
        const text = encodeStoredRecord(record);
        const result = target.run(
          record.key,
          record.server,
          record.timeUnixNano,
          nowMs,
          utf8.encode(text).length,
          text,
        );
        added += Number(result.changes);
      }
      return added;
    },
    nextBatch(maxRecords_, maxBytes) {
      const rows = batch.all(Math.max(1, maxRecords_)) as {
        id: number;
        record: string;
        size_bytes: number;
      }[];
      const out: OutboxEntry[] = [];
      let bytes = 0;
      for (const row of rows) {
        if (out.length > 0 && bytes + row.size_bytes > maxBytes) break;
        bytes += row.size_bytes;
        out.push({ id: Number(row.id), record: row.record, sizeBytes: Number(row.size_bytes) });
      }
      return out;
    },
    remove(ids) {
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        prepared(`DELETE FROM log_outbox WHERE id IN (${placeholders(chunk.length)})`).run(
          ...chunk,
        );
      }
    },
    deadLetter(ids, reason, status, message, nowMs) {
      inTransaction(db, () => {
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500);
          const list = placeholders(chunk.length);
          prepared(
            `INSERT OR REPLACE INTO log_dead_letter
             (id, record_key, server, time_unix_nano, enqueued_at_ms, record, reason, status, message, dead_lettered_at_ms)
             SELECT id, record_key, server, time_unix_nano, enqueued_at_ms, record, ?, ?, ?, ?
             FROM log_outbox WHERE id IN (${list})`,
          ).run(reason, status, message, nowMs, ...chunk);
          prepared(`DELETE FROM log_outbox WHERE id IN (${list})`).run(...chunk);
        }
      });
    },
    pendingCount,
    oldestEnqueuedAtMs() {
      const row = oldest.get() as { t: number } | undefined;
      return row === undefined ? null : Number(row.t);
    },
    deadLetterCount() {
      return Number((deadCount.get() as { n: number }).n);
    },
    listDeadLetters(limit) {
      const rows = deadList.all(limit) as {
        id: number;
        record_key: string;
        server: string;
        record: string;
        reason: string;
        status: number | null;
        message: string;
        dead_lettered_at_ms: number;
      }[];
      return rows.map((row) => ({
        id: Number(row.id),
        recordKey: row.record_key,
        server: row.server,
        record: row.record,
        reason: row.reason,
        status: row.status === null ? null : Number(row.status),
        message: row.message,
        deadLetteredAtMs: Number(row.dead_lettered_at_ms),
      }));
    },
    replayDeadLetters(reason, nowMs) {
      let moved = 0;
      inTransaction(db, () => {
        moved = Number(replayAll.run(reason, nowMs).changes);
        deleteDead.run(reason);
      });
      return moved;
    },
  };
}
