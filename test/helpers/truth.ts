// Expected metric values computed from the simulator's ground truth with the README's label rules
// (written out again in expected-labels.ts, never the exporter's own mapping), and the registry's
// actual values in the same shape, so tests compare them exactly.
import assert from "node:assert/strict";
import type { Registry } from "prom-client";
import type { RunningSimulator } from "../../src/simulator/server.ts";
import {
  expectedClientHost,
  expectedEnum,
  expectedOrganization,
  expectedRestoreType,
} from "./expected-labels.ts";

export type Values = Map<string, number>;

function key(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

function add(values: Values, labels: Record<string, string>, value: number): void {
  const k = key(labels);
  values.set(k, (values.get(k) ?? 0) + value);
}

export interface Truth {
  readonly sessions: Values;
  readonly finished: Values;
  readonly running: Values;
  readonly events: Values;
  readonly bytes: Values;
  /** Finished sessions with an end time, by server, organization and restore_type (histogram count). */
  readonly durationCounts: Values;
  /** Newest session start (Unix seconds) per restore label set. */
  readonly lastSession: Values;
  readonly sessionCount: number;
  readonly eventCount: number;
}

/** What the metrics must say for `server` after a poll that saw the world as of atMs. */
export function truthAt(
  sim: RunningSimulator,
  server: string,
  atMs: number,
  sinceMs = Number.NEGATIVE_INFINITY,
): Truth {
  const truth: Truth = {
    sessions: new Map(),
    finished: new Map(),
    running: new Map(),
    events: new Map(),
    bytes: new Map(),
    durationCounts: new Map(),
    lastSession: new Map(),
    sessionCount: 0,
    eventCount: 0,
  };
  let sessionCount = 0;
  let eventCount = 0;
  for (const session of sim.world.sessionsAt(atMs)) {
    if (Date.parse(session.creationTime) < sinceMs) continue;
    sessionCount++;
    const base = {
      server,
      organization: expectedOrganization(session.organization),
      restore_type: expectedRestoreType(session.type),
      client_host: expectedClientHost(session.clientHost),
    };
    add(truth.sessions, base, 1);
    const startSeconds = Date.parse(session.creationTime as string) / 1000;
    const lastKey = key(base);
    truth.lastSession.set(
      lastKey,
      Math.max(truth.lastSession.get(lastKey) ?? Number.NEGATIVE_INFINITY, startSeconds),
    );
    if (session.state === "Stopped" && typeof session.endTime === "string")
      add(
        truth.durationCounts,
        {
          server,
          organization: base.organization,
          restore_type: base.restore_type,
        },
        1,
      );
    if (session.state === "Stopped")
      add(truth.finished, { ...base, result: expectedEnum(session.result) }, 1);
    else add(truth.running, base, 1);
    for (const event of sim.world.eventsAt(session.id, atMs)) {
      // An item still being processed is counted once it ends, or as it is when its session stops.
      if (session.state !== "Stopped" && event.status === "Running") continue;
      eventCount++;
      const eventType = expectedEnum(event.type);
      add(truth.events, { ...base, event_type: eventType, status: expectedEnum(event.status) }, 1);
      add(truth.bytes, { ...base, event_type: eventType }, event.itemSizeBytes as number);
    }
  }
  return { ...truth, sessionCount, eventCount };
}

/** The values of one metric in the registry (zero-valued series dropped). */
export async function actual(registry: Registry, name: string): Promise<Values> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const values: Values = new Map();
  for (const v of (await metric.get()).values) {
    if (v.value === 0) continue;
    add(values, v.labels as Record<string, string>, v.value);
  }
  return values;
}

/** The observation counts of a histogram per label set. */
export async function histogramCounts(registry: Registry, name: string): Promise<Values> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const values: Values = new Map();
  for (const v of (await metric.get()).values) {
    const metricName = (v as { metricName?: string }).metricName;
    if (metricName !== `${name}_count` || v.value === 0) continue;
    add(values, v.labels as Record<string, string>, v.value);
  }
  return values;
}

export function drop0(values: Values): Values {
  return new Map([...values].filter(([, v]) => v !== 0));
}

/** Sorted entries, for deepEqual with readable diffs. */
export function entries(values: Values): [string, number][] {
  return [...drop0(values)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const COMPARED: readonly [string, keyof Truth, "counter" | "histogram"][] = [
  ["vbo_restore_sessions_total", "sessions", "counter"],
  ["vbo_restore_sessions_finished_total", "finished", "counter"],
  ["vbo_restore_sessions_running", "running", "counter"],
  ["vbo_restore_events_total", "events", "counter"],
  ["vbo_restore_items_bytes_total", "bytes", "counter"],
  ["vbo_restore_session_duration_seconds", "durationCounts", "histogram"],
  ["vbo_last_restore_session_timestamp_seconds", "lastSession", "counter"],
];

/**
 * Asserts that every restore metric in the registry equals the truth, series by series. `skip`
 * leaves out families a test cannot pin down (e.g. the running gauge against a moving clock).
 */
export async function assertMatchesTruth(
  registry: Registry,
  truth: Truth,
  skip: readonly (keyof Truth)[] = [],
): Promise<void> {
  for (const [metric, field, kind] of COMPARED) {
    if (skip.includes(field)) continue;
    const got =
      kind === "histogram"
        ? await histogramCounts(registry, metric)
        : await actual(registry, metric);
    assert.deepEqual(
      entries(got),
      entries(truth[field] as Values),
      `${metric} differs from the ground truth`,
    );
  }
}
