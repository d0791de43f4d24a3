// The benchmark's runs: a backfill (floor, the exporter, floor again, against one simulator process) and
// an idle-poll count, each with the simulator and the exporter in processes of their own.
import { type ExporterProcess, startExporter } from "./exporter-process.ts";
import { type FloorResult, measureFloor } from "./floor.ts";
import type { OtlpCounter } from "./otlp-counter.ts";
import { sameDigest } from "./record-digest.ts";
import { startSimulatorChild } from "./simulator-child.ts";
import type { SimulatorSpec, Truth } from "./simulator-process.ts";

/** The exporter's default page size, which is also the simulator's (and VBO's) cap. */
export const PAGE_SIZE = 1000;
const LOOKBACK = "7d";
const HOUR = 3_600_000;

export interface BackfillRun {
  readonly truth: Truth;
  /** The mean of the floor measured just before and just after the exporter (drift cancels). */
  readonly floor: (FloorResult & { readonly runsMs: readonly number[] }) | null;
  /** From spawning the exporter until the receiver had every record. */
  readonly endToEndMs: number;
  /** From spawning until /healthz answered (process start, configuration, state open). */
  readonly startMs: number;
  /** From spawning until /readyz answered 200 (the first poll finished). */
  readonly readyMs: number;
  readonly received: { distinct: number; duplicates: number; matchesTruth: boolean };
  readonly outboxAfter: number;
  readonly peakRssBytes: number;
  readonly exporterRequests: number;
  readonly stateBytes: number;
  readonly exitCode: number | null;
  readonly scrape: ScrapeResult | null;
}

