// docs/metrics.md is what the registry really exports, and the catalogue names every vbo_ metric.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { metricsDoc } from "../../scripts/metrics-doc.ts";
import { METRICS } from "../../src/metrics/catalogue.ts";

test("docs/metrics.md is current (run npm run docs:metrics after changing a metric)", async () => {
  const committed = readFileSync(new URL("../../docs/metrics.md", import.meta.url), "utf8");
  assert.equal(committed, await metricsDoc());
});

test("every metric of the issue's contract is in the catalogue with its exact labels", () => {
  const labels = (name: string) => METRICS.find((m) => m.name === name)?.labels.join(",");
  const restore = "server,organization,restore_type,client_host";
  assert.equal(labels("vbo_restore_sessions_total"), restore);
  assert.equal(labels("vbo_restore_sessions_finished_total"), `${restore},result`);
  assert.equal(labels("vbo_restore_sessions_running"), restore);
  assert.equal(labels("vbo_restore_events_total"), `${restore},event_type,status`);
  assert.equal(labels("vbo_restore_items_bytes_total"), `${restore},event_type`);
  assert.equal(labels("vbo_restore_session_duration_seconds"), "server,organization,restore_type");
  assert.equal(labels("vbo_last_restore_session_timestamp_seconds"), restore);
  assert.equal(labels("vbo_up"), "server");
  assert.equal(labels("vbo_poll_errors_total"), "server,reason");
  assert.equal(labels("vbo_server_info"), "server,version,api_version");
  assert.equal(labels("vbo_exporter_build_info"), "version");
});
