// Runs the real Prometheus and Alertmanager (Debian packages) with the repository's rules and
// routing on loopback ports, for the alerting integration test.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { fetchOk, freePort, type Managed, startProcess, waitFor } from "./ops-processes.ts";
import { asArray, asRecord, listRepoFiles, repoPath } from "./ops-repo.ts";
import { requireTool, runTool } from "./ops-tools.ts";

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** History for Prometheus' TSDB: each series gets `value` every minute over [from, to] (seconds). */
export interface Backfill {
  readonly metric: string;
  readonly type: "gauge";
  readonly samples: readonly Sample[];
  readonly fromSeconds: number;
  readonly toSeconds: number;
}

function openMetrics(backfills: readonly Backfill[]): string {
  const lines: string[] = [];
  for (const b of backfills) {
    lines.push(`# TYPE ${b.metric} ${b.type}`);
    for (const sample of b.samples) {
      const labels = Object.entries(sample.labels)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
        .join(",");
      for (let t = b.fromSeconds; t <= b.toSeconds; t += 60) {
        lines.push(`${b.metric}{${labels}} ${sample.value} ${t}`);
      }
    }
  }
  lines.push("# EOF", "");
  return lines.join("\n");
}

/**
 * The repository's alertmanager.yml with every webhook pointed at `webhookUrl/<receiver>` and the
 * grouping delays shortened; routes, matchers and inhibition stay as shipped.
 */
export function testAlertmanagerConfig(webhookUrl: string): string {
  const config = asRecord(
    parse(readFileSync(repoPath("alertmanager/alertmanager.yml"), "utf8")),
    "alertmanager.yml",
  );
  const route = asRecord(config.route, "route");
  config.route = { ...route, group_wait: "1s", group_interval: "1s", repeat_interval: "1h" };
  config.receivers = asArray(config.receivers, "receivers").map((r) => {
    const receiver = asRecord(r, "receiver");
    const name = String(receiver.name);
    return {
      ...receiver,
      webhook_configs: [{ url: `${webhookUrl}/${name}`, send_resolved: false }],
    };
  });
  return stringify(config);
}

export interface AlertingStack {
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly processes: readonly Managed[];
  stop(): Promise<void>;
}

/**
 * Backfills history, then starts Alertmanager and Prometheus (1 s scrape and rule evaluation)
 * scraping `exporterAddress` as job vbo-restore-exporter with the rules of prometheus/rules/.
 */
export async function startAlertingStack(options: {
  readonly dir: string;
  readonly exporterAddress: string;
  readonly webhookUrl: string;
  readonly backfill: readonly Backfill[];
}): Promise<AlertingStack> {
  const promtool = requireTool("promtool");
  const prometheus = requireTool("prometheus");
  const alertmanager = requireTool("prometheus-alertmanager", "alertmanager");
  const dataDir = join(options.dir, "prometheus-data");
  mkdirSync(dataDir, { recursive: true });
  if (options.backfill.length > 0) {
    const file = join(options.dir, "backfill.om");
    writeFileSync(file, openMetrics(options.backfill));
    const result = await runTool(promtool, [
      "tsdb",
      "create-blocks-from",
      "openmetrics",
      file,
      dataDir,
    ]);
    if (result.code !== 0)
      throw new Error(`promtool backfill failed: ${result.stdout}${result.stderr}`);
  }

  const amPort = await freePort();
  const amConfig = join(options.dir, "alertmanager.yml");
  writeFileSync(amConfig, testAlertmanagerConfig(options.webhookUrl));
  const am = startProcess("alertmanager", alertmanager, [
    `--config.file=${amConfig}`,
    `--storage.path=${join(options.dir, "alertmanager-data")}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    "--cluster.listen-address=",
  ]);

  const promPort = await freePort();
  const promConfig = join(options.dir, "prometheus.yml");
  writeFileSync(
    promConfig,
    stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: listRepoFiles("prometheus/rules", ".yml").map((f) => repoPath(f)),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: [
        {
          job_name: "vbo-restore-exporter",
          static_configs: [{ targets: [options.exporterAddress] }],
        },
      ],
    }),
  );
  const prom = startProcess("prometheus", prometheus, [
    `--config.file=${promConfig}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  const processes = [am, prom];
  const stack: AlertingStack = {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    processes,
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
  try {
    const logs = () => processes.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join("\n");
    await waitFor(
      "Alertmanager ready",
      () => fetchOk(`${stack.alertmanagerUrl}/-/ready`),
      15_000,
      logs,
    );
    await waitFor(
      "Prometheus ready",
      () => fetchOk(`${stack.prometheusUrl}/-/ready`),
      15_000,
      logs,
    );
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

/** An instant query's result vector. */
export async function queryPrometheus(
  prometheusUrl: string,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; data?: { result?: unknown } };
  if (body.status !== "success") throw new Error(`query failed: ${expr}`);
  return (body.data?.result ?? []) as { metric: Record<string, string>; value: [number, string] }[];
}
