// Backpressure from the log outbox: a sink refusing a batch fails the poll with its reason and
// advances nothing; once the sink accepts again the next poll counts everything exactly once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OutboxFullError } from "../../src/logs/errors.ts";
import type { BatchSink } from "../../src/pipeline/types.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { actual, entries, truthAt } from "../helpers/truth.ts";

test("an outbox-full sink rolls the poll back with reason outbox_full; the retry counts once", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 40,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  let full = true;
  let accepted = 0;
  const sink: BatchSink = {
    writeInTransaction: (_db, result) => {
      if (full) throw new OutboxFullError(10, 10);
      accepted += result.newEvents.length;
    },
  };
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    sinks: [sink],
  });
  t.after(() => core.close());

  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, false);
  assert.deepEqual(entries(await actual(core.registry, "vbo_poll_errors_total")), [
    ["reason=outbox_full,server=lab", 1],
  ]);
  assert.equal(core.store.serverState("lab").cursorMs, null, "the cursor did not move");
  assert.equal(core.store.counterRows().length, 0, "nothing was counted");
  assert.deepEqual(entries(await actual(core.registry, "vbo_restore_sessions_total")), []);

  full = false;
  await core.poller().pollOnce();
  await core.poller().pollOnce();
  assert.equal(core.poller().status().up, true);
  const truth = truthAt(sim, "lab", Date.now());
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_events_total")),
    entries(truth.events),
  );
  const totalEvents = [...truth.events.values()].reduce((a, b) => a + b, 0);
  assert.equal(accepted, totalEvents, "the sink saw every event exactly once");
});
