// The metrics the exporter defines: the catalogue (src/metrics/catalogue.ts), vbo_log_* included;
// test/metrics/catalogue.test.ts holds the registry to it.
import { METRICS } from "../../src/metrics/catalogue.ts";
import type { MetricContract } from "./ops-contract.ts";

/** Every metric the exporter defines, with its type and label names. */
export async function definedMetrics(): Promise<MetricContract[]> {
  return METRICS.map((m) => ({
    name: m.name,
    kind: m.type,
    labels: [...m.labels],
    ...(m.optionalLabels === undefined ? {} : { optionalLabels: [...m.optionalLabels] }),
  }));
}
