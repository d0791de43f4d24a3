// The log outbox's rows in the state database: chunks (encoded requests, per destination) and dead
// letters (one refused record each), with the counter row that keeps their totals.
import type { DatabaseSync } from "node:sqlite";
import { STORED_RECORDS_CONTENT_TYPE } from "./schema.ts";

/** One pending chunk as the sender reads it. */
export interface StoredChunk {
  readonly id: number;
  readonly destination: string;
  /** Earliest and latest record time of the chunk, in whole milliseconds since the epoch. */
  readonly oldestMs: number;
  readonly newestMs: number;
  readonly recordCount: number;
  readonly enqueuedAtMs: number;
  readonly contentType: string;
  /** "gzip", or "" for none. */
  readonly contentEncoding: string;
  readonly body: Uint8Array;
}

export interface NewChunk {
  readonly destination: string;
  /** Earliest and latest record time (nanoseconds since the epoch). */
  readonly oldestNs: bigint;
  readonly newestNs: bigint;
  readonly recordCount: number;
  readonly contentType: string;
  readonly contentEncoding: string;
  readonly body: Uint8Array;
}

export interface NewDeadLetter {
  readonly destination: string;
  readonly recordKey: string;
  readonly server: string;
  readonly timeUnixNano: bigint;
  /** The record in its stored form (record-codec JSON), or what could be kept of it. */
  readonly record: string;
  readonly reason: string;
  readonly status: number | null;
  readonly message: string;
}

export interface DeadLetterEntry {
  readonly id: number;
  /** The Loki tenant (outbox destination) the record was going to, and goes to again on replay. */
  readonly destination: string;
  readonly recordKey: string;
  readonly server: string;
  readonly record: string;
  readonly reason: string;
  readonly status: number | null;
  readonly message: string;
  readonly deadLetteredAtMs: number;
}

/** One destination's share of the outbox and the dead letters. */
export interface DestinationCounts {
  readonly destination: string;
  /** Records waiting, and the enqueue time of its longest-waiting chunk (null when none waits). */
  readonly records: number;
  readonly oldestEnqueuedAtMs: number | null;
  readonly deadLetters: number;
}

/** What may be read at any time. */
export interface OutboxReads {
  /** Records (not chunks) waiting in the outbox. */
  pendingRecords(): number;
  /** Enqueue time of the longest-waiting chunk, or null when the outbox is empty. */
  oldestEnqueuedAtMs(): number | null;
  /** Destinations with pending chunks. */
  destinations(): string[];
  /** The chunk of `destination` to send next: oldest record time first, then insertion order. */
  nextChunk(destination: string): StoredChunk | null;
  deadLetterCount(): number;
  /** Per destination with records waiting or dead letters, in destination order. */
  byDestination(): DestinationCounts[];
  /** Dead letters in the order they were set aside, all or those of one reason. */
  listDeadLetters(limit: number, reason?: string | null): DeadLetterEntry[];
}

/** What may be written, inside a transaction only. */
export interface OutboxWrites extends OutboxReads {
  addChunks(chunks: readonly NewChunk[], enqueuedAtMs: number): void;
  removeChunk(id: number): void;
  addDeadLetters(letters: readonly NewDeadLetter[], enqueuedAtMs: number, nowMs: number): void;
  /**
   * Moves dead letters (all, or those of one reason) back into the outbox as stored-records
   * chunks of their destination, oldest first; returns how many records moved.
   */
  requeueDeadLetters(reason: string | null, nowMs: number, recordsPerChunk: number): number;
}

interface ChunkRow {
  id: number;
  destination: string;
  oldest_ms: number;
  newest_ms: number;
  record_count: number;
  enqueued_at_ms: number;
  content_type: string;
  content_encoding: string;
  body: Uint8Array;
}

