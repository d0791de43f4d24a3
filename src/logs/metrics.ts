// The log pipeline's self-metrics (vbo_log_*), registered in the exporter's private registry.
import { Counter, Gauge, type Registry } from "prom-client";
import {
  LOG_DEAD_LETTER_REASONS,
  LOG_EXPORT_FAILURE_REASONS,
  LOG_REJECTED_REASONS,
} from "../metrics/catalogue.ts";

export interface LogMetrics {
  readonly exported: Counter;
  readonly failures: Counter<"reason">;
  readonly deadLettered: Counter<"reason">;
  readonly rejected: Counter<"reason">;
  readonly lastExport: Gauge;
  readonly outboxFull: Counter;
}

export interface OutboxGauges {
  pending(): number;
  oldestEnqueuedAtMs(): number | null;
  deadLetters(): number;
  limit: number;
  now(): number;
}

/** Registers every vbo_log_* metric; the outbox gauges are read from the database on scrape. */
export function createLogMetrics(registry: Registry, outbox: OutboxGauges): LogMetrics {
  const safe = (read: () => number): number => {
    try {
      return read();
    } catch {
      // The store is closed (shutdown): report nothing rather than fail the scrape.
      return Number.NaN;
    }
  };
  new Gauge({
    name: "vbo_log_outbox_records",
    help: "Audit log records waiting in the durable outbox for the log receiver to acknowledge them.",
    registers: [registry],
    collect() {
      this.set(safe(() => outbox.pending()));
    },
  });
  new Gauge({
    name: "vbo_log_outbox_oldest_record_age_seconds",
    help: "How long the oldest record in the outbox has waited since it was enqueued (0 when empty).",
    registers: [registry],
    collect() {
      this.set(
        safe(() => {
          const oldest = outbox.oldestEnqueuedAtMs();
          return oldest === null ? 0 : Math.max(0, (outbox.now() - oldest) / 1000);
        }),
      );
    },
  });
  new Gauge({
    name: "vbo_log_outbox_limit_records",
    help: "The outbox size cap; at the cap poll batches are refused (backpressure) until it drains.",
    registers: [registry],
    collect() {
      this.set(outbox.limit);
    },
  });
  new Gauge({
    name: "vbo_log_dead_letter_records",
    help: "Audit log records in the dead-letter table (rejected by the receiver, kept for replay).",
    registers: [registry],
    collect() {
      this.set(safe(() => outbox.deadLetters()));
    },
  });
  const metrics: LogMetrics = {
    exported: new Counter({
      name: "vbo_log_records_exported_total",
      help: "Audit log records the log receiver acknowledged (or written to the console output).",
      registers: [registry],
    }),
    failures: new Counter({
      name: "vbo_log_export_failures_total",
      help: "Failed export requests by reason (unreachable, timeout, tls, rate_limited, unavailable, server_error, unauthorized, receiver_config, too_old, bad_request, ...).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "vbo_log_records_dead_lettered_total",
      help: "Audit log records moved to the dead-letter table, by reason (too_old, out_of_order, too_large, bad_request, ...).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    rejected: new Counter({
      name: "vbo_log_records_rejected_total",
      help: "Records the receiver reported as rejected in an OTLP partial success (not identifiable, so not dead-lettered).",
      labelNames: ["reason"],
      registers: [registry],
    }),
    lastExport: new Gauge({
      name: "vbo_log_last_export_timestamp_seconds",
      help: "Unix time of the last export the log receiver acknowledged.",
      registers: [registry],
    }),
    outboxFull: new Counter({
      name: "vbo_log_outbox_full_total",
      help: "Poll batches refused because the outbox was at its cap; the poller retries them later.",
      registers: [registry],
    }),
  };
  // Known reasons are exported at 0, so a query sees the series before the first failure.
  for (const reason of LOG_EXPORT_FAILURE_REASONS) metrics.failures.inc({ reason }, 0);
  for (const reason of LOG_DEAD_LETTER_REASONS) metrics.deadLettered.inc({ reason }, 0);
  for (const reason of LOG_REJECTED_REASONS) metrics.rejected.inc({ reason }, 0);
  return metrics;
}
