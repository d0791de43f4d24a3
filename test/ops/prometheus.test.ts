// Prometheus rules: promtool lint and unit tests, mixin conventions, and the metric contract.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parse, stringify } from "yaml";
import { MIXIN, runbookUrl } from "../../grafana/src/mixin-config.ts";
import { prometheusMetrics } from "../helpers/ops-contract.ts";
import { definedMetrics } from "../helpers/ops-defined-metrics.ts";
import { catalogueFrom, checkPromql, type KnownSeries } from "../helpers/ops-metric-check.ts";
import { analysePromql } from "../helpers/ops-promql.ts";
import {
  asArray,
  asRecord,
  listRepoFiles,
  readRepoText,
  readRepoYaml,
  repoPath,
} from "../helpers/ops-repo.ts";
import { markdownAnchors, type Rule, readRules } from "../helpers/ops-rules.ts";
import { requireTool, runTool, skipUnlessTools } from "../helpers/ops-tools.ts";

/** The metrics the exporter defines (catalogue and log pipeline), the contract queries are checked against. */
const defined = await definedMetrics();

const ruleFiles = listRepoFiles("prometheus/rules", ".yml");
const testFiles = listRepoFiles("prometheus/tests", ".yml");
const rules: Rule[] = ruleFiles.flatMap((file) => readRules(file));
const alerts = rules.filter((r) => r.alert !== undefined);
const recordings = rules.filter((r) => r.record !== undefined);
const skipPromtool = skipUnlessTools({ promtool: ["promtool"] });

