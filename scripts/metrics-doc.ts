// Writes docs/metrics.md from the metric catalogue (npm run docs:metrics).
import { writeFileSync } from "node:fs";
import { renderMetricsDoc } from "../src/metrics/metrics-doc.ts";

/** The markdown for docs/metrics.md. */
export function metricsDoc(): string {
  return renderMetricsDoc();
}

if (import.meta.main) {
  writeFileSync(new URL("../docs/metrics.md", import.meta.url), metricsDoc());
  console.log("wrote docs/metrics.md");
}
