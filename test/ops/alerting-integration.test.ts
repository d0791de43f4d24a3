// End to end with the real Prometheus and Alertmanager (Debian packages): the simulator stands in
// for VBO, the exporter (`serve --config`) polls it, Prometheus evaluates the repository's rules
// and Alertmanager routes to a webhook inside the test. A failed restore from a client host never
// seen before must arrive as VboRestoreSessionFailed and VboRestoreFromNewClientHost, with their
// labels, annotations and receivers; a host seen yesterday must not count as new.
//
// Why the rules file is used as shipped: the new-host alert compares the present with the past
// (sessions in the 7 days before the last hour) and stays quiet while Prometheus has no history for
// a server. Rather than templating shorter windows into a test copy, the test gives Prometheus two
// hours of history by backfilling its TSDB with promtool (vbo_up, the last successful poll and the
// last-session time of the known host, with the job label the rules select) before it starts.
// The failed session's counter is brand new: the exporter shows it at 0 for its new-series hold
// (3 s here) before its 1, so plain increase() sees it. Scrape and evaluation run every second.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { MIXIN, runbookUrl } from "../../grafana/src/mixin-config.ts";
import { startOpsExporter } from "../helpers/ops-exporter.ts";
import { startWebhookReceiver, type WebhookReceiver, waitFor } from "../helpers/ops-processes.ts";
import {
  type AlertingStack,
  queryPrometheus,
  startAlertingStack,
} from "../helpers/ops-prometheus-stack.ts";
import { type OpsSimulator, startOpsSimulator } from "../helpers/ops-simulator.ts";
import { skipUnlessTools } from "../helpers/ops-tools.ts";

const skip = skipUnlessTools({
  prometheus: ["prometheus"],
  "prometheus-alertmanager": ["prometheus-alertmanager", "alertmanager"],
  promtool: ["promtool"],
});
const SERVER = "it-vbo";
/** The scrape job the rules select (MIXIN.jobSelector); backfilled history carries it too. */
const JOB = "vbo-restore-exporter";
const ORG = "Contoso Ltd. (Zürich)";
const dir = mkdtempSync(join(tmpdir(), "vbo-ops-it-"));
const cleanups: (() => Promise<void>)[] = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

interface WebhookAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

function delivered(webhook: WebhookReceiver): { receiver: string; alert: WebhookAlert }[] {
  return webhook.calls.flatMap((call) =>
    (call.body as { alerts: WebhookAlert[] }).alerts.map((alert) => ({
      receiver: call.path.slice(1),
      alert,
    })),
  );
}

