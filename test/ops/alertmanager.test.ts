// Alertmanager config: amtool check-config, routing table tests, and consistency with the rules.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  asArray,
  asRecord,
  asString,
  listRepoFiles,
  readRepoYaml,
  repoPath,
} from "../helpers/ops-repo.ts";
import { readRules } from "../helpers/ops-rules.ts";
import { requireTool, runTool, skipUnlessTools } from "../helpers/ops-tools.ts";

const configFile = repoPath("alertmanager/alertmanager.yml");
const skipAmtool = skipUnlessTools({ amtool: ["amtool"] });
const alerts = [
  ...listRepoFiles("prometheus/rules", ".yml"),
  ...listRepoFiles("loki/rules/provider", ".yml"),
]
  .flatMap((file) => readRules(file))
  .filter((r) => r.alert !== undefined);

async function receiversFor(labels: Readonly<Record<string, string>>): Promise<string[]> {
  const amtool = requireTool("amtool");
  const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const result = await runTool(amtool, [
    "config",
    "routes",
    "test",
    `--config.file=${configFile}`,
    ...args,
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  return result.stdout.trim().split(",");
}

test("amtool check-config accepts alertmanager.yml", { skip: skipAmtool }, async () => {
  const amtool = requireTool("amtool");
  const result = await runTool(amtool, ["check-config", configFile]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS/);
  assert.match(result.stdout, /2 inhibit rules/);
});

test("routes send alerts by organization, category and severity", {
  skip: skipAmtool,
}, async () => {
  const table: ReadonlyArray<[Record<string, string>, string[]]> = [
    [
      { alertname: "VboExporterDown", severity: "critical", category: "availability" },
      ["vbo-oncall"],
    ],
    [{ alertname: "VboPollingStale", severity: "warning", server: "lab" }, ["vbo-team"]],
    [
      {
        alertname: "VboRestoreFromNewClientHost",
        severity: "warning",
        category: "audit",
        organization: "fabrikam.onmicrosoft.com",
      },
      ["security", "vbo-team"],
    ],
    [
      {
        alertname: "VboUnusualRestoreVolume",
        severity: "critical",
        category: "audit",
        organization: "contoso.onmicrosoft.com",
      },
      ["tenant-contoso", "security", "vbo-oncall"],
    ],
    [
      {
        alertname: "VboRestoreSessionFailed",
        severity: "warning",
        category: "restore",
        organization: "contoso.onmicrosoft.com",
      },
      ["tenant-contoso", "vbo-team"],
    ],
    [{ alertname: "SomethingElse" }, ["vbo-team"]],
  ];
  for (const [labels, expected] of table) {
    assert.deepEqual(await receiversFor(labels), expected, JSON.stringify(labels));
  }
});

test("every shipped alert reaches on-call when critical, the team when warning, security when audit", {
  skip: skipAmtool,
}, async () => {
  assert.ok(alerts.length >= 11, "Prometheus and Loki alerts are both read");
  for (const alert of alerts) {
    const labels: Record<string, string> = { alertname: alert.alert ?? "", ...alert.labels };
    const receivers = await receiversFor(labels);
    assert.ok(
      receivers.includes(labels.severity === "critical" ? "vbo-oncall" : "vbo-team"),
      `${labels.alertname}: ${receivers}`,
    );
    assert.equal(
      receivers.includes("security"),
      labels.category === "audit",
      `${labels.alertname}: ${receivers}`,
    );
  }
});

test("inhibition rules name alerts that exist and labels those alerts carry", () => {
  const config = asRecord(readRepoYaml("alertmanager/alertmanager.yml"), "alertmanager.yml");
  const names = new Set(alerts.map((a) => a.alert));
  for (const [i, raw] of asArray(config.inhibit_rules, "inhibit_rules").entries()) {
    const rule = asRecord(raw, `inhibit_rules[${i}]`);
    for (const matcher of asArray(rule.source_matchers, `inhibit_rules[${i}].source_matchers`)) {
      const name = /^alertname="(.+)"$/.exec(asString(matcher, "matcher"))?.[1];
      assert.ok(
        name !== undefined && names.has(name),
        `inhibit_rules[${i}]: unknown source ${String(matcher)}`,
      );
    }
  }
});
