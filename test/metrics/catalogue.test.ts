// The catalogue is the one definition: the registry (exporter and log pipeline) registers exactly
// its metrics with its types, help and label names, and labelsFromTuple checks arity.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { createLogMetrics } from "../../src/logs/metrics.ts";
import { labelsFromTuple, METRICS } from "../../src/metrics/catalogue.ts";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.ts";
import { openStateStore } from "../../src/state/store.ts";

interface Registered {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

test("the registry registers exactly the catalogue's metrics, types, help and labels", async () => {
  const dir = mkdtempSync(join(tmpdir(), "vbo-catalogue-"));
  const store = openStateStore({ dir });
  try {
    const registry = new Registry();
    createExporterMetrics(registry, { version: "t", servers: ["s"], store, defaultMetrics: false });
    createLogMetrics(registry, {
      pending: () => 0,
      oldestEnqueuedAtMs: () => null,
      deadLetters: () => 0,
      byDestination: () => [],
      limit: 1,
      now: () => 0,
    });
    const types = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
    const registered = (registry.getMetricsAsArray() as unknown as Registered[]).filter((m) =>
      m.name.startsWith("vbo_"),
    );
    assert.deepEqual(
      registered.map((m) => m.name).sort(),
      METRICS.map((m) => m.name).sort(),
      "registered vbo_ metrics = catalogue",
    );
    for (const m of registered) {
      const spec = METRICS.find((s) => s.name === m.name);
      assert.ok(spec);
      assert.equal(types.get(m.name), spec.type, `${m.name}: type`);
      assert.equal(m.help, spec.help, `${m.name}: help`);
      assert.deepEqual([...(m.labelNames ?? [])], [...spec.labels], `${m.name}: labels`);
    }
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("label tuples from the state become objects keyed by the catalogue's label names", () => {
  assert.deepEqual(
    labelsFromTuple("vbo_restore_items_bytes_total", ["s", "o", "exchange", "h", "save"]),
    {
      server: "s",
      organization: "o",
      restore_type: "exchange",
      client_host: "h",
      event_type: "save",
    },
  );
  assert.throws(
    () => labelsFromTuple("vbo_restore_sessions_total", ["s", "o"]),
    /vbo_restore_sessions_total has 4 labels, got 2 values/,
  );
});
