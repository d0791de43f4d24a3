// What /metrics shows around new label sets: known ones at 0 (poll error reasons, log failure
// reasons, running sessions once shown), a restore counter's new label set held at 0 for the hold
// before its value, and a server's first history read exposed whole at the end of its first poll.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import { createLogMetrics } from "../../src/logs/metrics.ts";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.ts";
import type { BatchCounts } from "../../src/state/counting.ts";
import type { CounterRow, StateStore } from "../../src/state/store.ts";

type Running = { labels: [string, string, string, string]; count: number };

/** The read side of the state the metrics hydrate from; rows and cursors set by the test. */
function stateReader(options: {
  counters?: CounterRow[];
  running?: () => Running[];
  polledBefore?: boolean;
}): StateStore {
  const reader: Pick<
    StateStore,
    | "counterRows"
    | "durationRows"
    | "lastSessionRows"
    | "runningRows"
    | "serverState"
    | "quarantine"
  > = {
    quarantine: {
      counts: () => [],
      givenUpCounts: () => [],
    } as unknown as StateStore["quarantine"],
    counterRows: () => options.counters ?? [],
    durationRows: () => [],
    lastSessionRows: () => [],
    runningRows: () => options.running?.() ?? [],
    serverState: () => ({
      cursorMs: options.polledBefore === false ? null : 1,
      runningSessionIds: [],
      runningSince: new Map(),
    }),
  };
  return reader as StateStore;
}

/** Sample lines of /metrics for one metric name, as `{labels} value`. */
async function samples(registry: Registry, name: string): Promise<string[]> {
  const text = await registry.metrics();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => line.slice(name.length));
}

const SESSION = ["lab", "Contoso", "exchange", "NEW-WS"] as const;
const sessions = (value: number): BatchCounts => ({
  counters: [{ metric: "vbo_restore_sessions_total", labels: [...SESSION], value }],
  durations: [],
  lastSessions: [],
});
const NEW_SERIES =
  '{server="lab",organization="Contoso",restore_type="exchange",client_host="NEW-WS"}';

test("every poll error reason is exported at 0 per server before the first error", async () => {
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "t",
    servers: ["a", "b"],
    store: stateReader({}),
    defaultMetrics: false,
  });
  const lines = await samples(registry, "vbo_poll_errors_total");
  assert.ok(lines.includes('{server="a",reason="unreachable"} 0'), lines.join("\n"));
  assert.ok(lines.includes('{server="b",reason="bad_credentials"} 0'));
  assert.ok(lines.includes('{server="b",reason="outbox_full"} 0'));
  metrics.pollFailed("a", "timeout", 1);
  assert.ok(
    (await samples(registry, "vbo_poll_errors_total")).includes('{server="a",reason="timeout"} 1'),
  );
  assert.ok((await samples(registry, "vbo_client_host_overflow_total")).includes('{server="a"} 0'));
});

test("the log pipeline's failure, dead-letter and rejection counters exist at 0 for their reasons", async () => {
  const registry = new Registry();
  createLogMetrics(registry, {
    pending: () => 0,
    oldestEnqueuedAtMs: () => null,
    deadLetters: () => 0,
    byDestination: () => [],
    limit: 1,
    now: () => 0,
  });
  assert.ok(
    (await samples(registry, "vbo_log_export_failures_total")).includes('{reason="unreachable"} 0'),
  );
  assert.ok(
    (await samples(registry, "vbo_log_records_dead_lettered_total")).includes(
      '{reason="too_old"} 0',
    ),
  );
  assert.ok(
    (await samples(registry, "vbo_log_records_rejected_total")).includes(
      '{reason="partial_success"} 0',
    ),
  );
});

test("running sessions keep a label set they have shown, at 0, once nothing runs there", async () => {
  let running: Running[] = [{ labels: ["lab", "Contoso", "exchange", "WS1"], count: 2 }];
  const registry = new Registry();
  createExporterMetrics(registry, {
    version: "t",
    servers: ["lab"],
    store: stateReader({
      running: () => running,
      counters: [
        {
          metric: "vbo_restore_sessions_total",
          labels: ["lab", "Fabrikam", "teams", "WS9"],
          value: 4,
        },
      ],
    }),
    defaultMetrics: false,
  });
  const ws1 = '{server="lab",organization="Contoso",restore_type="exchange",client_host="WS1"}';
  const ws9 = '{server="lab",organization="Fabrikam",restore_type="teams",client_host="WS9"}';
  assert.deepEqual((await samples(registry, "vbo_restore_sessions_running")).sort(), [
    `${ws1} 2`,
    `${ws9} 0`,
  ]);
  running = [];
  assert.deepEqual((await samples(registry, "vbo_restore_sessions_running")).sort(), [
    `${ws1} 0`,
    `${ws9} 0`,
  ]);
});

