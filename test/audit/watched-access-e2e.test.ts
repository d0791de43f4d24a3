// The audit watchlist end to end, as a security officer uses it: `audit items add` of a user makes
// the next view of that user's mail in a restore a watched event — in the metric, in its audit
// record, in the feed of watched accesses, and as a firing alert that reaches a webhook through
// the real Prometheus and Alertmanager; `audit items remove` stops the flagging.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { fetchOk, startProcess, startWebhookReceiver, waitFor } from "../helpers/ops-processes.ts";
import { queryPrometheus, startAlertingStack } from "../helpers/ops-prometheus-stack.ts";
import { repoPath } from "../helpers/ops-repo.ts";
import { skipUnlessTools } from "../helpers/ops-tools.ts";
import { startOtlpReceiver, stringAttribute } from "../helpers/otlp-receiver.ts";

const skip = skipUnlessTools({
  prometheus: ["prometheus"],
  "prometheus-alertmanager": ["prometheus-alertmanager", "alertmanager"],
  promtool: ["promtool"],
});
const dir = mkdtempSync(join(tmpdir(), "vbo-watched-"));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const cli = repoPath("src/cli.ts");

/** The samples of one metric in a Prometheus text exposition: labels and value. */
function samples(
  text: string,
  metric: string,
): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== metric) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] ?? ""] = (pair[2] ?? "").replace(/\\(.)/g, "$1");
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

