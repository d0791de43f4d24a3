// The poller's life: stop() during a long backfill returns promptly with nothing half-committed
// (a restart then completes the truth exactly), and a failing server is logged once per reason.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { freePort } from "../helpers/ops-processes.ts";
import { actual, entries, truthAt } from "../helpers/truth.ts";

test("stop() during a backfill returns promptly; what was committed is whole and a restart completes it", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 1500,
    historyDays: 10,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const target = { name: "lab", url: sim.url, username: sim.username, password: sim.password };
  const poller = { batch: { maxEvents: 60 }, sliceMs: 86_400_000, pollIntervalMs: 60_000 };
  const first = startCore({ targets: [target], poller });
  first.poller().start();
  const deadline = Date.now() + 10_000;
  while (first.store.totals().sessions < 40) {
    assert.ok(Date.now() < deadline, "the backfill never started committing");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const stopping = Date.now();
  await first.poller().stop();
  assert.ok(Date.now() - stopping < 3_000, `stop() took ${Date.now() - stopping} ms`);

  const { sessions, events } = first.store.totals();
  assert.ok(sessions < 1500, "stopped before the backfill was over");
  const sum = (metric: string) =>
    first.store
      .counterRows()
      .filter((r) => r.metric === metric)
      .reduce((a, r) => a + r.value, 0);
  assert.equal(sum("vbo_restore_sessions_total"), sessions, "sessions and their counter agree");
  assert.equal(sum("vbo_restore_events_total"), events, "events and their counter agree");
  await first.close({ keepDir: true });

  const second = startCore({ targets: [target], dir: first.dir, poller });
  t.after(() => second.close());
  await second.poller().pollOnce();
  assert.equal(second.poller().status().up, true);
  const truth = truthAt(sim, "lab", Date.now());
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_restore_events_total")),
    entries(truth.events),
  );
});

test("a failing server keeps being polled in the background; the failure is logged once, counted every time, and its retries stay below warn", async (t) => {
  const lines: { msg?: string; reason?: string; level?: number; server?: string }[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  const port = await freePort();
  const core = startCore({
    targets: [
      {
        name: "down",
        url: `http://127.0.0.1:${port}`,
        username: "x",
        password: "y",
        apiVersion: "v8",
      },
    ],
    logger: createLogger("info", sink),
    poller: { pollIntervalMs: 20 },
    maxRetries: 1,
  });
  t.after(() => core.close());
  core.poller().start();
  const deadline = Date.now() + 10_000;
  // Two polls of two login attempts each: more would meet the client's own five-logins-a-minute pace.
  while (core.poller().status().polls < 2) {
    assert.ok(Date.now() < deadline, "the scheduler stopped polling after a failure");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await core.poller().stop();
  const polls = core.poller().status().polls;
  const errors = await actual(core.registry, "vbo_poll_errors_total");
  assert.equal(errors.get("reason=unreachable,server=down"), polls);
  const failures = lines.filter((l) => l.msg?.startsWith("poll failed"));
  assert.equal(failures.length, 1, JSON.stringify(failures));
  assert.equal(failures[0]?.reason, "unreachable");
  assert.equal(failures[0]?.server, "down");
  for (const line of raw) assert.ok(line.split('"server":').length <= 2, `one server key: ${line}`);
  const loud = lines.filter((l) => (l.level ?? 0) >= 40);
  assert.deepEqual(loud, failures, "only the change of state is logged at warn or above");
});
