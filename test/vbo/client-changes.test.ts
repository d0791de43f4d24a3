// The v8 change feed (restoreSessionChanges) and events from an offset, against the simulator on
// loopback: what the feed reports is what the sessions themselves show.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const clientFor = (
  sim: { url: string; username: string; password: string },
  extra: Partial<Parameters<typeof createVboClient>[0]> = {},
) =>
  createVboClient({
    url: sim.url,
    apiVersion: "auto",
    username: sim.username,
    password: sim.password,
    ...extra,
  });

describe("v8 change feed", () => {
  it("reports every session changed since a token with its latest eTag, over many capped pages", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v8",
      historySessions: 30,
      ratePerMinute: 2,
      sessionDurationSeconds: 600,
      maxPageSize: 7,
      clock: clock.now,
    });
    t.after(() => sim.close());
    const client = clientFor(sim, { clock, pageSize: 5 });
    t.after(() => client.close());
    const start = await client.restoreSessionChanges("latest", 0);
    assert.equal(start.updated.size, 0, "latest brings a token, no changes");
    const before = new Map(
      [...sim.world.sessionsAt(clock.now())].map((s) => [s.id, s.eTag as number]),
    );
    clock.advance(3_600_000);
    sim.resetStats();
    const changes = await client.restoreSessionChanges(start.nextToken, 0);
    const now = [...sim.world.sessionsAt(clock.now())];
    const expected = new Map(
      now.filter((s) => before.get(s.id) !== s.eTag).map((s) => [s.id, s.eTag as number]),
    );
    assert.ok(expected.size > 100, `an hour brings many changed sessions (${expected.size})`);
    assert.deepEqual(changes.updated, expected);
    assert.equal(changes.deleted.size, 0);
    assert.ok(sim.stats().requests > expected.size / 7, "read through many pages");
    // Nothing new since: the same token comes back empty.
    const again = await client.restoreSessionChanges(changes.nextToken, 0);
    assert.equal(again.updated.size, 0);
    // Each session's eTag is what getRestoreSession shows.
    const [someId, someTag] = [...expected][0] ?? ["", 0];
    assert.equal((await client.getRestoreSession(someId)).eTag, someTag);
  });

  it("waits for the next change on the simulator's timeline, and for a session added by hand", async (t) => {
    const sim = await startSimulator({
      apiVersion: "v8",
      historySessions: 3,
      ratePerMinute: 0,
    });
    t.after(() => sim.close());
    const client = clientFor(sim, { timeoutMs: 500 });
    t.after(() => client.close());
    const feed = client.restoreSessionChanges;
    const start = await feed("latest", 0);
    const waiting = feed(start.nextToken, 20);
    const added = sim.world.addSession({ durationSeconds: 1, eventCount: 1 });
    const first = await waiting;
    assert.deepEqual([...first.updated.keys()], [added], "the new session is reported at once");
    // Its events and its stop come later on the timeline: the long poll sleeps until then.
    const seen = new Map(first.updated);
    let token = first.nextToken;
    while ((await client.getRestoreSession(added)).state !== "Stopped") {
      const next = await feed(token, 20);
      for (const [id, eTag] of next.updated) seen.set(id, eTag);
      token = next.nextToken;
    }
    const final = await feed(token, 0);
    for (const [id, eTag] of final.updated) seen.set(id, eTag);
    assert.equal(seen.get(added), (await client.getRestoreSession(added)).eTag);
    assert.ok((seen.get(added) ?? 0) >= 3, "start, item, stop: each bumped the eTag");
  });

  it("a long poll on a test clock answers as soon as the test moves the clock and says so", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v8",
      historySessions: 2,
      ratePerMinute: 1,
      clock: clock.now,
    });
    t.after(() => sim.close());
    const client = clientFor(sim, { clock });
    t.after(() => client.close());
    const start = await client.restoreSessionChanges("latest", 0);
    const began = Date.now();
    const waiting = client.restoreSessionChanges(start.nextToken, 600);
    // Once the second feed request has reached the server, it is waiting there.
    while ((sim.stats().byRoute["GET /Events"] ?? 0) < 2) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    clock.advance(180_000);
    sim.world.clockMoved();
    const changes = await waiting;
    assert.ok(changes.updated.size >= 2, "the live sessions of three minutes");
    assert.ok(Date.now() - began < 5_000, "not held for the ten minutes asked");
  });

  it("outlives the normal request timeout while the server holds the long poll", async (t) => {
    const sim = await startSimulator({ apiVersion: "v8", historySessions: 2, ratePerMinute: 0 });
    t.after(() => sim.close());
    const client = clientFor(sim, { timeoutMs: 500, apiVersion: "v8" });
    t.after(() => client.close());
    const start = await client.restoreSessionChanges("latest", 0);
    const began = Date.now();
    const none = await client.restoreSessionChanges(start.nextToken, 1);
    assert.ok(Date.now() - began >= 900, "the server held the answer for about a second");
    assert.equal(none.updated.size, 0);
  });

  it("reports a deleted session, and it answers not_found afterwards", async (t) => {
    const sim = await startSimulator({ apiVersion: "v8", historySessions: 5, ratePerMinute: 0 });
    t.after(() => sim.close());
    const client = clientFor(sim);
    t.after(() => client.close());
    const [victim] = await collect(client.listRestoreSessions({}));
    assert.ok(victim);
    const start = await client.restoreSessionChanges("latest", 0);
    assert.equal(sim.world.deleteSession(victim.id), true);
    const changes = await client.restoreSessionChanges(start.nextToken, 5);
    assert.deepEqual([...changes.deleted], [victim.id]);
    assert.equal(changes.updated.size, 0);
    await assert.rejects(
      client.getRestoreSession(victim.id),
      (e: unknown) => e instanceof VboError && e.reason === "not_found",
    );
  });

  it("fails as change_token_expired on an outdated token (admin switch and age)", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v8",
      historySessions: 5,
      ratePerMinute: 0,
      changeTokenTtlSeconds: 60,
      clock: clock.now,
    });
    t.after(() => sim.close());
    const client = clientFor(sim, { clock });
    t.after(() => client.close());
    const expired = (e: unknown) => e instanceof VboError && e.reason === "change_token_expired";
    const first = await client.restoreSessionChanges("latest", 0);
    sim.world.expireChangeTokens();
    await assert.rejects(client.restoreSessionChanges(first.nextToken, 0), expired);
    const fresh = await client.restoreSessionChanges("latest", 0);
    clock.advance(30_000);
    const kept = await client.restoreSessionChanges(fresh.nextToken, 0);
    assert.equal(kept.updated.size, 0, "a young token is still good");
    clock.advance(61_000);
    await assert.rejects(client.restoreSessionChanges(kept.nextToken, 0), expired);
  });

  it("is not offered by the server before v8 (404, not_found)", async (t) => {
    const sim = await startSimulator({ apiVersion: "v7", historySessions: 2, ratePerMinute: 0 });
    t.after(() => sim.close());
    const client = clientFor(sim);
    t.after(() => client.close());
    await assert.rejects(
      client.restoreSessionChanges("latest", 0),
      (e: unknown) => e instanceof VboError && e.reason === "not_found",
    );
  });
});

