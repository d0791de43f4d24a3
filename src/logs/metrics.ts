// The log pipeline's self-metrics (vbo_log_*), registered in the exporter's private registry with the
// catalogue's help texts.
import { Counter, Gauge, type Registry } from "prom-client";
import {
  CATALOGUE,
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
    help: CATALOGUE.vbo_log_outbox_records.help,
    registers: [registry],
    collect() {
      this.set(safe(() => outbox.pending()));
    },
  });
  new Gauge({
    name: "vbo_log_outbox_oldest_record_age_seconds",
    help: CATALOGUE.vbo_log_outbox_oldest_record_age_seconds.help,
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
    help: CATALOGUE.vbo_log_outbox_limit_records.help,
    registers: [registry],
    collect() {
      this.set(outbox.limit);
    },
  });
  new Gauge({
    name: "vbo_log_dead_letter_records",
    help: CATALOGUE.vbo_log_dead_letter_records.help,
    registers: [registry],
    collect() {
      this.set(safe(() => outbox.deadLetters()));
    },
  });
  const metrics: LogMetrics = {
    exported: new Counter({
      name: "vbo_log_records_exported_total",
      help: CATALOGUE.vbo_log_records_exported_total.help,
      registers: [registry],
    }),
    failures: new Counter({
      name: "vbo_log_export_failures_total",
      help: CATALOGUE.vbo_log_export_failures_total.help,
      labelNames: ["reason"],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "vbo_log_records_dead_lettered_total",
      help: CATALOGUE.vbo_log_records_dead_lettered_total.help,
      labelNames: ["reason"],
      registers: [registry],
    }),
    rejected: new Counter({
      name: "vbo_log_records_rejected_total",
      help: CATALOGUE.vbo_log_records_rejected_total.help,
      labelNames: ["reason"],
      registers: [registry],
    }),
    lastExport: new Gauge({
      name: "vbo_log_last_export_timestamp_seconds",
      help: CATALOGUE.vbo_log_last_export_timestamp_seconds.help,
      registers: [registry],
    }),
    outboxFull: new Counter({
      name: "vbo_log_outbox_full_total",
      help: CATALOGUE.vbo_log_outbox_full_total.help,
      registers: [registry],
    }),
  };
  // Known reasons are exported at 0, so a query sees the series before the first failure.
  for (const reason of LOG_EXPORT_FAILURE_REASONS) metrics.failures.inc({ reason }, 0);
  for (const reason of LOG_DEAD_LETTER_REASONS) metrics.deadLettered.inc({ reason }, 0);
  for (const reason of LOG_REJECTED_REASONS) metrics.rejected.inc({ reason }, 0);
  return metrics;
}
