// Writes everything generated from the mixin configuration: the provisioned dashboards
// (grafana/dashboards/*.json), the Prometheus and Loki rule files and the generated parts of the
// promtool tests: `npm run mixin`. A test checks that the committed files equal this output.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { exporterHealth } from "./exporter-health.ts";
import { checkedMixinConfig, MIXIN, type MixinConfig } from "./mixin-config.ts";
import type { Dashboard } from "./model.ts";
import { restoreActivity } from "./restore-activity.ts";
import { restoreInvestigation } from "./restore-investigation.ts";
import { lokiRules } from "./rules/loki-rules.ts";
import { alertRules } from "./rules/prometheus-alerts.ts";
import { recordingRules } from "./rules/prometheus-recording.ts";
import { renderPromtoolTest, renderRuleFile } from "./rules/render.ts";
import { lokiDatasourcesFile, lokiRulePaths } from "./tenant-datasources.ts";

/** Every dashboard, by file name under grafana/dashboards/. */
export function dashboards(config: MixinConfig = MIXIN): ReadonlyMap<string, Dashboard> {
  const checked = checkedMixinConfig(config);
  return new Map(
    [restoreActivity(checked), restoreInvestigation(checked), exporterHealth(checked)].map(
      (d) => [`${d.uid}.json`, d] as const,
    ),
  );
}

/** The exact file content for a dashboard. */
export function render(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

const RECORDING = "prometheus/rules/vbo-recording.yml";
const ALERTS = "prometheus/rules/vbo-alerts.yml";

/** Every generated file other than the dashboards, by repository path, with its content. */
export function ruleFiles(
  config: MixinConfig = MIXIN,
  readRepo: (path: string) => string = (path) =>
    readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"),
  listTests: () => string[] = () =>
    readdirSync(new URL("../../prometheus/tests/", import.meta.url))
      .filter((f) => f.endsWith(".test.yml"))
      .sort()
      .map((f) => `prometheus/tests/${f}`),
): Map<string, string> {
  const checked = checkedMixinConfig(config);
  const recording = recordingRules(checked);
  const alerts = alertRules(checked);
  const files = new Map<string, string>([
    [RECORDING, renderRuleFile(recording)],
    [ALERTS, renderRuleFile(alerts)],
    ...lokiRulePaths().map((path): [string, string] => [path, renderRuleFile(lokiRules(checked))]),
    ["grafana/provisioning/datasources/loki.yml", lokiDatasourcesFile()],
  ]);
  const groupOrder = [...recording.groups, ...alerts.groups].map((g) => g.name);
  for (const test of listTests()) {
    files.set(
      test,
      renderPromtoolTest(readRepo(test), {
        ruleFiles: [RECORDING, ALERTS].map((f) => `../rules/${f.split("/").pop()}`),
        groupOrder,
        config: checked,
      }),
    );
  }
  return files;
}

if (import.meta.main) {
  for (const [file, dashboard] of dashboards()) {
    writeFileSync(new URL(`../dashboards/${file}`, import.meta.url), render(dashboard));
    console.log(`wrote grafana/dashboards/${file}`);
  }
  for (const [path, text] of ruleFiles()) {
    const url = new URL(`../../${path}`, import.meta.url);
    mkdirSync(new URL(".", url), { recursive: true });
    writeFileSync(url, text);
    console.log(`wrote ${path}`);
  }
}