function audit(
  env: NodeJS.ProcessEnv,
  args: readonly string[],
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [cli, "audit", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

test("a watched user's mail viewed in a restore: metric, record, feed and a routed alert; removal stops it", {
  skip,
  timeout: 150_000,
}, async () => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 5,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  cleanups.push(() => sim.close());
  const org = sim.world.organizations()[0];
  assert.ok(org);
  const subject = `eoconnor@${org.name}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    VBO_URL: sim.url,
    VBO_USERNAME: sim.username,
    VBO_PASSWORD: sim.password,
  };

  const added = await audit(env, ["items", "add", "--organization", org.name, "Eileen O'Connor"]);
  assert.equal(added.code, 0, added.out);
  assert.deepEqual(
    sim.world.audit.items(org.id).map((i) => i.name),
    [subject],
  );

  const receiver = await startOtlpReceiver();
  cleanups.push(() => receiver.close());
  const passwordFile = join(dir, "vbo-password");
  writeFileSync(passwordFile, sim.password, { mode: 0o600 });
  const configFile = join(dir, "exporter.yml");
  writeFileSync(
    configFile,
    [
      "web:",
      '  listenAddress: "127.0.0.1:0"',
      "  newSeriesHold: 3s",
      "state:",
      `  dir: ${JSON.stringify(join(dir, "state"))}`,
      "servers:",
      "  - name: lab",
      `    url: ${sim.url}`,
      "    apiVersion: v8",
      `    username: ${JSON.stringify(sim.username)}`,
      `    passwordFile: ${JSON.stringify(passwordFile)}`,
      "    pollInterval: 1s",
      "    lookback: 1d",
      "    watchlist:",
      "      refreshInterval: 5s",
      "logs:",
      "  otlp:",
      `    endpoint: ${receiver.url}`,
      "",
    ].join("\n"),
  );
  const exporter = startProcess(
    "exporter",
    process.execPath,
    [cli, "serve", "--config", configFile, "--log-level", "warn"],
    { env: { PATH: process.env.PATH ?? "", TZ: "UTC" } },
  );
  cleanups.push(() => exporter.stop());
  const metricsUrl = await waitFor(
    "the exporter's metrics URL",
    async () => /Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(exporter.output())?.[1],
    30_000,
    () => exporter.output(),
  );
  const base = metricsUrl.replace(/metrics$/, "");
  const gauge = async (name: string): Promise<number | undefined> =>
    samples((await fetchOk(metricsUrl)) ?? "", name).find((s) => s.labels.server === "lab")?.value;
  await waitFor(
    "the watchlist read from VBO",
    async () => ((await gauge("vbo_audit_watchlist_subjects")) === 1 ? true : undefined),
    30_000,
    () => exporter.output(),
  );

  const webhook = await startWebhookReceiver();
  cleanups.push(() => webhook.close());
  const stack = await startAlertingStack({
    dir: join(dir, "stack"),
    exporterAddress: new URL(metricsUrl).host,
    webhookUrl: webhook.url,
    backfill: [],
  });
  cleanups.push(() => stack.stop());
  // Prometheus scrapes before the access, as it does in a deployment: the first access of a
  // subject is a new series, and only a scraper that saw it at 0 counts its first increase.
  await waitFor(
    "Prometheus scraping the exporter",
    async () =>
      (await queryPrometheus(stack.prometheusUrl, "vbo_audit_watchlist_up")).length > 0
        ? true
        : undefined,
    30_000,
  );

  // A restore in which someone views two of the watched user's mails.
  const created = await fetch(`${sim.url}/_simulator/sessions`, {
    method: "POST",
    body: JSON.stringify({
      organization: org.name,
      type: "Vex",
      mailbox: "Eileen O'Connor",
      eventType: "View",
      eventCount: 2,
      durationSeconds: 1,
      startedSecondsAgo: 2,
      clientHost: "HELPDESK07 (via: 203.0.113.10)",
      initiatedBy: `CONTOSO\\mallory`,
    }),
  });
  assert.equal(created.status, 201);
  const sessionId = ((await created.json()) as { id: string }).id;

  const audited = async () =>
    samples((await fetchOk(metricsUrl)) ?? "", "vbo_audited_restore_events_total")
      .filter((s) => s.labels.subject === subject)
      .reduce((sum, s) => sum + s.value, 0);
  await waitFor(
    "two watched views counted",
    async () => ((await audited()) === 2 ? true : undefined),
    30_000,
    () => exporter.output(),
  );

  const records = await waitFor(
    "the session's event records at the receiver",
    async () => {
      const mine = receiver.stored.filter(
        (r) =>
          r.eventName === "vbo.restore.event" &&
          stringAttribute(r, "vbo.session.id") === sessionId &&
          stringAttribute(r, "vbo.event.type") === "View",
      );
      return mine.length === 2 ? mine : undefined;
    },
    30_000,
  );
  for (const record of records) {
    assert.equal(stringAttribute(record, "vbo.audit.watched"), "true");
    assert.equal(stringAttribute(record, "vbo.audit.subject"), subject);
    assert.equal(stringAttribute(record, "vbo.client_host"), "HELPDESK07");
    assert.equal(stringAttribute(record, "vbo.client_gateway"), "203.0.113.10");
  }

  const feedReply = await fetch(`${base}api/v1/audit/accesses?since=0`);
  assert.equal(feedReply.status, 200, exporter.output().slice(-3000));
  const feed = (await feedReply.json()) as {
    cursor: string;
    accesses: {
      subject: string;
      sessionId: string;
      clientHost: string;
      clientGateway: string;
      initiatedBy: string;
      eventType: string;
    }[];
  };
  const fromFeed = feed.accesses.filter((a) => a.sessionId === sessionId);
  // The landing page lists the access with the session it belongs to.
  const landing = await (await fetch(base)).text();
  assert.match(landing, /<h2>Watched data accessed<\/h2>/);
  assert.ok(landing.includes(`id=${sessionId}`), "the access links to its session");
  assert.ok(landing.includes(subject), "the landing page names the watched subject");
  assert.equal(fromFeed.length, 2);
  for (const access of fromFeed) {
    assert.deepEqual(
      [
        access.subject,
        access.clientHost,
        access.clientGateway,
        access.initiatedBy,
        access.eventType,
      ],
      [subject, "HELPDESK07", "203.0.113.10", "CONTOSO\\mallory", "View"],
    );
  }
  const later = (await (
    await fetch(`${base}api/v1/audit/accesses?since=${feed.cursor}`)
  ).json()) as {
    accesses: unknown[];
  };
  assert.equal(later.accesses.length, 0, "nothing after the newest cursor");

  const alert = await waitFor(
    "VboWatchedDataAccessed at the webhook",
    async () =>
      webhook.calls
        .flatMap((c) => (c.body as { alerts: { labels: Record<string, string> }[] }).alerts)
        .find((a) => a.labels.alertname === "VboWatchedDataAccessed"),
    60_000,
    () => stack.processes.map((p) => p.output().slice(-2000)).join("\n"),
  );
  assert.equal(alert.labels.subject, subject);
  assert.equal(alert.labels.organization, org.name);
  assert.equal(alert.labels.event_type, "view");

  // Removing the item: once the watchlist is read again, the next view is not flagged.
  const removed = await audit(env, [
    "items",
    "remove",
    "--organization",
    org.name,
    "Eileen O'Connor",
  ]);
  assert.equal(removed.code, 0, removed.out);
  await waitFor(
    "the watchlist read again, empty",
    async () => ((await gauge("vbo_audit_watchlist_subjects")) === 0 ? true : undefined),
    30_000,
    () => exporter.output(),
  );
  const again = await fetch(`${sim.url}/_simulator/sessions`, {
    method: "POST",
    body: JSON.stringify({
      organization: org.name,
      type: "Vex",
      mailbox: "Eileen O'Connor",
      eventType: "View",
      eventCount: 1,
      durationSeconds: 1,
      startedSecondsAgo: 2,
    }),
  });
  const secondId = ((await again.json()) as { id: string }).id;
  const second = await waitFor(
    "the second session's view record",
    async () =>
      receiver.stored.find(
        (r) =>
          stringAttribute(r, "vbo.session.id") === secondId &&
          stringAttribute(r, "vbo.event.type") === "View",
      ),
    30_000,
  );
  assert.equal(stringAttribute(second, "vbo.audit.watched"), undefined);
  assert.equal(await audited(), 2, "the counter did not move");
});
