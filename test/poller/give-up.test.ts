// A session whose bad event never becomes readable still finishes: once VBO reports it ended and
// the event stayed unreadable through the grace (read 3 times since, over an hour), it is
// finished without it — summary record saying so, running gauge down, no more re-reads, its
// quarantine row still listed (given up). A session still running is never given up; an event
// that reads well within the grace is taken once; a restart keeps the grace where it was.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type TestContext, test } from "node:test";
import { Registry } from "prom-client";
import { systemClock } from "../../src/clock.ts";
import { createLogger, silentLogger } from "../../src/logger.ts";
import { createLogPipeline, type LogPipeline } from "../../src/logs/pipeline.ts";
import type { BatchSink } from "../../src/pipeline/types.ts";
import { type FaultSettings, NO_FAULTS } from "../../src/simulator/faults.ts";
import { type CustomSessionSpec, startSimulator } from "../../src/simulator/server.ts";
import { type Core, startCore } from "../helpers/exporter-core.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { type OtlpReceiver, startOtlpReceiver, stringAttribute } from "../helpers/otlp-receiver.ts";
import { get, login } from "../helpers/sim-http.ts";
import { actual } from "../helpers/truth.ts";

const T0 = Date.parse("2026-03-16T08:00:00Z");
const MINUTE = 60_000;
const EVENTS = "GET /RestoreSessions/{id}/Events";
const cli = new URL("../../src/cli.ts", import.meta.url).pathname;

const sum = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);

async function startWorld(
  t: TestContext,
  sessions: readonly CustomSessionSpec[],
  world: { historySessions?: number; faults?: Partial<FaultSettings> } = {},
) {
  const clock = manualClock(T0);
  const sim = await startSimulator({
    apiVersion: "v8",
    clock: () => clock.now(),
    historySessions: world.historySessions ?? 0,
    historyDays: 1,
    ratePerMinute: 0,
    tokenThrottle: false,
    // One item event of every session is sent with "id": null until the test switches it off.
    faults: world.faults ?? { nullEventIdRate: 1 },
  });
  t.after(() => sim.close());
  const ids = sessions.map((spec) => sim.world.addSession(spec));
  const dir = mkdtempSync(join(tmpdir(), "vbo-give-up-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  /** Where the poller's commits also go (the log pipeline, when a test starts one). */
  const sinks: BatchSink[] = [];
  const sink: BatchSink = {
    writeInTransaction: (tx, batch) => {
      for (const s of sinks) s.writeInTransaction(tx, batch);
    },
  };
  /** What the exporter logged, line by line (JSON). */
  const logged: Record<string, unknown>[] = [];
  const logSink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logged.push(JSON.parse(line));
      done();
    },
  });
  let core: Core;
  const open = () => {
    core = startCore({
      targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
      clock,
      logger: createLogger("info", logSink),
      dir,
      sinks: [sink],
      poller: { lookbackMs: 86_400_000 },
    });
    return core;
  };
  open();
  t.after(() => core.close());
  const poll = async (afterMs: number) => {
    clock.advance(afterMs);
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true, JSON.stringify(core.poller().status().lastError));
  };
  const metric = async (name: string) => sum(await actual(core.registry, name));
  /** The session's events as VBO sends them now, over HTTP: how many, and how many without an id. */
  const raw = async (id: string) => {
    const token = await login(sim);
    const reply = await get(sim, token, `/v8/RestoreSessions/${id}/Events?offset=0&limit=10000`);
    const events = (reply.json() as { results: { id: unknown }[] }).results;
    return { events: events.length, unreadable: events.filter((e) => e.id === null).length };
  };
  const restart = async () => {
    await core.close({ keepDir: true });
    open();
  };
  return { sim, clock, ids, dir, core: () => core, sinks, logged, poll, metric, raw, restart };
}

