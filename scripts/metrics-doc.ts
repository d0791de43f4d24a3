// Writes docs/metrics.md from every metric the exporter registers (npm run docs:metrics).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { createLogMetrics } from "../src/logs/metrics.ts";
import { createExporterMetrics } from "../src/metrics/exporter-metrics.ts";
import { renderMetricsDoc } from "../src/metrics/metrics-doc.ts";
import { openStateStore } from "../src/state/store.ts";

/** The markdown for docs/metrics.md. */
export async function metricsDoc(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "vbo-metrics-doc-"));
  const store = openStateStore({ dir });
  try {
    const registry = new Registry();
    createExporterMetrics(registry, { version: "doc", servers: [], store, defaultMetrics: false });
    createLogMetrics(registry, {
      pending: () => 0,
      oldestEnqueuedAtMs: () => null,
      deadLetters: () => 0,
      limit: 0,
      now: () => 0,
    });
    return await renderMetricsDoc(registry);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  writeFileSync(new URL("../docs/metrics.md", import.meta.url), await metricsDoc());
  console.log("wrote docs/metrics.md");
}
