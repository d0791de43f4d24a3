// Drains the outbox oldest first in bounded batches; a record leaves it only when the receiver
// acknowledged it (2xx) or when it was isolated as rejected and moved to the dead-letter table.
import type { Clock } from "../clock.ts";
import { describeError, toReason } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ExportOutcome } from "./export-outcome.ts";
import type { LogMetrics } from "./metrics.ts";
import type { Outbox, OutboxEntry } from "./outbox.ts";
import { decodeStoredRecord } from "./record-codec.ts";
import { effectiveTimeUnixNano } from "./record-time.ts";
import type { LogRecord } from "./records.ts";

/** Sends one batch and says what the receiver made of it (never throws for receiver failures). */
export type Deliver = (
  records: readonly LogRecord[],
  signal?: AbortSignal,
) => Promise<ExportOutcome>;

export interface SenderDeps {
  readonly outbox: Outbox;
  readonly deliver: Deliver;
  readonly metrics: LogMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** True while someone (the state store) holds an open transaction on the shared connection. */
  readonly busy: () => boolean;
  readonly batchMaxRecords: number;
  readonly batchMaxBytes: number;
  readonly maxRecordAgeMs: number | null;
}

export interface PassResult {
  readonly exported: number;
  readonly deadLettered: number;
  /** Set when the pass stopped on a retryable failure. */
  readonly retry: { readonly reason: string; readonly retryAfterMs: number | null } | null;
}

interface Item {
  readonly entry: OutboxEntry;
  readonly record: LogRecord;
}

export interface Sender {
  /** Sends batches until the outbox is empty or a retryable failure stops it. */
  pass(signal?: AbortSignal): Promise<PassResult>;
}

export function createSender(deps: SenderDeps): Sender {
  const { outbox, metrics, logger, clock } = deps;
  // Never read or write inside someone else's open transaction on the shared connection: rows it
  // inserted may still roll back, and our deletes would commit or roll back with its work.
  const waitIdle = async (): Promise<void> => {
    while (deps.busy()) await new Promise<void>((resolve) => setTimeout(resolve, 5));
  };

  const deadLetter = (
    items: readonly Item[] | readonly OutboxEntry[],
    reason: string,
    status: number | null,
    message: string,
  ): number => {
    const ids = items.map((item) => ("entry" in item ? item.entry.id : item.id));
    outbox.deadLetter(ids, reason, status, message, clock.now());
    metrics.deadLettered.inc({ reason }, ids.length);
    logger.error(
      { reason, status, records: ids.length, receiverMessage: message },
      "log records moved to the dead-letter table",
    );
    return ids.length;
  };

  interface RangeResult {
    exported: number;
    deadLettered: number;
    retry: PassResult["retry"];
  }

  /** Sends items; on a record-dependent rejection, halves the range until the culprits are alone. */
  const sendRange = async (items: readonly Item[], signal?: AbortSignal): Promise<RangeResult> => {
    const outcome = await deps.deliver(
      items.map((item) => item.record),
      signal,
    );
    await waitIdle();
    if (outcome.kind === "delivered") {
      outbox.remove(items.map((item) => item.entry.id));
      metrics.exported.inc(items.length);
      metrics.lastExport.set(clock.now() / 1000);
      if (outcome.rejectedRecords > 0) {
        // OTLP partial success names no records, and the spec forbids retrying the request:
        // count and log it; the batch has left the outbox.
        metrics.rejected.inc({ reason: "partial_success" }, outcome.rejectedRecords);
        metrics.failures.inc({ reason: "partial_success" });
        logger.warn(
          { rejected: outcome.rejectedRecords, receiverMessage: outcome.message },
          "the log receiver accepted the batch but rejected some records",
        );
      }
      return { exported: items.length, deadLettered: 0, retry: null };
    }
    metrics.failures.inc({ reason: outcome.reason });
    if (outcome.kind === "retry") {
      return {
        exported: 0,
        deadLettered: 0,
        retry: { reason: outcome.reason, retryAfterMs: outcome.retryAfterMs },
      };
    }
    if (items.length === 1) {
      return {
        exported: 0,
        deadLettered: deadLetter(items, outcome.reason, outcome.status, outcome.message),
        retry: null,
      };
    }
    // Receivers such as Loki may have stored part of a rejected batch: the halves are sent again
    // byte for byte, so the receiver's duplicate detection drops what it already holds.
    const middle = Math.ceil(items.length / 2);
    const first = await sendRange(items.slice(0, middle), signal);
    if (first.retry) return first;
    const second = await sendRange(items.slice(middle), signal);
    return {
      exported: first.exported + second.exported,
      deadLettered: first.deadLettered + second.deadLettered,
      retry: second.retry,
    };
  };

  /** Decodes entries; unreadable ones and those past maxRecordAge are dead-lettered at once. */
  const prepare = (entries: readonly OutboxEntry[]): { items: Item[]; deadLettered: number } => {
    const items: Item[] = [];
    const tooOld: OutboxEntry[] = [];
    let deadLettered = 0;
    const oldestAllowedNs =
      deps.maxRecordAgeMs === null ? null : BigInt(clock.now() - deps.maxRecordAgeMs) * 1_000_000n;
    for (const entry of entries) {
      let record: LogRecord;
      try {
        record = decodeStoredRecord(entry.record);
      } catch (error) {
        deadLettered += deadLetter([entry], toReason(error), null, describeError(error));
        continue;
      }
      const timeNs = effectiveTimeUnixNano(record);
      if (oldestAllowedNs !== null && timeNs < oldestAllowedNs) tooOld.push(entry);
      else items.push({ entry, record });
    }
    if (tooOld.length > 0) {
      deadLettered += deadLetter(
        tooOld,
        "too_old",
        null,
        `record timestamp is older than the configured maximum age of ${deps.maxRecordAgeMs} ms`,
      );
    }
    return { items, deadLettered };
  };

  return {
    async pass(signal) {
      let exported = 0;
      let deadLettered = 0;
      for (;;) {
        if (signal?.aborted) return { exported, deadLettered, retry: null };
        await waitIdle();
        const entries = outbox.nextBatch(deps.batchMaxRecords, deps.batchMaxBytes);
        if (entries.length === 0) return { exported, deadLettered, retry: null };
        const prepared = prepare(entries);
        deadLettered += prepared.deadLettered;
        if (prepared.items.length === 0) continue;
        let result: RangeResult;
        try {
          result = await sendRange(prepared.items, signal);
        } catch (error) {
          if (signal?.aborted) return { exported, deadLettered, retry: null };
          throw error;
        }
        exported += result.exported;
        deadLettered += result.deadLettered;
        if (result.retry) return { exported, deadLettered, retry: result.retry };
      }
    },
  };
}
