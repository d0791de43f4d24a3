// The subset of Grafana's dashboard JSON model the VBO dashboards use, as plain typed values.

export type Json =
  | string
  | number
  | boolean
  | null
  | readonly Json[]
  | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

export interface DataSourceRef {
  readonly type: "prometheus" | "loki";
  readonly uid: "prometheus" | "loki";
}

export const PROMETHEUS: DataSourceRef = { type: "prometheus", uid: "prometheus" };
export const LOKI: DataSourceRef = { type: "loki", uid: "loki" };

export interface Target {
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
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface DataLink {
  readonly title: string;
  readonly url: string;
}

export interface FieldConfig {
  readonly defaults: {
    readonly unit?: string;
    readonly decimals?: number;
    readonly min?: number;
    readonly links?: readonly DataLink[];
    readonly color?: JsonObject;
    readonly thresholds?: JsonObject;
    readonly mappings?: readonly Json[];
    readonly custom?: JsonObject;
  };
  readonly overrides: readonly {
    readonly matcher: { readonly id: string; readonly options: string };
    readonly properties: readonly { readonly id: string; readonly value: Json }[];
  }[];
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: DataSourceRef;
  readonly targets?: readonly Target[];
  readonly fieldConfig?: FieldConfig;
  readonly options?: JsonObject;
  readonly transformations?: readonly JsonObject[];
  readonly interval?: string;
  readonly collapsed?: boolean;
  readonly panels?: readonly Panel[];
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  readonly type: "query" | "textbox" | "custom";
  readonly description?: string;
  readonly datasource?: DataSourceRef;
  readonly query: string;
  readonly definition?: string;
  readonly current?: JsonObject;
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string;
  readonly refresh?: number;
  readonly sort?: number;
  readonly hide?: number;
  readonly options?: readonly JsonObject[];
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: "utc" | "browser";
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly schemaVersion: number;
  readonly version: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: readonly Variable[] };
  readonly annotations: { readonly list: readonly JsonObject[] };
  readonly links: readonly JsonObject[];
  readonly panels: readonly Panel[];
}
