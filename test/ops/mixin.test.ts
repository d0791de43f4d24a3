// One source: the rule files and the promtool tests' generated parts are exactly what
// grafana/src/generate.ts writes from the mixin configuration, and a configuration the generator
// cannot use fails generation with a sentence.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dashboards, ruleFiles } from "../../grafana/src/generate.ts";
import { MIXIN, type MixinConfig, mixinConfigProblems } from "../../grafana/src/mixin-config.ts";
import { asArray, asRecord, readRepoText, readRepoYaml } from "../helpers/ops-repo.ts";

test("the committed rule files and promtool test headers are what npm run mixin writes", () => {
  const files = ruleFiles();
  assert.ok(files.size >= 9, `only ${files.size} generated files`);
  for (const [path, text] of files)
    assert.equal(readRepoText(path), text, `${path} is stale: run npm run mixin`);
});

test("the configured job selector is the scrape job of prometheus.yml", () => {
  const config = asRecord(readRepoYaml("prometheus/prometheus.yml"), "prometheus.yml");
  const jobs = asArray(config.scrape_configs, "scrape_configs").map((c) =>
    String(asRecord(c, "scrape_config").job_name),
  );
  const job = /^job="([^"]+)"$/.exec(MIXIN.jobSelector)?.[1];
  assert.ok(job && jobs.includes(job), `${MIXIN.jobSelector} is not a job of prometheus.yml`);
});

test("the restored-item event types are written once, in the configuration", () => {
  const regex = MIXIN.restoredItemEventTypes.join("|");
  for (const path of [
    "grafana/src/restore-activity.ts",
    "grafana/src/rules/prometheus-recording.ts",
  ])
    assert.doesNotMatch(readRepoText(path), new RegExp(regex.replaceAll("|", "\\|")), path);
  assert.match(
    readRepoText("prometheus/rules/vbo-recording.yml"),
    new RegExp(`event_type=~"${regex.replaceAll("|", "\\|")}"`),
  );
});

test("a configuration the generator cannot use fails generation with a sentence naming the value", () => {
  const bad = (change: Partial<MixinConfig>) => ({ ...MIXIN, ...change });
  assert.match(
    mixinConfigProblems(bad({ restoredItemEventTypes: [] })).join(" "),
    /restoredItemEventTypes is empty: name at least one event type/,
  );
  assert.match(
    mixinConfigProblems(bad({ businessHours: { startHourUtc: 19, endHourUtc: 7 } })).join(" "),
    /businessHours 19-7 is out of range/,
  );
  assert.match(
    mixinConfigProblems(bad({ businessHours: { startHourUtc: 7, endHourUtc: 25 } })).join(" "),
    /businessHours 7-25 is out of range/,
  );
  assert.match(
    mixinConfigProblems(bad({ runbookUrl: "docs/runbook.md#{anchor}" })).join(" "),
    /absolute/,
  );
  assert.match(
    mixinConfigProblems(bad({ jobSelector: "vbo" })).join(" "),
    /not one PromQL label matcher/,
  );
  assert.throws(
    () => ruleFiles(bad({ restoredItemEventTypes: [] })),
    /cannot be used: restoredItemEventTypes is empty/,
  );
  assert.throws(
    () => dashboards(bad({ businessHours: { startHourUtc: 8, endHourUtc: 8 } })),
    /businessHours 8-8/,
  );
  assert.deepEqual(mixinConfigProblems(MIXIN), []);
});

test("changing the configuration changes the generated rules", () => {
  const files = ruleFiles({
    ...MIXIN,
    jobSelector: 'job="vbo"',
    businessHours: { startHourUtc: 6, endHourUtc: 18 },
  });
  const alerts = files.get("prometheus/rules/vbo-alerts.yml") ?? "";
  assert.match(alerts, /up\{job="vbo"\} == 0/);
  assert.doesNotMatch(alerts, /vbo-restore-exporter"/);
  assert.match(
    files.get("prometheus/rules/vbo-recording.yml") ?? "",
    /vector\(6\)[\s\S]*vector\(18\)/,
  );
});
