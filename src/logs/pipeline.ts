// The durable OTLP log pipeline: a BatchSink encoding each batch's records into the outbox inside
// the state store's transaction, and a background sender draining it to the receiver (or the console).
//
// Guarantees and choices (the README repeats them for operators):
// - At least once, and exactly once as far as Loki can tell: records are encoded (OTLP protobuf or
//   JSON, gzip when configured) into chunks of at most batchMaxRecords records and batchMaxBytes
//   bytes in the same transaction that marks their events as seen, and a chunk leaves the outbox
//   only after a 2xx. A chunk is one request, stored with its content type and encoding and sent
//   byte for byte: a crash between sending and the acknowledgement sends the identical bytes
//   again (same timestamps, body, attributes and attribute order, same resource), which Loki drops
//   as duplicates, and a configuration change never alters a pending chunk.
// - Order: chunks are kept per destination (the record's Loki tenant when logs.tenants is
//   configured, else one, "default") and each destination drains oldest record time first, one
//   at a time, so a backlog goes before fresher records; within a chunk records are in time order.
//   A chunk that keeps failing blocks the ones behind it in its destination (retried with its
//   destination's own backoff, never skipped); other destinations keep sending meanwhile.
// - Refusals: a 4xx other than the configuration errors is bisected (the chunk read back, halves
//   sent again) until the refused records are alone; they go to the dead-letter table with the
//   reason, status and message; replayDeadLetters() puts them back as stored records, encoded
//   again before they are sent.
// - Too old: records whose time is older than maxRecordAgeMs (default 7 days, Loki's default
//   reject_old_samples_max_age) are dead-lettered with reason too_old instead of being sent: at
//   commit, and at send time for records that aged in the outbox (their chunk is read back and
//   re-encoded without them). A first-start lookback longer than that produces such dead letters
//   for its oldest part. Set the lookback below Loki's limit or raise both.
// - Outbox cap: when the outbox already holds outboxMaxRecords records, the sink throws
//   OutboxFullError, the state store's transaction rolls back and the poller reads the same data
//   again on its next poll: backpressure, nothing lost (metric vbo_log_outbox_full_total and an
//   error log).
import type { Registry } from "prom-client";
import type { Clock } from "../clock.ts";
import { describeError, toReason } from "../errors.ts";
import type { Every } from "../every.ts";
import type { Logger } from "../logger.ts";
import { DEFAULT_LABEL_LIMITS } from "../pipeline/labels.ts";
import type { BatchSink, PollResult } from "../pipeline/types.ts";
import type { StateTransaction } from "../state/transaction.ts";
import { createTenantRouter } from "../tenants/tenant-router.ts";
import { retryDelayMs } from "./backoff.ts";
import { defaultRoute } from "./chunk-codec.ts";
import { consoleDeliver, otlpDeliver } from "./deliver.ts";
import { OutboxFullError } from "./errors.ts";
import { createHttpTransport, type Transport } from "./http-transport.ts";
import { createLogMetrics } from "./metrics.ts";
import { type LogsOptions, resolveLogsOptions } from "./options.ts";
import { createOutbox, type OutboxStore } from "./outbox.ts";
import { routeByTenant } from "./record-tenant.ts";
import { recordsFromPoll } from "./records.ts";
import { createRepeatLog } from "./repeat-log.ts";
import { createSender, type PassResult } from "./sender.ts";
import { createTenantLabels } from "./tenant-labels.ts";

export type { LogsOptions } from "./options.ts";

export interface LogPipelineDeps {
  /** The state store: its transactions and the outbox's tables. */
  readonly store: OutboxStore;
  readonly options: LogsOptions;
  /** Private prom-client registry: the vbo_log_* metrics are registered here. */
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly serviceVersion: string;
  readonly instanceId: string;
  /** Where console output goes when no endpoint is configured (default process.stdout). */
  readonly stdout?: NodeJS.WritableStream;
  /** What the start line says of the console output (the demo keeps its records off it). */
  readonly consoleNote?: string;
  /** Removes configured secrets from the receiver's answers (default: none configured). */
  readonly scrub?: (text: string) => string;
  /** Random source for retry jitter (tests). */
  readonly random?: () => number;
  /**
   * Tenants derived per organization that get a `tenant` label value of their own before the rest
   * count as `other` (default: the organization label's default limit).
   */
  readonly tenantLabelLimit?: number;
  /** The timer of a long drain's progress lines (default every 10 s). */
  readonly progressEvery?: Every;
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
  const { store, logger, clock } = deps;
  const options = resolveLogsOptions(deps.options);
  const tenants = options.tenants;
  const tenantLabels = createTenantLabels(
    tenants === null
      ? null
      : {
          configured: [tenants.defaultTenant, ...Object.values(tenants.organizations)],
          limit: deps.tenantLabelLimit ?? DEFAULT_LABEL_LIMITS.organization,
        },
  );
  const metrics = createLogMetrics(
    deps.registry,
    {
      pending: () => store.outbox.pendingRecords(),
      oldestEnqueuedAtMs: () => store.outbox.oldestEnqueuedAtMs(),
      deadLetters: () => store.outbox.deadLetterCount(),
      byDestination: () => store.outbox.byDestination(),
      limit: options.outboxMaxRecords,
      now: () => clock.now(),
    },
    tenantLabels,
  );
  let transport: Transport | null = null;
  if (options.endpoint !== null) {
    transport = createHttpTransport(
      {
        endpoint: options.endpoint,
        headers: options.headers,
        basicAuth: options.basicAuth,
        bearerToken: options.bearerToken,
        tls: options.tls,
        timeoutMs: options.timeoutMs,
      },
      () => clock.now(),
    );
  }
  // With tenants, a destination is a Loki tenant id and goes as that tenant's X-Scope-OrgID.
  const headersFor = (destination: string): Record<string, string> =>
    tenants === null ? {} : { "X-Scope-OrgID": destination };
  const deliver =
    transport === null
      ? consoleDeliver(deps.stdout ?? process.stdout)
      : otlpDeliver(transport, deps.scrub, headersFor);
  const repeatLog = createRepeatLog(logger, clock);
  const chunks = createOutbox({
    store,
    format: { protocol: options.protocol, compression: options.compression },
    bounds: { maxRecords: options.batchMaxRecords, maxBytes: options.batchMaxBytes },
    route: tenants === null ? defaultRoute : routeByTenant(createTenantRouter(tenants)),
    maxRecords: options.outboxMaxRecords,
    // The console has no age limit; a receiver has (Loki: reject_old_samples_max_age).
    maxRecordAgeMs: transport === null ? null : options.maxRecordAgeMs,
    clock,
    metrics,
    logger,
    repeatLog,
  });
  const sender = createSender({
    outbox: chunks,
    deliver,
    metrics,
    logger,
    clock,
    repeatLog,
    ...(deps.progressEvery === undefined ? {} : { progressEvery: deps.progressEvery }),
  });
  const context = { serviceVersion: deps.serviceVersion, instanceId: deps.instanceId };

