// The simulator's data faults as the client meets them over loopback: each produces the shape it
// promises, and the client answers with an error naming the record, or keeps the odd value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FaultSettings, startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function setup(
  t: { after: (fn: () => unknown) => void },
  apiVersion: "v6" | "v7" | "v8",
  faults: Partial<FaultSettings>,
  organizations = 4,
) {
  const clock = fakeClock(Date.UTC(2026, 5, 1));
  const sim = await startSimulator({
    apiVersion,
    historySessions: 40,
    organizations,
    ratePerMinute: 0,
    clock: clock.now,
    faults,
  });
  t.after(() => sim.close());
  const client = createVboClient({
    url: sim.url,
    apiVersion,
    username: sim.username,
    password: sim.password,
    clock,
  });
  t.after(() => client.close());
  return { sim, client };
}

describe("simulator data faults through the client", () => {
  it("null creationTime on a session and null id on an event are bad_response naming the field", async (t) => {
    const { sim, client } = await setup(t, "v8", {});
    const clean = await collect(client.listRestoreSessions({}));
    sim.faults.nullRequiredRate = 0.2;
    await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
      assert.ok(e instanceof VboError);
      assert.equal(e.reason, "bad_response");
      assert.match(e.message, /field "creationTime" is missing/);
      return true;
    });
    let refusedEvents = 0;
    for (const session of clean) {
      try {
        await collect(client.listRestoreSessionEvents(session.id));
      } catch (error) {
        assert.ok(error instanceof VboError);
        assert.match(error.message, /restore event: field "id" is missing/);
        refusedEvents++;
      }
    }
    assert.ok(refusedEvents > 0 && refusedEvents < clean.length, `${refusedEvents} sessions`);
  });

  it("keeps unknown enum values such as Queued", async (t) => {
    const { sim, client } = await setup(t, "v7", { unknownEnumRate: 1 });
    const working = sim.world.addSession({ durationSeconds: 600 });
    assert.equal((await client.getRestoreSession(working)).state, "Queued");
    const sessions = await collect(client.listRestoreSessions({}));
    assert.ok(sessions.some((s) => s.type === "VeBackupCopy"));
    const [first] = sessions;
    assert.ok(first);
    const events = await collect(client.listRestoreSessionEvents(first.id));
    assert.ok(events.every((e) => e.status === "PartiallySucceeded"));
  });

  it("answers 404 for the events of the one session eventsNotFound names, and only those", async (t) => {
    const { client } = await setup(t, "v6", { eventsNotFound: 1 });
    const sessions = await collect(client.listRestoreSessions({}));
    let missing = 0;
    for (const session of sessions) {
      await client.getRestoreSession(session.id);
      try {
        await collect(client.listRestoreSessionEvents(session.id));
      } catch (error) {
        assert.ok(error instanceof VboError && error.reason === "not_found");
        missing++;
      }
    }
    assert.equal(missing, 1);
  });

  it("sends 10 KB clientHost values", async (t) => {
    const { client } = await setup(t, "v8", { hugeClientHostRate: 0.5 });
    const sessions = await collect(client.listRestoreSessions({}));
    const huge = sessions.filter((s) => (s.clientHost ?? "").length === 10_240);
    assert.ok(huge.length > 5 && huge.length < sessions.length, `${huge.length} huge`);
  });

  for (const apiVersion of ["v6", "v8"] as const) {
    it(`${apiVersion}: serves 2 000 organizations, every session's organization among them`, async (t) => {
      const { client } = await setup(t, apiVersion, {}, 2000);
      const organizations = await client.listOrganizations();
      assert.equal(organizations.length, 2000);
      assert.equal(new Set(organizations.map((o) => o.name)).size, 2000, "names are distinct");
      const names = new Set(organizations.map((o) => o.name));
      for (const s of await collect(client.listRestoreSessions({}))) {
        assert.ok(names.has(s.organization ?? ""), String(s.organization));
      }
    });
  }
});
