// Runs the exporter as operators do (`node src/cli.ts serve --config FILE`) against a simulator,
// and reads its /metrics in the Prometheus text format, for the ops tests.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fetchOk, type Managed, startProcess, waitFor } from "./ops-processes.ts";
import { repoPath } from "./ops-repo.ts";

export interface OpsExporter {
  readonly process: Managed;
  readonly metricsUrl: string;
  /** host:port of the web endpoints, for a Prometheus scrape target. */
  readonly address: string;
}

/** Starts `serve --config` on a random loopback port, polling `url` every second; waits for vbo_up 1. */
export async function startOpsExporter(options: {
  readonly dir: string;
  readonly server: string;
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** web.newSeriesHold: above the test Prometheus' 1 s scrape interval. */
  readonly newSeriesHold?: string;
  readonly pollInterval?: string;
}): Promise<OpsExporter> {
  const passwordFile = join(options.dir, "vbo-password");
  writeFileSync(passwordFile, options.password, { mode: 0o600 });
  const configFile = join(options.dir, "exporter.yml");
  writeFileSync(
    configFile,
    [
      "web:",
      '  listenAddress: "127.0.0.1:0"',
      `  newSeriesHold: ${options.newSeriesHold ?? "3s"}`,
      "state:",
      `  dir: ${JSON.stringify(join(options.dir, "state"))}`,
      "servers:",
      `  - name: ${JSON.stringify(options.server)}`,
      `    url: ${options.url}`,
      "    apiVersion: v8",
      `    username: ${JSON.stringify(options.username)}`,
      `    passwordFile: ${JSON.stringify(passwordFile)}`,
      `    pollInterval: ${options.pollInterval ?? "1s"}`,
      "    lookback: 7d",
      "",
    ].join("\n"),
  );
  const exporter = startProcess(
    "exporter",
    process.execPath,
    [repoPath("src/cli.ts"), "serve", "--config", configFile, "--log-level", "warn"],
    { env: { PATH: process.env.PATH ?? "", TZ: "UTC" } },
  );
  try {
    const metricsUrl = await waitFor(
      "the exporter's metrics URL",
      async () => /Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(exporter.output())?.[1],
      20_000,
      () => exporter.output(),
    );
    const up = new RegExp(`^vbo_up\\{[^}]*server="${options.server}"[^}]*\\} 1$`, "m");
    await waitFor(
      "the exporter's first successful poll",
      async () => ((await fetchOk(metricsUrl)) ?? "").match(up)?.[0],
      20_000,
      () => exporter.output(),
    );
    return { process: exporter, metricsUrl, address: new URL(metricsUrl).host };
  } catch (error) {
    await exporter.stop();
    throw error;
  }
}

export interface ExposedFamily {
  readonly type: string;
  /** Label names of every sample line of the family (histogram lines keep their suffix). */
  readonly sampleLabels: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Metric families of a Prometheus text exposition: TYPE per family, label names per series name. */
export function parseExposition(text: string): Map<string, ExposedFamily> {
  const families = new Map<string, { type: string; sampleLabels: Map<string, Set<string>> }>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) {
      families.set(type[1], { type: type[2], sampleLabels: new Map() });
      continue;
    }
    if (line.startsWith("#") || line.trim() === "") continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s/.exec(line);
    if (!sample?.[1]) continue;
    const name = sample[1];
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ""));
    if (!family) continue;
    const labels = new Set(
      [...(sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1] ?? ""),
    );
    const seen = family.sampleLabels.get(name) ?? new Set<string>();
    for (const label of labels) seen.add(label);
    family.sampleLabels.set(name, seen);
  }
  return families;
}
