// The subset of Grafana's dashboard JSON model the VBO dashboards use, as plain typed values.
import type {
  AnnotationQuery,
  DashboardLink,
  FieldColor,
  Dashboard as GrafanaDashboard,
  ThresholdsConfig,
  ValueMapping,
  VariableOption,
} from "@grafana/schema";

export type Json = string | number | boolean | null | Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

/** A datasource by the dashboard variable that selects it (default: the provisioned uid). */
export type DataSourceRef = {
  readonly type: "prometheus" | "loki";
  readonly uid: "${datasource}" | "${loki_datasource}";
};

/** `${name}` of a dashboard variable (a plain string, not a template literal placeholder). */
const variableRef = <N extends string>(name: N) => `$\{${name}}` as `\${${N}}`;

export const PROMETHEUS: DataSourceRef = { type: "prometheus", uid: variableRef("datasource") };
export const LOKI: DataSourceRef = { type: "loki", uid: variableRef("loki_datasource") };

export type Target = {
  readonly refId: string;
  readonly datasource: DataSourceRef;
  readonly expr: string;
  readonly editorMode: "code";
  readonly legendFormat?: string;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: "time_series" | "table";
  readonly queryType?: "range" | "instant";
  readonly maxLines?: number;
};

export type Transformation = { readonly id: string; readonly options: JsonObject };

export type GridPos = {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
};

export type DataLink = {
  readonly title: string;
  readonly url: string;
};

export interface FieldConfig {
  readonly defaults: {
    readonly unit?: string;
    readonly decimals?: number;
    readonly min?: number;
    readonly links?: DataLink[];
    readonly color?: FieldColor;
    readonly thresholds?: ThresholdsConfig;
    readonly mappings?: ValueMapping[];
    readonly custom?: JsonObject;
  };
  readonly overrides: {
    readonly matcher: { readonly id: string; readonly options: string };
    readonly properties: { readonly id: string; readonly value: Json }[];
  }[];
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: DataSourceRef;
  readonly targets?: Target[];
  readonly fieldConfig?: FieldConfig;
  readonly options?: JsonObject;
  readonly transformations?: Transformation[];
  readonly interval?: string;
  readonly collapsed?: boolean;
  readonly panels?: Panel[];
}

export type Variable = {
  readonly name: string;
  readonly label: string;
  readonly type: "query" | "textbox" | "custom" | "datasource";
  readonly regex?: string;
  readonly description?: string;
  readonly datasource?: DataSourceRef;
  readonly query: string;
  readonly definition?: string;
  readonly current?: VariableOption;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
  readonly sort?: number;
  readonly hide?: number;
};

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: string[];
  readonly timezone: "utc" | "browser";
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly schemaVersion: number;
  readonly version: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: Variable[] };
  readonly annotations: { readonly list: AnnotationQuery[] };
  readonly links: DashboardLink[];
  readonly panels: Panel[];
}

/**
 * Our model seen as Grafana's published dashboard schema type (@grafana/schema): the type checker
 * proves every dashboard fits it; at run time it is the identity.
 */
export function asGrafanaSchema(dashboard: Dashboard): GrafanaDashboard {
  return dashboard;
}
