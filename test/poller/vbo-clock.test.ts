// The poll cursor follows VBO's own clock (the Date of its answers): a VBO clock hours behind, or
// one that ran a day ahead and was set back, loses no session.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { actual, entries, truthAt } from "../helpers/truth.ts";
import { startFakeVbo } from "../vbo/fake-vbo.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const HOUR = 3_600_000;

test("VBO's clock 3 hours behind and a 3-hour outage: every session is counted, the cursor never passes VBO's now", async (t) => {
  const clock = manualClock(T0);
  const skewMs = -3 * HOUR;
  const vboNow = () => clock.now() + skewMs;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 10,
    ratePerMinute: 1,
    sessionDurationSeconds: 30,
    tokenThrottle: false,
    clock: vboNow,
  });
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock,
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  const poll = async () => {
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true);
    const cursor = core.store.serverState("lab").cursorMs;
    assert.ok(cursor !== null && cursor <= vboNow(), "the cursor is not ahead of VBO's clock");
  };
  await poll();
  clock.advance(10 * 60_000);
  await poll();
  clock.advance(3 * HOUR); // the exporter was down (or VBO unreachable) for 3 hours
  for (let step = 0; step < 30; step++) {
    await poll();
    clock.advance(60_000);
  }
  await poll();
  const truth = truthAt(sim, "lab", vboNow());
  assert.ok(truth.sessionCount > 200, `history plus the outage's arrivals (${truth.sessionCount})`);
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
});

test("a session stamped a day ahead (VBO's clock ran ahead, then was set back) hides no later session", async (t) => {
  const clock = manualClock(T0);
  let skewMs = 0;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 10,
    ratePerMinute: 0,
    tokenThrottle: false,
    clock: () => clock.now() + skewMs,
  });
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock,
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  await core.poller().pollOnce();
  skewMs = 86_400_000; // VBO's clock a day ahead for a while
  const ahead = sim.world.addSession({ startedSecondsAgo: 5, durationSeconds: 1 });
  clock.advance(60_000);
  await core.poller().pollOnce();
  assert.ok(core.store.knownSessionIds("lab", [ahead]).has(ahead));
  skewMs = 0; // and set right again
  clock.advance(5 * 60_000);
  const later = sim.world.addSession({ startedSecondsAgo: 60, durationSeconds: 10 });
  for (let i = 0; i < 2; i++) {
    clock.advance(60_000);
    await core.poller().pollOnce();
  }
  assert.ok(core.store.knownSessionIds("lab", [later]).has(later), "the later session is counted");
  const cursor = core.store.serverState("lab").cursorMs;
  assert.ok(cursor !== null && cursor <= clock.now(), "the cursor is back on VBO's clock");
  // Seen from a day later, VBO lists the session stamped ahead too (no new ones arrive meanwhile).
  const truth = truthAt(sim, "lab", clock.now() + 86_400_000);
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
});

test("an implausible Date (a proxy stamping 1986) is not taken for VBO's clock: the cursor stays and polls stay cheap", async (t) => {
  const clock = manualClock(T0);
  const vbo = await startFakeVbo({ clock, sessions: 0, clockSkewMs: -40 * 365 * 24 * HOUR });
  const core = startCore({
    targets: [
      { name: "lab", url: vbo.url, username: "admin", password: "p@ss w0rd!", apiVersion: "v8" },
    ],
    clock,
  });
  t.after(async () => {
    await core.close();
    await vbo.close();
  });
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);
  const before = vbo.requests.length;
  clock.advance(60_000);
  await core.poller().pollOnce();
  clock.advance(60_000);
  await core.poller().pollOnce();
  assert.ok(
    vbo.requests.length - before <= 4,
    `two idle polls took ${vbo.requests.length - before} requests`,
  );
  const cursor = core.store.serverState("lab").cursorMs;
  assert.ok(
    cursor === null || cursor > T0 - 30 * 24 * HOUR,
    `cursor ${cursor} was pulled back to the proxy's date`,
  );
});
