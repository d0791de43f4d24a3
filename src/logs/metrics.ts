// The log pipeline's self-metrics (vbo_log_*), registered in the exporter's private registry with the
// catalogue's help texts. With tenants configured, the per-destination series carry the `tenant`
// label (tenant-labels.ts); without, they have none, as the single default destination always had.
import { Counter, Gauge, type Registry } from "prom-client";
import {
  CATALOGUE,
  LOG_DEAD_LETTER_REASONS,
  LOG_EXPORT_FAILURE_REASONS,
  LOG_REJECTED_REASONS,
} from "../metrics/catalogue.ts";
import type { DestinationCounts } from "../state/outbox-tables.ts";
import { createTenantLabels, type TenantLabels } from "./tenant-labels.ts";

/** What the sender and the outbox count, per destination (Loki tenant). */
export interface LogMetrics {
  /** The receiver acknowledged `records` records of the destination (now is the last export). */
  exported(destination: string, records: number): void;
  failed(destination: string, reason: string): void;
  deadLettered(destination: string, reason: string, records: number): void;
  rejected(destination: string, reason: string, records: number): void;
  outboxFull(): void;
}

export interface OutboxGauges {
  pending(): number;
  oldestEnqueuedAtMs(): number | null;
  deadLetters(): number;
  /** The same, per destination (only read when tenants are configured). */
  byDestination(): readonly DestinationCounts[];
  limit: number;
  now(): number;
}

type TenantKey = { tenant?: string };

/** Registers every vbo_log_* metric; the outbox gauges are read from the database on scrape. */
export function createLogMetrics(
  registry: Registry,
  outbox: OutboxGauges,
  tenants: TenantLabels = createTenantLabels(null),
): LogMetrics {
  const safe = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch {
      // The store is closed (shutdown): report nothing rather than fail the scrape.
      return fallback;
    }
  };
  const keyOf = (destination: string): TenantKey => {
    const tenant = tenants.of(destination);
    return tenant === null ? {} : { tenant };
  };
  const ageSeconds = (oldestMs: number | null): number =>
    oldestMs === null ? 0 : Math.max(0, (outbox.now() - oldestMs) / 1000);

  /**
   * Per tenant label: records waiting, the age of the longest-waiting one and dead letters, every
   * known tenant at 0 when it has none; NaN throughout when the store cannot be read.
   */
  const perTenant = (): Map<string, { records: number; ageSeconds: number; dead: number }> => {
    const rows = safe<readonly DestinationCounts[] | null>(() => outbox.byDestination(), null);
    const blank = rows === null ? Number.NaN : 0;
    const totals = new Map<string, { records: number; oldestMs: number | null; dead: number }>();
    for (const row of rows ?? []) {
      const tenant = tenants.of(row.destination) ?? "";
      const sum = totals.get(tenant) ?? { records: 0, oldestMs: null, dead: 0 };
      sum.records += row.records;
      sum.dead += row.deadLetters;
      const oldest = row.oldestEnqueuedAtMs;
      if (oldest !== null) sum.oldestMs = Math.min(sum.oldestMs ?? oldest, oldest);
      totals.set(tenant, sum);
    }
    ensureTenants();
    const out = new Map<string, { records: number; ageSeconds: number; dead: number }>();
    for (const tenant of tenants.known()) {
      const sum = totals.get(tenant);
      out.set(
        tenant,
        sum === undefined
          ? { records: blank, ageSeconds: blank, dead: blank }
          : { records: sum.records, ageSeconds: ageSeconds(sum.oldestMs), dead: sum.dead },
      );
    }
    return out;
  };

  new Gauge({
    name: "vbo_log_outbox_records",
    help: CATALOGUE.vbo_log_outbox_records.help,
    labelNames: ["tenant"],
    registers: [registry],
    collect() {
      if (tenants.known().length === 0) {
        this.set(safe(() => outbox.pending(), Number.NaN));
        return;
      }
      for (const [tenant, sum] of perTenant()) this.set({ tenant }, sum.records);
    },
  });
  new Gauge({
    name: "vbo_log_outbox_oldest_record_age_seconds",
    help: CATALOGUE.vbo_log_outbox_oldest_record_age_seconds.help,
    labelNames: ["tenant"],
    registers: [registry],
    collect() {
      if (tenants.known().length === 0) {
        this.set(safe(() => ageSeconds(outbox.oldestEnqueuedAtMs()), Number.NaN));
        return;
      }
      for (const [tenant, sum] of perTenant()) this.set({ tenant }, sum.ageSeconds);
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
    labelNames: ["tenant"],
    registers: [registry],
    collect() {
      if (tenants.known().length === 0) {
        this.set(safe(() => outbox.deadLetters(), Number.NaN));
        return;
      }
      for (const [tenant, sum] of perTenant()) this.set({ tenant }, sum.dead);
    },
  });
  const exported = new Counter({
    name: "vbo_log_records_exported_total",
    help: CATALOGUE.vbo_log_records_exported_total.help,
    labelNames: ["tenant"],
    registers: [registry],
  });
  const failures = new Counter({
    name: "vbo_log_export_failures_total",
    help: CATALOGUE.vbo_log_export_failures_total.help,
    labelNames: ["reason", "tenant"],
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: "vbo_log_records_dead_lettered_total",
    help: CATALOGUE.vbo_log_records_dead_lettered_total.help,
    labelNames: ["reason", "tenant"],
    registers: [registry],
  });
  const rejected = new Counter({
    name: "vbo_log_records_rejected_total",
    help: CATALOGUE.vbo_log_records_rejected_total.help,
    labelNames: ["reason", "tenant"],
    registers: [registry],
  });
  const lastExport = new Gauge({
    name: "vbo_log_last_export_timestamp_seconds",
    help: CATALOGUE.vbo_log_last_export_timestamp_seconds.help,
    labelNames: ["tenant"],
    registers: [registry],
  });
  const outboxFull = new Counter({
    name: "vbo_log_outbox_full_total",
    help: CATALOGUE.vbo_log_outbox_full_total.help,
    registers: [registry],
  });

  // Known label sets are exported at 0, so a query sees a series before its first count: every
  // reason, for every tenant known (configured, or seen since the start).
  const zeroed = new Set<string>();
  const zero = (key: TenantKey): void => {
    exported.inc(key, 0);
    lastExport.inc(key, 0);
    for (const reason of LOG_EXPORT_FAILURE_REASONS) failures.inc({ reason, ...key }, 0);
    for (const reason of LOG_DEAD_LETTER_REASONS) deadLettered.inc({ reason, ...key }, 0);
    for (const reason of LOG_REJECTED_REASONS) rejected.inc({ reason, ...key }, 0);
  };
  function ensureTenants(): void {
    for (const tenant of tenants.known()) {
      if (zeroed.has(tenant)) continue;
      zeroed.add(tenant);
      zero({ tenant });
    }
  }
  if (tenants.known().length === 0) zero({});
  else ensureTenants();

  const counted = (destination: string): TenantKey => {
    const key = keyOf(destination);
    ensureTenants();
    return key;
  };
  return {
    exported(destination, records) {
      const key = counted(destination);
      exported.inc(key, records);
      lastExport.set(key, outbox.now() / 1000);
    },
    failed(destination, reason) {
      failures.inc({ reason, ...counted(destination) });
    },
    deadLettered(destination, reason, records) {
      deadLettered.inc({ reason, ...counted(destination) }, records);
    },
    rejected(destination, reason, records) {
      rejected.inc({ reason, ...counted(destination) }, records);
    },
    outboxFull() {
      outboxFull.inc();
    },
  };
}
