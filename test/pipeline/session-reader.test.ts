// The session page's reader against the simulator over loopback: a session's events as VBO lists
// them, cut at the limit, an unknown server or session told in a sentence, reads at once bounded.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toReason } from "../../src/errors.ts";
import { createSessionReader } from "../../src/pipeline/session-reader.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";

const T = Date.parse("2026-05-04T10:00:00Z");

test("events of a session as the simulator serves them, bounded, and clear failures", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 30,
    historyDays: 1,
    ratePerMinute: 0,
    tokenThrottle: false,
    maxPageSize: 3,
    clock: () => T,
  });
  t.after(() => sim.close());
  const client = createVboClient({
    url: sim.url,
    apiVersion: "auto",
    username: sim.username,
    password: sim.password,
    timeoutMs: 5_000,
  });
  t.after(() => client.close());
  const sessions = [...sim.world.sessionsAt(T)];
  const session = sessions.find((s) => sim.world.eventsAt(s.id, T).length >= 5);
  assert.ok(session, "a session with several pages of events");
  const truth = sim.world.eventsAt(session.id, T);

  const reader = createSessionReader(new Map([["lab", client]]));
  const read = await reader.events("lab", session.id, AbortSignal.timeout(5_000));
  assert.equal(read.truncated, false);
  assert.deepEqual(
    read.events.map((e) => [e.id, e.startTime, e.status, e.message, e.itemName]),
    truth.map((e) => [e.id, e.startTime, e.status, e.message, e.itemName]),
  );

  const few = createSessionReader(new Map([["lab", client]]), { maxEvents: 4 });
  const cut = await few.events("lab", session.id, AbortSignal.timeout(5_000));
  assert.equal(cut.truncated, true);
  assert.deepEqual(
    cut.events.map((e) => e.id),
    truth.slice(0, 4).map((e) => e.id),
  );

  await assert.rejects(
    reader.events("elsewhere", session.id, AbortSignal.timeout(5_000)),
    (error) => {
      assert.equal(toReason(error), "not_found");
      assert.match(String(error), /no VBO server named "elsewhere" is polled here/);
      return true;
    },
  );
  await assert.rejects(
    reader.events("lab", "00000000-0000-4000-8000-00000000dead", AbortSignal.timeout(5_000)),
    (error) => {
      assert.equal(toReason(error), "not_found");
      assert.ok(!String(error).includes(sim.password), "no secret in the message");
      return true;
    },
  );
});

test("reads beyond the queue are refused at once instead of piling up on VBO", async () => {
  const pending: (() => void)[] = [];
  const waiting = {
    listRestoreSessionEvents: async function* () {
      await new Promise<void>((resolve) => pending.push(resolve));
    },
  };
  const clients = new Map([["lab", waiting as never]]);
  const reader = createSessionReader(clients, { concurrentReads: 1, queuedReads: 2 });
  const signal = AbortSignal.timeout(5_000);
  const reads = [1, 2, 3].map(() => reader.events("lab", "a-1", signal));
  await assert.rejects(reader.events("lab", "a-1", signal), (error) => toReason(error) === "busy");
  for (let served = 0; served < 3; served++) {
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.();
    await reads[served];
  }
  assert.deepEqual(
    (await Promise.all(reads)).map((r) => r.events.length),
    [0, 0, 0],
  );
});
