// What an idle poll costs with 100 running sessions that do not change, counted by the simulator:
// on v8 the change feed says nothing changed (at most 3 requests); on v6/v7 each running session
// costs at most one request, its events listed from the offset already seen. A deleted session is
// forgotten, an expired change token costs one full read, and the counts stay exact throughout.
import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { actual, assertMatchesTruth, truthAt } from "../helpers/truth.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const RUNNING = 100;

async function idleWorld(t: TestContext, apiVersion: "v6" | "v7" | "v8") {
  // The world stands still: nothing changes between polls unless the test changes it.
  const simClock = { now: T0 };
  const sim = await startSimulator({
    apiVersion,
    clock: () => simClock.now,
    historySessions: 200,
    historyDays: 3,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const ids: string[] = [];
  for (let i = 0; i < RUNNING; i++) {
    // Half started within the last hour (listed again by every poll), half two days ago (not).
    const startedSecondsAgo = i % 2 === 0 ? 600 + i : 2 * 86_400 + i;
    ids.push(
      sim.world.addSession({ startedSecondsAgo, durationSeconds: 5 * 86_400, eventCount: 3 }),
    );
  }
  const clock = manualClock(T0);
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock,
    poller: { lookbackMs: 4 * 86_400_000 },
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  const poll = async () => {
    clock.advance(60_000);
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true, JSON.stringify(core.poller().status().lastError));
  };
  return { sim, simClock, core, ids, poll };
}

const BY_ID = "GET /RestoreSessions/{id}";
const EVENTS = "GET /RestoreSessions/{id}/Events";

test("v8: an idle poll with 100 running sessions costs at most 3 requests", async (t) => {
  const { sim, core, poll } = await idleWorld(t, "v8");
  await poll();
  await poll();
  sim.resetStats();
  await poll();
  const { requests, byRoute } = sim.stats();
  assert.ok(requests <= 3, `idle poll made ${requests} requests: ${JSON.stringify(byRoute)}`);
  assert.equal(core.store.serverState("lab").runningSessionIds.length >= RUNNING, true);
  await assertMatchesTruth(core.registry, truthAt(sim, "lab", T0));
});

for (const apiVersion of ["v6", "v7"] as const) {
  test(`${apiVersion}: an idle poll costs at most one request per running session, listing only what is new`, async (t) => {
    const { sim, core, poll } = await idleWorld(t, apiVersion);
    await poll();
    await poll();
    const running = core.store.serverState("lab").runningSessionIds.length;
    sim.resetStats();
    await poll();
    const { requests, byRoute } = sim.stats();
    // One listing of the recent sessions, then one request per running session at most.
    assert.ok(
      requests <= running + 1,
      `idle poll made ${requests} requests for ${running} running sessions: ${JSON.stringify(byRoute)}`,
    );
    assert.equal(
      byRoute[BY_ID] ?? 0,
      0,
      "no session re-read by id when its events show nothing new",
    );
    assert.ok((byRoute[EVENTS] ?? 0) <= running);
    await assertMatchesTruth(core.registry, truthAt(sim, "lab", T0));
  });
}

test("v8: a deleted running session is forgotten; an expired change token costs one full read, exactly", async (t) => {
  const { sim, simClock, core, ids, poll } = await idleWorld(t, "v8");
  await poll();
  await poll();
  const gone = ids[1] ?? "";
  // A millisecond on: the simulator's feed reports a change made after the instant of the token.
  simClock.now = T0 + 1;
  assert.ok(sim.world.deleteSession(gone));
  sim.resetStats();
  await poll();
  assert.ok(!core.store.serverState("lab").runningSessionIds.includes(gone), "forgotten");
  assert.equal(sim.stats().byRoute[BY_ID] ?? 0, 0, "known deleted from the feed, not by a 404");

  sim.world.expireChangeTokens();
  sim.resetStats();
  await poll();
  const running = core.store.serverState("lab").runningSessionIds.length;
  assert.ok(
    (sim.stats().byRoute[EVENTS] ?? 0) >= running,
    "every running session is read again after the token expired",
  );
  sim.resetStats();
  await poll();
  assert.ok(sim.stats().requests <= 3, "and the next poll is idle again");
  // The deleted session stays counted (a counter does not go back); the truth no longer lists it.
  const truth = truthAt(sim, "lab", simClock.now);
  const sum = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);
  assert.equal(
    sum(await actual(core.registry, "vbo_restore_sessions_total")),
    truth.sessionCount + 1,
  );
  await assertMatchesTruth(core.registry, truth, [
    "sessions",
    "running",
    "events",
    "bytes",
    "lastSession",
  ]);
  assert.equal(
    sum(await actual(core.registry, "vbo_restore_sessions_running")),
    sum(truth.running),
  );
});
