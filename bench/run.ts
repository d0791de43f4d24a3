// The benchmark (npm run bench [-- --quick] [-- --sizes 20000,100000] [-- --json]): first-start
// backfill end to end against its floor, with and without VBO latency, peak RSS, idle poll cost,
// /metrics scrape time, throughput and state size; simulator and exporter each in their own process.
import { parseArgs } from "node:util";
import { startOtlpCounter } from "./otlp-counter.ts";
import {
  atMost,
  grouped,
  loadNow,
  machine,
  megabytes,
  type Row,
  seconds,
  table,
  times,
} from "./report.ts";
import {
  type BackfillRun,
  type DetectionRun,
  type IdleRun,
  runBackfill,
  runDetection,
  runIdle,
} from "./scenarios.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    sizes: { type: "string" },
    sessions: { type: "string" },
    "latency-sessions": { type: "string" },
    "latency-ms": { type: "string", default: "30" },
    "big-sessions": { type: "string" },
    "big-events": { type: "string" },
    "idle-running": { type: "string", default: "100" },
    "idle-polls": { type: "string" },
    "detection-events": { type: "string" },
    scrapes: { type: "string" },
    organizations: { type: "string", default: "4" },
    "event-concurrency": { type: "string", default: "4" },
    help: { type: "boolean", default: false },
  },
});

const USAGE = `Usage: npm run bench -- [flags]

  --quick                  small sizes, no latency run (well under a minute)
  --sizes N[,N...]         history sizes of the backfill runs (default 20000; e.g. 20000,100000)
  --latency-sessions N     sessions of the run with VBO latency (default 5000; 0 skips it)
  --latency-ms MS          latency the simulator adds to every request in that run (default 30)
  --big-sessions N         sessions of the run with large sessions (default 5)
  --big-events N           events of each of them (default 20000)
  --idle-running N         Working sessions that do not change, for the idle poll count (default 100)
  --idle-polls N           idle polls to count (default 5)
  --detection-events N     new events timed from VBO to the receiver on v8 (default 10; 0 skips)
  --scrapes N              timed /metrics scrapes after the first backfill (default 200)
  --organizations N        organizations of the simulated history (default 4)
  --event-concurrency N    the exporter's eventConcurrency, also the floor's (default 4)
  --json                   print JSON instead of the table`;

if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

