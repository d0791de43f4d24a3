// "VBO restore activity": who restored what, from where and when — the overview that matches
// Veeam ONE's Restore Operator Activity report (top operators, top objects, sessions per day).
import {
  barGauge,
  clicked,
  columnLinks,
  columnName,
  dashboard,
  dashboardLink,
  fields,
  labelVariable,
  loki,
  pie,
  prom,
  redFrom,
  row,
  stat,
  table,
  timeseries,
} from "./builders.ts";
import { M } from "./metric-names.ts";
import {
  MIXIN,
  type MixinConfig,
  restoredItemsLogRegex,
  restoredItemsMatcher,
} from "./mixin-config.ts";
import type { Dashboard } from "./model.ts";
import { ACTIVITY_UID, INVESTIGATION_UID } from "./uids.ts";

const SEL =
  'server=~"$server", organization=~"$organization", restore_type=~"$restore_type", client_host=~"$client_host"';
/** The histogram has no client_host label. */
const HIST_SEL = 'server=~"$server", organization=~"$organization", restore_type=~"$restore_type"';
const ITEMS = restoredItemsMatcher(MIXIN);
const LOG_STREAM = '{service_name="vbo-restore-exporter", vbo_server=~"$server"}';
const LOG_FILTERS =
  '| vbo_organization=~"$organization" | vbo_restore_type=~"$restore_type" | vbo_client_host=~"$client_host"';

/** What every Prometheus "how many" panel shows, in its description. */
const PROM_COUNT =
  " From Prometheus: what the exporter counted while it ran, the first restore from a new client host or organization included (it shows up one web.newSeriesHold, 1m, later). The history read at the exporter's first start is not in it: the audit-log panels below count it at its own times.";
/** What every Loki panel shows, in its description. */
const LOKI_COUNT =
  " From the audit log in Loki, by each record's own timestamp: exact over days, the history read at the exporter's first start included (within Loki's retention).";

const investigate = (label: string, variable: string) =>
  dashboardLink(`Investigate this ${label}`, INVESTIGATION_UID, {
    [variable]: clicked(`__field.labels.${variable}`),
  });

