// The exporter's prom-client metrics on a private registry: restore counters hydrated from the
// durable state at start and advanced only by committed batches; poll health set by the pollers.
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";
import type { BatchCounts } from "../state/counting.ts";
import type { StateStore } from "../state/store.ts";
import { metricSpec } from "./catalogue.ts";

export interface ExporterMetrics {
  /** Adds what a committed batch counted. */
  applyCommitted(counts: BatchCounts): void;
  pollSucceeded(server: string, durationSeconds: number, finishedAtMs: number): void;
  pollFailed(server: string, reason: string, durationSeconds: number): void;
  serverInfo(server: string, version: string, apiVersion: string): void;
  apiRequests(server: string, count: number): void;
  /** VBO's clock minus the exporter's, in seconds; null when unknown (the series is removed). */
  serverClockOffset(server: string, seconds: number | null): void;
}

type LabelValues = Record<string, string>;

function labelObject(names: readonly string[], values: readonly string[]): LabelValues {
  const out: LabelValues = {};
  names.forEach((name, i) => {
    out[name] = values[i] ?? "";
  });
  return out;
}

function counter(registry: Registry, name: string): Counter {
  const spec = metricSpec(name);
  return new Counter({
    name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
  });
}

function gauge(registry: Registry, name: string, collect?: (this: Gauge) => void): Gauge {
  const spec = metricSpec(name);
  return new Gauge({
    name,
    help: spec.help,
    labelNames: [...spec.labels],
    registers: [registry],
    ...(collect ? { collect } : {}),
  });
}

function histogram(registry: Registry, name: string): Histogram {
  const spec = metricSpec(name);
  return new Histogram({
    name,
    help: spec.help,
    labelNames: [...spec.labels],
    buckets: [...(spec.buckets ?? [])],
    registers: [registry],
  });
}

export function createExporterMetrics(
  registry: Registry,
  options: {
    version: string;
    servers: readonly string[];
    store: StateStore;
    defaultMetrics?: boolean;
  },
): ExporterMetrics {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const { store } = options;
  const counters = new Map<string, Counter>(
    [
      "vbo_restore_sessions_total",
      "vbo_restore_sessions_finished_total",
      "vbo_restore_events_total",
      "vbo_restore_items_bytes_total",
      "vbo_client_host_overflow_total",
    ].map((name) => [name, counter(registry, name)]),
  );
  const duration = histogram(registry, "vbo_restore_session_duration_seconds");
  const lastSession = gauge(registry, "vbo_last_restore_session_timestamp_seconds");
  const runningSpec = metricSpec("vbo_restore_sessions_running");
  gauge(registry, "vbo_restore_sessions_running", function collect() {
    // Read at scrape time from the committed sessions: always what the state says.
    this.reset();
    for (const row of store.runningRows())
      this.set(labelObject(runningSpec.labels, row.labels), row.count);
  });
  const up = gauge(registry, "vbo_up");
  const lastPoll = gauge(registry, "vbo_last_successful_poll_timestamp_seconds");
  const pollDuration = histogram(registry, "vbo_poll_duration_seconds");
  const pollErrors = counter(registry, "vbo_poll_errors_total");
  const serverInfo = gauge(registry, "vbo_server_info");
  const buildInfo = gauge(registry, "vbo_exporter_build_info");
  const apiRequests = counter(registry, "vbo_api_requests_total");
  const clockOffset = gauge(registry, "vbo_server_clock_offset_seconds");

  buildInfo.set({ version: options.version }, 1);
  for (const server of options.servers) {
    up.set({ server }, 0);
    apiRequests.inc({ server }, 0);
  }

  const addCounter = (metric: string, labels: readonly string[], value: number) => {
    const target = counters.get(metric);
    if (!target) return;
    target.inc(labelObject(metricSpec(metric).labels, labels), value);
  };
  const lastSpec = metricSpec("vbo_last_restore_session_timestamp_seconds");
  const durationSpec = metricSpec("vbo_restore_session_duration_seconds");
  const lastSeen = new Map<string, number>();
  const setLast = (labels: readonly string[], seconds: number) => {
    const key = labels.join("\u0000");
    if ((lastSeen.get(key) ?? Number.NEGATIVE_INFINITY) >= seconds) return;
    lastSeen.set(key, seconds);
    lastSession.set(labelObject(lastSpec.labels, labels), seconds);
  };

  // Hydrate from the durable state: the counters continue where they were.
  for (const row of store.counterRows()) addCounter(row.metric, row.labels, row.value);
  for (const row of store.durationRows())
    duration.observe(labelObject(durationSpec.labels, row.labels), row.seconds);
  for (const row of store.lastSessionRows()) setLast(row.labels, row.seconds);

  const serverInfoSeen = new Map<string, LabelValues>();
  return {
    applyCommitted(counts) {
      for (const c of counts.counters) addCounter(c.metric, c.labels, c.value);
      for (const d of counts.durations)
        duration.observe(labelObject(durationSpec.labels, d.labels), d.seconds);
      for (const l of counts.lastSessions) setLast(l.labels, l.seconds);
    },
    pollSucceeded(server, durationSeconds, finishedAtMs) {
      up.set({ server }, 1);
      lastPoll.set({ server }, finishedAtMs / 1000);
      pollDuration.observe({ server }, durationSeconds);
    },
    pollFailed(server, reason, durationSeconds) {
      up.set({ server }, 0);
      pollErrors.inc({ server, reason });
      pollDuration.observe({ server }, durationSeconds);
    },
    serverInfo(server, version, apiVersion) {
      const previous = serverInfoSeen.get(server);
      if (previous) serverInfo.remove(previous);
      const labels = { server, version, api_version: apiVersion };
      serverInfo.set(labels, 1);
      serverInfoSeen.set(server, labels);
    },
    apiRequests(server, count) {
      if (count > 0) apiRequests.inc({ server }, count);
    },
    serverClockOffset(server, seconds) {
      if (seconds === null) clockOffset.remove({ server });
      else clockOffset.set({ server }, seconds);
    },
  };
}
