// Small builders for panels, queries, variables and links; `layout` numbers panels and flows them
// on Grafana's 24-column grid so dashboards are described as lists, not coordinates.

import { FieldColorModeId, MappingType, ThresholdsMode, type ValueMapping } from "@grafana/schema";
import type {
  Dashboard,
  DataLink,
  DataSourceRef,
  FieldConfig,
  JsonObject,
  Panel,
  Target,
  Transformation,
  Variable,
} from "./model.ts";
import { LOKI, PROMETHEUS } from "./model.ts";

/** A panel before layout: everything but id and gridPos, plus its size. */
export type PanelDraft = Omit<Panel, "id" | "gridPos"> & { readonly w: number; readonly h: number };

const REF_IDS = "ABCDEFGHIJ";

export interface QueryOptions {
  readonly legend?: string;
  readonly instant?: boolean;
  readonly table?: boolean;
}

/** Prometheus queries; `instant` for stats, tables and top-N lists. */
export function prom(queries: readonly (readonly [string, QueryOptions?])[]): Target[] {
  return queries.map(([expr, options = {}], i) => ({
    refId: REF_IDS[i] ?? `Q${i}`,
    datasource: PROMETHEUS,
    expr,
    editorMode: "code",
    ...(options.legend === undefined ? {} : { legendFormat: options.legend }),
    instant: options.instant ?? false,
    range: !(options.instant ?? false),
    ...(options.table ? { format: "table" as const } : {}),
  }));
}

/** One Loki query: a log query or a metric query (instant for top-N lists). */
export function loki(
  expr: string,
  options: QueryOptions & { readonly maxLines?: number } = {},
): Target[] {
  return [
    {
      refId: "A",
      datasource: LOKI,
      expr,
      editorMode: "code",
      queryType: options.instant ? "instant" : "range",
      ...(options.legend === undefined ? {} : { legendFormat: options.legend }),
      ...(options.maxLines === undefined ? {} : { maxLines: options.maxLines }),
    },
  ];
}

/** Green below `limit`, red from it: for counts that should be zero. */
export function redFrom(limit: number): Pick<FieldConfig["defaults"], "color" | "thresholds"> {
  return {
    color: { mode: FieldColorModeId.Thresholds },
    thresholds: {
      mode: ThresholdsMode.Absolute,
      steps: [
        { color: "green", value: null },
        { color: "red", value: limit },
      ],
    },
  };
}

/** Shows 1/0 as UP/DOWN in green/red. */
export const UP_DOWN: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: {
      "0": { text: "DOWN", color: "red", index: 0 },
      "1": { text: "UP", color: "green", index: 1 },
    },
  },
];

export function fields(
  unit: string,
  extra: Partial<FieldConfig["defaults"]> = {},
  overrides: FieldConfig["overrides"] = [],
): FieldConfig {
  return { defaults: { unit, ...extra }, overrides };
}

/** A field override that attaches data links to one column of a table. */
export function columnLinks(
  column: string,
  links: readonly DataLink[],
): FieldConfig["overrides"][number] {
  return {
    matcher: { id: "byName", options: column },
    properties: [{ id: "links", value: links.map((l) => ({ ...l })) }],
  };
}

/** A column display name override for tables. */
export function columnName(
  column: string,
  displayName: string,
  unit?: string,
): FieldConfig["overrides"][number] {
  const properties: { id: string; value: string }[] = [{ id: "displayName", value: displayName }];
  if (unit !== undefined) properties.push({ id: "unit", value: unit });
  return { matcher: { id: "byName", options: column }, properties };
}

/** A Grafana variable reference, `${name}` (written without a template literal placeholder). */
export function gv(name: string): string {
  return `\${${name}}`;
}

/**
 * A link to a dashboard keeping the time range: `set` variables get the given value (URL-encoded
 * clicked values), `keep` variables carry the current selection over (`${name:queryparam}`).
 */
export function dashboardLink(
  title: string,
  uid: string,
  set: Readonly<Record<string, string>>,
  keep: readonly string[] = ["server"],
): DataLink {
  const query = [
    ...keep.filter((name) => !(name in set)).map((name) => gv(`${name}:queryparam`)),
    ...Object.entries(set).map(([name, value]) => `var-${name}=${value}`),
    gv("__url_time_range"),
  ];
  return { title, url: `/d/${uid}/${uid}?${query.join("&")}` };
}

/** A clicked value as a URL-encoded link parameter. */
export function clicked(builtIn: string): string {
  return gv(`${builtIn}:percentencode`);
}

export function row(title: string): PanelDraft {
  return { type: "row", title, collapsed: false, panels: [], w: 24, h: 1 };
}

export function text(title: string, content: string, w = 24, h = 3): PanelDraft {
  return { type: "text", title, options: { mode: "markdown", content }, w, h };
}

const LEGEND_TABLE: JsonObject = {
  displayMode: "table",
  placement: "right",
  calcs: ["sum", "max"],
  showLegend: true,
};

export function timeseries(
  title: string,
  description: string,
  targets: Target[],
  config: FieldConfig,
  opts: {
    readonly w?: number;
    readonly h?: number;
    readonly bars?: boolean;
    readonly stack?: boolean;
    readonly interval?: string;
  } = {},
): PanelDraft {
  const custom: JsonObject = {
    drawStyle: opts.bars ? "bars" : "line",
    fillOpacity: opts.bars ? 80 : 10,
    lineWidth: 1,
    stacking: { mode: opts.stack ? "normal" : "none", group: "A" },
  };
  return {
    type: "timeseries",
    title,
    description,
    datasource: targets[0]?.datasource ?? PROMETHEUS,
    targets,
    fieldConfig: { defaults: { ...config.defaults, custom }, overrides: config.overrides },
    options: { legend: LEGEND_TABLE, tooltip: { mode: "multi", sort: "desc" } },
    ...(opts.interval === undefined ? {} : { interval: opts.interval }),
    w: opts.w ?? 12,
    h: opts.h ?? 8,
  };
}