export function restoreActivity(config: MixinConfig = MIXIN): Dashboard {
  return dashboard({
    datasources: config.datasources,
    uid: ACTIVITY_UID,
    title: "VBO restore activity",
    description:
      "Restore sessions and restored items of Veeam Backup for Microsoft 365: by organization, restore type, client host and operator.",
    from: "now-7d",
    variables: [
      labelVariable(
        "server",
        "VBO server",
        `label_values(${M.vbo_up}, server)`,
        "The configured VBO server (exporter `server` label).",
      ),
      labelVariable(
        "organization",
        "Organization",
        `label_values(${M.vbo_restore_sessions_total}{server=~"$server"}, organization)`,
        "Microsoft 365 organization the restore read from.",
      ),
      labelVariable(
        "restore_type",
        "Restore type",
        `label_values(${M.vbo_restore_sessions_total}{server=~"$server", organization=~"$organization"}, restore_type)`,
        "exchange, onedrive, sharepoint or teams.",
      ),
      labelVariable(
        "client_host",
        "Client host",
        `label_values(${M.vbo_restore_sessions_total}{server=~"$server", organization=~"$organization", restore_type=~"$restore_type"}, client_host)`,
        "The machine the restore was started from (the clientHost name, without the Cloud Connect gateway).",
      ),
    ],
    panels: [
      row("Summary for the selected time range"),
      stat(
        "Restore sessions",
        `Restore sessions started in the time range.${PROM_COUNT}`,
        prom([
          [`sum(increase(${M.vbo_restore_sessions_total}{${SEL}}[$__range]))`, { instant: true }],
        ]),
        fields("short", { decimals: 0 }),
      ),
      stat(
        "Items restored",
        `Items saved, exported, sent or restored (views excluded).${PROM_COUNT}`,
        prom([
          [
            `sum(increase(${M.vbo_restore_events_total}{${SEL}, ${ITEMS}}[$__range]))`,
            { instant: true },
          ],
        ]),
        fields("short", { decimals: 0 }),
      ),
      stat(
        "Bytes restored",
        `Size of the items saved, exported, sent or restored.${PROM_COUNT}`,
        prom([
          [
            `sum(increase(${M.vbo_restore_items_bytes_total}{${SEL}, ${ITEMS}}[$__range]))`,
            { instant: true },
          ],
        ]),
        fields("bytes"),
      ),
      stat(
        "Failed sessions",
        `Restore sessions that finished with result Failed.${PROM_COUNT}`,
        prom([
          [
            `sum(increase(${M.vbo_restore_sessions_finished_total}{${SEL}, result="failed"}[$__range]))`,
            { instant: true },
          ],
        ]),
        fields("short", {
          decimals: 0,
          ...redFrom(1),
        }),
      ),
      stat(
        "Running now",
        "From Prometheus: restore sessions in progress (explorers open), as of the exporter's last poll; 0 when none runs.",
        prom([[`sum(${M.vbo_restore_sessions_running}{${SEL}}) or vector(0)`, { instant: true }]]),
        fields("short", { decimals: 0 }),
      ),
      stat(
        "Active client hosts",
        "From Prometheus: distinct client hosts that started a restore session in the time range (from the start time of each host's latest session, so a host seen for the first time counts too, and so does the history read at first start).",
        prom([
          [
            `count(max by (client_host) (${M.vbo_last_restore_session_timestamp_seconds}{${SEL}}) >= time() - $__range_s) or vector(0)`,
            { instant: true },
          ],
        ]),
        fields("short", { decimals: 0 }),
      ),

      row("Restores over time"),
      timeseries(
        "Restore sessions by restore type",
        `Sessions started per interval.${PROM_COUNT}`,
        prom([
          [
            `sum by (restore_type) (increase(${M.vbo_restore_sessions_total}{${SEL}}[$__interval]))`,
            { legend: "{{restore_type}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
        { bars: true, stack: true, interval: "5m" },
      ),
      timeseries(
        "Restore sessions by organization",
        `Sessions started per interval.${PROM_COUNT}`,
        prom([
          [
            `sum by (organization) (increase(${M.vbo_restore_sessions_total}{${SEL}}[$__interval]))`,
            { legend: "{{organization}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
        { bars: true, stack: true, interval: "5m" },
      ),
      timeseries(
        "Items by action",
        `Restore events per interval by action: view, save, export (PST), send (e-mail), restore (to the original or another location).${PROM_COUNT}`,
        prom([
          [
            `sum by (event_type) (increase(${M.vbo_restore_events_total}{${SEL}, event_type!="none"}[$__interval]))`,
            { legend: "{{event_type}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
        { bars: true, stack: true, interval: "5m" },
      ),
      timeseries(
        "Restore sessions by client host",
        `Sessions started per interval, the ten busiest client hosts. Click a series to investigate the host.${PROM_COUNT}`,
        prom([
          [
            `topk(10, sum by (client_host) (increase(${M.vbo_restore_sessions_total}{${SEL}}[$__interval])))`,
            { legend: "{{client_host}}" },
          ],
        ]),
        fields("short", { decimals: 0, links: [investigate("client host", "client_host")] }),
        { bars: true, stack: true, interval: "5m" },
      ),
      timeseries(
        "Bytes restored by organization",
        `Size of items saved, exported, sent or restored per interval.${PROM_COUNT}`,
        prom([
          [
            `sum by (organization) (increase(${M.vbo_restore_items_bytes_total}{${SEL}, ${ITEMS}}[$__interval]))`,
            { legend: "{{organization}}" },
          ],
        ]),
        fields("bytes"),
        { bars: true, stack: true, interval: "5m" },
      ),
      timeseries(
        "Running restore sessions",
        "From Prometheus: sessions in progress, by restore type, as of each poll.",
        prom([
          [
            `sum by (restore_type) (${M.vbo_restore_sessions_running}{${SEL}})`,
            { legend: "{{restore_type}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
      ),
      timeseries(
        "Restore sessions per day",
        `Sessions started per UTC day, by restore type.${PROM_COUNT}`,
        prom([
          [
            `sum by (restore_type) (increase(${M.vbo_restore_sessions_total}{${SEL}}[$__interval]))`,
            { legend: "{{restore_type}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
        { bars: true, stack: true, interval: "1d", w: 12 },
      ),
      timeseries(
        "Session duration (p50, p95)",
        "From Prometheus: how long finished restore sessions lasted (explorer open to close), for sessions that finished while the exporter ran.",
        prom([
          [
            `histogram_quantile(0.5, sum by (le, restore_type) (rate(${M.vbo_restore_session_duration_seconds}_bucket{${HIST_SEL}}[$__rate_interval])))`,
            { legend: "p50 {{restore_type}}" },
          ],
          [
            `histogram_quantile(0.95, sum by (le, restore_type) (rate(${M.vbo_restore_session_duration_seconds}_bucket{${HIST_SEL}}[$__rate_interval])))`,
            { legend: "p95 {{restore_type}}" },
          ],
        ]),
        fields("s"),
      ),

      row("Exact counts and history from the audit log (Loki)"),
      stat(
        "Restore sessions (audit log)",
        `Restore sessions that finished in the time range, by their end time.${LOKI_COUNT}`,
        loki(
          `sum(count_over_time(${LOG_STREAM} | vbo_session_result!="" ${LOG_FILTERS} [$__range])) or vector(0)`,
          { instant: true },
        ),
        fields("short", { decimals: 0 }),
        6,
      ),
      stat(
        "Items restored (audit log)",
        `Items saved, exported, sent or restored in the time range, by the event's start time.${LOKI_COUNT}`,
        loki(
          `sum(count_over_time(${LOG_STREAM} | vbo_event_type=~"${restoredItemsLogRegex(config)}" ${LOG_FILTERS} [$__range])) or vector(0)`,
          { instant: true },
        ),
        fields("short", { decimals: 0 }),
        6,
      ),
      stat(
        "Failed sessions (audit log)",
        `Restore sessions that finished with result Failed in the time range.${LOKI_COUNT}`,
        loki(
          `sum(count_over_time(${LOG_STREAM} | vbo_session_result="Failed" ${LOG_FILTERS} [$__range])) or vector(0)`,
          { instant: true },
        ),
        fields("short", { decimals: 0, ...redFrom(1) }),
        6,
      ),
      stat(
        "Client hosts (audit log)",
        `Distinct client hosts with a finished restore session in the time range.${LOKI_COUNT}`,
        loki(
          `count(sum by (vbo_client_host) (count_over_time(${LOG_STREAM} | vbo_session_result!="" ${LOG_FILTERS} [$__range]))) or vector(0)`,
          { instant: true },
        ),
        fields("short", { decimals: 0 }),
        6,
      ),
      timeseries(
        "Restore sessions per day (audit log)",
        `Restore sessions finished per UTC day, by restore type, the days before the exporter's first start included.${LOKI_COUNT}`,
        loki(
          `sum by (vbo_restore_type) (count_over_time(${LOG_STREAM} | vbo_session_result!="" ${LOG_FILTERS} [$__interval]))`,
          { legend: "{{vbo_restore_type}}" },
        ),
        fields("short", { decimals: 0 }),
        { bars: true, stack: true, interval: "1d", w: 24 },
      ),

      row("Who restored what, and from where"),
      pie(
        "Results",
        `Finished sessions by result.${PROM_COUNT}`,
        prom([
          [
            `sum by (result) (increase(${M.vbo_restore_sessions_finished_total}{${SEL}}[$__range]))`,
            { instant: true, legend: "{{result}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
      ),
      pie(
        "Restore types",
        `Sessions by restore type (the application restored from).${PROM_COUNT}`,
        prom([
          [
            `sum by (restore_type) (increase(${M.vbo_restore_sessions_total}{${SEL}}[$__range]))`,
            { instant: true, legend: "{{restore_type}}" },
          ],
        ]),
        fields("short", { decimals: 0 }),
      ),
      barGauge(
        "Top client hosts",
        `Client hosts by restore sessions started in the time range. Click to investigate.${PROM_COUNT}`,
        prom([
          [
            `topk(10, sum by (client_host) (increase(${M.vbo_restore_sessions_total}{${SEL}}[$__range])))`,
            { instant: true, legend: "{{client_host}}" },
          ],
        ]),
        fields("short", { decimals: 0, links: [investigate("client host", "client_host")] }),
        12,
        8,
      ),
      barGauge(
        "Top operators",
        `Who started restore sessions (initiatedBy). Through Cloud Connect this may be the organization rather than a person.${LOKI_COUNT}`,
        loki(
          `topk(10, sum by (vbo_initiated_by) (count_over_time(${LOG_STREAM} | vbo_session_result!="" ${LOG_FILTERS} [$__range])))`,
          { instant: true, legend: "{{vbo_initiated_by}}" },
        ),
        fields("short", {
          decimals: 0,
          links: [
            dashboardLink("Investigate this operator", INVESTIGATION_UID, {
              operator: clicked("__field.labels.vbo_initiated_by"),
            }),
          ],
        }),
      ),
      barGauge(
        "Top restored items",
        `Items saved, exported, sent or restored most often.${LOKI_COUNT}`,
        loki(
          `topk(10, sum by (vbo_item_name) (count_over_time(${LOG_STREAM} | vbo_event_type=~"${restoredItemsLogRegex(config)}" | vbo_item_name!="" ${LOG_FILTERS} [$__range])))`,
          { instant: true, legend: "{{vbo_item_name}}" },
        ),
        fields("short", {
          decimals: 0,
          links: [
            dashboardLink("Investigate this item", INVESTIGATION_UID, {
              item: clicked("__field.labels.vbo_item_name"),
            }),
          ],
        }),
      ),
      barGauge(
        "Top sources (mailboxes, OneDrives, sites)",
        `Where restored items came from: Exchange mailbox\\folder or OneDrive/SharePoint path.${LOKI_COUNT}`,
        loki(
          `topk(10, sum by (vbo_item_source) (count_over_time(${LOG_STREAM} | vbo_item_source!="" ${LOG_FILTERS} [$__range])))`,
          { instant: true, legend: "{{vbo_item_source}}" },
        ),
        fields("short", {
          decimals: 0,
          links: [
            dashboardLink("Investigate this source", INVESTIGATION_UID, {
              source: clicked("__field.labels.vbo_item_source"),
            }),
          ],
        }),
      ),
      table(
        "Last restore per client host",
        "From Prometheus: latest restore session start per organization, restore type and client host, the history read at first start included.",
        prom([
          [
            `max by (server, organization, restore_type, client_host) (${M.vbo_last_restore_session_timestamp_seconds}{${SEL}}) * 1000`,
            { instant: true, table: true },
          ],
        ]),
        fields("short", {}, [
          columnName("Value", "Last session started", "dateTimeAsIso"),
          columnLinks("client_host", [
            dashboardLink("Investigate this client host", INVESTIGATION_UID, {
              client_host: clicked("__value.raw"),
            }),
          ]),
        ]),
        [
          {
            id: "organize",
            options: { excludeByName: { Time: true }, indexByName: {}, renameByName: {} },
          },
          { id: "sortBy", options: { sort: [{ field: "Value", desc: true }] } },
        ],
        24,
        8,
      ),
      table(
        "Restore sessions (detail)",
        "Every finished restore session in the time range. From the audit log in Loki, by each record's own timestamp (the history read at first start included). Click a session id to see its events.",
        loki(`${LOG_STREAM} | vbo_session_result!="" ${LOG_FILTERS}`, { maxLines: 1000 }),
        fields("short", {}, [
          columnName("vbo_session_duration_seconds", "Duration", "s"),
          columnLinks("Session id", [
            dashboardLink("Events of this session", INVESTIGATION_UID, {
              session: clicked("__value.raw"),
            }),
          ]),
        ]),
        [
          {
            id: "extractFields",
            options: { source: "labels", format: "auto", replace: false, keepTime: true },
          },
          {
            id: "organize",
            options: {
              includeByName: {
                Time: true,
                vbo_organization: true,
                vbo_restore_type: true,
                vbo_initiated_by: true,
                vbo_client_host: true,
                vbo_session_name: true,
                vbo_session_result: true,
                vbo_session_duration_seconds: true,
                vbo_session_id: true,
              },
              renameByName: {
                vbo_organization: "Organization",
                vbo_restore_type: "Type",
                vbo_initiated_by: "Initiated by",
                vbo_client_host: "Client host",
                vbo_session_name: "Session",
                vbo_session_result: "Result",
                vbo_session_id: "Session id",
              },
            },
          },
        ],
        24,
        12,
      ),
    ],
  });
}
