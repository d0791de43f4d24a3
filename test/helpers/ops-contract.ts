// The metric names/labels and log record attributes agreed for the operations files. The ops tests
// hold these lists against src/metrics/catalogue.ts, src/logs/metrics.ts, src/logs/records.ts and a
// real /metrics output, and check every query against what the exporter really defines.

export type MetricKind = "counter" | "gauge" | "histogram";

export interface MetricContract {
  readonly name: string;
  readonly kind: MetricKind;
  readonly labels: readonly string[];
  /** Labels among `labels` only some configurations give (tenant: with logs.tenants). */
  readonly optionalLabels?: readonly string[];
}

const SESSION = ["server", "organization", "restore_type", "client_host"] as const;

/** The metrics agreed between the exporter and the ops files (issues 3 and 4). */
export const agreedMetrics: readonly MetricContract[] = [
  { name: "vbo_restore_sessions_total", kind: "counter", labels: SESSION },
  { name: "vbo_restore_sessions_finished_total", kind: "counter", labels: [...SESSION, "result"] },
  { name: "vbo_restore_sessions_running", kind: "gauge", labels: SESSION },
  {
    name: "vbo_restore_events_total",
    kind: "counter",
    labels: [...SESSION, "event_type", "status"],
  },
  { name: "vbo_restore_items_bytes_total", kind: "counter", labels: [...SESSION, "event_type"] },
  {
    name: "vbo_restore_session_duration_seconds",
    kind: "histogram",
    labels: ["server", "organization", "restore_type"],
  },
  { name: "vbo_last_restore_session_timestamp_seconds", kind: "gauge", labels: SESSION },
  { name: "vbo_up", kind: "gauge", labels: ["server"] },
  { name: "vbo_last_successful_poll_timestamp_seconds", kind: "gauge", labels: ["server"] },
  { name: "vbo_poll_duration_seconds", kind: "histogram", labels: ["server"] },
  { name: "vbo_poll_errors_total", kind: "counter", labels: ["server", "reason"] },
  { name: "vbo_server_info", kind: "gauge", labels: ["server", "version", "api_version"] },
  { name: "vbo_exporter_build_info", kind: "gauge", labels: ["version"] },
  {
    name: "vbo_log_records_exported_total",
    kind: "counter",
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  { name: "vbo_log_outbox_records", kind: "gauge", labels: ["tenant"], optionalLabels: ["tenant"] },
  {
    name: "vbo_log_outbox_oldest_record_age_seconds",
    kind: "gauge",
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
  {
    name: "vbo_log_export_failures_total",
    kind: "counter",
    labels: ["reason", "tenant"],
    optionalLabels: ["tenant"],
  },
  {
    name: "vbo_log_records_dead_lettered_total",
    kind: "counter",
    labels: ["reason", "tenant"],
    optionalLabels: ["tenant"],
  },
  {
    name: "vbo_log_last_export_timestamp_seconds",
    kind: "gauge",
    labels: ["tenant"],
    optionalLabels: ["tenant"],
  },
];

/** Series Prometheus itself adds for every scrape target. */
export const prometheusMetrics: readonly MetricContract[] = [
  { name: "up", kind: "gauge", labels: [] },
];

/** Labels Prometheus attaches to every scraped series. */
export const targetLabels: readonly string[] = ["job", "instance"];

/** Resource attributes of every log record; the first two are Loki index labels. */
export const indexedResourceAttributes: readonly string[] = ["service.name", "vbo.server"];

/** Log record attributes (OpenTelemetry names) that Loki keeps as structured metadata. */
export const recordAttributes: readonly string[] = [
  "service.version",
  "service.instance.id",
  "vbo.organization",
  "vbo.restore_type",
  "vbo.session.id",
  "vbo.session.name",
  "vbo.session.type",
  "vbo.initiated_by",
  "vbo.client_host",
  "vbo.client_gateway",
  "vbo.scope_name",
  "vbo.reason",
  "vbo.event.id",
  "vbo.event.type",
  "vbo.event.status",
  "vbo.event.order",
  "vbo.event.title",
  "vbo.event.duration_seconds",
  "vbo.item.name",
  "vbo.item.type",
  "vbo.item.size_bytes",
  "vbo.item.source",
  "vbo.item.target",
  "vbo.user.id",
  "vbo.audit.watched",
  "vbo.audit.subject",
  "vbo.session.result",
  "vbo.session.details",
  "vbo.session.duration_seconds",
];

/** Fields Loki's OTLP ingestion adds to every entry as structured metadata. */
export const lokiOtlpFields: readonly string[] = [
  "severity_text",
  "severity_number",
  "observed_timestamp",
];

/** An OpenTelemetry attribute name as Loki stores it: dots (and other non-word characters) become underscores. */
export function lokiName(attribute: string): string {
  return attribute.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Loki index labels the queries may select streams by. */
export function lokiIndexLabels(): Set<string> {
  return new Set(indexedResourceAttributes.map(lokiName));
}

/** Every name a LogQL label filter, grouping or template may use. */
export function lokiFieldNames(): Set<string> {
  return new Set([...lokiIndexLabels(), ...recordAttributes.map(lokiName), ...lokiOtlpFields]);
}