export interface ScrapeResult {
  readonly series: number;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface BackfillOptions {
  readonly apiVersion: "v6" | "v7" | "v8";
  readonly sessions: number;
  readonly organizations: number;
  readonly latencyMs: number;
  readonly custom?: SimulatorSpec["custom"];
  readonly eventConcurrency: number;
  readonly withFloor: boolean;
  /** Scrapes of /metrics to time after the drain (0: none). */
  readonly scrapes: number;
  readonly stallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: readonly number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

async function measureScrapes(exporter: ExporterProcess, count: number): Promise<ScrapeResult> {
  const first = await exporter.get("/metrics");
  const series = first.text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const { status, ms } = await exporter.get("/metrics");
    if (status !== 200) throw new Error(`/metrics answered ${status}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { series, count, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const started = Date.now();
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function runBackfill(
  options: BackfillOptions,
  receiver: OtlpCounter,
): Promise<BackfillRun> {
  const sim = await startSimulatorChild({
    apiVersion: options.apiVersion,
    historySessions: options.sessions,
    historyDays: 6,
    historyEndsAgoMs: 5 * HOUR,
    organizations: options.organizations,
    latencyMs: options.latencyMs,
    custom: options.custom ?? [],
  });
  let exporter: ExporterProcess | null = null;
  try {
    const truth = await sim.truth();
    const floorOnce = async () => {
      const floor = await measureFloor({
        url: sim.url,
        apiVersion: options.apiVersion,
        username: sim.username,
        password: sim.password,
        pageSize: PAGE_SIZE,
        concurrency: options.eventConcurrency,
      });
      if (floor.sessions !== truth.sessions || floor.events !== truth.events) {
        throw new Error(
          `the floor read ${floor.sessions} sessions and ${floor.events} events; the simulator has ${truth.sessions} and ${truth.events}`,
        );
      }
      return floor;
    };
    const floorBefore = options.withFloor ? await floorOnce() : null;
    receiver.reset();
    await sim.resetStats();
    exporter = await startExporter({
      vboUrl: sim.url,
      username: sim.username,
      password: sim.password,
      apiVersion: options.apiVersion,
      otlpEndpoint: receiver.url,
      pollInterval: "60s",
      lookback: LOOKBACK,
      eventConcurrency: options.eventConcurrency,
    });
    const running = exporter;
    const startMs = performance.now() - running.spawnedAt;
    let readyMs = Number.NaN;
    const watchReady = (async () => {
      while (Number.isNaN(readyMs)) {
        const { status } = await running.get("/readyz").catch(() => ({ status: 0 }));
        if (status === 200) readyMs = performance.now() - running.spawnedAt;
        else await sleep(250);
      }
    })();
    const doneAt = await receiver.waitFor(truth.records.count, options.stallMs);
    const endToEndMs = doneAt - running.spawnedAt;
    const outboxAfter = await until("an empty outbox", 30_000, async () => {
      const pending = await running.metric("vbo_log_outbox_records");
      return pending === 0 ? pending : undefined;
    });
    await until("readiness", 30_000, async () => (Number.isNaN(readyMs) ? undefined : true));
    await watchReady;
    const { peakRss } = running.memory();
    const scrape = options.scrapes > 0 ? await measureScrapes(running, options.scrapes) : null;
    const exporterRequests = (await sim.stats()).requests;
    const exitCode = await running.stop();
    const floorAfter = floorBefore ? await floorOnce() : null;
    const floor =
      floorBefore && floorAfter
        ? {
            ...floorBefore,
            ms: (floorBefore.ms + floorAfter.ms) / 2,
            runsMs: [floorBefore.ms, floorAfter.ms],
          }
        : null;
    return {
      truth,
      floor,
      endToEndMs,
      startMs,
      readyMs,
      received: {
        distinct: receiver.distinct.count,
        duplicates: receiver.stats.duplicates,
        matchesTruth: sameDigest(receiver.distinct, truth.records),
      },
      outboxAfter,
      peakRssBytes: peakRss,
      exporterRequests,
      stateBytes: running.stateBytes(),
      exitCode,
      scrape,
    };
  } catch (error) {
    if (exporter) {
      const tail = exporter.output().slice(-4000);
      (error as Error).message += tail === "" ? "" : `\nexporter output:\n${tail}`;
    }
    throw error;
  } finally {
    await exporter?.stop();
    exporter?.remove();
    await sim.close();
  }
}

export interface IdleRun {
  readonly apiVersion: string;
  readonly running: number;
  readonly polls: number;
  readonly requestsPerPoll: number;
  readonly byRoutePerPoll: Record<string, number>;
}

export interface IdleOptions {
  readonly apiVersion: "v6" | "v7" | "v8";
  readonly historySessions: number;
  readonly running: number;
  readonly polls: number;
}

const pollsDone = (exporter: ExporterProcess) => exporter.metric("vbo_poll_duration_seconds_count");

export async function runIdle(options: IdleOptions, receiver: OtlpCounter): Promise<IdleRun> {
  const sim = await startSimulatorChild({
    apiVersion: options.apiVersion,
    historySessions: options.historySessions,
    historyDays: 6,
    historyEndsAgoMs: 5 * HOUR,
    organizations: 4,
    latencyMs: 0,
    // Started ten minutes ago, ending in thirty days: Working, and no new event until then.
    custom: [
      {
        count: options.running,
        startedSecondsAgo: 600,
        durationSeconds: 30 * 86_400,
        eventCount: 0,
      },
    ],
  });
  let exporter: ExporterProcess | null = null;
  try {
    const truth = await sim.truth();
    exporter = await startExporter({
      vboUrl: sim.url,
      username: sim.username,
      password: sim.password,
      apiVersion: options.apiVersion,
      otlpEndpoint: receiver.url,
      pollInterval: "1s",
      lookback: LOOKBACK,
      eventConcurrency: 4,
    });
    const running = exporter;
    // One poll after the first: the backfill and whatever follows it are over.
    const settled = await until("a poll after the backfill", 120_000, async () => {
      const polls = await pollsDone(running);
      return polls >= 2 ? polls : undefined;
    });
    const before = await sim.stats();
    const target = settled + options.polls;
    const after = await until(`${options.polls} idle polls`, 60_000, async () => {
      const polls = await pollsDone(running);
      return polls >= target ? polls : undefined;
    });
    const now = await sim.stats();
    const polls = after - settled;
    const byRoutePerPoll: Record<string, number> = {};
    for (const [route, count] of Object.entries(now.byRoute)) {
      const delta = count - (before.byRoute[route] ?? 0);
      if (delta > 0) byRoutePerPoll[route] = delta / polls;
    }
    return {
      apiVersion: options.apiVersion,
      running: truth.running,
      polls,
      requestsPerPoll: (now.requests - before.requests) / polls,
      byRoutePerPoll,
    };
  } finally {
    await exporter?.stop();
    exporter?.remove();
    await sim.close();
  }
}
