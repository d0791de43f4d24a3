// Loki config and ruler rules: OTLP label mapping, retention, ruler layout, LogQL that parses.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";
import { MIXIN, runbookUrl } from "../../grafana/src/mixin-config.ts";
import { indexedResourceAttributes } from "../helpers/ops-contract.ts";
import { checkLogql } from "../helpers/ops-logql.ts";
import { asArray, asRecord, readRepoText, readRepoYaml, repoPath } from "../helpers/ops-repo.ts";
import { markdownAnchors, readRules } from "../helpers/ops-rules.ts";

const config = asRecord(readRepoYaml("loki/loki.yml"), "loki.yml");
const section = (name: string) => asRecord(config[name], `loki.yml: ${name}`);
const auditRules = readRules("loki/rules/provider/vbo-audit.yml");

test("OTLP ingestion indexes only service.name and vbo.server; the rest is structured metadata", () => {
  const limits = section("limits_config");
  assert.equal(limits.allow_structured_metadata, true);
  const resource = asRecord(
    asRecord(limits.otlp_config, "otlp_config").resource_attributes,
    "resource_attributes",
  );
  assert.equal(
    resource.ignore_defaults,
    true,
    "default index labels (service.instance.id, ...) are off",
  );
  const configs = asArray(resource.attributes_config, "attributes_config").map((c) =>
    asRecord(c, "attributes_config[]"),
  );
  assert.deepEqual(
    configs.map((c) => c.action),
    ["index_label"],
  );
  assert.deepEqual(configs[0]?.attributes, [...indexedResourceAttributes]);
  assert.equal(
    asRecord(limits.otlp_config, "otlp_config").log_attributes,
    undefined,
    "log attributes stay metadata",
  );
});

test("retention is enforced by the compactor and old entries are bounded", () => {
  const limits = section("limits_config");
  assert.match(String(limits.retention_period), /^\d+h$/);
  assert.ok(
    Number.parseInt(String(limits.retention_period), 10) >= 24 * 90,
    "audit retention of at least 90 days",
  );
  const compactor = section("compactor");
  assert.equal(compactor.retention_enabled, true);
  assert.equal(
    compactor.delete_request_store,
    "filesystem",
    "Loki 3 needs a delete request store with retention",
  );
  assert.equal(limits.reject_old_samples, true);
});

test("the ruler reads local rules laid out per tenant (the tenants: ops/loki-tenants.test.ts)", () => {
  assert.equal(config.auth_enabled, true);
  const ruler = section("ruler");
  const storage = asRecord(ruler.storage, "ruler.storage");
  assert.equal(storage.type, "local");
  assert.equal(asRecord(storage.local, "ruler.storage.local").directory, "/etc/loki/rules");
  for (const tenant of readdirSync(repoPath("loki/rules")))
    assert.deepEqual(readdirSync(repoPath(`loki/rules/${tenant}`)), ["vbo-audit.yml"], tenant);
  assert.match(String(ruler.alertmanager_url), /^http:\/\/alertmanager:9093$/);
});

test("every audit rule's LogQL parses and uses only index labels and record attributes", () => {
  assert.ok(auditRules.length >= 2);
  for (const rule of auditRules) {
    assert.deepEqual(
      checkLogql(rule.expr),
      [],
      `${rule.alert}: ${checkLogql(rule.expr).join("; ")}`,
    );
  }
});

test("the LogQL check rejects unknown attributes, non-index stream labels and bad syntax", () => {
  assert.match(
    checkLogql('{service_name="x"} | vbo_mailbox="a"').join(),
    /unknown field "vbo_mailbox"/,
  );
  assert.match(checkLogql('{vbo_client_host="a"}').join(), /not an index label/);
  assert.match(checkLogql('count_over_time({service_name="x"} [5m]').join(), /syntax error/);
});

test("audit rules follow the alert conventions and link the runbook", () => {
  const anchors = markdownAnchors(readRepoText("docs/runbook.md"));
  for (const rule of auditRules) {
    const name = rule.alert ?? "";
    assert.match(name, /^VboAudit[A-Z][A-Za-z]+$/);
    assert.ok(["warning", "critical"].includes(rule.labels.severity ?? ""));
    assert.equal(rule.labels.category, "audit");
    assert.match(
      rule.annotations.description ?? "",
      /\$labels\.organization/,
      "routable and readable by organization",
    );
    assert.equal(rule.annotations.runbook_url, runbookUrl(MIXIN, name));
    assert.ok(anchors.has(name.toLowerCase()), `runbook section for ${name}`);
  }
});

test("the watched-data rule reads the exporter's watchlist decision, and names who, from where, what", () => {
  const rule = auditRules.find((r) => r.alert === "VboAuditWatchedDataAccessed");
  assert.ok(rule, "the Loki ruler has VboAuditWatchedDataAccessed");
  assert.match(rule.expr, /\| vbo_audit_watched="true"/);
  assert.doesNotMatch(rule.expr, /vbo_item_source=~/, "no hand-edited regex over item sources");
  for (const label of ["subject", "client_host", "client_gateway", "initiated_by", "item"])
    assert.match(rule.expr, new RegExp(`sum by \\([^)]*\\b${label}\\b`), label);
});