/** A log pipeline over the core's state that ships to a real OTLP receiver. */
async function shipLogs(t: TestContext, world: Awaited<ReturnType<typeof startWorld>>) {
  const receiver: OtlpReceiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  const pipeline: LogPipeline = createLogPipeline({
    store: world.core().store,
    options: {
      endpoint: receiver.url,
      protocol: "http/protobuf",
      maxRecordAgeMs: null,
      idleCheckMs: 50,
    },
    registry: new Registry(),
    logger: silentLogger(),
    clock: systemClock,
    serviceVersion: "test",
    instanceId: "test/0",
    random: () => 0.5,
  });
  t.after(() => pipeline.stop());
  world.sinks.push(pipeline.sink);
  pipeline.start();
  return receiver;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const GIVEN_UP = "vbo_restore_sessions_finished_with_unreadable_events_total";

test("an ended session whose event never reads well is finished after the grace, without it", async (t) => {
  // Ended 20 minutes before the first poll.
  const world = await startWorld(t, [
    { startMs: T0 - 30 * MINUTE, durationSeconds: 600, eventCount: 4 },
  ]);
  const [id] = world.ids;
  assert.ok(id);
  const receiver = await shipLogs(t, world);
  const sent = await world.raw(id);
  assert.equal(sent.unreadable, 1, "VBO sends one event without an id");

  await world.poll(0);
  assert.equal(await world.metric("vbo_restore_sessions_running"), 1, "kept running while unread");
  assert.deepEqual(
    (await world.core().registry.getSingleMetric(GIVEN_UP)?.get())?.values.map((v) => [
      v.labels,
      v.value,
    ]),
    [[{ server: "lab" }, 0]],
    "exported at 0",
  );
  // Read again and again within minutes: read often enough, but not for long enough.
  for (let i = 0; i < 3; i++) {
    world.sim.resetStats();
    await world.poll(MINUTE);
    assert.ok((world.sim.stats().byRoute[EVENTS] ?? 0) >= 1, "its events are read again");
  }
  assert.equal(await world.metric("vbo_restore_sessions_running"), 1);
  assert.equal(await world.metric("vbo_restore_sessions_finished_total"), 0);

  // An hour after it was first seen ended: finished without the event.
  await world.poll(58 * MINUTE);
  const core = world.core();
  assert.equal(await world.metric("vbo_restore_sessions_running"), 0, "the running gauge drops");
  assert.equal(await world.metric("vbo_restore_sessions_finished_total"), 1);
  assert.equal(await world.metric("vbo_restore_sessions_total"), 1);
  assert.equal(
    await world.metric("vbo_restore_events_total"),
    sent.events - sent.unreadable,
    "every event that reads well, once; the unreadable one never",
  );
  assert.deepEqual([...(await actual(core.registry, GIVEN_UP))], [["server=lab", 1]]);
  assert.equal(
    await world.metric("vbo_records_quarantined_total"),
    1,
    "the record was quarantined once",
  );

  const warnings = () => world.logged.filter((l) => String(l.msg).includes("finished without"));
  assert.equal(warnings().length, 1, "the give-up is logged");
  const [warning] = warnings();
  assert.equal(warning?.level, 40, "as a warning");
  assert.equal(warning?.server, "lab");
  assert.equal(warning?.session, id);
  assert.equal(warning?.unreadableEvents, 1);
  assert.match(String(warning?.msg), /1 of its events still cannot be read/);
  assert.match(String(warning?.msg), /quarantine list --server lab/);

  // No more re-reads, however long it goes on.
  world.sim.resetStats();
  await world.poll(MINUTE);
  await world.poll(2 * 60 * MINUTE);
  assert.equal(world.sim.stats().byRoute[EVENTS] ?? 0, 0, "its events are not read again");
  assert.equal(await world.metric("vbo_restore_sessions_finished_total"), 1, "finished once");

  // Its quarantine row is still there, and says it was given up.
  const rows = core.store.quarantine.open("lab");
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.sessionId, id);
  assert.notEqual(rows[0]?.givenUpAtMs, null);
  const listed = spawnSync(
    process.execPath,
    [cli, "quarantine", "list", "--state-dir", world.dir],
    {
      encoding: "utf8",
    },
  );
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /: 1 unread quarantined record \(1 given up: their sessions ended/);
  assert.match(
    listed.stdout,
    new RegExp(
      `kind=event id=- session=${id} reason=missing_field field=id unread given-up \\d{4}-`,
    ),
  );

  // Its summary record, as the receiver decoded it, says how many events could not be read.
  await until(
    () => receiver.stored.some((r) => r.eventName === "vbo.restore.session"),
    "the session's summary record",
  );
  const summaries = receiver.stored.filter((r) => r.eventName === "vbo.restore.session");
  assert.equal(summaries.length, 1);
  const summary = summaries[0];
  assert.ok(summary);
  assert.equal(stringAttribute(summary, "vbo.session.id"), id);
  assert.deepEqual(
    summary.attributes.find((a) => a.key === "vbo.session.unreadable_events")?.value,
    { type: "int", value: 1n },
  );
  assert.equal(stringAttribute(summary, "vbo.session.event_list_unreadable"), undefined);
  assert.match(String(summary.body?.value), /1 of its events could not be read/);
  await until(
    () => receiver.stored.length === sent.events - sent.unreadable + 1,
    "every event record",
  );

  // Should VBO send the event readably later, it is not read again: the quarantine still says so.
  Object.assign(world.sim.faults, NO_FAULTS);
  await world.poll(MINUTE);
  assert.equal(await world.metric("vbo_restore_events_total"), sent.events - sent.unreadable);
  assert.equal(core.store.quarantine.open("lab").length, 1);
  assert.equal(warnings().length, 1, "logged once");
});