function whole(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name}: expected a whole number of at least ${min}, got "${text}"`);
    process.exit(2);
  }
  return n;
}

const quick = flags.quick === true;
const sizesText = flags.sizes ?? flags.sessions;
const sizes = (sizesText ?? (quick ? "300" : "20000"))
  .split(",")
  .map((s) => whole("sizes", s.trim(), 0, 1));
const latencySessions = whole("latency-sessions", flags["latency-sessions"], quick ? 0 : 5000);
const latencyMs = whole("latency-ms", flags["latency-ms"], 30);
const bigSessions = whole("big-sessions", flags["big-sessions"], quick ? 2 : 5);
const bigEvents = whole("big-events", flags["big-events"], quick ? 2000 : 20_000);
const idleRunning = whole("idle-running", flags["idle-running"], 100);
const idlePolls = whole("idle-polls", flags["idle-polls"], quick ? 1 : 5, 1);
const detectionEvents = whole("detection-events", flags["detection-events"], quick ? 2 : 10);
const scrapes = whole("scrapes", flags.scrapes, quick ? 20 : 200);
const organizations = whole("organizations", flags.organizations, 4, 1);
const eventConcurrency = whole("event-concurrency", flags["event-concurrency"], 4, 1);
const stallMs = 120_000;

const progress = (text: string) => {
  if (!flags.json) console.error(`… ${text}`);
};

const loadAtStart = loadNow();
const receiver = await startOtlpCounter();
const rows: Row[] = [];
const runs: Record<string, BackfillRun | IdleRun | DetectionRun> = {};
const deliveries: { run: string; ok: boolean; records: number }[] = [];

function delivered(name: string, run: BackfillRun): void {
  const ok =
    run.received.matchesTruth &&
    run.received.duplicates === 0 &&
    run.outboxAfter === 0 &&
    run.exitCode === 0;
  deliveries.push({ run: name, ok, records: run.truth.records.count });
}

function ratioRow(id: string, what: string, run: BackfillRun, limit: number, aim?: number): Row {
  const floorMs = run.floor?.ms ?? Number.NaN;
  const ratio = run.endToEndMs / floorMs;
  return {
    id,
    what,
    measured: seconds(run.endToEndMs),
    floor: seconds(floorMs),
    ratio: times(ratio),
    target: `≤ ${limit}×${aim === undefined ? "" : ` (aim ${aim}×)`}`,
    mark: atMost(ratio, limit),
    values: {
      endToEndMs: run.endToEndMs,
      floorMs,
      floorRunsMs: run.floor ? run.floor.runsMs.map((ms) => Math.round(ms)).join(", ") : null,
      ratio,
      startMs: run.startMs,
      readyMs: run.readyMs,
      sessions: run.truth.sessions,
      events: run.truth.events,
      records: run.truth.records.count,
      exporterRequests: run.exporterRequests,
      floorRequests: run.floor?.requests ?? null,
    },
  };
}

function rssRow(id: string, what: string, run: BackfillRun): Row {
  return {
    id,
    what,
    measured: megabytes(run.peakRssBytes),
    floor: "",
    ratio: "",
    target: "≤ 250 MB",
    mark: atMost(run.peakRssBytes, 250e6),
    values: { peakRssBytes: run.peakRssBytes },
  };
}

const started = performance.now();
const phases: Record<string, number> = {};
let phaseStart = started;
const phase = (name: string) => {
  const now = performance.now();
  phases[name] = now - phaseStart;
  phaseStart = now;
};
let scrapeDone = false;
for (const size of sizes) {
  progress(`backfill of ${grouped(size)} sessions: floor, the exporter, floor again`);
  const run = await runBackfill(
    {
      apiVersion: "v8",
      sessions: size,
      organizations,
      latencyMs: 0,
      eventConcurrency,
      withFloor: true,
      scrapes: scrapeDone ? 0 : scrapes,
      stallMs,
    },
    receiver,
  );
  runs[`backfill-${size}`] = run;
  phase(`backfill-${size}`);
  delivered(`backfill-${size}`, run);
  const { sessions, events } = run.truth;
  const label = `${grouped(sessions)} sessions`;
  rows.push(
    ratioRow(
      `backfill-${size}`,
      `first-start backfill, ${label} + ${grouped(events)} events, end to end`,
      run,
      1.5,
      1.3,
    ),
  );
  const perSecond = (n: number) => n / (run.endToEndMs / 1000);
  rows.push({
    id: `throughput-${size}`,
    what: `  throughput end to end, ${label}`,
    measured: `${grouped(perSecond(sessions))} sessions/s, ${grouped(perSecond(events))} events/s`,
    floor: run.floor ? `${grouped(sessions / (run.floor.ms / 1000))} sessions/s` : "",
    ratio: "",
    target: "",
    mark: "info",
    values: { sessionsPerSecond: perSecond(sessions), eventsPerSecond: perSecond(events) },
  });
  rows.push(rssRow(`rss-${size}`, `  exporter peak RSS (VmHWM), ${label}`, run));
  rows.push({
    id: `state-${size}`,
    what: `  state database after the drain, ${label}`,
    measured: `${megabytes(run.stateBytes)}, ${grouped(run.stateBytes / sessions)} bytes/session`,
    floor: "",
    ratio: "",
    target: "",
    mark: "info",
    values: { stateBytes: run.stateBytes, bytesPerSession: run.stateBytes / sessions },
  });
  if (run.scrape) {
    scrapeDone = true;
    rows.push({
      id: "scrape-p99",
      what: `/metrics scrape over HTTP, ${grouped(run.scrape.series)} series, p99 of ${run.scrape.count}`,
      measured: `${run.scrape.p99Ms.toFixed(1)} ms (p50 ${run.scrape.p50Ms.toFixed(1)} ms)`,
      floor: "",
      ratio: "",
      target: "< 50 ms at ~5 000 series",
      mark: run.scrape.p99Ms < 50 ? "pass" : "miss",
      values: { ...run.scrape },
    });
  }
}

if (latencySessions > 0) {
  progress(`backfill of ${grouped(latencySessions)} sessions, VBO answering after ${latencyMs} ms`);
  const run = await runBackfill(
    {
      apiVersion: "v8",
      sessions: latencySessions,
      organizations,
      latencyMs,
      eventConcurrency,
      withFloor: true,
      scrapes: 0,
      stallMs,
    },
    receiver,
  );
  runs.latency = run;
  phase("latency");
  delivered("latency", run);
  rows.push(
    ratioRow(
      "latency",
      `backfill, ${grouped(run.truth.sessions)} sessions, ${latencyMs} ms per VBO request`,
      run,
      1.2,
    ),
  );
}

if (bigSessions > 0) {
  progress(`backfill of ${bigSessions} sessions of ${grouped(bigEvents)} events`);
  const run = await runBackfill(
    {
      apiVersion: "v8",
      sessions: 0,
      organizations,
      latencyMs: 0,
      custom: [
        {
          count: bigSessions,
          startedSecondsAgo: 7200,
          durationSeconds: 3600,
          eventCount: bigEvents,
        },
      ],
      eventConcurrency,
      withFloor: true,
      scrapes: 0,
      stallMs,
    },
    receiver,
  );
  runs.big = run;
  phase("big");
  delivered("big", run);
  const ratio = run.endToEndMs / (run.floor?.ms ?? Number.NaN);
  rows.push({
    ...ratioRow(
      "big",
      `backfill, ${bigSessions} sessions of ${grouped(run.truth.events / bigSessions)} events`,
      run,
      1.5,
    ),
    target: "",
    mark: "info",
    ratio: times(ratio),
  });
  rows.push(rssRow("rss-big", "  exporter peak RSS (VmHWM), those large sessions", run));
  rows.push({
    id: "state-big",
    what: "  state database after the drain, those large sessions",
    measured: `${megabytes(run.stateBytes)}, ${grouped(run.stateBytes / run.truth.records.count)} bytes/record`,
    floor: "",
    ratio: "",
    target: "",
    mark: "info",
    values: {
      stateBytes: run.stateBytes,
      bytesPerRecord: run.stateBytes / run.truth.records.count,
    },
  });
}

progress(`idle polls with ${idleRunning} Working sessions that do not change, v8, v7 and v6`);
const idle = await Promise.all(
  (["v8", "v7", "v6"] as const).map((apiVersion) =>
    runIdle({ apiVersion, historySessions: 300, running: idleRunning, polls: idlePolls }, receiver),
  ),
);
phase("idle");
for (const run of idle) {
  runs[`idle-${run.apiVersion}`] = run;
  const limit = run.apiVersion === "v8" ? 3 : run.running + 3;
  rows.push({
    id: `idle-${run.apiVersion}`,
    what: `idle poll, ${run.apiVersion}, ${run.running} Working sessions unchanged`,
    measured: `${run.requestsPerPoll.toFixed(1)} requests/poll`,
    floor: "",
    ratio: "",
    target: run.apiVersion === "v8" ? "≤ 3" : `≤ 1 per Working session + 3 (${limit})`,
    mark: atMost(run.requestsPerPoll, limit),
    values: {
      requestsPerPoll: run.requestsPerPoll,
      running: run.running,
      polls: run.polls,
      byRoutePerPoll: JSON.stringify(run.byRoutePerPoll),
    },
  });
}

if (detectionEvents > 0) {
  progress(`detection latency on v8: ${detectionEvents} new events, from VBO to the receiver`);
  const run = await runDetection(
    { historySessions: 300, events: detectionEvents, everyMs: quick ? 1000 : 1500 },
    receiver,
  );
  runs.detection = run;
  phase("detection");
  rows.push({
    id: "detection",
    what: `detection latency, v8, event finished → record received, ${run.events} events`,
    measured: `p50 ${seconds(run.p50Ms)}, max ${seconds(run.maxMs)}`,
    floor: "",
    ratio: "",
    target: "",
    mark: "info",
    values: {
      p50Ms: run.p50Ms,
      maxMs: run.maxMs,
      latenciesMs: run.latenciesMs.map((ms) => Math.round(ms)).join(", "),
      sinceCreatedMs: run.sinceCreatedMs.map((ms) => Math.round(ms)).join(", "),
    },
  });
}

const allDelivered = deliveries.every((d) => d.ok);
rows.push({
  id: "delivery",
  what: "every record received exactly once, outbox empty, clean exit",
  measured: `${deliveries.filter((d) => d.ok).length} of ${deliveries.length} runs, ${grouped(deliveries.reduce((n, d) => n + d.records, 0))} records`,
  floor: "",
  ratio: "",
  target: "all runs",
  mark: allDelivered ? "pass" : "miss",
  values: { runs: deliveries.length, ok: deliveries.filter((d) => d.ok).length },
});
await receiver.close();

const command = `npm run bench --${process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""}`;
const host = machine(loadAtStart);
if (flags.json) {
  console.log(
    JSON.stringify(
      {
        command,
        machine: host,
        totalMs: performance.now() - started,
        phases,
        rows,
        runs,
        deliveries,
      },
      null,
      2,
    ),
  );
} else {
  console.log(`${command}`);
  console.log(
    `${host.nproc} × ${host.cpu}, ${host.memoryGb} GiB, Node ${host.node} (${host.platform}); load average ${host.load[0]} at start, ${host.load[1]} at end; ${seconds(performance.now() - started)} in all`,
  );
  console.log("");
  console.log(table(rows));
}
process.exitCode = allDelivered ? 0 : 1;
