// The exporter's prom-client metrics on a private registry: restore counters hydrated from the
// durable state at start and advanced only by committed batches; poll health set by the pollers.
// Known label sets are exported at 0 (poll error reasons, running sessions once shown); a restore
// counter's label set first counted after a server's history read is held at 0 for
// `newSeriesHoldMs` so increase() sees its first value (new-series-hold.ts).
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from "prom-client";
import { GUARDED_LABELS } from "../pipeline/labels.ts";
import type { BatchCounts } from "../state/counting.ts";
import type { StateStore } from "../state/store.ts";
import {
  CATALOGUE,
  type LabelValues,
  labelsFromTuple,
  type MetricName,
  metricSpec,
  POLL_ERROR_REASONS,
  QUARANTINE_KINDS,
  QUARANTINE_REASONS,
  type RestoreCounter,
} from "./catalogue.ts";
import type { StableSeries } from "./exposition.ts";
import { createNewSeriesHold } from "./new-series-hold.ts";

/** The figures of a backfill or long poll, as the vbo_backfill_* gauges show them. */
export interface BackfillFigures {
  readonly ratio: number;
  readonly reachedMs: number;
  readonly sessions: number;
  readonly events: number;
  readonly remainingSeconds: number | null;
}

export interface ExporterMetrics {
  /** Adds what a committed batch counted. */
  applyCommitted(counts: BatchCounts): void;
  pollSucceeded(server: string, durationSeconds: number, finishedAtMs: number): void;
  pollFailed(server: string, reason: string, durationSeconds: number): void;
  serverInfo(server: string, version: string, apiVersion: string): void;
  apiRequests(server: string, count: number): void;
  /** VBO's clock minus the exporter's, in seconds; null when unknown (the series is removed). */
  serverClockOffset(server: string, seconds: number | null): void;
  /** Whether the server's watchlist was last read without error, and how many subjects it has. */
  watchlist(server: string, up: boolean, subjects: number): void;
  /** How far the backfill or long poll under way (or the last one) has come. */
  backfillProgress(server: string, figures: BackfillFigures): void;
  /** The restore metrics (most of the series), changed only by commits, held increments and start. */
  readonly stableSeries: StableSeries;
}

export interface ExporterMetricsOptions {
  readonly version: string;
  readonly servers: readonly string[];
  readonly store: StateStore;
  readonly defaultMetrics?: boolean;
  /**
   * How long a restore counter's new label set is exposed at 0 before its value (ms); at least
   * one scrape interval. 0 (the default here) exposes values at once, as before.
   */
  readonly newSeriesHoldMs?: number;
  readonly now?: () => number;
}

type Labels = Record<string, string>;

const RESTORE_COUNTERS: readonly RestoreCounter[] = [
  "vbo_restore_sessions_total",
  "vbo_restore_sessions_finished_total",
  "vbo_restore_events_total",
  "vbo_restore_items_bytes_total",
  "vbo_client_host_overflow_total",
  "vbo_label_overflow_total",
  "vbo_audited_restore_events_total",
];

function isRestoreCounter(name: string): name is RestoreCounter {
  return (RESTORE_COUNTERS as readonly string[]).includes(name);
}

function definition(name: MetricName) {
  const spec = CATALOGUE[name];
  return { name, help: spec.help, labelNames: [...spec.labels] as string[] };
}

function counter(registry: Registry, name: MetricName, collect?: () => void): Counter {
  return new Counter({
    ...definition(name),
    registers: [registry],
    ...(collect ? { collect } : {}),
  });
}

function gauge(registry: Registry, name: MetricName, collect?: (this: Gauge) => void): Gauge {
  return new Gauge({ ...definition(name), registers: [registry], ...(collect ? { collect } : {}) });
}

function histogram(registry: Registry, name: MetricName): Histogram {
  return new Histogram({
    ...definition(name),
    buckets: [...(metricSpec(name).buckets ?? [])],
    registers: [registry],
  });
}

const keyOf = (labels: readonly string[]) => labels.join("\u0000");

