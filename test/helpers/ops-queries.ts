// Every PromQL expression the operations files contain (rules, dashboards, variables), in one list.
import { readFileSync } from "node:fs";
import type { KnownSeries } from "./ops-metric-check.ts";
import { analysePromql } from "./ops-promql.ts";
import { listRepoFiles, repoPath } from "./ops-repo.ts";
import { readRules } from "./ops-rules.ts";

export interface UsedQuery {
  readonly where: string;
  readonly expr: string;
}

interface DashboardJson {
  readonly uid: string;
  readonly panels: readonly {
    readonly title: string;
    readonly targets?: readonly {
      readonly expr: string;
      readonly datasource: { readonly type: string };
    }[];
  }[];
  readonly templating: {
    readonly list: readonly {
      readonly name: string;
      readonly type: string;
      readonly query: string;
    }[];
  };
}

/** PromQL of the rule files and the dashboards' Prometheus panels and label_values variables. */
export function opsPromqlQueries(): UsedQuery[] {
  const queries: UsedQuery[] = [];
  for (const file of listRepoFiles("prometheus/rules", ".yml")) {
    for (const rule of readRules(file))
      queries.push({ where: `${file}: ${rule.alert ?? rule.record}`, expr: rule.expr });
  }
  for (const file of listRepoFiles("grafana/dashboards", ".json")) {
    const dashboard = JSON.parse(readFileSync(repoPath(file), "utf8")) as DashboardJson;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        if (target.datasource.type === "prometheus")
          queries.push({ where: `${dashboard.uid}: ${panel.title}`, expr: target.expr });
      }
    }
    for (const variable of dashboard.templating.list) {
      const selector = /^label_values\((.+),\s*[a-z_]+\)$/.exec(variable.query)?.[1];
      if (variable.type === "query" && selector)
        queries.push({ where: `${dashboard.uid}: $${variable.name}`, expr: selector });
    }
  }
  return queries;
}

/** The series the recording rules create, labelled by their grouping (or their input's labels). */
export function recordedSeries(
  catalogue: ReadonlyMap<string, KnownSeries>,
): Map<string, KnownSeries> {
  const recorded = new Map<string, KnownSeries>();
  for (const file of listRepoFiles("prometheus/rules", ".yml")) {
    for (const rule of readRules(file)) {
      if (rule.record === undefined) continue;
      const analysis = analysePromql(rule.expr);
      const labels = new Set(analysis.groupingLabels);
      if (labels.size === 0) {
        for (const selector of analysis.selectors) {
          for (const label of catalogue.get(selector.metric)?.labels ??
            recorded.get(selector.metric)?.labels ??
            [])
            labels.add(label);
        }
      }
      recorded.set(rule.record, { kind: "recorded", labels });
    }
  }
  return recorded;
}
