// Numbers a user can trust, against the real Prometheus: the exporter polls the simulator while
// live traffic brings new client hosts and a new organization, Prometheus scrapes it every second,
// and every count the activity dashboard shows (its PromQL with the variables set to All), every
// count query of the README and docs/operations.md and the volume recording rules equal the
// simulator's own truth for windows of 5 minutes and 1 hour, within ±1 or ±10 %, whichever is
// larger; the first restore from each new client host is counted. The history is older than both
// windows: Prometheus counts what the exporter saw while it ran, the audit log the rest.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { dashboards } from "../../grafana/src/generate.ts";
import { MIXIN } from "../../grafana/src/mixin-config.ts";
import { recordingRules } from "../../grafana/src/rules/prometheus-recording.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";
import {
  closeEnough,
  countTruth,
  expectedCounts,
  groupKey,
  parseCountQuery,
} from "../helpers/ops-count-truth.ts";
import { startOpsExporter } from "../helpers/ops-exporter.ts";
import { waitFor } from "../helpers/ops-processes.ts";
import { instantQuery, startScrapingPrometheus } from "../helpers/ops-prometheus.ts";
import { readRepoText } from "../helpers/ops-repo.ts";
import { skipUnlessTools } from "../helpers/ops-tools.ts";

const skip = skipUnlessTools({ prometheus: ["prometheus"] });
const SERVER = "acc";
const JOB = "vbo-restore-exporter";
const TYPES = ["Vex", "Veod", "Vesp", "Vet"] as const;
const RESULTS = ["Success", "Failed", "Warning", "Success"] as const;
/** The i-th of a non-empty list, cyclically. */
const nth = <T>(list: readonly [T, ...T[]], i: number): T => list[i % list.length] ?? list[0];
const dir = mkdtempSync(join(tmpdir(), "vbo-ops-counts-"));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** The count queries a user reads: name → PromQL with a `[WINDOW]` to fill in. */
function countQueries(): { where: string; expr: string }[] {
  const queries: { where: string; expr: string }[] = [];
  const activity = dashboards().get("vbo-restore-activity.json");
  assert.ok(activity);
  for (const panel of activity.panels) {
    for (const target of panel.targets ?? []) {
      if (target.datasource.type !== "prometheus" || !target.expr.includes("increase(")) continue;
      const expr = target.expr
        .replace(/=~"\$(server|organization|restore_type|client_host)"/g, '=~".*"')
        .replace(/\$__range_s/g, "WINDOW_S")
        .replace(/\[\$__(range|interval)\]/g, "[WINDOW]");
      queries.push({ where: `dashboard: ${panel.title}`, expr });
    }
  }
  for (const file of ["README.md", "docs/operations.md"]) {
    for (const block of readRepoText(file).matchAll(/```promql\n([\s\S]*?)```/g)) {
      const lines: string[] = [];
      for (const line of (block[1] ?? "").split("\n")) {
        if (line.trim() === "") continue;
        if (/^\s/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
        else lines.push(line);
      }
      for (const line of lines.filter((l) => l.includes("increase(")))
        queries.push({
          where: `${file}: ${line}`,
          expr: line.replace(/\[\d+[smhdw]\]/g, "[WINDOW]"),
        });
    }
  }
  for (const group of recordingRules(MIXIN).groups)
    for (const rule of group.rules)
      if ("record" in rule && rule.expr.includes("increase("))
        queries.push({
          where: `rule ${rule.record}`,
          expr: rule.expr.replace(/\[1h\]/g, "[WINDOW]"),
        });
  return queries;
}

test("dashboard counts, documented queries and volume rules equal the simulator's truth, new client hosts included", {
  skip,
  timeout: 120_000,
}, async () => {
  const simulator: RunningSimulator = await startSimulator({
    apiVersion: "v8",
    host: "127.0.0.1",
    port: 0,
    historySessions: 0,
    ratePerMinute: 0,
    seed: 7,
  });
  cleanups.push(() => simulator.close());
  // History, older than both windows: read at the exporter's first start.
  for (let i = 0; i < 8; i++) {
    simulator.world.addSession({
      clientHost: `KNOWN-${i % 3}`,
      organization: i % 2 === 0 ? "Contoso" : "Fabrikam",
      type: nth(TYPES, i),
      result: nth(RESULTS, i),
      eventCount: 2 + (i % 3),
      durationSeconds: 30,
      startedSecondsAgo: 7200 + i * 20_000,
    });
  }
  const exporter = await startOpsExporter({
    dir,
    server: SERVER,
    url: simulator.url,
    username: simulator.username,
    password: simulator.password,
  });
  cleanups.push(() => exporter.process.stop());
  const prometheus = await startScrapingPrometheus({ dir, job: JOB, target: exporter.address });
  cleanups.push(() => prometheus.stop());
  await waitFor(
    "Prometheus scraping the exporter",
    async () =>
      (await instantQuery(prometheus.url, `up{job="${JOB}"} == 1`)).length > 0 ? true : undefined,
    20_000,
    () => prometheus.process.output().slice(-2000),
  );

  // Live traffic: known hosts, a new host on most sessions (each one's first restore), and a new
  // organization on every fifth.
  const newHosts: string[] = [];
  for (let i = 0; i < 30; i++) {
    const isNew = i % 4 !== 0;
    const host =
      i === 5 ? "BXYDEV01" : isNew ? `NEW-${String(i).padStart(2, "0")}` : `KNOWN-${i % 3}`;
    if (isNew) newHosts.push(host);
    simulator.world.addSession({
      clientHost: i % 3 === 0 ? `${host} (via: 203.0.113.7)` : host,
      organization: i % 5 === 4 ? "Northwind Traders" : i % 2 === 0 ? "Contoso" : "Fabrikam",
      type: nth(TYPES, i * 3),
      result: nth(RESULTS, i),
      eventCount: 1 + (i % 5),
      durationSeconds: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  // Wait until the last session has stopped in the simulator and Prometheus has scraped every
  // session, finished session and event the simulator shows (held series count 0 until then).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const settledMs = Date.now();
  const truth = countTruth(simulator.world, SERVER, settledMs);
  const total = (metric: string) => (truth.get(metric) ?? []).reduce((n, r) => n + r.value, 0);
  await waitFor(
    "Prometheus to hold every session and event of the simulator",
    async () => {
      for (const metric of [
        "vbo_restore_sessions_total",
        "vbo_restore_sessions_finished_total",
        "vbo_restore_events_total",
      ]) {
        const [sample] = await instantQuery(prometheus.url, `sum(${metric}{job="${JOB}"})`);
        if (sample?.value !== total(metric)) return undefined;
      }
      return true;
    },
    30_000,
    async () =>
      JSON.stringify(
        await instantQuery(
          prometheus.url,
          `sum by (__name__) ({job="${JOB}", __name__=~"vbo_restore_.*_total"})`,
        ),
      ),
  );

  // Now, not a second earlier: the last samples Prometheus took must be inside the windows.
  const atSeconds = Date.now() / 1000;
  const queries = countQueries();
  assert.ok(queries.length >= 20, `only ${queries.length} count queries`);
  let compared = 0;
  for (const [window, windowSeconds] of [
    ["5m", 300],
    ["1h", 3600],
  ] as const) {
    for (const { where, expr: template } of queries) {
      const expr = template
        .replaceAll("WINDOW_S", String(windowSeconds))
        .replaceAll("[WINDOW]", `[${window}]`);
      const got = await instantQuery(prometheus.url, expr, atSeconds);
      if (
        expr.startsWith("count(max by (client_host) (vbo_last_restore_session_timestamp_seconds")
      ) {
        const hosts = new Set(
          (truth.get("vbo_restore_sessions_total") ?? [])
            .filter((r) => r.startedMs > atSeconds * 1000 - windowSeconds * 1000)
            .map((r) => r.labels.client_host),
        );
        assert.equal(got[0]?.value, hosts.size, `${where} [${window}]`);
        compared++;
        continue;
      }
      const query = parseCountQuery(expr);
      assert.ok(query, `${where}: not a count query this test can check: ${expr}`);
      const expected = expectedCounts(query, truth, atSeconds * 1000, windowSeconds * 1000);
      const actual = new Map(got.map((s) => [groupKey(query.by, s.metric), s.value]));
      const detail = () =>
        `${where} [${window}]\n  expected ${JSON.stringify([...expected])}\n  got ${JSON.stringify([...actual])}`;
      for (const [key, value] of actual)
        assert.ok(closeEnough(value, expected.get(key) ?? 0), `${key}: ${detail()}`);
      if (query.topk === null) {
        for (const [key, value] of expected)
          assert.ok(closeEnough(actual.get(key) ?? 0, value), `${key}: ${detail()}`);
      } else {
        const best = Math.max(0, ...expected.values());
        assert.ok(closeEnough(Math.max(0, ...actual.values()), best), `top value: ${detail()}`);
        assert.equal(actual.size, Math.min(query.topk, expected.size), `top-k size: ${detail()}`);
      }
      compared++;
    }

    // The first restore from each new client host is there, whole.
    const byHost = await instantQuery(
      prometheus.url,
      `sum by (client_host) (increase(vbo_restore_sessions_total{job="${JOB}"}[${window}]))`,
      atSeconds,
    );
    for (const host of newHosts) {
      const value = byHost.find((s) => s.metric.client_host === host)?.value ?? 0;
      assert.ok(
        value > 0.9 && value < 1.1,
        `${host}: its first restore counted ${value} [${window}]`,
      );
    }
  }
  assert.ok(compared >= 40, `only ${compared} comparisons`);
});
