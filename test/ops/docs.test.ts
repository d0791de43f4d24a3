// The example queries in docs/operations.md and the README parse and use only real metrics, labels and attributes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { prometheusMetrics } from "../helpers/ops-contract.ts";
import { definedMetrics } from "../helpers/ops-defined-metrics.ts";
import { checkLogql } from "../helpers/ops-logql.ts";
import { catalogueFrom, checkPromql } from "../helpers/ops-metric-check.ts";
import { readRepoText } from "../helpers/ops-repo.ts";

/** The metrics the exporter defines (catalogue and log pipeline), the contract queries are checked against. */
const defined = await definedMetrics();

const operations = readRepoText("docs/operations.md");
const documented = `${operations}\n${readRepoText("README.md")}`;

/** The queries of every fenced block in a language; indented lines continue the previous query. */
function queries(language: string): string[] {
  const found: string[] = [];
  for (const block of documented.matchAll(
    new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, "g"),
  )) {
    for (const line of (block[1] ?? "").split("\n")) {
      if (line.trim() === "") continue;
      if (/^\s/.test(line) && found.length > 0) found[found.length - 1] += ` ${line.trim()}`;
      else found.push(line);
    }
  }
  return found;
}

test("the LogQL examples parse and use only index labels and record attributes", () => {
  const logql = queries("logql");
  assert.ok(logql.length >= 5);
  for (const query of logql) assert.deepEqual(checkLogql(query), [], query);
});

test("the exact questions over days are documented as LogQL counts over the audit records", () => {
  const counts = queries("logql").filter((q) => /(count|sum)_over_time\(.*\[7d\]\)/.test(q));
  assert.ok(counts.length >= 4, `only ${counts.length} LogQL counts over 7 days`);
  assert.ok(counts.some((q) => q.includes("sum by (vbo_organization, vbo_client_host)")));
});

test("the PromQL examples parse and use only exported metrics and labels", () => {
  const promql = queries("promql");
  assert.ok(promql.length >= 5);
  const catalogue = catalogueFrom([...defined, ...prometheusMetrics]);
  for (const query of promql) {
    assert.deepEqual(checkPromql(query, catalogue, { countersOnlyThroughRate: true }), [], query);
  }
});

test("the documented URLs use the ports the stack publishes", () => {
  const compose = readRepoText("docker-compose.yml");
  for (const [, port] of operations.matchAll(/<http:\/\/localhost:(\d+)[^>]*>/g)) {
    assert.ok(
      compose.includes(`"${port}:`) || compose.includes(`:-${port}}:`),
      `port ${port} is not published`,
    );
  }
});
