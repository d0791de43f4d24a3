// The real Prometheus (Debian package) scraping one exporter every second on loopback, without
// rules or Alertmanager, for tests that compare query results with the simulator's truth.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { fetchOk, freePort, type Managed, startProcess, waitFor } from "./ops-processes.ts";
import { requireTool } from "./ops-tools.ts";

export interface RunningPrometheus {
  readonly url: string;
  readonly process: Managed;
  stop(): Promise<void>;
}

export async function startScrapingPrometheus(options: {
  readonly dir: string;
  readonly job: string;
  readonly target: string;
}): Promise<RunningPrometheus> {
  const prometheus = requireTool("prometheus");
  const dataDir = join(options.dir, "prometheus-data");
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const config = join(options.dir, "prometheus.yml");
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      scrape_configs: [{ job_name: options.job, static_configs: [{ targets: [options.target] }] }],
    }),
  );
  const child = startProcess("prometheus", prometheus, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "Prometheus ready",
      () => fetchOk(`${url}/-/ready`),
      15_000,
      () => child.output(),
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url, process: child, stop: () => child.stop() };
}

export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An instant query at `timeSeconds` (default now): its vector, values as numbers. */
export async function instantQuery(
  url: string,
  expr: string,
  timeSeconds?: number,
): Promise<VectorSample[]> {
  const params = new URLSearchParams({ query: expr });
  if (timeSeconds !== undefined) params.set("time", String(timeSeconds));
  const response = await fetch(`${url}/api/v1/query?${params}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== "success") throw new Error(`query failed (${body.error}): ${expr}`);
  if (body.data?.resultType !== "vector") throw new Error(`not a vector: ${expr}`);
  return (body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map(
    (r) => ({ metric: r.metric, value: Number(r.value[1]) }),
  );
}
