// Between polls on v8 the poller waits on VBO's change feed: a restore started on the server is
// committed within seconds, not at the next poll a minute later, and stop() ends the wait at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";

const POLL_INTERVAL_MS = 60_000;

test("v8: a restore started between polls is committed within seconds, through the change feed", {
  timeout: 30_000,
}, async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 20,
    historyDays: 1,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  let target: string | null = null;
  let committedAt = 0;
  let onCommitted = () => {};
  const committed = new Promise<void>((resolve) => {
    onCommitted = resolve;
  });
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    poller: { pollIntervalMs: POLL_INTERVAL_MS },
    sinks: [
      {
        writeInTransaction: (_db, batch) => {
          if (target !== null && batch.newSessions.some((s) => s.id === target)) {
            committedAt = performance.now();
            onCommitted();
          }
        },
      },
    ],
  });
  t.after(() => core.close());
  const poller = core.poller();
  let firstPoll = () => {};
  const polled = new Promise<void>((resolve) => {
    firstPoll = resolve;
  });
  const watch = setInterval(() => {
    if (poller.status().polls >= 1) firstPoll();
  }, 5);
  t.after(() => clearInterval(watch));
  poller.start();
  await polled;
  assert.equal(poller.status().up, true, JSON.stringify(poller.status().lastError));

  const createdAt = performance.now();
  target = sim.world.addSession({ startedSecondsAgo: 0, durationSeconds: 5, eventCount: 2 });
  await committed;
  const ms = committedAt - createdAt;
  // The interval is a minute: only the feed can have started this poll.
  assert.ok(ms < 10_000, `committed ${Math.round(ms)} ms after it started`);
  t.diagnostic(`restore committed ${Math.round(ms)} ms after it started on the server`);

  const stopping = performance.now();
  await poller.stop();
  assert.ok(performance.now() - stopping < 3_000, "stop() ends the wait on the feed");
});
