// The durable log outbox over the state store: records are encoded into chunks when their batch
// commits, chunks are handed to the sender ready to send, and records it cannot send (refused, too
// old, unreadable) are set aside as dead letters, counted and logged.
import type { Clock } from "../clock.ts";
import { describeError, toReason } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { NewDeadLetter, OutboxReads, StoredChunk } from "../state/outbox-tables.ts";
import type { StateTransaction } from "../state/transaction.ts";
import {
  type ChunkBounds,
  type ChunkFormat,
  decodeChunk,
  type EncodedChunk,
  encodeChunks,
  formatOf,
  isStoredRecords,
  type RouteRecord,
} from "./chunk-codec.ts";
import { OutboxFullError } from "./errors.ts";
import type { TransportRequest } from "./http-transport.ts";
import type { LogMetrics } from "./metrics.ts";
import { encodeStoredRecord } from "./record-codec.ts";
import { effectiveTimeUnixNano } from "./record-time.ts";
import type { LogRecord } from "./records.ts";
import type { RepeatLog } from "./repeat-log.ts";

/** The part of the state store the outbox uses. */
export interface OutboxStore {
  transaction<T>(work: (tx: StateTransaction) => T): T;
  readonly outbox: OutboxReads;
}

/** A chunk ready to go: its stored bytes, content type and encoding as the request. */
export interface SendableChunk extends StoredChunk {
  readonly request: TransportRequest;
}

/** A record the receiver refused for good. */
export interface Refusal {
  readonly record: LogRecord;
  readonly reason: string;
  readonly status: number | null;
  readonly message: string;
}

export interface OutboxOptions {
  readonly store: OutboxStore;
  /** How new chunks are encoded. */
  readonly format: ChunkFormat;
  readonly bounds: ChunkBounds;
  /** The destination (Loki tenant) of a new record; records already in a chunk keep the chunk's. */
  readonly route: RouteRecord;
  /** Pending records at which poll batches are refused. */
  readonly maxRecords: number;
  /** Records older than this are dead-lettered as too_old instead of sent; null sends all. */
  readonly maxRecordAgeMs: number | null;
  readonly clock: Clock;
  readonly metrics: LogMetrics;
  readonly logger: Logger;
  /** Sums repeated dead-letter lines per reason (default: one line each). */
  readonly repeatLog?: RepeatLog;
}

export interface Outbox {
  /** Encodes records into chunks inside the caller's transaction; throws OutboxFullError at the cap. */
  enqueue(tx: StateTransaction, records: readonly LogRecord[]): void;
  destinations(): string[];
  /**
   * The next chunk of `destination` to send, oldest first; stored-records chunks are encoded, and
   * records past maxRecordAge set aside, before it is handed out.
   */
  next(destination: string): SendableChunk | null;
  /** The receiver took the chunk. */
  acknowledge(chunk: SendableChunk): void;
  /** The chunk's records (for a 400 to bisect); null when unreadable (then it is set aside whole). */
  records(chunk: SendableChunk): LogRecord[] | null;
  /** A request for some of a chunk's records, encoded as the chunk is. */
  requestFor(chunk: SendableChunk, records: readonly LogRecord[]): TransportRequest;
  /**
   * Ends a bisected chunk: the refused records become dead letters, those not yet settled (a
   * retryable failure stopped the bisection) go back as a chunk of their own.
   */
  settle(chunk: SendableChunk, refused: readonly Refusal[], unsettled: readonly LogRecord[]): void;
  pendingRecords(): number;
  oldestEnqueuedAtMs(): number | null;
  deadLetterCount(): number;
  /** Moves dead letters (all, or one reason's) back into the outbox; returns how many. */
  replayDeadLetters(reason: string | null): number;
}

/** Moves dead letters back into the outbox as stored records, encoded again before they are sent. */
export function requeueDeadLetters(
  store: OutboxStore,
  reason: string | null,
  nowMs: number,
  recordsPerChunk: number,
): number {
  return store.transaction((tx) => tx.outbox.requeueDeadLetters(reason, nowMs, recordsPerChunk));
}

