// Benchmarks (npm run bench [-- --sessions N]): simulator start, backfill throughput with the log
// outbox, idle poll cost, scrape time, and OTLP drain throughput, all on loopback in one process.

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Registry } from "prom-client";
import { systemClock } from "../src/clock.ts";
import { buildConfig } from "../src/config/build.ts";
import { silentLogger } from "../src/logger.ts";
import { createLogPipeline } from "../src/logs/pipeline.ts";
import { createExporterMetrics } from "../src/metrics/exporter-metrics.ts";
import { createServerPoller, pollerOptionsFor } from "../src/poller/server-poller.ts";
import { startSimulator } from "../src/simulator/server.ts";
import { openStateStore } from "../src/state/store.ts";
import { createVboClient } from "../src/vbo/client.ts";

const { values } = parseArgs({ options: { sessions: { type: "string", default: "20000" } } });
const sessions = Number(values.sessions);
if (!Number.isInteger(sessions) || sessions < 1)
  throw new Error("--sessions: expected a whole number");

const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 25);

async function receiver(): Promise<{
  url: string;
  received: () => number;
  close: () => Promise<void>;
}> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/otlp/v1/logs`,
    received: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const results: [string, string][] = [];
const row = (name: string, value: string) => {
  results.push([name, value]);
  console.log(`${name.padEnd(44)} ${value}`);
};

let t = performance.now();
const big = await startSimulator({ apiVersion: "v8", historySessions: 100_000, ratePerMinute: 0 });
row("simulator start, 100 000 sessions", `${Math.round(performance.now() - t)} ms`);
await big.close();

const sim = await startSimulator({
  apiVersion: "v8",
  historySessions: sessions,
  historyDays: 6,
  ratePerMinute: 0,
  tokenThrottle: false,
});
const sink = await receiver();
const dir = mkdtempSync(join(tmpdir(), "vbo-bench-"));
const store = openStateStore({ dir });
const registry = new Registry();
const metrics = createExporterMetrics(registry, { version: "bench", servers: ["bench"], store });
const logs = createLogPipeline({
  db: store.db,
  options: { endpoint: sink.url, protocol: "http/protobuf" },
  registry,
  logger: silentLogger(),
  clock: systemClock,
  serviceVersion: "bench",
  instanceId: "bench",
});
const client = createVboClient({
  url: sim.url,
  apiVersion: "v8",
  username: sim.username,
  password: sim.password,
});
const benchServer = buildConfig(
  { servers: [{ name: "bench", url: sim.url, username: sim.username, password: sim.password }] },
  "bench",
  ".",
  () => "",
).config.servers[0];
if (!benchServer) throw new Error("no server configured");
const poller = createServerPoller({
  server: "bench",
  url: sim.url,
  client,
  store,
  sinks: [logs.sink],
  metrics,
  clock: systemClock,
  logger: silentLogger(),
  options: { ...pollerOptionsFor(benchServer), pollIntervalMs: 60_000, lookbackMs: 7 * 86_400_000 },
});

const rssBefore = process.memoryUsage().rss;
peakRss = rssBefore;
t = performance.now();
await poller.pollOnce();
const backfillMs = performance.now() - t;
const status = poller.status();
if (!status.up) throw new Error(`backfill failed: ${status.lastError?.message}`);
const events = Number(
  store.db.prepare("SELECT coalesce(sum(event_count), 0) AS n FROM sessions").get()?.n ?? 0,
);
row(`backfill ${sessions} sessions + ${events} events`, `${Math.round(backfillMs)} ms`);
row(
  "backfill throughput",
  `${Math.round(sessions / (backfillMs / 1000))} sessions/s, ${Math.round(events / (backfillMs / 1000))} events/s`,
);
row("peak RSS during backfill (simulator included)", `${mb(peakRss)} (before: ${mb(rssBefore)})`);

sim.resetStats();
t = performance.now();
await poller.pollOnce();
row("idle poll", `${Math.round(performance.now() - t)} ms, ${sim.stats().requests} requests`);

t = performance.now();
for (let i = 0; i < 20; i++) await registry.metrics();
row("scrape /metrics (registry render)", `${((performance.now() - t) / 20).toFixed(1)} ms`);

t = performance.now();
let delivered = 0;
for (;;) {
  const n = await logs.drainOnce();
  if (n === 0) break;
  delivered += n;
}
const drainMs = performance.now() - t;
row(
  `OTLP drain ${delivered} records (protobuf, gzip)`,
  `${Math.round(drainMs)} ms, ${Math.round(delivered / (drainMs / 1000))} records/s, ${sink.received()} requests`,
);

/** Bytes of the state database in use (the free pages the drained outbox left are reused). */
function stateBytesInUse(): number {
  const pragma = (name: string) =>
    Number(Object.values(store.db.prepare(`PRAGMA ${name}`).get() ?? {})[0] ?? 0);
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
}
const stateBytes = stateBytesInUse();
row(
  "state database after the drain",
  `${mb(stateBytes)}, ${Math.round(stateBytes / sessions)} bytes per session`,
);

clearInterval(sampler);
await poller.stop();
await logs.stop();
store.close();
await sim.close();
await sink.close();
rmSync(dir, { recursive: true, force: true });
