// A first backfill reports as it goes: a start line, progress lines whose figures rise against the
// simulator's truth, one line with the totals, the vbo_backfill_* gauges and the landing page's bar.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";

interface Line {
  readonly msg: string;
  readonly server?: string;
  readonly percent?: number;
  readonly reached?: string;
  readonly sessions?: number;
  readonly events?: number;
  readonly remainingSeconds?: number | null;
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

test("a backfill logs its progress at each tick, rising to the simulator's totals, and shows it as gauges", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 300,
    historyDays: 20,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const { lines, sink } = capture();
  // The cadence is the timer's: here the timer ticks whenever a batch has committed, so the test
  // waits on commits, not on time.
  let tick: (() => void) | null = null;
  const progressShown: (number | undefined)[] = [];
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    logger: createLogger("info", sink),
    pageSize: 50,
    poller: {
      batch: { maxSessions: 25 },
      progressEvery: (_ms, fn) => {
        tick = fn;
        return () => {
          tick = null;
        };
      },
    },
    sinks: [
      {
        writeInTransaction(tx) {
          tx.afterCommit(() => {
            tick?.();
            progressShown.push(core.poller().status().progress?.sessions);
          });
        },
      },
    ],
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);

  const now = Date.now();
  const truthSessions = [...sim.world.sessionsAt(now)];
  const truthEvents = truthSessions.reduce((n, s) => n + sim.world.eventsAt(s.id, now).length, 0);
  assert.equal(truthSessions.length, 300);

  const started = lines.filter((l) => l.msg.startsWith("reading the restore history:"));
  assert.equal(started.length, 1, JSON.stringify(lines.slice(0, 5)));
  const progress = lines.filter((l) => l.msg === "reading the restore history");
  assert.ok(progress.length >= 5, `${progress.length} progress lines`);
  for (const [i, line] of progress.entries()) {
    assert.equal(line.server, "lab");
    assert.ok((line.percent ?? -1) >= 0 && (line.percent ?? 101) <= 100);
    assert.ok((line.sessions ?? -1) <= truthSessions.length);
    assert.ok((line.events ?? -1) <= truthEvents);
    const before = progress[i - 1];
    if (before === undefined) continue;
    assert.ok((line.sessions ?? 0) >= (before.sessions ?? 0), "sessions never go down");
    assert.ok((line.events ?? 0) >= (before.events ?? 0), "events never go down");
    assert.ok((line.percent ?? 0) >= (before.percent ?? 0), "the ratio never goes down");
    assert.ok(Date.parse(line.reached ?? "") >= Date.parse(before.reached ?? ""));
  }
  const first = progress[0];
  const last = progress.at(-1);
  assert.ok((last?.sessions ?? 0) > (first?.sessions ?? 0), "the figures rise");
  assert.ok((last?.percent ?? 0) > (first?.percent ?? 0), "the ratio rises");
  assert.ok(
    progress.some((l) => typeof l.remainingSeconds === "number"),
    "an estimate is given",
  );

  const done = lines.filter((l) => l.msg === "the restore history is read");
  assert.equal(done.length, 1);
  assert.equal(done[0]?.sessions, truthSessions.length);
  assert.equal(done[0]?.events, truthEvents);
  assert.ok(
    progressShown.some((n) => n !== undefined),
    "the landing page's status had figures",
  );
  assert.equal(core.poller().status().progress, null, "no figures once the poll is over");

  const gauge = async (name: string) => {
    const values = (await core.registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.find((v) => v.labels.server === "lab")?.value;
  };
  assert.equal(await gauge("vbo_backfill_progress_ratio"), 1);
  assert.equal(await gauge("vbo_backfill_sessions"), truthSessions.length);
  assert.equal(await gauge("vbo_backfill_events"), truthEvents);
  assert.equal(await gauge("vbo_backfill_remaining_seconds"), 0);

  // The next poll reads one overlap: no backfill.
  const before = lines.length;
  await core.poller().pollOnce();
  assert.deepEqual(
    lines.slice(before).filter((l) => /restore history/.test(l.msg)),
    [],
  );
});
