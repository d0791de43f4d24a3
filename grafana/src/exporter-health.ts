// "VBO exporter health": is every VBO server polled, how long polls take and why they fail, and
// whether the audit log reaches Loki (outbox backlog, age, failures, dead letters; per Loki tenant).
import {
  dashboard,
  fields,
  labelVariable,
  prom,
  redFrom,
  row,
  stat,
  table,
  timeseries,
  UP_DOWN,
} from "./builders.ts";
import { M } from "./metric-names.ts";
import { MIXIN, type MixinConfig } from "./mixin-config.ts";
import type { Dashboard } from "./model.ts";
import { HEALTH_UID } from "./uids.ts";

const S = 'server=~"$server"';

export function exporterHealth(config: MixinConfig = MIXIN): Dashboard {
  return dashboard({
    datasources: config.datasources,
    uid: HEALTH_UID,
    title: "VBO exporter health",
    description: "Polling of the VBO servers and delivery of the audit log to Loki.",
    from: "now-6h",
    variables: [
      labelVariable(
        "server",
        "VBO server",
        `label_values(${M.vbo_up}, server)`,
        "The configured VBO server.",
      ),
    ],
    panels: [
      row("VBO servers"),
      stat(
        "Exporter scrape",
        "Whether Prometheus can scrape the exporter (up).",
        prom([['min(up{job="vbo-restore-exporter"})', { instant: true }]]),
        fields("none", { mappings: UP_DOWN }),
        4,
        4,
      ),
      stat(
        "VBO servers up",
        `Servers whose last poll succeeded (${M.vbo_up}).`,
        prom([[`sum(${M.vbo_up}{${S}})`, { instant: true }]]),
        fields("short", { decimals: 0 }),
        4,
        4,
      ),
      stat(
        "VBO servers down",
        "Servers whose last poll failed.",
        prom([[`count(${M.vbo_up}{${S}} == 0) or vector(0)`, { instant: true }]]),
        fields("short", {
          decimals: 0,
          ...redFrom(1),
        }),
        4,
        4,
      ),
      table(
        "Servers",
        "Each VBO server: product version and API version in use.",
        prom([
          [
            `max by (server, version, api_version) (${M.vbo_server_info}{${S}})`,
            { instant: true, table: true },
          ],
        ]),
        fields("short"),
        [
          {
            id: "organize",
            options: {
              excludeByName: { Time: true, Value: true },
              renameByName: { version: "VBO version", api_version: "API" },
            },
          },
        ],
        12,
        4,
      ),
      timeseries(
        "Poll status",
        "1 when the last poll of the server succeeded.",
        prom([[`${M.vbo_up}{${S}}`, { legend: "{{server}}" }]]),
        fields("none", { mappings: UP_DOWN, min: 0 }),
      ),
      timeseries(
        "Time since last successful poll",
        "Should stay below the poll interval plus the poll duration.",
        prom([
          [
            `time() - ${M.vbo_last_successful_poll_timestamp_seconds}{${S}}`,
            { legend: "{{server}}" },
          ],
        ]),
        fields("s"),
      ),
      timeseries(
        "Poll duration (p50, p95)",
        "How long one poll cycle takes per server.",
        prom([
          [
            `histogram_quantile(0.5, sum by (le, server) (rate(${M.vbo_poll_duration_seconds}_bucket{${S}}[$__rate_interval])))`,
            { legend: "p50 {{server}}" },
          ],
          [
            `histogram_quantile(0.95, sum by (le, server) (rate(${M.vbo_poll_duration_seconds}_bucket{${S}}[$__rate_interval])))`,
            { legend: "p95 {{server}}" },
          ],
        ]),
        fields("s"),
      ),
      timeseries(
        "Poll errors by reason",
        "Failed polls per second, by server and reason (bad_credentials, unreachable, tls, ...).",
        prom([
          [
            `sum by (server, reason) (rate(${M.vbo_poll_errors_total}{${S}}[$__rate_interval]))`,
            { legend: "{{server}}: {{reason}}" },
          ],
        ]),
        fields("cps"),
      ),

      row("Audit log delivery (OTLP to Loki)"),
      stat(
        "Outbox backlog",
        "Audit records waiting in the durable outbox.",
        prom([[`sum(${M.vbo_log_outbox_records})`, { instant: true }]]),
        fields("short", { decimals: 0 }),
        6,
        4,
      ),
      stat(
        "Oldest waiting record",
        "Age of the oldest record in the outbox.",
        prom([[`max(${M.vbo_log_outbox_oldest_record_age_seconds})`, { instant: true }]]),
        fields("s"),
        6,
        4,
      ),
      stat(
        "Since last export",
        "Time since Loki last acknowledged a batch.",
        prom([[`time() - max(${M.vbo_log_last_export_timestamp_seconds})`, { instant: true }]]),
        fields("s"),
        6,
        4,
      ),
      stat(
        "Dead-lettered records",
        "Records the receiver rejected permanently in the time range.",
        prom([
          [`sum(increase(${M.vbo_log_records_dead_lettered_total}[$__range]))`, { instant: true }],
        ]),
        fields("short", {
          decimals: 0,
          ...redFrom(1),
        }),
        6,
        4,
      ),
      timeseries(
        "Outbox backlog",
        "Records waiting; rises while Loki is unreachable and drains after.",
        prom([[`sum by (instance) (${M.vbo_log_outbox_records})`, { legend: "{{instance}}" }]]),
        fields("short", { decimals: 0 }),
      ),
      timeseries(
        "Oldest waiting record",
        "Age of the oldest record in the outbox.",
        prom([
          [
            `max by (instance) (${M.vbo_log_outbox_oldest_record_age_seconds})`,
            { legend: "{{instance}}" },
          ],
        ]),
        fields("s"),
      ),
      timeseries(
        "Oldest waiting record per Loki tenant",
        "With logs.tenants each Loki tenant drains on its own: the tenant whose line climbs is the one whose delivery is stuck (without tenants, one line per exporter).",
        prom([
          [
            `max by (instance, tenant) (${M.vbo_log_outbox_oldest_record_age_seconds})`,
            { legend: "{{instance}} {{tenant}}" },
          ],
        ]),
        fields("s"),
      ),
      timeseries(
        "Export failures per Loki tenant",
        "Failed export attempts per second, by Loki tenant and reason (without tenants, by reason).",
        prom([
          [
            `sum by (tenant, reason) (rate(${M.vbo_log_export_failures_total}[$__rate_interval])) > 0`,
            { legend: "{{tenant}} {{reason}}" },
          ],
        ]),
        fields("cps"),
      ),
      timeseries(
        "Records exported",
        "Records acknowledged by Loki per second.",
        prom([
          [
            `sum by (instance) (rate(${M.vbo_log_records_exported_total}[$__rate_interval]))`,
            { legend: "{{instance}}" },
          ],
        ]),
        fields("cps"),
      ),
      timeseries(
        "Export failures and dead letters by reason",
        "Failed export attempts (retried) and records dead-lettered (not retried), per second.",
        prom([
          [
            `sum by (reason) (rate(${M.vbo_log_export_failures_total}[$__rate_interval]))`,
            { legend: "failure: {{reason}}" },
          ],
          [
            `sum by (reason) (rate(${M.vbo_log_records_dead_lettered_total}[$__rate_interval]))`,
            { legend: "dead letter: {{reason}}" },
          ],
        ]),
        fields("cps"),
      ),
      table(
        "Exporter build",
        "Version of each exporter replica.",
        prom([
          [
            `max by (instance, version) (${M.vbo_exporter_build_info})`,
            { instant: true, table: true },
          ],
        ]),
        fields("short"),
        [{ id: "organize", options: { excludeByName: { Time: true, Value: true } } }],
        24,
        4,
      ),
    ],
  });
}
