// Metrics equal the simulator's ground truth exactly after a live timeline: sessions that gain
// events and stop, new arrivals, token expiry, a capped page size and a 5xx storm in the middle.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { actual, assertMatchesTruth, entries, truthAt } from "../helpers/truth.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");

for (const apiVersion of ["v6", "v7", "v8"] as const) {
  test(`${apiVersion}: metrics equal the ground truth after a live timeline`, async (t) => {
    const clock = manualClock(T0);
    const sim = await startSimulator({
      apiVersion,
      historySessions: 40,
      historyDays: 3,
      ratePerMinute: 6,
      sessionDurationSeconds: 90,
      tokenLifetimeSeconds: 120,
      maxPageSize: 7,
      tokenThrottle: false,
      clock: () => clock.now(),
    });
    const core = startCore({
      targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
      clock,
      poller: { lookbackMs: 7 * 86_400_000, sliceMs: 86_400_000, batch: { maxEvents: 7 } },
    });
    t.after(async () => {
      await core.close();
      await sim.close();
    });
    const poller = core.poller();
    let failures = 0;
    for (let step = 0; step < 24; step++) {
      sim.faults.errorRate = step === 10 || step === 11 ? 1 : 0;
      await poller.pollOnce();
      const status = poller.status();
      if (step === 10) {
        assert.equal(status.up, false, "a 5xx storm takes vbo_up down");
        assert.equal(status.lastError?.reason, "server_error");
        failures++;
      }
      clock.advance(17_000);
    }
    sim.faults.errorRate = 0;
    const at = clock.now();
    await poller.pollOnce();
    assert.equal(poller.status().up, true);
    assert.ok(sim.stats().tokenRequests >= 2, "the token expired and was renewed while polling");

    const truth = truthAt(sim, "lab", at);
    assert.ok(truth.sessionCount > 60, `history plus live arrivals (${truth.sessionCount})`);
    assert.ok(truth.running.size > 0, "some sessions are still running");
    await assertMatchesTruth(core.registry, truth);
    const errors = await actual(core.registry, "vbo_poll_errors_total");
    assert.equal(errors.get("reason=server_error,server=lab"), 2);
    assert.equal(failures, 1);
    const up = await actual(core.registry, "vbo_up");
    assert.equal(up.get("server=lab"), 1);
  });
}

test("a VBO clock 20 minutes behind the exporter's loses no session", async (t) => {
  const clock = manualClock(T0);
  const skewMs = 20 * 60_000;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 10,
    ratePerMinute: 4,
    sessionDurationSeconds: 30,
    tokenThrottle: false,
    clock: () => clock.now() - skewMs,
  });
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock,
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  for (let step = 0; step < 12; step++) {
    await core.poller().pollOnce();
    clock.advance(45_000);
  }
  await core.poller().pollOnce();
  const truth = truthAt(sim, "lab", clock.now() - skewMs);
  assert.ok(truth.sessionCount > 40);
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_events_total")),
    entries(truth.events),
  );
});
