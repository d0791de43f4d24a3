// Every metric the exporter itself defines: name, type, help and labels. The one source that the
// registry, docs/metrics.md and the contract tests read.

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

const RESTORE = ["server", "organization", "restore_type", "client_host"] as const;
const CHECKPOINT =
  "Polled in the background and committed to the durable state with the data it counts, so it continues across restarts.";

export const SESSION_DURATION_BUCKETS = [
  10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400,
];
export const POLL_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const METRICS: readonly MetricSpec[] = [
  {
    name: "vbo_restore_sessions_total",
    type: "counter",
    help: `Restore sessions, each counted once when first seen. ${CHECKPOINT}`,
    labels: RESTORE,
  },
  {
    name: "vbo_restore_sessions_finished_total",
    type: "counter",
    help: `Restore sessions that stopped, each counted once, by result. ${CHECKPOINT}`,
    labels: [...RESTORE, "result"],
  },
  {
    name: "vbo_restore_sessions_running",
    type: "gauge",
    help: "Restore sessions still Working as of the last poll.",
    labels: RESTORE,
  },
  {
    name: "vbo_restore_events_total",
    type: "counter",
    help: `Restore session events (items viewed, saved, exported, sent, restored; lifecycle entries as event_type="none"), each counted once. ${CHECKPOINT}`,
    labels: [...RESTORE, "event_type", "status"],
  },
  {
    name: "vbo_restore_items_bytes_total",
    type: "counter",
    help: `Sum of the item sizes (itemSizeBytes) of restore session events. ${CHECKPOINT}`,
    labels: [...RESTORE, "event_type"],
  },
  {
    name: "vbo_restore_session_duration_seconds",
    type: "histogram",
    help: "Duration of finished restore sessions (endTime - creationTime).",
    labels: ["server", "organization", "restore_type"],
    buckets: SESSION_DURATION_BUCKETS,
  },
  {
    name: "vbo_last_restore_session_timestamp_seconds",
    type: "gauge",
    help: "Start time (Unix seconds) of the newest restore session.",
    labels: RESTORE,
  },
  {
    name: "vbo_up",
    type: "gauge",
    help: "1 when the last background poll of the VBO server succeeded, 0 when it failed.",
    labels: ["server"],
  },
  {
    name: "vbo_last_successful_poll_timestamp_seconds",
    type: "gauge",
    help: "When the last successful poll of the VBO server finished (Unix seconds): data is this fresh.",
    labels: ["server"],
  },
  {
    name: "vbo_poll_duration_seconds",
    type: "histogram",
    help: "Duration of background polls of the VBO server, successful or not.",
    labels: ["server"],
    buckets: POLL_DURATION_BUCKETS,
  },
  {
    name: "vbo_poll_errors_total",
    type: "counter",
    help: "Failed polls of the VBO server by reason (bad_credentials, tls, unreachable, timeout, bad_response, server_error, throttled, outbox_full, ...).",
    labels: ["server", "reason"],
  },
  {
    name: "vbo_server_info",
    type: "gauge",
    help: "Always 1: the VBO product version and the REST API version in use.",
    labels: ["server", "version", "api_version"],
  },
  {
    name: "vbo_exporter_build_info",
    type: "gauge",
    help: "Always 1: the version of vbo-restore-exporter.",
    labels: ["version"],
  },
  {
    name: "vbo_client_host_overflow_total",
    type: "counter",
    help: 'Restore sessions counted under client_host="other" because the per-server limit of distinct client hosts was reached.',
    labels: ["server"],
  },
  {
    name: "vbo_server_clock_offset_seconds",
    type: "gauge",
    help: "VBO's clock minus the exporter's, from the Date header of VBO's latest answer (whole seconds, so within about a second); absent until a poll has seen one. Beyond the one-hour overlap, fix the time sync of either host.",
    labels: ["server"],
  },
  {
    name: "vbo_api_requests_total",
    type: "counter",
    help: "HTTP requests sent to the VBO REST API (tokens included).",
    labels: ["server"],
  },
];

export function metricSpec(name: string): MetricSpec {
  const spec = METRICS.find((m) => m.name === name);
  if (!spec) throw new Error(`no metric ${name} in the catalogue`);
  return spec;
}