/** The outbox statements over `db`; writes are only handed out inside transactions. */
export function outboxTables(db: DatabaseSync): OutboxWrites {
  const statements = {
    totals: db.prepare("SELECT outbox_records, dead_letters FROM log_totals WHERE id = 1"),
    oldest: db.prepare("SELECT min(enqueued_at_ms) AS t FROM log_chunks"),
    destinations: db.prepare("SELECT DISTINCT destination FROM log_chunks ORDER BY destination"),
    backlogs: db.prepare(
      `SELECT destination, sum(record_count) AS records, min(enqueued_at_ms) AS oldest
       FROM log_chunks GROUP BY destination`,
    ),
    deadPerDestination: db.prepare(
      "SELECT destination, count(*) AS n FROM log_dead_letter GROUP BY destination",
    ),
    next: db.prepare(
      `SELECT id, destination, oldest_ns / 1000000 AS oldest_ms, newest_ns / 1000000 AS newest_ms,
         record_count, enqueued_at_ms, content_type, content_encoding, body
       FROM log_chunks WHERE destination = ? ORDER BY oldest_ns, id LIMIT 1`,
    ),
    insert: db.prepare(
      `INSERT INTO log_chunks
         (destination, oldest_ns, newest_ns, record_count, enqueued_at_ms, content_type, content_encoding, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    remove: db.prepare("DELETE FROM log_chunks WHERE id = ?"),
    addDead: db.prepare(
      `INSERT INTO log_dead_letter
         (destination, record_key, server, time_unix_nano, enqueued_at_ms, record, reason, status, message, dead_lettered_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    listDead: db.prepare(
      `SELECT id, destination, record_key, server, record, reason, status, message, dead_lettered_at_ms
       FROM log_dead_letter WHERE ?2 IS NULL OR reason = ?2 ORDER BY id LIMIT ?1`,
    ),
    // Stored-records chunks: the stored records one per line, grouped per destination in time order.
    requeue: db.prepare(
      `INSERT INTO log_chunks
         (destination, oldest_ns, newest_ns, record_count, enqueued_at_ms, content_type, content_encoding, body)
       SELECT destination, min(time_unix_nano), max(time_unix_nano), count(*), ?2, '${STORED_RECORDS_CONTENT_TYPE}', '',
         CAST(group_concat(record, char(10) ORDER BY time_unix_nano, id) AS BLOB)
       FROM (
         SELECT *, (row_number() OVER (PARTITION BY destination ORDER BY time_unix_nano, id) - 1) / ?3 AS chunk
         FROM log_dead_letter WHERE ?1 IS NULL OR reason = ?1
       )
       GROUP BY destination, chunk ORDER BY destination, chunk`,
    ),
    moved: db.prepare("SELECT count(*) AS n FROM log_dead_letter WHERE ?1 IS NULL OR reason = ?1"),
    deleteDead: db.prepare("DELETE FROM log_dead_letter WHERE ?1 IS NULL OR reason = ?1"),
  };
  const totals = () =>
    statements.totals.get() as { outbox_records: number; dead_letters: number } | undefined;

  return {
    pendingRecords: () => Number(totals()?.outbox_records ?? 0),
    oldestEnqueuedAtMs() {
      const row = statements.oldest.get() as { t: number | null } | undefined;
      return row?.t === null || row?.t === undefined ? null : Number(row.t);
    },
    destinations: () =>
      (statements.destinations.all() as { destination: string }[]).map((r) => r.destination),
    nextChunk(destination) {
      const row = statements.next.get(destination) as ChunkRow | undefined;
      if (!row) return null;
      return {
        id: Number(row.id),
        destination: row.destination,
        oldestMs: Number(row.oldest_ms),
        newestMs: Number(row.newest_ms),
        recordCount: Number(row.record_count),
        enqueuedAtMs: Number(row.enqueued_at_ms),
        contentType: row.content_type,
        contentEncoding: row.content_encoding,
        body: row.body,
      };
    },
    deadLetterCount: () => Number(totals()?.dead_letters ?? 0),
    byDestination() {
      const counts = new Map<string, { records: number; oldest: number | null; dead: number }>();
      const of = (destination: string) => {
        let entry = counts.get(destination);
        if (!entry) {
          entry = { records: 0, oldest: null, dead: 0 };
          counts.set(destination, entry);
        }
        return entry;
      };
      for (const row of statements.backlogs.all() as {
        destination: string;
        records: number;
        oldest: number;
      }[]) {
        const entry = of(row.destination);
        entry.records = Number(row.records);
        entry.oldest = Number(row.oldest);
      }
      for (const row of statements.deadPerDestination.all() as { destination: string; n: number }[])
        of(row.destination).dead = Number(row.n);
      return [...counts]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([destination, c]) => ({
          destination,
          records: c.records,
          oldestEnqueuedAtMs: c.oldest,
          deadLetters: c.dead,
        }));
    },
    listDeadLetters(limit, reason = null) {
      const rows = statements.listDead.all(Math.max(0, Math.floor(limit)), reason) as {
        id: number;
        destination: string;
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
        destination: row.destination,
        recordKey: row.record_key,
        server: row.server,
        record: row.record,
        reason: row.reason,
        status: row.status === null ? null : Number(row.status),
        message: row.message,
        deadLetteredAtMs: Number(row.dead_lettered_at_ms),
      }));
    },
    addChunks(chunks, enqueuedAtMs) {
      for (const chunk of chunks)
        statements.insert.run(
          chunk.destination,
          chunk.oldestNs,
          chunk.newestNs,
          chunk.recordCount,
          enqueuedAtMs,
          chunk.contentType,
          chunk.contentEncoding,
          chunk.body,
        );
    },
    removeChunk(id) {
      statements.remove.run(id);
    },
    addDeadLetters(letters, enqueuedAtMs, nowMs) {
      for (const letter of letters)
        statements.addDead.run(
          letter.destination,
          letter.recordKey,
          letter.server,
          letter.timeUnixNano,
          enqueuedAtMs,
          letter.record,
          letter.reason,
          letter.status,
          letter.message,
          nowMs,
        );
    },
    requeueDeadLetters(reason, nowMs, recordsPerChunk) {
      const { n } = statements.moved.get(reason) as { n: number };
      if (Number(n) === 0) return 0;
      statements.requeue.run(reason, nowMs, Math.max(1, Math.floor(recordsPerChunk)));
      statements.deleteDead.run(reason);
      return Number(n);
    },
  };
}