export function createExporterMetrics(
  registry: Registry,
  options: ExporterMetricsOptions,
): ExporterMetrics {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const { store } = options;
  const holdMs = options.newSeriesHoldMs ?? 0;
  const hold = createNewSeriesHold({ holdMs, now: options.now ?? Date.now });
  // Bumped by every change to the stable series below, so their text is rendered again.
  let generation = 0;
  const release = () => hold.release();
  const counters = new Map<RestoreCounter, Counter>(
    RESTORE_COUNTERS.map((name) => [name, counter(registry, name, release)]),
  );
  const duration = histogram(registry, "vbo_restore_session_duration_seconds");
  const lastSession = gauge(registry, "vbo_last_restore_session_timestamp_seconds");
  // Running sessions by label set; a label set shown once stays, at 0, when nothing runs there.
  const runningShown = new Map<string, LabelValues<"vbo_restore_sessions_running">>();
  gauge(registry, "vbo_restore_sessions_running", function collect() {
    this.reset();
    for (const labels of runningShown.values()) this.set(labels, 0);
    for (const row of store.runningRows()) {
      const labels = labelsFromTuple("vbo_restore_sessions_running", row.labels);
      runningShown.set(keyOf(row.labels), labels);
      this.set(labels, row.count);
    }
  });
  const up = gauge(registry, "vbo_up");
  const lastPoll = gauge(registry, "vbo_last_successful_poll_timestamp_seconds");
  const pollDuration = histogram(registry, "vbo_poll_duration_seconds");
  const pollErrors = counter(registry, "vbo_poll_errors_total");
  const serverInfo = gauge(registry, "vbo_server_info");
  const buildInfo = gauge(registry, "vbo_exporter_build_info");
  const apiRequests = counter(registry, "vbo_api_requests_total");
  const clockOffset = gauge(registry, "vbo_server_clock_offset_seconds");
  const watchlistUp = gauge(registry, "vbo_audit_watchlist_up");
  const watchlistSubjects = gauge(registry, "vbo_audit_watchlist_subjects");
  // Read from the quarantine at each scrape: a row is never deleted, so the count only grows.
  counter(registry, "vbo_records_quarantined_total", function collect(this: Counter) {
    this.reset();
    for (const server of options.servers)
      for (const kind of QUARANTINE_KINDS)
        for (const reason of QUARANTINE_REASONS) this.inc({ server, kind, reason }, 0);
    for (const row of store.quarantine.counts())
      this.inc({ server: row.server, kind: row.kind, reason: row.reason }, row.count);
  });
  // Read from the quarantine too: a session given up keeps its rows, so the count only grows.
  counter(
    registry,
    "vbo_restore_sessions_finished_with_unreadable_events_total",
    function collect(this: Counter) {
      this.reset();
      for (const server of options.servers) this.inc({ server }, 0);
      for (const row of store.quarantine.givenUpCounts())
        this.inc({ server: row.server }, row.sessions);
    },
  );
  const backfill = {
    ratio: gauge(registry, "vbo_backfill_progress_ratio"),
    reached: gauge(registry, "vbo_backfill_reached_timestamp_seconds"),
    sessions: gauge(registry, "vbo_backfill_sessions"),
    events: gauge(registry, "vbo_backfill_events"),
    remaining: gauge(registry, "vbo_backfill_remaining_seconds"),
  };

  buildInfo.set({ version: options.version }, 1);
  for (const server of options.servers) {
    up.set({ server }, 0);
    for (const g of Object.values(backfill)) g.set({ server }, 0);
    apiRequests.inc({ server }, 0);
    for (const reason of POLL_ERROR_REASONS) pollErrors.inc({ server, reason }, 0);
    counters.get("vbo_client_host_overflow_total")?.inc({ server }, 0);
    hold.known(keyOf(["vbo_client_host_overflow_total", server]));
    for (const label of GUARDED_LABELS) {
      counters.get("vbo_label_overflow_total")?.inc({ server, label }, 0);
      hold.known(keyOf(["vbo_label_overflow_total", server, label]));
    }
  }

  const applyNow = (metric: RestoreCounter, labels: Labels, value: number) => {
    generation++;
    counters.get(metric)?.inc(labels, value);
  };
  const observeDuration = (labels: readonly string[], seconds: number) => {
    generation++;
    duration.observe(labelsFromTuple("vbo_restore_session_duration_seconds", labels), seconds);
  };
  const addCounter = (metric: string, tuple: readonly string[], value: number, held: boolean) => {
    if (!isRestoreCounter(metric)) return;
    const labels: Labels = labelsFromTuple(metric, tuple);
    const key = keyOf([metric, ...tuple]);
    if (!held) {
      hold.known(key);
      applyNow(metric, labels, value);
      return;
    }
    hold.count(
      key,
      () => applyNow(metric, labels, 0),
      () => applyNow(metric, labels, value),
    );
  };
  const lastSeen = new Map<string, number>();
  const setLast = (tuple: readonly string[], seconds: number) => {
    const key = keyOf(tuple);
    if ((lastSeen.get(key) ?? Number.NEGATIVE_INFINITY) >= seconds) return;
    lastSeen.set(key, seconds);
    generation++;
    lastSession.set(labelsFromTuple("vbo_last_restore_session_timestamp_seconds", tuple), seconds);
  };

  // Hydrate from the durable state: the counters continue where they were.
  for (const row of store.counterRows()) {
    addCounter(row.metric, row.labels, row.value, false);
    if (row.metric === "vbo_restore_sessions_total")
      runningShown.set(
        keyOf(row.labels),
        labelsFromTuple("vbo_restore_sessions_running", row.labels),
      );
  }
  for (const row of store.durationRows()) observeDuration(row.labels, row.seconds);
  for (const row of store.lastSessionRows()) setLast(row.labels, row.seconds);

  // A server never polled before has its history read first: those counts are what happened
  // before the exporter started, not new restores, so they wait for the first successful poll and
  // appear then with their values (increase() does not count them; Loki has them at their times).
  // They wait summed per label set (first counted first): one entry per series, not one per series
  // and batch, which grew with the history (69 MB of a 100 000-session backfill's heap).
  const historyPending = new Map<
    string,
    Map<string, { metric: string; labels: readonly string[]; value: number }>
  >();
  if (holdMs > 0) {
    for (const server of options.servers)
      if (store.serverState(server).cursorMs === null) historyPending.set(server, new Map());
  }

  const serverInfoSeen = new Map<string, Labels>();
  const stableSeries: StableSeries = {
    names: new Set<string>([
      ...RESTORE_COUNTERS,
      "vbo_restore_session_duration_seconds",
      "vbo_last_restore_session_timestamp_seconds",
    ]),
    generation() {
      hold.release();
      return generation;
    },
  };
  return {
    stableSeries,
    applyCommitted(counts) {
      // Also released here, not only at scrape time: without a scraper nothing piles up.
      hold.release();
      for (const c of counts.counters) {
        const pending = historyPending.get(c.labels[0] ?? "");
        if (pending === undefined) {
          addCounter(c.metric, c.labels, c.value, true);
          continue;
        }
        const key = keyOf([c.metric, ...c.labels]);
        const earlier = pending.get(key);
        if (earlier === undefined)
          pending.set(key, { metric: c.metric, labels: c.labels, value: c.value });
        else earlier.value += c.value;
      }
      for (const d of counts.durations) observeDuration(d.labels, d.seconds);
      for (const l of counts.lastSessions) setLast(l.labels, l.seconds);
    },
    pollSucceeded(server, durationSeconds, finishedAtMs) {
      const pending = historyPending.get(server);
      if (pending) {
        historyPending.delete(server);
        for (const c of pending.values()) addCounter(c.metric, c.labels, c.value, false);
      }
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
    watchlist(server, isUp, subjects) {
      watchlistUp.set({ server }, isUp ? 1 : 0);
      watchlistSubjects.set({ server }, subjects);
    },
    backfillProgress(server, figures) {
      backfill.ratio.set({ server }, figures.ratio);
      backfill.reached.set({ server }, figures.reachedMs / 1000);
      backfill.sessions.set({ server }, figures.sessions);
      backfill.events.set({ server }, figures.events);
      backfill.remaining.set({ server }, figures.remainingSeconds ?? -1);
    },
  };
}