test("a label set first counted live is exposed at 0 for the hold, then with every increment of it", async () => {
  let now = 1_000_000;
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "t",
    servers: ["lab"],
    store: stateReader({
      counters: [
        {
          metric: "vbo_restore_sessions_total",
          labels: ["lab", "Contoso", "exchange", "OLD-WS"],
          value: 7,
        },
      ],
    }),
    defaultMetrics: false,
    newSeriesHoldMs: 30_000,
    now: () => now,
  });
  metrics.applyCommitted(sessions(1));
  metrics.applyCommitted({
    counters: [
      {
        metric: "vbo_restore_sessions_total",
        labels: ["lab", "Contoso", "exchange", "OLD-WS"],
        value: 1,
      },
    ],
    durations: [],
    lastSessions: [],
  });
  const old = '{server="lab",organization="Contoso",restore_type="exchange",client_host="OLD-WS"}';
  assert.deepEqual((await samples(registry, "vbo_restore_sessions_total")).sort(), [
    `${NEW_SERIES} 0`,
    `${old} 8`,
  ]);
  now += 20_000;
  metrics.applyCommitted(sessions(2));
  assert.ok((await samples(registry, "vbo_restore_sessions_total")).includes(`${NEW_SERIES} 0`));
  now += 10_000;
  assert.ok((await samples(registry, "vbo_restore_sessions_total")).includes(`${NEW_SERIES} 3`));
  metrics.applyCommitted(sessions(1));
  assert.ok((await samples(registry, "vbo_restore_sessions_total")).includes(`${NEW_SERIES} 4`));
});

test("without a hold (0) a new label set shows its value at once", async () => {
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "t",
    servers: ["lab"],
    store: stateReader({}),
    defaultMetrics: false,
  });
  metrics.applyCommitted(sessions(1));
  assert.deepEqual(await samples(registry, "vbo_restore_sessions_total"), [`${NEW_SERIES} 1`]);
});

test("a server's first history read appears whole at its first successful poll, not held and not before", async () => {
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "t",
    servers: ["lab"],
    store: stateReader({ polledBefore: false }),
    defaultMetrics: false,
    newSeriesHoldMs: 60_000,
    now: () => 0,
  });
  metrics.applyCommitted(sessions(5));
  metrics.pollFailed("lab", "timeout", 1);
  metrics.applyCommitted(sessions(3));
  assert.deepEqual(await samples(registry, "vbo_restore_sessions_total"), []);
  metrics.pollSucceeded("lab", 1, 0);
  assert.deepEqual(await samples(registry, "vbo_restore_sessions_total"), [`${NEW_SERIES} 8`]);
  metrics.applyCommitted(sessions(1));
  assert.deepEqual(await samples(registry, "vbo_restore_sessions_total"), [`${NEW_SERIES} 9`]);
});

test("a first history read of many batches shows each label set of each metric with the sum of its batches", async () => {
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "t",
    servers: ["lab"],
    store: stateReader({ polledBefore: false }),
    defaultMetrics: false,
    newSeriesHoldMs: 60_000,
    now: () => 0,
  });
  // The same five label values under two metrics, and two hosts, over a hundred batches.
  const tail = (host: string) => ["lab", "Contoso", "exchange", host, "Success"];
  for (let batch = 0; batch < 100; batch++) {
    metrics.applyCommitted({
      counters: [
        { metric: "vbo_restore_sessions_finished_total", labels: tail("A-WS"), value: 1 },
        { metric: "vbo_restore_items_bytes_total", labels: tail("A-WS"), value: 2 ** 40 + batch },
        ...(batch % 2 === 0
          ? [
              {
                metric: "vbo_restore_sessions_finished_total" as const,
                labels: tail("B-WS"),
                value: 3,
              },
            ]
          : []),
      ],
      durations: [],
      lastSessions: [],
    });
  }
  assert.deepEqual(await samples(registry, "vbo_restore_sessions_finished_total"), []);
  metrics.pollSucceeded("lab", 1, 0);
  const series = (host: string, last: string) =>
    `{server="lab",organization="Contoso",restore_type="exchange",client_host="${host}",${last}="Success"}`;
  assert.deepEqual((await samples(registry, "vbo_restore_sessions_finished_total")).sort(), [
    `${series("A-WS", "result")} 100`,
    `${series("B-WS", "result")} 150`,
  ]);
  assert.deepEqual(await samples(registry, "vbo_restore_items_bytes_total"), [
    `${series("A-WS", "event_type")} ${100 * 2 ** 40 + (99 * 100) / 2}`,
  ]);
});
