// The client against the project's simulator served over HTTPS with a certificate made by openssl
// at test time: auto version detection and paging work through a trusted CA file, an unknown CA is
// refused before any credential leaves, and the explicit skip reads the data too.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import type { RestoreSession } from "../../src/vbo/types.ts";
import { makeTestPki } from "../helpers/tls.ts";
import { fakeClock } from "./fake-clock.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("VBO client against the simulator over HTTPS", () => {
  it("reads every session through a CA file, refuses an unknown CA as tls, and honours the insecure skip", async (t) => {
    const pki = makeTestPki();
    t.after(() => pki.cleanup());
    const other = makeTestPki("Unrelated CA");
    t.after(() => other.cleanup());
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v7",
      port: 0,
      historySessions: 12,
      ratePerMinute: 0,
      maxPageSize: 5,
      clock: clock.now,
      tls: { cert: pki.certPem, key: pki.keyPem },
    });
    t.after(() => sim.close());
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const base = {
      url: sim.url,
      apiVersion: "auto" as const,
      username: sim.username,
      password: sim.password,
      clock,
      userAgent: "vbo-restore-exporter-test",
    };

    const trusting = createVboClient({ ...base, tls: { caFile: pki.caFile } });
    t.after(() => trusting.close());
    assert.equal(await trusting.apiVersion(), "v7");
    const sessions: RestoreSession[] = await collect(trusting.listRestoreSessions({}));
    const truth = [...sim.world.sessionsAt(clock.now())];
    assert.equal(sessions.length, truth.length);
    assert.ok(sessions.length >= 12);
    assert.deepEqual(
      sessions.map((s) => s.id).sort(),
      truth.map((s) => s.id).sort(),
      "every session exactly once",
    );

    const statsBefore = sim.stats();
    const refusing = createVboClient({ ...base, tls: { caFile: other.caFile } });
    t.after(() => refusing.close());
    await assert.rejects(collect(refusing.listRestoreSessions({})), (e: unknown) => {
      assert.ok(e instanceof VboError);
      assert.equal(e.reason, "tls");
      assert.match(e.message, /tls\.caFile/);
      assert.ok(!e.message.includes(sim.password));
      return true;
    });
    assert.equal(sim.stats().requests, statsBefore.requests, "no request got past the handshake");
    assert.equal(sim.stats().tokenRequests, statsBefore.tokenRequests);

    const insecure = createVboClient({ ...base, tls: { insecureSkipVerify: true } });
    t.after(() => insecure.close());
    const first = sessions[0];
    assert.ok(first !== undefined);
    assert.deepEqual(await insecure.getRestoreSession(first.id), first);
  });
});
