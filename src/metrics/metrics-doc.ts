// docs/metrics.md, rendered from the metric catalogue (a test holds the registry to the catalogue).
import { METRICS } from "./catalogue.ts";

export function renderMetricsDoc(): string {
  const rows = [...METRICS]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((m) => {
      const optional = new Set(m.optionalLabels ?? []);
      const labels = m.labels
        .map((l) => (optional.has(l) ? `\`${l}\` (with \`logs.tenants\`)` : `\`${l}\``))
        .join(", ");
      return `| \`${m.name}\` | ${m.type} | ${labels} | ${m.help.replaceAll("|", "\\|")} |`;
    });
  return [
    "# Metrics",
    "",
    "Generated from the metric catalogue (`src/metrics/catalogue.ts`) by `npm run docs:metrics`; a test fails when this file is out of date, and another when the registry differs from the catalogue.",
    "Besides these, the default Node.js process metrics (`process_*`, `nodejs_*`) are exported.",
    "",
    'Restore series are labelled with `server`, `organization` (the name as VBO sends it), `restore_type` (`exchange`, `onedrive`, `sharepoint`, `teams`, or the raw value lower-cased) and `client_host` (the machine name before ` (via: …)`, `unknown` when missing). With `dropClientHostLabel: true` every `client_host` is `""`; beyond `clientHostLimit` distinct hosts per server, new hosts count as `client_host="other"`. `event_type`, `status` and `result` are VBO\'s raw values lower-cased. Every label value from VBO is at most `labelMaxLength` (128) characters: a longer one is cut and ends in `~` and 8 hex digits of its SHA-256. Beyond `labelLimits` distinct values per server and label, new values count as `other` (`vbo_label_overflow_total`).',
    "",
    "Known label sets are exported at 0 rather than missing: every `reason` of `vbo_poll_errors_total` (per server) and of the `vbo_log_*` failure counters from the start, `vbo_restore_sessions_running` for every label set that ever had a session. A restore counter's label set first counted while the exporter runs is shown at 0 for `web.newSeriesHold` (1m) before its value, so `increase()` counts the first restore from a new client host or organization; the history read at a server's first start appears with its values at the end of that first poll (Prometheus' `increase()` does not count it; the audit log in Loki has it at its own times).",
    "",
    "With `logs.tenants` configured, the per-destination `vbo_log_*` series carry `tenant`: the Loki tenant id the records go to (their `X-Scope-OrgID`), at most 150 characters. Every configured tenant (the default and those the organizations are mapped to) is exported at 0 from the start; a tenant derived per organization appears when its first record is enqueued and stays; beyond the organization label limit (`labelLimits.organization`, the largest of the servers') derived tenants count as `tenant=\"(other)\"` (the parentheses are no tenant id character, so no real tenant can share those series). Without `logs.tenants` these series have no `tenant` label, as before; sum them `without (tenant)` to get the exporter's totals either way.",
    "",
    "| Metric | Type | Labels | Help |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
