// The metrics agreed for the dashboards and rules are defined by the exporter with the same type and
// labels (src/metrics/catalogue.ts and src/logs/metrics.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { agreedMetrics } from "../helpers/ops-contract.ts";
import { definedMetrics } from "../helpers/ops-defined-metrics.ts";

test("every agreed metric is defined with the agreed type and exactly the agreed labels", async () => {
  const defined = new Map((await definedMetrics()).map((m) => [m.name, m]));
  for (const metric of agreedMetrics) {
    const found = defined.get(metric.name);
    assert.ok(found, `${metric.name} is not defined by the exporter`);
    assert.equal(found.kind, metric.kind, `${metric.name}: type`);
    assert.deepEqual([...found.labels].sort(), [...metric.labels].sort(), `${metric.name}: labels`);
  }
});
