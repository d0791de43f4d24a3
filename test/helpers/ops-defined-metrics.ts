// The metrics the exporter really defines: src/metrics/catalogue.ts plus the log pipeline's
// vbo_log_* metrics as registered by src/logs/metrics.ts, read back from a prom-client registry.
import { Registry } from "prom-client";
import { createLogMetrics } from "../../src/logs/metrics.ts";
import { METRICS } from "../../src/metrics/catalogue.ts";
import type { MetricContract } from "./ops-contract.ts";
import { parseExposition } from "./ops-exporter.ts";

/** Every metric the exporter defines, with its type and label names. */
export async function definedMetrics(): Promise<MetricContract[]> {
  const fromCatalogue = METRICS.map((m) => ({ name: m.name, kind: m.type, labels: [...m.labels] }));
  const registry = new Registry();
  const logMetrics = createLogMetrics(registry, {
    pending: () => 0,
    oldestEnqueuedAtMs: () => null,
    deadLetters: () => 0,
    limit: 1,
    now: () => 0,
  });
  // One sample per labelled counter, so its label names appear in the exposition.
  for (const counter of [logMetrics.failures, logMetrics.deadLettered, logMetrics.rejected])
    counter.inc({ reason: "x" });
  const fromLogs = [...parseExposition(await registry.metrics())].map(([name, family]) => ({
    name,
    kind: family.type as MetricContract["kind"],
    labels: [...new Set([...family.sampleLabels.values()].flatMap((labels) => [...labels]))],
  }));
  return [...fromCatalogue, ...fromLogs];
}
