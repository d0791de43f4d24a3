// The poll pipeline against the simulator: a session with more events than a batch is committed
// in several batches (and an interruption between them loses and doubles nothing), and event
// requests are in flight while a batch commits.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PollResult } from "../../src/pipeline/types.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { assertMatchesTruth, truthAt } from "../helpers/truth.ts";

const EVENTS_ROUTE = "GET /RestoreSessions/{id}/Events";

function summary(batch: PollResult, id: string) {
  return {
    isNew: batch.newSessions.some((s) => s.id === id),
    updated: batch.updatedSessions.some((s) => s.id === id),
    finished: batch.finishedSessions.some((s) => s.id === id),
    events: batch.newEvents.filter((e) => e.session.id === id).length,
  };
}

test("a session with more events than a batch is committed in several batches, finished only with its last", async (t) => {
  const frozenAt = Date.parse("2026-03-16T08:00:00Z");
  const sim = await startSimulator({
    apiVersion: "v8",
    clock: () => frozenAt,
    historySessions: 30,
    historyDays: 2,
    ratePerMinute: 0,
    tokenThrottle: false,
    maxPageSize: 50,
  });
  t.after(() => sim.close());
  const big = sim.world.addSession({
    startedSecondsAgo: 3_600,
    durationSeconds: 600,
    eventCount: 230,
  });
  const expected = sim.world.eventsAt(big, frozenAt).length;
  assert.ok(expected > 230, `the big session lists ${expected} events`);
  const batches: PollResult[] = [];
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock: manualClock(frozenAt),
    sinks: [{ writeInTransaction: (_db, batch) => void batches.push(batch) }],
    poller: { batch: { maxEvents: 40 }, lookbackMs: 3 * 86_400_000 },
    pageSize: 50,
  });
  t.after(() => core.close());
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true, JSON.stringify(core.poller().status().lastError));

  const parts = batches
    .map((b) => summary(b, big))
    .filter((p) => p.isNew || p.updated || p.finished);
  assert.ok(
    parts.length >= Math.ceil(expected / 40),
    `${parts.length} batches for ${expected} events`,
  );
  assert.deepEqual(parts[0] && { isNew: parts[0].isNew, finished: parts[0].finished }, {
    isNew: true,
    finished: false,
  });
  for (const middle of parts.slice(1, -1))
    assert.deepEqual([middle.isNew, middle.updated, middle.finished], [false, true, false]);
  assert.deepEqual(parts.at(-1)?.finished, true, "finished with its last events");
  assert.equal(
    parts.reduce((n, p) => n + p.events, 0),
    expected,
    "every event once",
  );
  for (const batch of batches) assert.ok(batch.newEvents.length <= 40, "no batch over the bound");
  await assertMatchesTruth(core.registry, truthAt(sim, "lab", frozenAt));
});

test("interrupted between two batches of one session: it stays running, and the next poll completes it exactly", async (t) => {
  const frozenAt = Date.parse("2026-03-16T08:00:00Z");
  const sim = await startSimulator({
    apiVersion: "v7",
    clock: () => frozenAt,
    historySessions: 0,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const big = sim.world.addSession({
    startedSecondsAgo: 3_600,
    durationSeconds: 600,
    eventCount: 150,
  });
  let batchesSeen = 0;
  let failSecond = true;
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock: manualClock(frozenAt),
    sinks: [
      {
        writeInTransaction: () => {
          batchesSeen++;
          // As a crash would: the second batch's transaction never commits.
          if (failSecond && batchesSeen === 2) throw new Error("interrupted");
        },
      },
    ],
    poller: { batch: { maxEvents: 60 }, lookbackMs: 86_400_000 },
  });
  t.after(() => core.close());
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, false, "the poll was interrupted");
  assert.deepEqual(core.store.serverState("lab").runningSessionIds, [big], "kept as running");
  assert.equal(core.store.seenEventIds("lab", big).size, 60, "with the events of its first batch");
  const cursorMs = core.store.serverState("lab").cursorMs ?? Number.NEGATIVE_INFINITY;
  assert.ok(cursorMs <= frozenAt - 3_600_000, "the cursor did not pass it");

  failSecond = false;
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);
  const truth = truthAt(sim, "lab", frozenAt);
  assert.equal(truth.sessionCount, 1);
  await assertMatchesTruth(core.registry, truth);
  assert.deepEqual(core.store.serverState("lab").runningSessionIds, []);
});

test("event requests are in flight while a batch commits", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 300,
    historyDays: 2,
    ratePerMinute: 0,
    tokenThrottle: false,
    faults: { latencyMs: 2 },
  });
  t.after(() => sim.close());
  /** Per commit: event listings the simulator had received, and sessions committed so far. */
  const atCommit: { requested: number; committed: number }[] = [];
  let committed = 0;
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    sinks: [
      {
        writeInTransaction: (_db, batch) => {
          committed += batch.newSessions.length;
          atCommit.push({ requested: sim.stats().byRoute[EVENTS_ROUTE] ?? 0, committed });
        },
      },
    ],
    poller: { batch: { maxEvents: 60 }, eventConcurrency: 4 },
  });
  t.after(() => core.close());
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);
  assert.ok(atCommit.length > 5, `${atCommit.length} commits`);
  // Stop-and-go would have read exactly the committed sessions' events at every commit.
  const ahead = atCommit.slice(0, -1).filter((c) => c.requested > c.committed);
  assert.ok(
    ahead.length >= (atCommit.length - 1) / 2,
    `reads ahead at ${ahead.length} of ${atCommit.length - 1} commits: ${JSON.stringify(atCommit)}`,
  );
});
