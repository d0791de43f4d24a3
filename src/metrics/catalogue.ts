// Every metric the exporter defines, vbo_log_* included: name, type, help, labels and the bounded
// reason lists exported at 0. The one source that the registry, docs/metrics.md, the dashboards,
// the rules and the contract tests read; label names are types derived from it.

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  /** Labels among `labels` that only some configurations give (tenant: with logs.tenants). */
  readonly optionalLabels?: readonly string[];
  readonly buckets?: readonly number[];
}

const RESTORE = ["server", "organization", "restore_type", "client_host"] as const;
const CHECKPOINT =
  "Polled in the background and committed to the durable state with the data it counts, so it continues across restarts.";

export const SESSION_DURATION_BUCKETS = [
  10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400,
] as const;
export const POLL_DURATION_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
] as const;

/** What was quarantined and why (a bounded list each): exported at 0 per server. */
export {
  UNREADABLE_KINDS as QUARANTINE_KINDS,
  UNREADABLE_REASONS as QUARANTINE_REASONS,
} from "../vbo/unreadable.ts";

/** Why a poll fails (the VBO client's reasons, outbox backpressure, anything else): exported at 0 per server. */
export const POLL_ERROR_REASONS = [
  "bad_credentials",
  "tls",
  "unreachable",
  "timeout",
  "bad_response",
  "server_error",
  "throttled",
  "not_found",
  "unsupported_version",
  "outbox_full",
  "internal",
] as const;

/** Why an export request to the log receiver failed (retried, or bisected when records were refused): exported at 0. */
export const LOG_EXPORT_FAILURE_REASONS = [
  "unreachable",
  "timeout",
  "tls",
  "rate_limited",
  "unavailable",
  "server_error",
  "unauthorized",
  "forbidden",
  "not_found",
  "unsupported_media_type",
  "receiver_config",
  "redirect",
  "unexpected_status",
  "partial_success",
  "too_old",
  "out_of_order",
  "too_new",
  "too_large",
  "structured_metadata",
  "bad_request",
] as const;

/** Why records were dead-lettered (refused by the receiver, or too old to send): exported at 0. */
export const LOG_DEAD_LETTER_REASONS = [
  "too_old",
  "out_of_order",
  "too_new",
  "too_large",
  "structured_metadata",
  "bad_request",
] as const;

/** Why the receiver rejected records without naming them: exported at 0. */
export const LOG_REJECTED_REASONS = ["partial_success"] as const;

/** The per-destination vbo_log_* series: what their tenant label is. */
const TENANT_NOTE =
  "Label tenant: the Loki tenant (X-Scope-OrgID) when logs.tenants is configured, absent otherwise.";

