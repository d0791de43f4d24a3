// The client against the project's VBO simulator on loopback (two independent readings of the same
// API meeting over real HTTP): every session and event the simulator holds arrives exactly once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { parseTimestamp } from "../../src/vbo/time.ts";
import { fakeClock } from "./fake-clock.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("VBO client against the simulator", () => {
  for (const apiVersion of ["v6", "v7", "v8"] as const) {
    it(`${apiVersion}: detects the version and reads all sessions and events through a capped limit while tokens expire`, async (t) => {
      const clock = fakeClock(Date.UTC(2026, 5, 1));
      const sim = await startSimulator({
        apiVersion,
        port: 0,
        historySessions: 40,
        ratePerMinute: 0,
        maxPageSize: 7,
        tokenLifetimeSeconds: 30,
        clock: clock.now,
      });
      t.after(() => sim.close());
      const client = createVboClient({
        url: sim.url,
        apiVersion: "auto",
        username: sim.username,
        password: sim.password,
        clock,
      });
      t.after(() => client.close());
      assert.equal(await client.apiVersion(), apiVersion);

      const sessions = [];
      for await (const session of client.listRestoreSessions({ startTimeFrom: new Date(0) })) {
        sessions.push(session);
        clock.advance(4_000);
      }
      const truth = [...sim.world.sessionsAt(clock.now())];
      assert.equal(sessions.length, truth.length);
      assert.deepEqual(new Set(sessions.map((s) => s.id)), new Set(truth.map((s) => s.id)));
      const byId = new Map(truth.map((s) => [s.id, s]));
      for (const s of sessions) {
        const raw = byId.get(s.id);
        assert.ok(raw !== undefined);
        assert.equal(s.creationTime.text, raw.creationTime);
        assert.equal(s.creationTime.ns, parseTimestamp(raw.creationTime).ns);
        assert.equal(s.clientHost, raw.clientHost ?? null);
      }

      for (const session of sessions.slice(0, 5)) {
        const events = await collect(client.listRestoreSessionEvents(session.id));
        const expected = sim.world.eventsAt(session.id, clock.now());
        assert.deepEqual(
          events.map((e) => e.id),
          expected.map((e) => e.id),
        );
      }
      const stats = sim.stats();
      assert.ok(stats.tokenRequests >= 2, "tokens expired and were renewed");
      assert.ok(stats.tokenRequests <= 12, `token calls stay rare: ${stats.tokenRequests}`);
      assert.equal(client.requestCount(), stats.requests);
    });
  }

  it("rides out injected 503s and keeps unknown enum values", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v8",
      port: 0,
      historySessions: 30,
      ratePerMinute: 0,
      clock: clock.now,
      faults: { errorRate: 0.5, errorStatus: 503, unknownEnumRate: 1 },
    });
    t.after(() => sim.close());
    const client = createVboClient({
      url: sim.url,
      apiVersion: "v8",
      username: sim.username,
      password: sim.password,
      pageSize: 5,
      maxRetries: 8,
      clock,
    });
    t.after(() => client.close());
    const sessions = await collect(client.listRestoreSessions({ startTimeFrom: new Date(0) }));
    assert.equal(sessions.length, [...sim.world.sessionsAt(clock.now())].length);
    const known = new Set(["Vex", "Veod", "Vesp", "Vet"]);
    assert.ok(
      sessions.some((s) => !known.has(s.type)),
      "unknown types kept",
    );
    assert.ok(clock.sleeps.length > 0, "some 503s were retried");
  });

  it("turns the simulator's truncated JSON into bad_response", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v7",
      port: 0,
      historySessions: 5,
      ratePerMinute: 0,
      clock: clock.now,
      faults: { truncatedJsonRate: 1 },
    });
    t.after(() => sim.close());
    const client = createVboClient({
      url: sim.url,
      apiVersion: "v7",
      username: sim.username,
      password: sim.password,
      clock,
    });
    t.after(() => client.close());
    await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
      return e instanceof VboError && e.reason === "bad_response";
    });
  });
});
