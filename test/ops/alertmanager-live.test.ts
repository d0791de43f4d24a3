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

/** Posted last, in a group of its own: its notification comes after every earlier group's. */
const BARRIER = "VboTestBarrier";

/** Receiver name → alert names delivered to it (the barrier left out). */
function deliveries(receiver: WebhookReceiver): Map<string, Set<string>> {
  const byReceiver = new Map<string, Set<string>>();
  for (const call of receiver.calls) {
    const body = call.body as { alerts: { labels: Record<string, string> }[] };
    const names = body.alerts.map((a) => a.labels.alertname ?? "").filter((n) => n !== BARRIER);
    if (names.length === 0) continue;
    const known = byReceiver.get(call.path.slice(1)) ?? new Set<string>();
    for (const name of names) known.add(name);
    byReceiver.set(call.path.slice(1), known);
  }
  return byReceiver;
}

async function postAlerts(alerts: readonly unknown[]): Promise<void> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts),
  });
  assert.equal(response.status, 200);
}

/** `alertname/server` of the alerts Alertmanager holds as inhibited. */
async function inhibited(): Promise<string[]> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts`);
  const alerts = (await response.json()) as {
    labels: Record<string, string>;
    status: { state: string; inhibitedBy: string[] };
  }[];
  return alerts
    .filter((a) => a.status.state === "suppressed" && a.status.inhibitedBy.length > 0)
    .map((a) => `${a.labels.alertname}/${a.labels.server}`)
    .sort();
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
  await postAlerts(posted);
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
  // Alertmanager itself says which alerts it inhibits.
  const expectedInhibited = ["VboPollingStale/prod", "VboServerUnreachable/lab"];
  let held: string[] = [];
  await waitFor(
    "the inhibited alerts",
    async () => {
      held = await inhibited();
      return held.join() === expectedInhibited.join() ? true : undefined;
    },
    15_000,
    () => JSON.stringify(held),
  );
  // A notification of an inhibited alert would have left with its group's first flush; a group
  // created after all of them flushes after them, so once its notification is in, all are.
  await postAlerts([
    alert({ alertname: BARRIER, severity: "warning", category: "test", server: "barrier" }),
  ]);
  await waitFor(
    "the barrier notification",
    async () =>
      hook.calls.some((c) =>
        (c.body as { alerts: { labels: Record<string, string> }[] }).alerts.some(
          (a) => a.labels.alertname === BARRIER,
        ),
      )
        ? true
        : undefined,
    15_000,
    () => String(hook.calls.length),
  );
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
