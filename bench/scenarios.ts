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

export interface DetectionRun {
  readonly events: number;
  /** Event finished (its time plus its duration) → record received, ms, in order of arrival. */
  readonly latenciesMs: readonly number[];
  /** Event created (its time) → record received, ms: includes the item's own run time. */
  readonly sinceCreatedMs: readonly number[];
  readonly p50Ms: number;
  readonly maxMs: number;
}

export interface DetectionOptions {
  readonly historySessions: number;
  /** Events to time; one is created every `everyMs` in a running session. */
  readonly events: number;
  readonly everyMs: number;
}

/**
 * Detection latency on v8: a session keeps creating events while the exporter, past its first
 * poll, waits on the change feed with a 60 s poll interval. An event is recorded once its item has
 * finished, so the latency runs from its end (its time plus its duration) to its record at the
 * receiver; VBO's time text may be truncated to the second, so this is an upper bound.
 */
export async function runDetection(
  options: DetectionOptions,
  receiver: OtlpCounter,
): Promise<DetectionRun> {
  const spacing = options.everyMs;
  const eventCount = options.events + 20;
  const sim = await startSimulatorChild({
    apiVersion: "v8",
    historySessions: options.historySessions,
    historyDays: 6,
    historyEndsAgoMs: 5 * HOUR,
    organizations: 4,
    latencyMs: 0,
    custom: [
      {
        count: 1,
        startedSecondsAgo: 0,
        durationSeconds: Math.ceil(((eventCount + 2) * spacing) / 1000),
        eventCount,
      },
    ],
  });
  let exporter: ExporterProcess | null = null;
  try {
    receiver.reset();
    exporter = await startExporter({
      vboUrl: sim.url,
      username: sim.username,
      password: sim.password,
      apiVersion: "v8",
      otlpEndpoint: receiver.url,
      pollInterval: "60s",
      lookback: LOOKBACK,
      eventConcurrency: 4,
    });
    const running = exporter;
    await until("readiness", 120_000, async () =>
      (await running.get("/readyz")).status === 200 ? true : undefined,
    );
    // Events from the next whole second on: none of them was read by the first poll.
    receiver.trackEventsSince(Math.ceil(Date.now() / 1000) * 1000 + 1000);
    const timeoutMs = options.events * spacing + 60_000;
    await until(`${options.events} new events at the receiver`, timeoutMs, async () =>
      receiver.tracked().length >= options.events ? true : undefined,
    );
    const timed = receiver.tracked().slice(0, options.events);
    const latenciesMs = timed.map((t) => t.arrivedMs - t.endedMs);
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    return {
      events: latenciesMs.length,
      latenciesMs,
      sinceCreatedMs: timed.map((t) => t.arrivedMs - t.timeMs),
      p50Ms: percentile(sorted, 50),
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    };
  } finally {
    receiver.trackEventsSince(null);
    await exporter?.stop();
    exporter?.remove();
    await sim.close();
  }
}