test("a session still running on VBO is never given up; its grace starts when it ends", async (t) => {
  // Running for two hours from ten minutes before the first poll.
  const world = await startWorld(t, [
    { startMs: T0 - 10 * MINUTE, durationSeconds: 2 * 3600, eventCount: 4 },
  ]);
  const [id] = world.ids;
  assert.ok(id);
  await world.poll(0);
  await world.poll(61 * MINUTE);
  await world.poll(MINUTE);
  await world.poll(MINUTE);
  await world.poll(MINUTE);
  assert.equal(await world.metric("vbo_restore_sessions_running"), 1);
  assert.equal(await world.metric(GIVEN_UP), 0);
  const rows = world.core().store.quarantine.open("lab");
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.endedReads, 0, "reads while it runs are no part of the grace");
  assert.equal(rows[0]?.givenUpAtMs, null);

  // Ended now (110 minutes after T0): a first read after it ended, then hours later a second one
  // — long enough, but not read often enough — and the third gives up.
  await world.poll(50 * MINUTE);
  assert.ok(world.clock.now() >= T0 + 110 * MINUTE);
  assert.equal(await world.metric("vbo_restore_sessions_running"), 1);
  await world.poll(3 * 60 * MINUTE);
  assert.equal(await world.metric("vbo_restore_sessions_running"), 1);
  assert.equal(await world.metric(GIVEN_UP), 0);
  await world.poll(MINUTE);
  assert.equal(await world.metric("vbo_restore_sessions_running"), 0);
  assert.equal(await world.metric(GIVEN_UP), 1);
  const sent = await world.raw(id);
  assert.equal(await world.metric("vbo_restore_events_total"), sent.events - sent.unreadable);
});

test("an event that reads well within the grace is taken once, as before; nothing is given up", async (t) => {
  const world = await startWorld(t, [
    { startMs: T0 - 30 * MINUTE, durationSeconds: 600, eventCount: 4 },
  ]);
  const [id] = world.ids;
  assert.ok(id);
  const sent = await world.raw(id);
  await world.poll(0);
  await world.poll(30 * MINUTE);
  assert.equal(await world.metric("vbo_restore_events_total"), sent.events - 1);
  Object.assign(world.sim.faults, NO_FAULTS);
  await world.poll(20 * MINUTE);
  assert.equal(await world.metric("vbo_restore_events_total"), sent.events, "taken, once");
  assert.equal(await world.metric("vbo_restore_sessions_running"), 0);
  assert.equal(await world.metric("vbo_restore_sessions_finished_total"), 1);
  assert.equal(await world.metric(GIVEN_UP), 0);
  assert.deepEqual(world.core().store.quarantine.open("lab"), []);
  await world.poll(2 * 60 * MINUTE);
  assert.equal(await world.metric("vbo_restore_events_total"), sent.events, "still once");
  assert.equal(await world.metric("vbo_restore_sessions_finished_total"), 1);
});

test("a restart within the grace keeps its reads and its time: given up on schedule", async (t) => {
  const world = await startWorld(t, [
    { startMs: T0 - 30 * MINUTE, durationSeconds: 600, eventCount: 4 },
  ]);
  await world.poll(0);
  await world.poll(30 * MINUTE);
  await world.restart();
  // The third read, an hour after the first: neither the count nor the time started again.
  await world.poll(30 * MINUTE);
  assert.equal(await world.metric("vbo_restore_sessions_running"), 0);
  assert.equal(await world.metric(GIVEN_UP), 1);
  // And restarted again afterwards: still finished, still given up, not read again.
  await world.restart();
  world.sim.resetStats();
  await world.poll(MINUTE);
  assert.equal(world.sim.stats().byRoute[EVENTS] ?? 0, 0);
  assert.equal(await world.metric(GIVEN_UP), 1);
  assert.equal(await world.metric("vbo_restore_sessions_finished_total"), 1);
});

test("an ended session whose events list answers 404 throughout is finished, its record says so", async (t) => {
  // The oldest of two sessions of the last day (started at least 12 hours ago) answers 404.
  const world = await startWorld(t, [], { historySessions: 2, faults: { eventsNotFound: 1 } });
  const receiver = await shipLogs(t, world);
  await world.poll(0);
  const [row] = world.core().store.quarantine.open("lab");
  assert.equal(row?.kind, "event_list");
  const id = row?.sessionId ?? "";
  const running = () => world.core().store.serverState("lab").runningSessionIds.includes(id);
  assert.ok(running());
  await world.poll(30 * MINUTE);
  assert.ok(running());
  await world.poll(30 * MINUTE);
  assert.ok(!running(), "finished");
  assert.equal(await world.metric(GIVEN_UP), 1);
  await until(
    () =>
      receiver.stored.some(
        (r) => r.eventName === "vbo.restore.session" && stringAttribute(r, "vbo.session.id") === id,
      ),
    "the session's summary record",
  );
  const summary = receiver.stored.find(
    (r) => r.eventName === "vbo.restore.session" && stringAttribute(r, "vbo.session.id") === id,
  );
  assert.ok(summary);
  assert.equal(stringAttribute(summary, "vbo.session.event_list_unreadable"), "true");
  assert.deepEqual(
    summary.attributes.find((a) => a.key === "vbo.session.unreadable_events")?.value,
    { type: "int", value: 0n },
  );
  assert.match(String(summary.body?.value), /its events list could not be read/);
  assert.equal(
    receiver.stored.filter((r) => stringAttribute(r, "vbo.session.id") === id).length,
    1,
    "no event of it is counted",
  );
  assert.notEqual(world.core().store.quarantine.open("lab")[0]?.givenUpAtMs, null);
});
