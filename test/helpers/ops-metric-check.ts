// Checks the metrics and labels a PromQL expression uses against a catalogue of known series.
import { type MetricContract, type MetricKind, targetLabels } from "./ops-contract.ts";
import { analysePromql } from "./ops-promql.ts";

export interface KnownSeries {
  readonly kind: MetricKind | "recorded";
  readonly labels: ReadonlySet<string>;
}

export type SeriesCatalogue = ReadonlyMap<string, KnownSeries>;

/** A catalogue from metric contracts, with histogram series (_bucket, _sum, _count) expanded. */
export function catalogueFrom(metrics: readonly MetricContract[]): Map<string, KnownSeries> {
  const catalogue = new Map<string, KnownSeries>();
  for (const metric of metrics) {
    const labels = new Set(metric.labels);
    if (metric.kind === "histogram") {
      catalogue.set(`${metric.name}_bucket`, {
        kind: "counter",
        labels: new Set([...labels, "le"]),
      });
      catalogue.set(`${metric.name}_sum`, { kind: "counter", labels });
      catalogue.set(`${metric.name}_count`, { kind: "counter", labels });
    } else {
      catalogue.set(metric.name, { kind: metric.kind, labels });
    }
  }
  return catalogue;
}

const RATE_FUNCTIONS = new Set(["rate", "increase", "irate"]);

export interface CheckOptions {
  /** Counters may only appear as the range argument of rate/increase/irate. */
  readonly countersOnlyThroughRate: boolean;
}

/** The problems found in one expression; empty when it parses and uses only known series and labels. */
export function checkPromql(
  expr: string,
  catalogue: SeriesCatalogue,
  options: CheckOptions,
): string[] {
  const analysis = analysePromql(expr);
  const problems = [...analysis.errors];
  const available = new Set([...targetLabels, ...analysis.createdLabels]);
  for (const selector of analysis.selectors) {
    const known = catalogue.get(selector.metric);
    if (!known) {
      problems.push(`unknown metric ${JSON.stringify(selector.metric)}`);
      continue;
    }
    for (const label of known.labels) available.add(label);
    for (const label of selector.matcherLabels) {
      if (!known.labels.has(label) && !targetLabels.includes(label)) {
        problems.push(`${selector.metric} has no label ${JSON.stringify(label)}`);
      }
    }
    if (
      options.countersOnlyThroughRate &&
      known.kind === "counter" &&
      !(selector.rangeFunction !== undefined && RATE_FUNCTIONS.has(selector.rangeFunction))
    ) {
      problems.push(`counter ${selector.metric} is used without rate()/increase()`);
    }
  }
  for (const label of analysis.groupingLabels) {
    if (!available.has(label))
      problems.push(`grouping label ${JSON.stringify(label)} is on none of the series used`);
  }
  return problems;
}
