// Drains the outbox chunk by chunk, oldest first per destination (Loki tenant), sending each
// chunk's stored bytes to its destination; a chunk leaves it only when the receiver acknowledged it
// (2xx) or when a refusal (4xx) was bisected until the refused records were alone and set aside as
// dead letters. Destinations drain independently: one that fails stops only itself.
import type { Clock } from "../clock.ts";
import type { Every } from "../every.ts";
import type { Logger } from "../logger.ts";
import { watchDrain } from "./drain-progress.ts";
import type { ExportOutcome } from "./export-outcome.ts";
import type { TransportRequest } from "./http-transport.ts";
import type { LogMetrics } from "./metrics.ts";
import type { Outbox, Refusal, SendableChunk } from "./outbox.ts";
import type { LogRecord } from "./records.ts";
import { createRepeatLog, type RepeatLog } from "./repeat-log.ts";

/**
 * Sends one request to a destination (its Loki tenant) and says what the receiver made of it
 * (never throws for receiver failures).
 */
export type Deliver = (
  request: TransportRequest,
  destination: string,
  signal?: AbortSignal,
) => Promise<ExportOutcome>;

export interface SenderDeps {
  readonly outbox: Outbox;
  readonly deliver: Deliver;
  readonly metrics: LogMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Sums repeated delivery errors per reason (shared with the outbox's dead-letter lines). */
  readonly repeatLog?: RepeatLog;
  /** How often a long pass logs its progress (default 10 s), and the timer that says when. */
  readonly progressIntervalMs?: number;
  readonly progressEvery?: Every;
}

export interface PassResult {
  readonly exported: number;
  readonly deadLettered: number;
  /** Set when the pass stopped on a retryable failure. */
  readonly retry: { readonly reason: string; readonly retryAfterMs: number | null } | null;
}

export interface Sender {
  /** Sends one destination's chunks until it has none left or a retryable failure stops it. */
  drain(destination: string, signal?: AbortSignal): Promise<PassResult>;
}

interface RangeResult {
  delivered: number;
  refused: Refusal[];
  /** Records not settled because a retryable failure stopped the bisection. */
  unsettled: LogRecord[];
  retry: PassResult["retry"];
}

type Rejected = Extract<ExportOutcome, { kind: "rejected" }>;

export function createSender(deps: SenderDeps): Sender {
  const { outbox, metrics, logger, clock } = deps;
  const repeatLog = deps.repeatLog ?? createRepeatLog(logger, clock);

  const delivered = (
    destination: string,
    outcome: Extract<ExportOutcome, { kind: "delivered" }>,
    records: number,
  ) => {
    metrics.exported(destination, records);
    if (outcome.rejectedRecords > 0) {
      // OTLP partial success names no records, and the spec forbids retrying the request:
      // count and log it; the records have left the outbox.
      metrics.rejected(destination, "partial_success", outcome.rejectedRecords);
      metrics.failed(destination, "partial_success");
      repeatLog.note(
        "warn",
        "partial_success",
        { receiverMessage: outcome.message },
        "the log receiver accepted the batch but rejected some records",
        outcome.rejectedRecords,
      );
    }
  };

  const refusal = (record: LogRecord, outcome: Rejected): Refusal => ({
    record,
    reason: outcome.reason,
    status: outcome.status,
    message: outcome.message,
  });

  /** Sends part of a rejected chunk; halves it again on a rejection until the culprits are alone. */
  const sendRange = async (
    chunk: SendableChunk,
    records: readonly LogRecord[],
    signal?: AbortSignal,
  ): Promise<RangeResult> => {
    const outcome = await deps.deliver(
      outbox.requestFor(chunk, records),
      chunk.destination,
      signal,
    );
    if (outcome.kind === "delivered") {
      delivered(chunk.destination, outcome, records.length);
      return { delivered: records.length, refused: [], unsettled: [], retry: null };
    }
    metrics.failed(chunk.destination, outcome.reason);
    if (outcome.kind === "retry")
      return {
        delivered: 0,
        refused: [],
        unsettled: [...records],
        retry: { reason: outcome.reason, retryAfterMs: outcome.retryAfterMs },
      };
    return bisect(chunk, records, outcome, signal);
  };

  const bisect = async (
    chunk: SendableChunk,
    records: readonly LogRecord[],
    outcome: Rejected,
    signal?: AbortSignal,
  ): Promise<RangeResult> => {
    if (records.length === 1)
      return {
        delivered: 0,
        refused: [refusal(records[0] as LogRecord, outcome)],
        unsettled: [],
        retry: null,
      };
    // Receivers such as Loki may have stored part of a rejected request: the halves carry the
    // same records, byte for byte, so the receiver's duplicate detection drops what it holds.
    const middle = Math.ceil(records.length / 2);
    const first = await sendRange(chunk, records.slice(0, middle), signal);
    if (first.retry) return { ...first, unsettled: [...first.unsettled, ...records.slice(middle)] };
    const second = await sendRange(chunk, records.slice(middle), signal);
    return {
      delivered: first.delivered + second.delivered,
      refused: [...first.refused, ...second.refused],
      unsettled: second.unsettled,
      retry: second.retry,
    };
  };

  /** Sends one chunk; returns what left the outbox and whether a retryable failure stopped it. */
  const sendChunk = async (
    chunk: SendableChunk,
    signal?: AbortSignal,
  ): Promise<{ exported: number; deadLettered: number; retry: PassResult["retry"] }> => {
    const outcome = await deps.deliver(chunk.request, chunk.destination, signal);
    if (outcome.kind === "delivered") {
      outbox.acknowledge(chunk);
      delivered(chunk.destination, outcome, chunk.recordCount);
      return { exported: chunk.recordCount, deadLettered: 0, retry: null };
    }
    metrics.failed(chunk.destination, outcome.reason);
    if (outcome.kind === "retry")
      return {
        exported: 0,
        deadLettered: 0,
        retry: { reason: outcome.reason, retryAfterMs: outcome.retryAfterMs },
      };
    // The rare path: read the records back and find the ones refused.
    const records = outbox.records(chunk);
    if (records === null) return { exported: 0, deadLettered: chunk.recordCount, retry: null };
    const result = await bisect(chunk, records, outcome, signal);
    outbox.settle(chunk, result.refused, result.unsettled);
    return { exported: result.delivered, deadLettered: result.refused.length, retry: result.retry };
  };

  return {
    async drain(destination, signal) {
      const progress = watchDrain({
        logger,
        clock,
        pending: () => outbox.pendingRecords(),
        ...(deps.progressIntervalMs === undefined ? {} : { intervalMs: deps.progressIntervalMs }),
        ...(deps.progressEvery === undefined ? {} : { every: deps.progressEvery }),
      });
      try {
        return await drainDestination(destination, signal, progress.advance);
      } finally {
        progress.end();
        repeatLog.flush();
      }
    },
  };

  async function drainDestination(
    destination: string,
    signal: AbortSignal | undefined,
    advance: (count: number) => void,
  ): Promise<PassResult> {
    let exported = 0;
    let deadLettered = 0;
    for (;;) {
      if (signal?.aborted) return { exported, deadLettered, retry: null };
      const chunk = outbox.next(destination);
      if (chunk === null) break;
      let result: Awaited<ReturnType<typeof sendChunk>>;
      try {
        result = await sendChunk(chunk, signal);
      } catch (error) {
        if (signal?.aborted) return { exported, deadLettered, retry: null };
        throw error;
      }
      exported += result.exported;
      deadLettered += result.deadLettered;
      advance(result.exported + result.deadLettered);
      if (result.retry) return { exported, deadLettered, retry: result.retry };
    }
    return { exported, deadLettered, retry: null };
  }
}