const scratch = mkdtempSync(join(tmpdir(), "vbo-ops-prom-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The catalogue plus the series the recording rules create (labels = their grouping labels). */
function seriesCatalogue(): Map<string, KnownSeries> {
  const catalogue = catalogueFrom([...defined, ...prometheusMetrics]);
  for (const rule of recordings) {
    const analysis = analysePromql(rule.expr);
    const labels = new Set(analysis.groupingLabels);
    if (labels.size === 0) {
      for (const selector of analysis.selectors) {
        for (const label of catalogue.get(selector.metric)?.labels ?? []) labels.add(label);
      }
    }
    catalogue.set(rule.record ?? "", { kind: "recorded", labels });
  }
  return catalogue;
}

test("the rule files define the alerts the runbook promises", () => {
  assert.deepEqual(alerts.map((a) => a.alert).sort(), [
    "VboExporterDown",
    "VboLogExportBacklogGrowing",
    "VboLogRecordsDeadLettered",
    "VboPollingStale",
    "VboRecordsQuarantined",
    "VboRestoreFromNewClientHost",
    "VboRestoreOutsideBusinessHours",
    "VboRestoreSessionFailed",
    "VboServerUnreachable",
    "VboSessionsFinishedWithUnreadableEvents",
    "VboUnusualRestoreVolume",
    "VboWatchedDataAccessed",
    "VboWatchlistUnavailable",
  ]);
});

test("every alert follows the mixin conventions and links an existing runbook section", () => {
  const anchors = markdownAnchors(readRepoText("docs/runbook.md"));
  for (const alert of alerts) {
    const name = alert.alert ?? "";
    assert.match(name, /^Vbo[A-Z][A-Za-z]+$/, `${name}: Vbo + component + symptom`);
    assert.ok(["warning", "critical"].includes(alert.labels.severity ?? ""), `${name}: severity`);
    assert.ok((alert.annotations.summary ?? "").length > 10, `${name}: summary`);
    assert.doesNotMatch(alert.annotations.summary ?? "", /\{\{/, `${name}: summary is generic`);
    assert.match(
      alert.annotations.description ?? "",
      /\$labels\.|\$value/,
      `${name}: description uses labels/value`,
    );
    assert.equal(alert.annotations.runbook_url, runbookUrl(MIXIN, name), `${name}: runbook_url`);
    assert.match(
      alert.annotations.runbook_url ?? "",
      /^https?:\/\//,
      `${name}: absolute runbook_url`,
    );
    assert.ok(
      anchors.has(name.toLowerCase()),
      `${name}: docs/runbook.md has no section #${name.toLowerCase()}`,
    );
  }
});

test("recording rules are named level:metric:operation", () => {
  assert.ok(recordings.length > 0);
  for (const rule of recordings) assert.match(rule.record ?? "", /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
});

test("every rule expression parses and uses only exported metrics and their labels", () => {
  const catalogue = seriesCatalogue();
  for (const rule of rules) {
    const problems = checkPromql(rule.expr, catalogue, { countersOnlyThroughRate: false });
    assert.deepEqual(problems, [], `${rule.alert ?? rule.record}: ${problems.join("; ")}`);
  }
});

test("the metric check rejects unknown metrics, unknown labels and bare counters", () => {
  const catalogue = seriesCatalogue();
  const strict = { countersOnlyThroughRate: true };
  assert.match(checkPromql("vbo_restores_total", catalogue, strict).join(), /unknown metric/);
  assert.match(
    checkPromql('vbo_up{organization="x"}', catalogue, strict).join(),
    /no label "organization"/,
  );
  assert.match(
    checkPromql("sum by (tenant) (vbo_up)", catalogue, strict).join(),
    /grouping label "tenant"/,
  );
  assert.match(checkPromql("vbo_restore_sessions_total", catalogue, strict).join(), /without rate/);
  assert.match(checkPromql("sum(rate(vbo_up[5m]", catalogue, strict).join(), /syntax error/);
  assert.deepEqual(
    checkPromql("sum by (server) (rate(vbo_restore_sessions_total[5m]))", catalogue, strict),
    [],
  );
});

test("every alert has promtool cases where it fires and where it must not", () => {
  const cases = new Map<string, { firing: number; silent: number }>();
  for (const file of testFiles) {
    const root = asRecord(readRepoYaml(file), file);
    for (const t of asArray(root.tests, `${file}: tests`)) {
      const group = asRecord(t, file);
      for (const c of asArray(group.alert_rule_test ?? [], `${file}: alert_rule_test`)) {
        const entry = asRecord(c, file);
        const name = String(entry.alertname);
        const seen = cases.get(name) ?? { firing: 0, silent: 0 };
        if (asArray(entry.exp_alerts ?? [], file).length > 0) seen.firing += 1;
        else seen.silent += 1;
        cases.set(name, seen);
      }
    }
  }
  for (const alert of alerts) {
    const seen = cases.get(alert.alert ?? "");
    assert.ok(
      seen && seen.firing > 0 && seen.silent > 0,
      `${alert.alert}: needs firing and not-firing cases`,
    );
  }
});

test("every unit test file evaluates recording rules before alerts, in a fixed order", () => {
  const groups = [...new Set(rules.map((r) => r.group))];
  for (const file of testFiles) {
    const order = asArray(
      asRecord(readRepoYaml(file), file).group_eval_order,
      `${file}: group_eval_order`,
    );
    assert.deepEqual(
      [...order].sort(),
      [...groups].sort(),
      `${file}: group_eval_order lists every group`,
    );
    const lastRecording = Math.max(...recordings.map((r) => order.indexOf(r.group)));
    const firstAlert = Math.min(...alerts.map((a) => order.indexOf(a.group)));
    assert.ok(lastRecording < firstAlert, `${file}: recording groups come first`);
  }
});

test("promtool check rules --lint-fatal accepts the rule files", {
  skip: skipPromtool,
}, async () => {
  const promtool = requireTool("promtool");
  const result = await runTool(promtool, ["check", "rules", "--lint-fatal", ...ruleFiles], {
    cwd: repoPath(),
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
});

test("promtool check config accepts prometheus.yml with the repository's rules", {
  skip: skipPromtool,
}, async () => {
  const promtool = requireTool("promtool");
  const config = asRecord(parse(readRepoText("prometheus/prometheus.yml")), "prometheus.yml");
  assert.deepEqual(config.rule_files, ["/etc/prometheus/rules/*.yml"]);
  config.rule_files = [repoPath("prometheus/rules/*.yml")];
  const file = join(scratch, "prometheus.yml");
  writeFileSync(file, stringify(config));
  const result = await runTool(promtool, ["check", "config", file]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
});

test("promtool test rules passes every unit test file", { skip: skipPromtool }, async () => {
  const promtool = requireTool("promtool");
  const result = await runTool(promtool, ["test", "rules", ...testFiles], {
    cwd: repoPath(),
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(result.stdout.match(/SUCCESS/g)?.length, testFiles.length, result.stdout);
});

/** Copies prometheus/ to a scratch dir, edits a rule file, and runs one unit test file on it. */
async function runMutated(
  name: string,
  file: string,
  from: string,
  to: string,
  testFile: string,
): Promise<string> {
  const promtool = requireTool("promtool");
  const dir = join(scratch, name);
  cpSync(repoPath("prometheus"), dir, { recursive: true });
  const path = join(dir, file);
  const original = readFileSync(path, "utf8");
  assert.ok(original.includes(from), `mutation anchor missing in ${file}`);
  writeFileSync(path, original.replace(from, to));
  const result = await runTool(promtool, ["test", "rules", join(dir, "tests", testFile)], {
    cwd: dir,
  });
  assert.notEqual(result.code, 0, `${name}: the unit tests should have caught the mutation`);
  return result.stdout + result.stderr;
}

test("the unit tests catch a failed-session rule that misses brand-new counter series", {
  skip: skipPromtool,
}, async () => {
  const output = await runMutated(
    "no-new-series",
    "rules/vbo-alerts.yml",
    'increase(vbo_restore_sessions_finished_total{job="vbo-restore-exporter", result="failed"}[15m]) > 0',
    'increase(vbo_restore_sessions_finished_total{job="vbo-restore-exporter", result="failed"}[15m]) > 0 and vbo_restore_sessions_finished_total{job="vbo-restore-exporter", result="failed"} offset 15m',
    "restore-failed.test.yml",
  );
  assert.match(output, /alertname: VboRestoreSessionFailed/);
});

test("the unit tests catch business hours that do not match the documented 07-19 UTC", {
  skip: skipPromtool,
}, async () => {
  const output = await runMutated(
    "hours",
    "rules/vbo-recording.yml",
    "expr: vector(7)",
    "expr: vector(0)",
    "restore-hours.test.yml",
  );
  assert.match(output, /alertname: VboRestoreOutsideBusinessHours/);
});
