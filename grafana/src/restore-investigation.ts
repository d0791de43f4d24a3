// "VBO restore investigation": the audit log in Loki, narrowed to one client host, operator,
// mailbox/source, item or session; every table links back into this dashboard to pivot.
import {
  barGauge,
  clicked,
  columnLinks,
  columnName,
  dashboard,
  dashboardLink,
  fields,
  gv,
  labelVariable,
  logs,
  loki,
  table,
  text,
  textVariable,
  timeseries,
} from "./builders.ts";
import { M } from "./metric-names.ts";
import { MIXIN, type MixinConfig } from "./mixin-config.ts";
import type { Dashboard, DataLink } from "./model.ts";
import { ACTIVITY_UID, INVESTIGATION_UID } from "./uids.ts";

const STREAM = '{service_name="vbo-restore-exporter", vbo_server=~"$server"}';
// Raw (backtick) strings: Grafana's :regex format escapes the typed text, so a filter is a
// case-insensitive "contains"; an empty box matches everything, including absent attributes.
const BACKTICK = "`";
const contains = (field: string, variable: string) =>
  `| ${field}=~${BACKTICK}(?i).*${gv(`${variable}:regex`)}.*${BACKTICK}`;
const FILTERS = [
  contains("vbo_client_host", "client_host"),
  contains("vbo_initiated_by", "operator"),
  contains("vbo_item_source", "source"),
  contains("vbo_item_name", "item"),
  contains("vbo_session_id", "session"),
].join(" ");
const EVENTS = `${STREAM} | vbo_event_id!="" ${FILTERS}`;
const SESSIONS = `${STREAM} | vbo_session_result!="" ${FILTERS}`;

const FILTER_VARIABLES = ["client_host", "operator", "source", "item", "session"] as const;
/** A link that keeps the other filters and sets one of them to the clicked cell. */
const pivot = (title: string, variable: (typeof FILTER_VARIABLES)[number]): DataLink =>
  dashboardLink(title, INVESTIGATION_UID, { [variable]: clicked("__value.raw") }, [
    "server",
    ...FILTER_VARIABLES,
  ]);

const EVENT_COLUMNS: Readonly<Record<string, string>> = {
  Time: "Time",
  vbo_client_host: "Client host",
  vbo_initiated_by: "Initiated by",
  vbo_event_type: "Action",
  vbo_event_status: "Status",
  vbo_item_name: "Item",
  vbo_item_type: "Item type",
  vbo_item_size_bytes: "Size",
  vbo_item_source: "Source",
  vbo_item_target: "Target",
  vbo_organization: "Organization",
  vbo_session_id: "Session id",
  Line: "Message",
};

const WATCHED_COLUMNS: Readonly<Record<string, string>> = {
  Time: "Time",
  vbo_audit_subject: "Watched subject",
  vbo_initiated_by: "Initiated by",
  vbo_client_host: "Client host",
  vbo_client_gateway: "Gateway",
  vbo_event_type: "Action",
  vbo_item_name: "Item",
  vbo_item_source: "Source",
  vbo_organization: "Organization",
  vbo_session_id: "Session id",
};

const SESSION_COLUMNS: Readonly<Record<string, string>> = {
  Time: "Ended",
  vbo_session_name: "Session",
  vbo_session_result: "Result",
  vbo_initiated_by: "Initiated by",
  vbo_client_host: "Client host",
  vbo_client_gateway: "Gateway",
  vbo_organization: "Organization",
  vbo_restore_type: "Type",
  vbo_session_duration_seconds: "Duration",
  vbo_session_id: "Session id",
};

function organize(columns: Readonly<Record<string, string>>) {
  const include = Object.fromEntries(Object.keys(columns).map((k) => [k, true]));
  const indexByName = Object.fromEntries(Object.keys(columns).map((k, i) => [k, i]));
  return [
    {
      id: "extractFields",
      options: { source: "labels", format: "auto", replace: false, keepTime: true },
    },
    {
      id: "organize",
      options: { includeByName: include, indexByName, renameByName: { ...columns } },
    },
  ];
}

const pivotLinks = [
  columnLinks("Client host", [pivot("Follow this client host", "client_host")]),
  columnLinks("Initiated by", [pivot("Follow this operator", "operator")]),
  columnLinks("Source", [pivot("Follow this mailbox / source", "source")]),
  columnLinks("Item", [pivot("Follow this item", "item")]),
  columnLinks("Session id", [pivot("Only this session", "session")]),
];

