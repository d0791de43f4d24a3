// VBO clock trouble is logged once per change, not every poll, and the measured offset is a gauge.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { sessionJson, startFakeVbo } from "../vbo/fake-vbo.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const HOUR = 3_600_000;

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly server?: string;
  readonly offsetSeconds?: number;
}

function capture(): { lines: Line[]; sink: Writable } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, sink };
}

test("a VBO clock 2 hours behind is logged once and shown as vbo_server_clock_offset_seconds; its correction once", async (t) => {
  const clock = manualClock(T0);
  let skewMs = -2 * HOUR;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 5,
    ratePerMinute: 1,
    tokenThrottle: false,
    clock: () => clock.now() + skewMs,
  });
  const { lines, sink } = capture();
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock,
    logger: createLogger("info", sink),
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  const offset = async () => {
    const gauge = core.registry.getSingleMetric("vbo_server_clock_offset_seconds");
    const values = (await gauge?.get())?.values ?? [];
    return values.find((v) => v.labels.server === "lab")?.value;
  };
  assert.equal(await offset(), undefined, "no series before VBO has answered");
  for (let i = 0; i < 5; i++) {
    await core.poller().pollOnce();
    clock.advance(60_000);
  }
  assert.equal(await offset(), -7200);
  const skewWarnings = () =>
    lines.filter((l) => l.msg.startsWith("VBO's clock and the exporter's"));
  assert.equal(skewWarnings().length, 1, JSON.stringify(skewWarnings()));
  assert.equal(skewWarnings()[0]?.level, 40);
  assert.equal(skewWarnings()[0]?.server, "lab");
  assert.equal(skewWarnings()[0]?.offsetSeconds, -7200);

  skewMs = 0;
  for (let i = 0; i < 3; i++) {
    await core.poller().pollOnce();
    clock.advance(60_000);
  }
  assert.equal(await offset(), 0);
  assert.deepEqual(
    skewWarnings().map((l) => [l.level, l.msg]),
    [
      [40, skewWarnings()[0]?.msg],
      [30, "VBO's clock and the exporter's agree again"],
    ],
  );
});

test("sessions stamped ahead of VBO's clock are logged once and keep the cursor at VBO's now", async (t) => {
  // The fake server's sessions start at 2026-01-01T00:00:0x, two hours after its clock says now.
  const clock = manualClock(Date.parse("2025-12-31T22:00:00Z"));
  const vbo = await startFakeVbo({ clock, sessions: 3 });
  const { lines, sink } = capture();
  const core = startCore({
    targets: [{ name: "lab", url: vbo.url, username: "admin", password: "p@ss w0rd!" }],
    clock,
    logger: createLogger("info", sink),
  });
  t.after(async () => {
    await core.close();
    await vbo.close();
  });
  for (let i = 0; i < 4; i++) {
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true);
    const cursor = core.store.serverState("lab").cursorMs;
    assert.ok(cursor !== null && cursor <= clock.now(), "the cursor stays at VBO's now");
    clock.advance(60_000);
  }
  assert.equal(
    core.store.knownSessionIds(
      "lab",
      [0, 1, 2].map((i) => sessionJson(i, "v8").id),
    ).size,
    3,
  );
  const warnings = lines.filter((l) => l.msg.startsWith("VBO lists restore sessions that start"));
  assert.equal(warnings.length, 1, JSON.stringify(lines));
  assert.equal(warnings[0]?.level, 40);
  assert.equal(warnings[0]?.server, "lab");
});

test("a cursor left ahead of VBO's clock when the clock is set back is moved back, and that is logged once", async (t) => {
  const clock = manualClock(T0);
  let skewMs = 0;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 5,
    ratePerMinute: 0,
    tokenThrottle: false,
    clock: () => clock.now() + skewMs,
  });
  const { lines, sink } = capture();
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    clock,
    logger: createLogger("info", sink),
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  await core.poller().pollOnce();
  skewMs = 2 * HOUR;
  sim.world.addSession({ startedSecondsAgo: 5, durationSeconds: 1 });
  clock.advance(60_000);
  await core.poller().pollOnce();
  skewMs = 0;
  for (let i = 0; i < 5; i++) {
    clock.advance(60_000);
    await core.poller().pollOnce();
  }
  const pulled = lines.filter((l) => l.msg.startsWith("the poll cursor was ahead of VBO's clock"));
  assert.equal(pulled.length, 1, JSON.stringify(lines));
  assert.equal(pulled[0]?.level, 40);
  assert.equal(pulled[0]?.server, "lab");
  assert.equal(core.store.serverState("lab").cursorMs, T0 + 2 * 60_000);
});

test("the clock offset has a fraction (VBO's Date has whole seconds, the exporter's clock does not), and its HELP says so", async (t) => {
  const clock = manualClock(T0 + 500);
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 1,
    ratePerMinute: 0,
    tokenThrottle: false,
    clock: () => clock.now(),
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
  const metric = await core.registry.getSingleMetric("vbo_server_clock_offset_seconds")?.get();
  const value = metric?.values.find((v) => v.labels.server === "lab")?.value;
  assert.equal(value, -0.5, "the Date header drops the half second the exporter's clock has");
  assert.doesNotMatch(metric?.help ?? "", /whole seconds/);
  assert.match(metric?.help ?? "", /seconds with a fraction/);
});