function deadLetterOf(
  destination: string,
  record: LogRecord,
  reason: string,
  status: number | null,
  message: string,
) {
  return {
    destination,
    recordKey: record.key,
    server: record.server,
    timeUnixNano: effectiveTimeUnixNano(record),
    record: encodeStoredRecord(record),
    reason,
    status,
    message,
  };
}

export function createOutbox(options: OutboxOptions): Outbox {
  const { store, clock, metrics, logger } = options;
  const tooOldMessage = `record timestamp is older than the configured maximum age of ${options.maxRecordAgeMs} ms`;
  const cutoffMs = (): number | null =>
    options.maxRecordAgeMs === null ? null : clock.now() - options.maxRecordAgeMs;

  /** Splits off the records older than maxRecordAge as too_old dead letters. */
  const splitTooOld = (records: readonly LogRecord[], route: RouteRecord) => {
    const cutoff = cutoffMs();
    if (cutoff === null) return { fresh: records, letters: [] as NewDeadLetter[] };
    const cutoffNs = BigInt(Math.floor(cutoff)) * 1_000_000n;
    const fresh: LogRecord[] = [];
    const letters: NewDeadLetter[] = [];
    for (const record of records) {
      if (effectiveTimeUnixNano(record) < cutoffNs)
        letters.push(deadLetterOf(route(record), record, "too_old", null, tooOldMessage));
      else fresh.push(record);
    }
    return { fresh, letters };
  };

  /** Counts and logs dead letters once their transaction has committed. */
  const report = (tx: StateTransaction, letters: readonly NewDeadLetter[], records?: number) => {
    if (letters.length === 0) return;
    tx.afterCommit(() => {
      const byReason = new Map<string, NewDeadLetter[]>();
      for (const letter of letters) {
        const list = byReason.get(letter.reason);
        if (list) list.push(letter);
        else byReason.set(letter.reason, [letter]);
      }
      // Counted per destination and reason; `records` (a quarantined chunk's) has one letter.
      const counts = new Map<string, { destination: string; reason: string; n: number }>();
      for (const { destination, reason } of letters) {
        const key = `${destination}\u0000${reason}`;
        const entry = counts.get(key) ?? { destination, reason, n: 0 };
        entry.n += records ?? 1;
        counts.set(key, entry);
      }
      for (const c of counts.values()) metrics.deadLettered(c.destination, c.reason, c.n);
      for (const [reason, list] of byReason) {
        const count = records ?? list.length;
        const first = list[0] as NewDeadLetter;
        const fields = { reason, status: first.status, receiverMessage: first.message };
        const message = "log records moved to the dead-letter table";
        if (options.repeatLog) options.repeatLog.note("error", reason, fields, message, count);
        else logger.error({ ...fields, records: count }, message);
      }
    });
  };

  /** An unreadable chunk is set aside whole (its bytes kept) and the rest goes on. */
  const quarantine = (chunk: StoredChunk, error: unknown): void => {
    const letter: NewDeadLetter = {
      destination: chunk.destination,
      recordKey: `chunk:${chunk.id}`,
      server: "",
      timeUnixNano: BigInt(chunk.oldestMs) * 1_000_000n,
      record: JSON.stringify({
        chunk: {
          contentType: chunk.contentType,
          contentEncoding: chunk.contentEncoding,
          body: Buffer.from(chunk.body).toString("base64"),
        },
      }),
      reason: toReason(error),
      status: null,
      message: describeError(error),
    };
    store.transaction((tx) => {
      tx.outbox.removeChunk(chunk.id);
      tx.outbox.addDeadLetters([letter], chunk.enqueuedAtMs, clock.now());
      report(tx, [letter], chunk.recordCount);
    });
  };

  /** Replaces a chunk by the chunks of its records that may still be sent, encoded in `format`. */
  const rework = (chunk: StoredChunk, format: ChunkFormat): void => {
    let decoded: ReturnType<typeof decodeChunk>;
    try {
      decoded = decodeChunk(chunk);
    } catch (error) {
      quarantine(chunk, error);
      return;
    }
    // The records stay with the chunk's tenant, whatever the configuration says by now.
    const keep: RouteRecord = () => chunk.destination;
    const { fresh, letters } = splitTooOld(decoded.records, keep);
    for (const bad of decoded.unreadable)
      letters.push({
        destination: chunk.destination,
        recordKey: "unreadable",
        server: "",
        timeUnixNano: 0n,
        record: bad.text,
        reason: toReason(bad.error),
        status: null,
        message: describeError(bad.error),
      });
    const chunks = encodeChunks(fresh, format, options.bounds, keep);
    store.transaction((tx) => {
      tx.outbox.removeChunk(chunk.id);
      tx.outbox.addChunks(chunks, chunk.enqueuedAtMs);
      tx.outbox.addDeadLetters(letters, chunk.enqueuedAtMs, clock.now());
      report(tx, letters);
    });
  };

  const sendable = (chunk: StoredChunk): SendableChunk => ({
    ...chunk,
    request: {
      body: chunk.body,
      contentType: chunk.contentType,
      contentEncoding: chunk.contentEncoding,
    },
  });

  const formatOfChunk = (chunk: SendableChunk): ChunkFormat =>
    formatOf(chunk.request.contentType, chunk.request.contentEncoding) ?? options.format;

  const encodeLike = (chunk: SendableChunk, records: readonly LogRecord[]): EncodedChunk[] =>
    encodeChunks(
      records,
      formatOfChunk(chunk),
      { maxRecords: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER },
      () => chunk.destination,
    );

  return {
    enqueue(tx, records) {
      if (records.length === 0) return;
      const pending = tx.outbox.pendingRecords();
      // A soft cap: a batch is refused only when the outbox is already full, so a single poll
      // larger than the cap (a first-start lookback) cannot wedge the pipeline for ever.
      if (pending >= options.maxRecords) throw new OutboxFullError(pending, options.maxRecords);
      const now = clock.now();
      const { fresh, letters } = splitTooOld(records, options.route);
      tx.outbox.addChunks(encodeChunks(fresh, options.format, options.bounds, options.route), now);
      tx.outbox.addDeadLetters(letters, now, now);
      report(tx, letters);
    },
    destinations: () => store.outbox.destinations(),
    next(destination) {
      for (;;) {
        const chunk = store.outbox.nextChunk(destination);
        if (chunk === null) return null;
        if (isStoredRecords(chunk.contentType)) {
          rework(chunk, options.format);
          continue;
        }
        const format = formatOf(chunk.contentType, chunk.contentEncoding);
        if (format === null) {
          quarantine(
            chunk,
            new Error(`unknown chunk format ${chunk.contentType} ${chunk.contentEncoding}`),
          );
          continue;
        }
        const cutoff = cutoffMs();
        if (cutoff !== null && chunk.oldestMs < cutoff) {
          rework(chunk, format);
          continue;
        }
        return sendable(chunk);
      }
    },
    acknowledge(chunk) {
      store.transaction((tx) => tx.outbox.removeChunk(chunk.id));
    },
    records(chunk) {
      try {
        return decodeChunk(chunk.request).records;
      } catch (error) {
        quarantine(chunk, error);
        return null;
      }
    },
    requestFor(chunk, records) {
      const [encoded] = encodeLike(chunk, records);
      if (!encoded) throw new Error("no records to encode");
      return {
        body: encoded.body,
        contentType: encoded.contentType,
        contentEncoding: encoded.contentEncoding,
      };
    },
    settle(chunk, refused, unsettled) {
      const letters = refused.map((r) =>
        deadLetterOf(chunk.destination, r.record, r.reason, r.status, r.message),
      );
      const chunks = unsettled.length === 0 ? [] : encodeLike(chunk, unsettled);
      store.transaction((tx) => {
        tx.outbox.removeChunk(chunk.id);
        tx.outbox.addChunks(chunks, chunk.enqueuedAtMs);
        tx.outbox.addDeadLetters(letters, chunk.enqueuedAtMs, clock.now());
        report(tx, letters);
      });
    },
    pendingRecords: () => store.outbox.pendingRecords(),
    oldestEnqueuedAtMs: () => store.outbox.oldestEnqueuedAtMs(),
    deadLetterCount: () => store.outbox.deadLetterCount(),
    replayDeadLetters(reason) {
      return requeueDeadLetters(store, reason, clock.now(), options.bounds.maxRecords);
    },
  };
}
