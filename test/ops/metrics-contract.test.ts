// The metrics the rules and dashboards use, held against a real /metrics of the exporter polling
// the simulator: every family exists with its type and labels, and every query uses only those.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { prometheusMetrics, targetLabels } from "../helpers/ops-contract.ts";
import { definedMetrics } from "../helpers/ops-defined-metrics.ts";
import {
  type ExposedFamily,
  type OpsExporter,
  parseExposition,
  startOpsExporter,
} from "../helpers/ops-exporter.ts";
import { catalogueFrom, checkPromql, type KnownSeries } from "../helpers/ops-metric-check.ts";
import { waitFor } from "../helpers/ops-processes.ts";
import { opsPromqlQueries, recordedSeries } from "../helpers/ops-queries.ts";
import { type OpsSimulator, startOpsSimulator } from "../helpers/ops-simulator.ts";

/** The metrics the exporter defines (catalogue and log pipeline), the contract queries are checked against. */
const defined = await definedMetrics();

const dir = mkdtempSync(join(tmpdir(), "vbo-ops-metrics-"));
let simulator: OpsSimulator | undefined;
let exporter: OpsExporter | undefined;
let families = new Map<string, ExposedFamily>();

before(async () => {
  simulator = await startOpsSimulator();
  await simulator.addSession({
    clientHost: "WS01 (via: 203.0.113.10)",
    organization: "Contoso",
    type: "Vex",
    result: "Failed",
    startedSecondsAgo: 600,
  });
  await simulator.addSession({
    clientHost: "WS02",
    organization: "Contoso",
    type: "Vesp",
    result: "Success",
    startedSecondsAgo: 300,
    eventCount: 6,
  });
  await simulator.addSession({
    clientHost: "WS03",
    organization: "Fabrikam",
    type: "Veod",
    result: "Success",
    startedSecondsAgo: 30,
    durationSeconds: 3600,
  });
  exporter = await startOpsExporter({
    dir,
    server: "lab",
    url: simulator.url,
    username: simulator.username,
    password: simulator.password,
  });
  const url = exporter.metricsUrl;
  const text = await waitFor(
    "finished and running sessions in /metrics",
    async () => {
      const body = await (await fetch(url)).text();
      return /^vbo_restore_sessions_finished_total\{[^}]*result="failed"/m.test(body) &&
        /^vbo_restore_sessions_running\{/m.test(body)
        ? body
        : undefined;
    },
    20_000,
  );
  families = parseExposition(text);
});

after(async () => {
  await exporter?.process.stop();
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("every metric of the ops contract is exposed with its type and exactly its labels", () => {
  for (const metric of defined) {
    const family = families.get(metric.name);
    assert.ok(family, `${metric.name} is not in /metrics`);
    assert.equal(family.type, metric.kind, `${metric.name}: type`);
    // This exporter runs without logs.tenants: the labels only that configuration gives are absent.
    const optional = new Set(metric.optionalLabels ?? []);
    const always = metric.labels.filter((l) => !optional.has(l));
    for (const [series, labels] of family.sampleLabels) {
      const expected = series.endsWith("_bucket") ? [...always, "le"] : [...always];
      assert.deepEqual([...labels].sort(), expected.sort(), `${series}: labels`);
    }
  }
});

test("the session metrics have samples, so their labels were really checked", () => {
  for (const name of [
    "vbo_restore_sessions_total",
    "vbo_restore_sessions_finished_total",
    "vbo_restore_events_total",
    "vbo_last_restore_session_timestamp_seconds",
    "vbo_up",
  ]) {
    assert.ok((families.get(name)?.sampleLabels.size ?? 0) > 0, `${name} has no samples`);
  }
});

test("every PromQL of the rules and dashboards uses only metrics and labels of the real /metrics", () => {
  const expected = catalogueFrom([...defined, ...prometheusMetrics]);
  const real = new Map<string, KnownSeries>();
  for (const [name, family] of families) {
    const kind = family.type === "counter" || family.type === "histogram" ? "counter" : "gauge";
    // Labels of another configuration (tenant: logs.tenants) are the metric's all the same.
    const optional = defined.find((m) => m.name === name)?.optionalLabels ?? [];
    for (const [series, labels] of family.sampleLabels) {
      real.set(series, {
        kind: series === name ? kind : "counter",
        labels: new Set([...labels, ...optional]),
      });
    }
    // A labelled family without samples yet (e.g. no poll error so far): labels from the contract.
    if (family.sampleLabels.size === 0) {
      for (const series of [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]) {
        const contract = expected.get(series);
        if (contract) real.set(series, contract);
      }
    }
  }
  for (const up of prometheusMetrics)
    real.set(up.name, { kind: "gauge", labels: new Set(targetLabels) });
  const catalogue = new Map([...real, ...recordedSeries(real)]);
  const queries = opsPromqlQueries();
  assert.ok(queries.length > 40);
  for (const { where, expr } of queries) {
    const problems = checkPromql(expr, catalogue, { countersOnlyThroughRate: false });
    assert.deepEqual(problems, [], `${where}: ${problems.join("; ")}`);
  }
});