test("a failed restore from a new client host reaches the webhook as two routed, annotated alerts", {
  skip,
  timeout: 90_000,
}, async () => {
  const simulator: OpsSimulator = await startOpsSimulator();
  cleanups.push(() => simulator.close());
  const webhook = await startWebhookReceiver();
  cleanups.push(() => webhook.close());

  // Yesterday's restore from KNOWN-WS: already in VBO's history when the exporter starts.
  const nowSeconds = Math.floor(Date.now() / 1000);
  await simulator.addSession({
    clientHost: "KNOWN-WS (via: 203.0.113.10)",
    organization: ORG,
    type: "Vex",
    result: "Success",
    startedSecondsAgo: 86_400,
  });

  const exporter = await startOpsExporter({
    dir,
    server: SERVER,
    url: simulator.url,
    username: simulator.username,
    password: simulator.password,
  });
  cleanups.push(() => exporter.process.stop());

  const host = (label: string) => ({
    job: JOB,
    server: SERVER,
    organization: ORG,
    restore_type: "exchange",
    client_host: label,
  });
  const stack: AlertingStack = await startAlertingStack({
    dir,
    exporterAddress: exporter.address,
    webhookUrl: webhook.url,
    backfill: [
      {
        metric: "vbo_up",
        type: "gauge",
        samples: [{ labels: { job: JOB, server: SERVER }, value: 1 }],
        fromSeconds: nowSeconds - 7200,
        toSeconds: nowSeconds - 60,
      },
      {
        metric: "vbo_last_successful_poll_timestamp_seconds",
        type: "gauge",
        samples: [{ labels: { job: JOB, server: SERVER }, value: nowSeconds - 120 }],
        fromSeconds: nowSeconds - 7200,
        toSeconds: nowSeconds - 60,
      },
      {
        metric: "vbo_last_restore_session_timestamp_seconds",
        type: "gauge",
        samples: [{ labels: host("KNOWN-WS"), value: nowSeconds - 2 * 86_400 }],
        fromSeconds: nowSeconds - 7200,
        toSeconds: nowSeconds - 60,
      },
    ],
  });
  cleanups.push(() => stack.stop());
  await waitFor(
    "Prometheus scraping the exporter",
    async () =>
      (
        await queryPrometheus(
          stack.prometheusUrl,
          // A scrape of the exporter itself (vbo_up is backfilled, up is not): a label set held at
          // 0 must be seen at 0 by a Prometheus that is already scraping.
          `vbo_up{job="vbo-restore-exporter",server="${SERVER}"} == 1 and on (job) up{job="vbo-restore-exporter"} == 1`,
        )
      ).length > 0
        ? true
        : undefined,
    20_000,
    () => stack.processes.map((p) => p.output().slice(-2000)).join("\n"),
  );

  // Now: KNOWN-WS restores again (seen yesterday: not new), NEW-WS restores and fails.
  await simulator.addSession({
    clientHost: "KNOWN-WS (via: 203.0.113.10)",
    organization: ORG,
    type: "Vex",
    result: "Success",
    startedSecondsAgo: 5,
  });
  await simulator.addSession({
    clientHost: "NEW-WS (via: 203.0.113.10)",
    organization: ORG,
    type: "Veod",
    result: "Failed",
    startedSecondsAgo: 5,
  });

  // Each receiver is notified on its own: wait for every expected delivery, not the first of each.
  const wanted = [
    "VboRestoreSessionFailed/vbo-team",
    "VboRestoreFromNewClientHost/security",
    "VboRestoreFromNewClientHost/vbo-team",
  ];
  await waitFor(
    "both alerts at their receivers",
    async () => {
      const got = new Set(
        delivered(webhook).map((d) => `${d.alert.labels.alertname}/${d.receiver}`),
      );
      return wanted.every((n) => got.has(n)) ? true : undefined;
    },
    40_000,
    async () =>
      JSON.stringify([
        await queryPrometheus(stack.prometheusUrl, "ALERTS"),
        await queryPrometheus(
          stack.prometheusUrl,
          `vbo_restore_sessions_finished_total{client_host="NEW-WS"}[2m]`,
        ),
      ]),
  );

  const failed = delivered(webhook).filter(
    (d) => d.alert.labels.alertname === "VboRestoreSessionFailed",
  );
  const failedAlert = failed[0]?.alert;
  assert.ok(failedAlert);
  assert.deepEqual(
    { ...failedAlert.labels, instance: "" },
    {
      alertname: "VboRestoreSessionFailed",
      severity: "warning",
      category: "restore",
      job: "vbo-restore-exporter",
      instance: "",
      server: SERVER,
      organization: ORG,
      restore_type: "onedrive",
      client_host: "NEW-WS",
      result: "failed",
    },
  );
  assert.equal(failedAlert.annotations.summary, "A VBO restore session failed.");
  assert.equal(
    failedAlert.annotations.description,
    `1 onedrive restore session(s) of ${ORG} from client host NEW-WS on VBO server ${SERVER} finished with result Failed in the last 15 minutes.`,
  );
  assert.equal(failedAlert.annotations.runbook_url, runbookUrl(MIXIN, "VboRestoreSessionFailed"));
  assert.deepEqual(
    [...new Set(failed.map((d) => d.receiver))],
    ["vbo-team"],
    "warning, not audit, no tenant route for this organization",
  );

  const newHost = delivered(webhook).filter(
    (d) => d.alert.labels.alertname === "VboRestoreFromNewClientHost",
  );
  assert.deepEqual(
    [...new Set(newHost.map((d) => d.alert.labels.client_host))],
    ["NEW-WS"],
    "KNOWN-WS restored yesterday: not new",
  );
  const newHostAlert = newHost[0]?.alert;
  assert.ok(newHostAlert);
  assert.equal(newHostAlert.labels.severity, "warning");
  assert.equal(newHostAlert.labels.category, "audit");
  assert.equal(newHostAlert.labels.organization, ORG);
  assert.equal(newHostAlert.labels.restore_type, "onedrive");
  assert.match(
    newHostAlert.annotations.description ?? "",
    new RegExp(
      `^Client host NEW-WS started a restore \\(onedrive\\) of .+ data on VBO server ${SERVER} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.?\\d* \\+0000 UTC; it had started no restore session there in the 7 days before\\.$`,
    ),
  );
  assert.equal(
    newHostAlert.annotations.runbook_url,
    runbookUrl(MIXIN, "VboRestoreFromNewClientHost"),
  );
  assert.deepEqual(
    [...new Set(newHost.map((d) => d.receiver))].sort(),
    ["security", "vbo-team"],
    "audit alerts also go to security",
  );
});