export function stat(
  title: string,
  description: string,
  targets: Target[],
  config: FieldConfig,
  w = 4,
  h = 4,
): PanelDraft {
  return {
    type: "stat",
    title,
    description,
    datasource: targets[0]?.datasource ?? PROMETHEUS,
    targets,
    fieldConfig: config,
    options: {
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      colorMode: "value",
      graphMode: "none",
      textMode: "auto",
    },
    w,
    h,
  };
}

export function barGauge(
  title: string,
  description: string,
  targets: Target[],
  config: FieldConfig,
  w = 8,
  h = 9,
): PanelDraft {
  return {
    type: "bargauge",
    title,
    description,
    datasource: targets[0]?.datasource ?? PROMETHEUS,
    targets,
    fieldConfig: config,
    options: {
      orientation: "horizontal",
      displayMode: "basic",
      showUnfilled: true,
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    },
    w,
    h,
  };
}

export function pie(
  title: string,
  description: string,
  targets: Target[],
  config: FieldConfig,
  w = 6,
  h = 8,
): PanelDraft {
  return {
    type: "piechart",
    title,
    description,
    datasource: targets[0]?.datasource ?? PROMETHEUS,
    targets,
    fieldConfig: config,
    options: {
      pieType: "donut",
      legend: {
        displayMode: "table",
        placement: "right",
        values: ["value", "percent"],
        showLegend: true,
      },
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    },
    w,
    h,
  };
}

export function table(
  title: string,
  description: string,
  targets: Target[],
  config: FieldConfig,
  transformations: Transformation[],
  w = 24,
  h = 10,
): PanelDraft {
  return {
    type: "table",
    title,
    description,
    datasource: targets[0]?.datasource ?? PROMETHEUS,
    targets,
    fieldConfig: config,
    options: {
      showHeader: true,
      cellHeight: "sm",
      footer: { show: false, reducer: ["sum"], fields: "" },
    },
    transformations,
    w,
    h,
  };
}

export function logs(
  title: string,
  description: string,
  targets: Target[],
  w = 24,
  h = 12,
): PanelDraft {
  return {
    type: "logs",
    title,
    description,
    datasource: LOKI,
    targets,
    options: {
      showTime: true,
      wrapLogMessage: true,
      sortOrder: "Descending",
      enableLogDetails: true,
      dedupStrategy: "none",
    },
    w,
    h,
  };
}

/** A Prometheus label_values variable; `allValue` ".*" so "All" also matches new values. */
export function labelVariable(
  name: string,
  label: string,
  query: string,
  description: string,
): Variable {
  return {
    name,
    label,
    type: "query",
    description,
    datasource: PROMETHEUS,
    query,
    definition: query,
    multi: true,
    includeAll: true,
    allValue: ".*",
    current: { selected: true, text: ["All"], value: ["$__all"] },
    refresh: 2,
    sort: 1,
  };
}

/** A free-text filter; empty means "everything". */
export function textVariable(name: string, label: string, description: string): Variable {
  return { name, label, type: "textbox", description, query: "", current: { text: "", value: "" } };
}

/** Numbers panels and flows them left to right on the 24-column grid, rows starting new lines. */
export function layout(drafts: readonly PanelDraft[]): Panel[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return drafts.map((draft, index) => {
    const { w, h, ...panel } = draft;
    if (x + w > 24 || draft.type === "row") {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const placed: Panel = { id: index + 1, ...panel, gridPos: { x, y, w, h } };
    x += w;
    lineHeight = Math.max(lineHeight, h);
    if (draft.type === "row") {
      y += h;
      x = 0;
      lineHeight = 0;
    }
    return placed;
  });
}

/** A datasource variable of one type, defaulting to the provisioned datasource's uid. */
export function datasourceVariable(
  name: string,
  label: string,
  type: "prometheus" | "loki",
  uid: string,
): Variable {
  return {
    name,
    label,
    type: "datasource",
    description: `The ${label} datasource every panel reads.`,
    query: type,
    regex: "",
    current: { selected: true, text: uid, value: uid },
    refresh: 1,
  };
}

export interface DashboardSpec {
  /** Provisioned datasource uids the datasource variables default to. */
  readonly datasources: { readonly prometheus: string; readonly loki: string };
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly from: string;
  readonly variables: Variable[];
  readonly panels: PanelDraft[];
}

/** The shared dashboard frame: tags, UTC, links to the sibling dashboards. */
export function dashboard(spec: DashboardSpec): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ["vbo", "veeam", "restore"],
    timezone: "utc",
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: "1m",
    time: { from: spec.from, to: "now" },
    templating: {
      list: [
        datasourceVariable("datasource", "Prometheus", "prometheus", spec.datasources.prometheus),
        datasourceVariable("loki_datasource", "Loki", "loki", spec.datasources.loki),
        ...spec.variables,
      ],
    },
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: "grafana", uid: "-- Grafana --" },
          enable: true,
          hide: true,
          iconColor: "rgba(0, 211, 255, 1)",
          name: "Annotations & Alerts",
          type: "dashboard",
        },
      ],
    },
    links: [
      {
        title: "VBO dashboards",
        type: "dashboards",
        tags: ["vbo"],
        asDropdown: false,
        includeVars: false,
        keepTime: true,
        icon: "external link",
        targetBlank: false,
        tooltip: "",
      },
    ],
    panels: layout(spec.panels),
  };
}

export type { DataSourceRef };