export function restoreInvestigation(config: MixinConfig = MIXIN): Dashboard {
  return dashboard({
    datasources: config.datasources,
    uid: INVESTIGATION_UID,
    title: "VBO restore investigation",
    description:
      "Follow one client host, operator, mailbox or session through the item-level restore audit log in Loki.",
    from: "now-7d",
    variables: [
      labelVariable(
        "server",
        "VBO server",
        `label_values(${M.vbo_up}, server)`,
        "The configured VBO server.",
      ),
      textVariable(
        "client_host",
        "Client host",
        "Part of the client machine name (case-insensitive).",
      ),
      textVariable("operator", "Initiated by", "Part of the operator name (initiatedBy)."),
      textVariable(
        "source",
        "Mailbox / source",
        "Part of the item source: mailbox name or OneDrive/SharePoint path.",
      ),
      textVariable("item", "Item", "Part of the item name."),
      textVariable("session", "Session id", "A restore session id."),
    ],
    panels: [
      text(
        "How to use",
        "Type in any of the boxes above (case-insensitive, part of the value is enough; empty means all). Click a client host, operator, source, item or session in the tables to follow it. Back to the [overview](/d/" +
          ACTIVITY_UID +
          ").",
        24,
        2,
      ),
      barGauge(
        "Watched data accessed",
        "Restore events (views included) that touched a watched subject — a user or group VBO audits, or a watchlist entry of the configuration — by subject and action, matching the filters. From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(
          `sum by (vbo_audit_subject, vbo_event_type) (count_over_time(${EVENTS} | vbo_audit_watched="true" [$__range]))`,
          { instant: true, legend: "{{vbo_audit_subject}} {{vbo_event_type}}" },
        ),
        fields("short", { decimals: 0 }),
        12,
        8,
      ),
      table(
        "Who accessed watched data",
        "Every restore event on watched data matching the filters: the subject next to the operator, client host and gateway, action and item. From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(`${EVENTS} | vbo_audit_watched="true"`, { maxLines: 1000 }),
        fields("short", {}, pivotLinks),
        organize(WATCHED_COLUMNS),
        12,
        8,
      ),
      timeseries(
        "Events by action",
        "Restore events per interval matching the filters, by action (None = session started/stopped). From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(`sum by (vbo_event_type) (count_over_time(${EVENTS} [$__interval]))`, {
          legend: "{{vbo_event_type}}",
        }),
        fields("short", { decimals: 0 }),
        { bars: true, stack: true, w: 12, h: 8 },
      ),
      timeseries(
        "Bytes by client host",
        "Size of the items handled per interval, by client host. From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(
          `sum by (vbo_client_host) (sum_over_time(${EVENTS} | vbo_item_size_bytes!="" | unwrap vbo_item_size_bytes [$__interval]))`,
          { legend: "{{vbo_client_host}}" },
        ),
        fields("bytes"),
        { bars: true, stack: true, w: 12, h: 8 },
      ),
      table(
        "Event log",
        "Every restore event matching the filters: who (operator, client host) did what (action, status) to which item, from where (source) to where (target). From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(EVENTS, { maxLines: 5000 }),
        fields("short", {}, [columnName("Size", "Size", "bytes"), ...pivotLinks]),
        organize(EVENT_COLUMNS),
        24,
        14,
      ),
      table(
        "Restore sessions",
        "Finished restore sessions matching the filters. From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(SESSIONS, { maxLines: 1000 }),
        fields("short", {}, [columnName("Duration", "Duration", "s"), ...pivotLinks]),
        organize(SESSION_COLUMNS),
        24,
        8,
      ),
      barGauge(
        "Top targets",
        "Where items went: restore targets, PST paths, e-mail recipients. From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(
          `topk(10, sum by (vbo_item_target) (count_over_time(${EVENTS} | vbo_item_target!="" [$__range])))`,
          { instant: true, legend: "{{vbo_item_target}}" },
        ),
        fields("short", { decimals: 0 }),
        12,
        8,
      ),
      barGauge(
        "Top sources",
        "Mailboxes, folders and paths the items came from. From the audit log in Loki, by each record's own timestamp (the history read at first start included).",
        loki(
          `topk(10, sum by (vbo_item_source) (count_over_time(${EVENTS} | vbo_item_source!="" [$__range])))`,
          { instant: true, legend: "{{vbo_item_source}}" },
        ),
        fields("short", {
          decimals: 0,
          links: [
            dashboardLink("Follow this source", INVESTIGATION_UID, {
              source: clicked("__field.labels.vbo_item_source"),
            }),
          ],
        }),
        12,
        8,
      ),
      logs(
        "Raw audit records",
        "From the audit log in Loki: the log records as stored (message and all attributes), at their own timestamps.",
        loki(`${STREAM} ${FILTERS}`, { maxLines: 1000 }),
      ),
    ],
  });
}