/** The catalogue, by metric name. */
export const CATALOGUE = {
  vbo_restore_sessions_total: {
    type: "counter",
    help: `Restore sessions, each counted once when first seen. ${CHECKPOINT}`,
    labels: RESTORE,
  },
  vbo_restore_sessions_finished_total: {
    type: "counter",
    help: `Restore sessions that stopped, each counted once, by result. ${CHECKPOINT}`,
    labels: [...RESTORE, "result"],
  },
  vbo_restore_sessions_running: {
    type: "gauge",
    help: "Restore sessions still Working, as of the last committed poll batch.",
    labels: RESTORE,
  },
  vbo_restore_events_total: {
    type: "counter",
    help: `Restore session events (items viewed, saved, exported, sent, restored; lifecycle entries as event_type="none"), each counted once. ${CHECKPOINT}`,
    labels: [...RESTORE, "event_type", "status"],
  },
  vbo_restore_items_bytes_total: {
    type: "counter",
    help: `Sum of the item sizes (itemSizeBytes) of restore session events. ${CHECKPOINT}`,
    labels: [...RESTORE, "event_type"],
  },
  vbo_restore_session_duration_seconds: {
    type: "histogram",
    help: "Duration of finished restore sessions (endTime - creationTime).",
    labels: ["server", "organization", "restore_type"],
    buckets: SESSION_DURATION_BUCKETS,
  },
  vbo_last_restore_session_timestamp_seconds: {
    type: "gauge",
    help: "Start time (Unix seconds) of the newest restore session of the label set.",
    labels: RESTORE,
  },
  vbo_up: {
    type: "gauge",
    help: "1 when the last background poll of the VBO server succeeded, 0 when it failed or none has succeeded yet since the exporter started.",
    labels: ["server"],
  },
  vbo_last_successful_poll_timestamp_seconds: {
    type: "gauge",
    help: "When the last successful poll of the VBO server finished (Unix seconds): data is this fresh.",
    labels: ["server"],
  },
  vbo_poll_duration_seconds: {
    type: "histogram",
    help: "Duration of background polls of the VBO server, successful or not.",
    labels: ["server"],
    buckets: POLL_DURATION_BUCKETS,
  },
  vbo_poll_errors_total: {
    type: "counter",
    help: "Failed polls of the VBO server by reason (bad_credentials, tls, unreachable, timeout, bad_response, server_error, throttled, outbox_full, ...).",
    labels: ["server", "reason"],
  },
  vbo_records_quarantined_total: {
    type: "counter",
    help: "Records VBO sent that could not be read (kind session, event or event_list; reason missing_field, wrong_type, bad_timestamp, not_an_object or not_found), kept in the state's quarantine instead of failing the poll; each record counts once. List them with `vbo-restore-exporter quarantine list`.",
    labels: ["server", "kind", "reason"],
  },
  vbo_restore_sessions_finished_with_unreadable_events_total: {
    type: "counter",
    help: "Restore sessions VBO reports ended whose unreadable events (or events list) stayed unreadable through a grace after the session ended (read again several times, for an hour), so it was finished without them: the session counts in vbo_restore_sessions_finished_total, those events never count and stay in the quarantine. List them with `vbo-restore-exporter quarantine list`.",
    labels: ["server"],
  },
  vbo_server_info: {
    type: "gauge",
    help: "Always 1: the VBO product version and the REST API version in use.",
    labels: ["server", "version", "api_version"],
  },
  vbo_exporter_build_info: {
    type: "gauge",
    help: "Always 1: the version of vbo-restore-exporter.",
    labels: ["version"],
  },
  vbo_client_host_overflow_total: {
    type: "counter",
    help: 'Restore sessions counted under client_host="other" because the per-server limit of distinct client hosts was reached.',
    labels: ["server"],
  },
  vbo_label_overflow_total: {
    type: "counter",
    help: 'Restore sessions or events counted under "other" for a label (organization, restore_type, event_type, status, result, subject) because the per-server limit of its distinct values (labelLimits) was reached.',
    labels: ["server", "label"],
  },
  vbo_server_clock_offset_seconds: {
    type: "gauge",
    help: "VBO's clock minus the exporter's, in seconds with a fraction, from the Date header of VBO's latest answer (which has one-second resolution, so the value is right to within about a second); absent until a poll has seen one. Beyond the one-hour overlap, fix the time sync of either host.",
    labels: ["server"],
  },
  vbo_backfill_progress_ratio: {
    type: "gauge",
    help: "How far the backfill (or other long poll) under way, or the last one, has read its range: the part from its start to VBO's now whose sessions are committed, 0 to 1. 0 until a backfill or long poll has run.",
    labels: ["server"],
  },
  vbo_backfill_reached_timestamp_seconds: {
    type: "gauge",
    help: "The time (Unix seconds) up to which the backfill or long poll under way, or the last one, has committed every session; 0 until one has run.",
    labels: ["server"],
  },
  vbo_backfill_sessions: {
    type: "gauge",
    help: "Restore sessions committed so far by the backfill or long poll under way, or by the last one.",
    labels: ["server"],
  },
  vbo_backfill_events: {
    type: "gauge",
    help: "Restore events committed so far by the backfill or long poll under way, or by the last one.",
    labels: ["server"],
  },
  vbo_backfill_remaining_seconds: {
    type: "gauge",
    help: "Estimated time left of the backfill or long poll under way, at its pace so far: 0 when none is under way, -1 while nothing is committed yet to estimate from.",
    labels: ["server"],
  },
  vbo_api_requests_total: {
    type: "counter",
    help: "HTTP requests sent to the VBO REST API (tokens included).",
    labels: ["server"],
  },
  vbo_audited_restore_events_total: {
    type: "counter",
    help: `Restore events (views included) that touched a watched subject: a user or group VBO audits, or a local watchlist entry; subject as the watchlist names it. ${CHECKPOINT}`,
    labels: ["server", "organization", "subject", "event_type"],
  },
  vbo_audit_watchlist_up: {
    type: "gauge",
    help: "1 when the watchlist (VBO's audit items and their groups' members) was last read from the VBO server without error, 0 when that failed (the last good watchlist stays in use).",
    labels: ["server"],
  },
  vbo_audit_watchlist_subjects: {
    type: "gauge",
    help: "Subjects on the watchlist of the VBO server (audited users and groups, and local entries).",
    labels: ["server"],
  },
  vbo_log_records_exported_total: {
    type: "counter",
    help: `Audit log records the log receiver acknowledged (or written to the console output). ${TENANT_NOTE}`,
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_outbox_records: {
    type: "gauge",
    help: `Audit log records waiting in the durable outbox for the log receiver to acknowledge them. ${TENANT_NOTE}`,
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_outbox_oldest_record_age_seconds: {
    type: "gauge",
    help: `How long the record that has waited longest in the outbox has waited since it was enqueued (0 when empty). ${TENANT_NOTE}`,
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_outbox_limit_records: {
    type: "gauge",
    help: "The outbox size cap; at the cap poll batches are refused (backpressure) until it drains.",
    labels: [],
  },
  vbo_log_dead_letter_records: {
    type: "gauge",
    help: `Audit log records in the dead-letter table (rejected by the receiver, kept for replay). ${TENANT_NOTE}`,
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_export_failures_total: {
    type: "counter",
    help: `Failed export requests by reason (unreachable, timeout, tls, rate_limited, unavailable, server_error, unauthorized, receiver_config, too_old, bad_request, ...). ${TENANT_NOTE}`,
    labels: ["reason", "tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_records_dead_lettered_total: {
    type: "counter",
    help: `Audit log records moved to the dead-letter table, by reason (too_old, out_of_order, too_large, bad_request, ...). ${TENANT_NOTE}`,
    labels: ["reason", "tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_records_rejected_total: {
    type: "counter",
    help: `Records the receiver reported as rejected in an OTLP partial success (not identifiable, so not dead-lettered). ${TENANT_NOTE}`,
    labels: ["reason", "tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_last_export_timestamp_seconds: {
    type: "gauge",
    help: `Unix time of the last export the log receiver acknowledged. ${TENANT_NOTE}`,
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  vbo_log_outbox_full_total: {
    type: "counter",
    help: "Poll batches refused because the outbox was at its cap; the poller retries them later.",
    labels: [],
  },
} as const satisfies Readonly<Record<string, Omit<MetricSpec, "name">>>;

export type MetricName = keyof typeof CATALOGUE;
/** The label names of one metric, as a type. */
export type LabelName<M extends MetricName> = (typeof CATALOGUE)[M]["labels"][number];
/** One series' label values of a metric, by label name. */
export type LabelValues<M extends MetricName> = { readonly [L in LabelName<M>]: string };

/** The restore counters the durable state keeps. */
export type RestoreCounter =
  | "vbo_restore_sessions_total"
  | "vbo_restore_sessions_finished_total"
  | "vbo_restore_events_total"
  | "vbo_restore_items_bytes_total"
  | "vbo_client_host_overflow_total"
  | "vbo_label_overflow_total"
  | "vbo_audited_restore_events_total";

/** Every metric as a list, in catalogue order. */
export const METRICS: readonly MetricSpec[] = Object.entries(CATALOGUE).map(([name, spec]) => ({
  name,
  ...spec,
}));

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(CATALOGUE, name);
}

export function metricSpec(name: string): MetricSpec {
  const spec = METRICS.find((m) => m.name === name);
  if (!spec) throw new Error(`no metric ${name} in the catalogue`);
  return spec;
}

/** Label values given in the catalogue's label order (the durable state's rows) as an object. */
export function labelsFromTuple<M extends MetricName>(
  metric: M,
  values: readonly string[],
): LabelValues<M> {
  const names: readonly string[] = CATALOGUE[metric].labels;
  if (values.length !== names.length)
    throw new Error(`${metric} has ${names.length} labels, got ${values.length} values`);
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? ""])) as LabelValues<M>;
}