  /** Per destination: one drain at a time, and its own retry attempt count. */
  interface Lane {
    current: Promise<PassResult>;
    worker: Promise<void> | null;
  }
  const lanes = new Map<string, Lane>();
  const laneOf = (destination: string): Lane => {
    let lane = lanes.get(destination);
    if (!lane) {
      lane = {
        current: Promise.resolve({ exported: 0, deadLettered: 0, retry: null }),
        worker: null,
      };
      lanes.set(destination, lane);
    }
    return lane;
  };
  // Single flight per destination: a worker and drainOnce never send the same records twice at once.
  const runDrain = (destination: string, signal?: AbortSignal): Promise<PassResult> => {
    const lane = laneOf(destination);
    const next = lane.current.catch(() => undefined).then(() => sender.drain(destination, signal));
    lane.current = next;
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

  /** Drains one destination until it is empty, backing off on its own failures only. */
  const work = async (destination: string, signal: AbortSignal): Promise<void> => {
    const tenant = tenants === null ? {} : { tenant: destination };
    let attempt = 0;
    while (!signal.aborted) {
      let result: PassResult;
      try {
        result = await runDrain(destination, signal);
      } catch (error) {
        if (signal.aborted) break;
        logger.error({ ...tenant, err: describeError(error) }, "log sender pass failed");
        result = {
          exported: 0,
          deadLettered: 0,
          retry: { reason: toReason(error), retryAfterMs: null },
        };
      }
      if (!result.retry) {
        if (attempt > 0)
          logger.info(
            { ...tenant, failedAttempts: attempt },
            "the log receiver accepts records again",
          );
        return;
      }
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
          {
            ...tenant,
            reason: result.retry.reason,
            attempt,
            delayMs,
            pending: chunks.pendingRecords(),
          },
          "log export failed; the records stay in the outbox and are retried",
        );
      }
      try {
        await clock.sleep(delayMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        throw error;
      }
    }
  };

  /** Starts a worker for every destination with chunks and none running. */
  const supervise = (signal: AbortSignal): void => {
    for (const destination of chunks.destinations()) {
      const lane = laneOf(destination);
      if (lane.worker) continue;
      lane.worker = work(destination, signal)
        .catch((error: unknown) => {
          if (!signal.aborted)
            logger.error({ err: describeError(error) }, "log sender stopped unexpectedly");
        })
        .finally(() => {
          lane.worker = null;
        });
    }
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      supervise(signal);
      try {
        repeatLog.flush();
        await idle(signal);
      } catch (error) {
        if (signal.aborted) break;
        throw error;
      }
    }
  };

  return {
    sink: {
      writeInTransaction(tx: StateTransaction, batch: PollResult): void {
        const records = recordsFromPoll(batch, context);
        if (records.length === 0) return;
        try {
          chunks.enqueue(tx, records);
        } catch (error) {
          if (error instanceof OutboxFullError) {
            metrics.outboxFull();
            logger.error(
              { server: batch.server, pending: error.pending, limit: error.limit },
              "log outbox full: this poll batch is refused and will be read again (backpressure)",
            );
          }
          throw error;
        }
        // Once the batch has committed, the sender looks for the new chunks at once.
        tx.afterCommit(() => wake?.());
      },
    },
    start() {
      if (loop) return;
      if (options.endpoint === null) {
        logger.info(
          deps.consoleNote ??
            "no OTLP endpoint configured: audit records are written to the console",
        );
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
      for (const lane of lanes.values()) {
        await lane.worker;
        await lane.current.catch(() => undefined);
      }
      loop = null;
      controller = null;
      transport?.close();
    },
    async drainOnce() {
      const results = await Promise.all(chunks.destinations().map((d) => runDrain(d)));
      // Lines summed since the last write go out even when no destination had chunks left.
      repeatLog.flush();
      return results.reduce((sum, result) => sum + result.exported, 0);
    },
    replayDeadLetters(reason) {
      const moved = chunks.replayDeadLetters(reason ?? null);
      logger.info(
        { reason: reason ?? "any", records: moved },
        "dead letters moved back to the outbox",
      );
      return moved;
    },
  };
}