describe("events from an offset", () => {
  for (const apiVersion of ["v6", "v7", "v8"] as const) {
    it(`${apiVersion}: returns the events after the first N, in VBO's order, through capped pages`, async (t) => {
      const clock = fakeClock(Date.UTC(2026, 5, 1));
      const sim = await startSimulator({
        apiVersion,
        historySessions: 1,
        ratePerMinute: 0,
        maxPageSize: 7,
        clock: clock.now,
      });
      t.after(() => sim.close());
      const id = sim.world.addSession({
        startedSecondsAgo: 600,
        durationSeconds: 60,
        eventCount: 30,
      });
      const client = clientFor(sim, { clock, pageSize: 10 });
      t.after(() => client.close());
      const truth = sim.world.eventsAt(id, clock.now());
      assert.equal(truth.length, 32);
      const all = await collect(client.listRestoreSessionEvents(id));
      assert.deepEqual(
        all.map((e) => e.id),
        truth.map((e) => e.id),
        "the old call shape reads them all",
      );
      for (const from of [0, 1, 13, 31, 32, 40]) {
        const tail = await collect(
          client.listRestoreSessionEvents(id, undefined, { fromOffset: from }),
        );
        assert.deepEqual(
          tail.map((e) => e.id),
          truth.slice(from).map((e) => e.id),
          `from ${from}`,
        );
      }
    });
  }
});
