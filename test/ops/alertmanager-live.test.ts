// The real Alertmanager with the repository's routing and inhibition: alerts posted to its API
// reach the expected webhook receivers, and inhibited alerts do not.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  fetchOk,
  freePort,
  type Managed,
  startProcess,
  startWebhookReceiver,
  type WebhookReceiver,
  waitFor,
} from "../helpers/ops-processes.ts";
import { testAlertmanagerConfig } from "../helpers/ops-prometheus-stack.ts";
import { requireTool, skipUnlessTools } from "../helpers/ops-tools.ts";

const skip = skipUnlessTools({
  "prometheus-alertmanager": ["prometheus-alertmanager", "alertmanager"],
});
const dir = mkdtempSync(join(tmpdir(), "vbo-ops-am-"));
let webhook: WebhookReceiver | undefined;
let alertmanager: Managed | undefined;
let alertmanagerUrl = "";

before(async () => {
  if (skip) return;
  webhook = await startWebhookReceiver();
  const config = join(dir, "alertmanager.yml");
  writeFileSync(config, testAlertmanagerConfig(webhook.url));
  const port = await freePort();
  alertmanagerUrl = `http://127.0.0.1:${port}`;
  alertmanager = startProcess(
    "alertmanager",
    requireTool("prometheus-alertmanager", "alertmanager"),
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
  );
  await waitFor(
    "Alertmanager ready",
    () => fetchOk(`${alertmanagerUrl}/-/ready`),
    15_000,
    () => alertmanager?.output() ?? "",
  );
});

after(async () => {
  await alertmanager?.stop();
  await webhook?.close();
  rmSync(dir, { recursive: true, force: true });
});

function alert(labels: Record<string, string>) {
  return { labels, annotations: { summary: "test" }, startsAt: new Date().toISOString() };
}

/** Receiver name → alert names delivered to it. */
function deliveries(receiver: WebhookReceiver): Map<string, Set<string>> {
  const byReceiver = new Map<string, Set<string>>();
  for (const call of receiver.calls) {
    const body = call.body as { alerts: { labels: Record<string, string> }[] };
    const names = byReceiver.get(call.path.slice(1)) ?? new Set<string>();
    for (const a of body.alerts) names.add(a.labels.alertname ?? "");
    byReceiver.set(call.path.slice(1), names);
  }
  return byReceiver;
}

test("alerts are routed by organization, category and severity, and the exporter being down inhibits the rest", {
  skip,
}, async () => {
  assert.ok(webhook);
  const exporter = { job: "vbo-restore-exporter", instance: "exporter-a:9853" };
  const posted = [
    alert({
      alertname: "VboExporterDown",
      severity: "critical",
      category: "availability",
      ...exporter,
    }),
    alert({
      alertname: "VboServerUnreachable",
      severity: "critical",
      category: "availability",
      server: "lab",
      ...exporter,
    }),
    alert({
      alertname: "VboPollingStale",
      severity: "warning",
      category: "availability",
      server: "prod",
      instance: "exporter-b:9853",
      job: "vbo-restore-exporter",
    }),
    alert({
      alertname: "VboServerUnreachable",
      severity: "critical",
      category: "availability",
      server: "prod",
      instance: "exporter-b:9853",
      job: "vbo-restore-exporter",
    }),
    alert({
      alertname: "VboRestoreFromNewClientHost",
      severity: "warning",
      category: "audit",
      organization: "contoso.onmicrosoft.com",
      server: "prod",
      client_host: "WS9",
      instance: "exporter-b:9853",
      job: "vbo-restore-exporter",
    }),
  ];
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(posted),
  });
  assert.equal(response.status, 200);
  const expected = new Map([
    ["vbo-oncall", ["VboExporterDown", "VboServerUnreachable"]],
    ["security", ["VboRestoreFromNewClientHost"]],
    ["tenant-contoso", ["VboRestoreFromNewClientHost"]],
    ["vbo-team", ["VboRestoreFromNewClientHost"]],
  ]);
  const hook = webhook;
  await waitFor(
    "every expected notification",
    async () => {
      const got = deliveries(hook);
      return [...expected].every(([r, names]) => names.every((n) => got.get(r)?.has(n)))
        ? true
        : undefined;
    },
    15_000,
    () => JSON.stringify([...deliveries(hook)].map(([r, n]) => [r, [...n]])),
  );
  // Give inhibited notifications the chance to (wrongly) arrive.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const got = deliveries(hook);
  assert.deepEqual(
    [...got].map(([r, n]) => [r, [...n].sort()]).sort(),
    [...expected].map(([r, n]) => [r, [...n].sort()]).sort(),
    "VboPollingStale is inhibited by VboServerUnreachable of the same server; lab's VboServerUnreachable by VboExporterDown of its exporter",
  );
  const oncall = hook.calls
    .filter((c) => c.path === "/vbo-oncall")
    .flatMap((c) => (c.body as { alerts: { labels: Record<string, string> }[] }).alerts);
  const unreachable = oncall
    .filter((a) => a.labels.alertname === "VboServerUnreachable")
    .map((a) => a.labels.server);
  assert.deepEqual(
    unreachable,
    ["prod"],
    "lab's VboServerUnreachable is inhibited by VboExporterDown of exporter-a",
  );
});
