// Writes the provisioned dashboards (grafana/dashboards/*.json) from the TypeScript definitions:
// `npm run dashboards`. A test checks that the committed JSON equals this output.
import { writeFileSync } from "node:fs";
import { exporterHealth } from "./exporter-health.ts";
import type { Dashboard } from "./model.ts";
import { restoreActivity } from "./restore-activity.ts";
import { restoreInvestigation } from "./restore-investigation.ts";

/** Every dashboard, by file name under grafana/dashboards/. */
export function dashboards(): ReadonlyMap<string, Dashboard> {
  return new Map(
    [restoreActivity(), restoreInvestigation(), exporterHealth()].map(
      (d) => [`${d.uid}.json`, d] as const,
    ),
  );
}

/** The exact file content for a dashboard. */
export function render(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

if (import.meta.main) {
  for (const [file, dashboard] of dashboards()) {
    const path = new URL(`../dashboards/${file}`, import.meta.url);
    writeFileSync(path, render(dashboard));
    console.log(`wrote grafana/dashboards/${file}`);
  }
}
