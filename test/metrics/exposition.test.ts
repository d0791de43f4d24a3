// The /metrics text served with the restore metrics cached between commits is, at every step,
// exactly prom-client's own text of the whole registry: a commit, a duration, a held series
// released by time, and scrapes with nothing new in between.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import { createExporterMetrics } from "../../src/metrics/exporter-metrics.ts";
import { createExposition } from "../../src/metrics/exposition.ts";
import type { BatchCounts } from "../../src/state/counting.ts";
import type { StateStore } from "../../src/state/store.ts";

let running: { labels: [string, string, string, string]; count: number }[] = [];

function stateReader(): StateStore {
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
    counterRows: () => [
      {
        metric: "vbo_restore_sessions_total",
        labels: ["lab", "Contoso", "exchange", "WS1"],
        value: 3,
      },
    ],
    durationRows: () => [{ labels: ["lab", "Contoso", "exchange"], seconds: 12 }],
    lastSessionRows: () => [],
    runningRows: () => running,
    serverState: () => ({ cursorMs: 1, runningSessionIds: [], runningSince: new Map() }),
  };
  return reader as StateStore;
}

const batch = (host: string, value: number, seconds: number | null): BatchCounts => ({
  counters: [
    { metric: "vbo_restore_sessions_total", labels: ["lab", "Contoso", "exchange", host], value },
    {
      metric: "vbo_restore_events_total",
      labels: ["lab", "Contoso", "exchange", host, "Mailbox", "Success"],
      value,
    },
  ],
  durations: seconds === null ? [] : [{ labels: ["lab", "Contoso", "exchange"], seconds }],
  lastSessions: [{ labels: ["lab", "Contoso", "exchange", host], seconds: 1_700_000_000 + value }],
});

test("the exposition is prom-client's text of the registry after every change", async () => {
  let nowMs = 1_000_000;
  const registry = new Registry();
  const metrics = createExporterMetrics(registry, {
    version: "t",
    servers: ["lab"],
    store: stateReader(),
    defaultMetrics: false,
    newSeriesHoldMs: 30_000,
    now: () => nowMs,
  });
  const exposition = createExposition(registry, metrics.stableSeries);
  assert.equal(exposition.contentType, registry.contentType);
  const same = async (step: string) => {
    const body = await exposition.metrics();
    const served = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
    assert.equal(served, await registry.metrics(), step);
    return served;
  };

  const first = await same("at start");
  assert.match(first, /vbo_restore_sessions_total\{[^}]*client_host="WS1"\} 3/);
  assert.equal(await same("nothing changed"), first);

  metrics.applyCommitted(batch("WS1", 2, 30));
  const second = await same("after a commit to a known series");
  assert.match(second, /vbo_restore_sessions_total\{[^}]*client_host="WS1"\} 5/);
  assert.notEqual(second, first);

  metrics.applyCommitted(batch("WS2", 1, null));
  const held = await same("a new series held at 0");
  assert.match(held, /vbo_restore_sessions_total\{[^}]*client_host="WS2"\} 0/);

  nowMs += 30_000;
  const released = await same("the hold is over");
  assert.match(released, /vbo_restore_sessions_total\{[^}]*client_host="WS2"\} 1/);

  running = [{ labels: ["lab", "Contoso", "exchange", "WS3"], count: 2 }];
  metrics.pollSucceeded("lab", 0.5, nowMs);
  const polled = await same("poll metrics and running sessions, read at scrape time");
  assert.match(polled, /vbo_restore_sessions_running\{[^}]*client_host="WS3"\} 2/);
  assert.equal(await same("nothing changed again"), polled);
});
