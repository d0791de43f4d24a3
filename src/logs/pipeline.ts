// The durable OTLP log pipeline: a BatchSink filling the outbox inside the state store's
// transaction, and a background sender draining it to the receiver (or the console).
//
// Guarantees and choices (the README repeats them for operators):
// - At least once, and exactly once as far as Loki can tell: a record is inserted in the same
//   SQLite transaction that marks its event as seen, and leaves the outbox only after a 2xx. A
//   crash between sending and the acknowledgement re-sends the stored record byte for byte (same
//   timestamps, body, attributes and attribute order, same resource), which Loki drops as a
//   duplicate.
// - Order: the outbox drains by record timestamp (then insertion order) across all servers, one
//   batch at a time, so a backlog always goes before fresher records and each Loki stream
//   (service_name + vbo_server) receives its entries in time order. A batch that keeps failing
//   blocks the ones behind it (retried with backoff, never skipped).
// - Too old: records whose timestamp is older than maxRecordAgeMs (default 7 days, Loki's default
//   reject_old_samples_max_age) are dead-lettered with reason too_old instead of being sent; a
//   first-start lookback longer than that produces such dead letters for its oldest part. Set the
//   lookback below Loki's limit or raise both; replayDeadLetters() re-queues them.
// - Outbox cap: when the outbox already holds outboxMaxRecords, the sink throws OutboxFullError,
//   the state store's transaction rolls back and the poller reads the same data again on its next
//   poll: backpressure, nothing lost (metric vbo_log_outbox_full_total and an error log).
import type { DatabaseSync } from "node:sqlite";
import type { Registry } from "prom-client";
import type { Clock } from "../clock.ts";
import { describeError, toReason } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { BatchSink, PollResult } from "../pipeline/types.ts";
import { retryDelayMs } from "./backoff.ts";
import { consoleDeliver, otlpDeliver } from "./deliver.ts";
import { OutboxFullError } from "./errors.ts";
import { createHttpTransport, type Transport } from "./http-transport.ts";
import { createLogMetrics } from "./metrics.ts";
import { type LogsOptions, resolveLogsOptions } from "./options.ts";
import { CONTENT_TYPES } from "./otlp-encode.ts";
import { openOutbox } from "./outbox.ts";
import { recordsFromPoll } from "./records.ts";
import { createSender, type PassResult } from "./sender.ts";

export type { LogsOptions } from "./options.ts";

export interface LogPipelineDeps {
  /** The state store's database; the pipeline adds its tables (log_outbox, log_dead_letter). */
  readonly db: DatabaseSync;
  readonly options: LogsOptions;
  /** Private prom-client registry: the vbo_log_* metrics are registered here. */
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly serviceVersion: string;
  readonly instanceId: string;
  /** Where console output goes when no endpoint is configured (default process.stdout). */
  readonly stdout?: NodeJS.WritableStream;
  /** Removes configured secrets from the receiver's answers (default: none configured). */
  readonly scrub?: (text: string) => string;
  /** Random source for retry jitter (tests). */
  readonly random?: () => number;
}

export interface LogPipeline {
  readonly sink: BatchSink;
  /** Starts the background sender. */
  start(): void;
  /** Stops the sender (an in-flight request is abandoned; its records stay in the outbox). */
  stop(): Promise<void>;
  /** One pass over the outbox now; resolves with the number of records delivered. */
  drainOnce(): Promise<number>;
  /** Moves dead letters (all, or one reason's) back into the outbox; returns how many. */
  replayDeadLetters(reason?: string): number;
}

function displayEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.origin}${url.pathname}`;
}

export function createLogPipeline(deps: LogPipelineDeps): LogPipeline {
  const { db, logger, clock } = deps;
  const options = resolveLogsOptions(deps.options);
  const outbox = openOutbox(db, options.outboxMaxRecords);
  const metrics = createLogMetrics(deps.registry, {
    pending: () => outbox.pendingCount(),
    oldestEnqueuedAtMs: () => outbox.oldestEnqueuedAtMs(),
    deadLetters: () => outbox.deadLetterCount(),
    limit: options.outboxMaxRecords,
    now: () => clock.now(),
  });
  let transport: Transport | null = null;
  if (options.endpoint !== null) {
    transport = createHttpTransport(
      {
        endpoint: options.endpoint,
        contentType: CONTENT_TYPES[options.protocol],
        headers: options.headers,
        basicAuth: options.basicAuth,
        bearerToken: options.bearerToken,
        tls: options.tls,
        timeoutMs: options.timeoutMs,
        compression: options.compression,
      },
      () => clock.now(),
    );
  }
  const deliver =
    transport === null
      ? consoleDeliver(deps.stdout ?? process.stdout)
      : otlpDeliver(transport, options.protocol, deps.scrub);
  const sender = createSender({
    outbox,
    deliver,
    metrics,
    logger,
    clock,
    busy: () => db.isOpen && db.isTransaction,
    batchMaxRecords: options.batchMaxRecords,
    batchMaxBytes: options.batchMaxBytes,
    // The console has no age limit; a receiver has (Loki: reject_old_samples_max_age).
    maxRecordAgeMs: transport === null ? null : options.maxRecordAgeMs,
  });
  const context = { serviceVersion: deps.serviceVersion, instanceId: deps.instanceId };

  // Single flight: the background loop and drainOnce never send the same records twice at once.
  let current: Promise<PassResult> = Promise.resolve({ exported: 0, deadLettered: 0, retry: null });
  const runPass = (signal?: AbortSignal): Promise<PassResult> => {
    const next = current.catch(() => undefined).then(() => sender.pass(signal));
    current = next;
    return next;
  };

  let wake: (() => void) | null = null;
  let controller: AbortController | null = null;
  let loop: Promise<void> | null = null;

  const idle = async (signal: AbortSignal): Promise<void> => {
    const local = new AbortController();
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    try {
      await Promise.race([
        woken,
        clock.sleep(options.idleCheckMs, AbortSignal.any([signal, local.signal])),
      ]);
    } finally {
      wake = null;
      local.abort();
    }
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    let attempt = 0;
    while (!signal.aborted) {
      let result: PassResult;
      try {
        result = await runPass(signal);
      } catch (error) {
        if (signal.aborted) break;
        logger.error({ err: describeError(error) }, "log sender pass failed");
        result = {
          exported: 0,
          deadLettered: 0,
          retry: { reason: toReason(error), retryAfterMs: null },
        };
      }
      try {
        if (result.retry) {
          attempt += 1;
          const delayMs = retryDelayMs(
            attempt,
            result.retry.retryAfterMs,
            options.retryInitialMs,
            options.retryMaxMs,
            deps.random,
          );
          if (attempt === 1 || attempt % 10 === 0) {
            logger.warn(
              { reason: result.retry.reason, attempt, delayMs, pending: outbox.pendingCount() },
              "log export failed; the records stay in the outbox and are retried",
            );
          }
          await clock.sleep(delayMs, signal);
          continue;
        }
        if (attempt > 0) {
          logger.info({ failedAttempts: attempt }, "the log receiver accepts records again");
          attempt = 0;
        }
        await idle(signal);
      } catch (error) {
        if (signal.aborted) break;
        throw error;
      }
    }
  };

  return {
    sink: {
      writeInTransaction(txDb: DatabaseSync, batch: PollResult): void {
        const records = recordsFromPoll(batch, context);
        if (records.length === 0) return;
        try {
          outbox.enqueue(txDb, records, clock.now());
        } catch (error) {
          if (error instanceof OutboxFullError) {
            metrics.outboxFull.inc();
            logger.error(
              { server: batch.server, pending: error.pending, limit: error.limit },
              "log outbox full: this poll batch is refused and will be read again (backpressure)",
            );
          }
          throw error;
        }
        // After the caller's synchronous transaction has ended, look for the new records.
        setImmediate(() => wake?.());
      },
    },
    start() {
      if (loop) return;
      if (options.endpoint === null) {
        logger.info("no OTLP endpoint configured: audit records are written to the console");
      } else {
        logger.info(
          { endpoint: displayEndpoint(options.endpoint), protocol: options.protocol },
          "shipping audit records over OTLP",
        );
        if (options.tls.insecureSkipVerify) {
          logger.warn("TLS certificate verification of the OTLP endpoint is disabled");
        }
      }
      controller = new AbortController();
      loop = run(controller.signal).catch((error: unknown) => {
        logger.error({ err: describeError(error) }, "log sender stopped unexpectedly");
      });
    },
    async stop() {
      controller?.abort();
      await loop;
      await current.catch(() => undefined);
      loop = null;
      controller = null;
      transport?.close();
    },
    async drainOnce() {
      const result = await runPass();
      return result.exported;
    },
    replayDeadLetters(reason) {
      const moved = outbox.replayDeadLetters(reason ?? null, clock.now());
      logger.info(
        { reason: reason ?? "any", records: moved },
        "dead letters moved back to the outbox",
      );
      return moved;
    },
  };
}
