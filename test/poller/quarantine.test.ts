// One record that cannot be read never stops the audit: sessions and events with nulls where VBO's
// spec requires values, and a session whose events list answers 404, are quarantined (kept,
// counted once, listed) while the rest of the page, the other sessions and the cursor move on; once
// they read well they are taken, once, and the truth holds exactly.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NO_FAULTS } from "../../src/simulator/faults.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { get, login } from "../helpers/sim-http.ts";
import { actual, entries, truthAt } from "../helpers/truth.ts";

const sum = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);

/** What the simulator sends, read over HTTP: every session and every event of each. */
async function rawWorld(sim: Awaited<ReturnType<typeof startSimulator>>) {
  const token = await login(sim);
  const version = sim.apiVersion;
  const page = await get(sim, token, `/${version}/RestoreSessions?offset=0&limit=10000`);
  const sessions = (page.json() as { results: Record<string, unknown>[] }).results;
  let nullEventSessions = 0;
  let missingLists = 0;
  for (const session of sessions) {
    if (session.creationTime === null) continue;
    const reply = await get(
      sim,
      token,
      `/${version}/RestoreSessions/${String(session.id)}/Events?offset=0&limit=10000`,
    );
    if (reply.status === 404) {
      missingLists++;
      continue;
    }
    const events = (reply.json() as { results: Record<string, unknown>[] }).results;
    if (events.some((e) => e.id === null)) nullEventSessions++;
  }
  return {
    sessions: sessions.length,
    nullSessions: sessions.filter((s) => s.creationTime === null).length,
    nullEventSessions,
    missingLists,
  };
}

for (const apiVersion of ["v8", "v6"] as const) {
  test(`${apiVersion}: unreadable sessions, events and a 404 events list are quarantined, the poll goes on, and they are taken once when they read well`, async (t) => {
    const sim = await startSimulator({
      apiVersion,
      historySessions: 80,
      ratePerMinute: 0,
      tokenThrottle: false,
      faults: { nullRequiredRate: 0.15, nullEventIdRate: 0.15, eventsNotFound: 2 },
    });
    t.after(() => sim.close());
    const raw = await rawWorld(sim);
    assert.ok(raw.nullSessions > 0 && raw.nullEventSessions > 0, JSON.stringify(raw));
    assert.ok(raw.missingLists > 0, "a readable session whose events list answers 404");
    const core = startCore({
      targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    });
    t.after(() => core.close());

    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true, String(core.poller().status().lastError));
    assert.notEqual(core.store.serverState("lab").cursorMs, null, "the cursor moved");
    // Every readable session is counted, those whose events cannot all be read included.
    const sessions = await actual(core.registry, "vbo_restore_sessions_total");
    assert.equal(sum(sessions), raw.sessions - raw.nullSessions);
    const quarantined = await actual(core.registry, "vbo_records_quarantined_total");
    const counted = (kind: string, reason: string) =>
      quarantined.get(`kind=${kind},reason=${reason},server=lab`);
    assert.equal(counted("session", "missing_field"), raw.nullSessions);
    assert.equal(counted("event", "missing_field"), raw.nullEventSessions);
    assert.equal(counted("event_list", "not_found"), raw.missingLists);
    const series = (await core.registry.getSingleMetric("vbo_records_quarantined_total")?.get())
      ?.values;
    assert.ok(
      series?.some(
        (v) => v.labels.kind === "session" && v.labels.reason === "wrong_type" && v.value === 0,
      ),
      "known label sets are exported at 0",
    );
    const open = core.store.quarantine.open("lab");
    assert.equal(open.length, raw.nullSessions + raw.nullEventSessions + raw.missingLists);
    for (const row of open.filter((r) => r.kind !== "event_list")) {
      assert.match(row.raw, /^\{.*"id".*\}$/, "the record's JSON is kept");
      assert.ok(row.field === "creationTime" || row.field === "id", String(row.field));
    }

    // The same records again: nothing counted twice.
    await core.poller().pollOnce();
    assert.deepEqual(
      entries(await actual(core.registry, "vbo_records_quarantined_total")),
      entries(quarantined),
    );

    // The server sends them well now: each is taken once and its row resolved.
    Object.assign(sim.faults, NO_FAULTS);
    await core.poller().pollOnce();
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true);
    const truth = truthAt(sim, "lab", Date.now());
    for (const [metric, expected] of [
      ["vbo_restore_sessions_total", truth.sessions],
      ["vbo_restore_sessions_finished_total", truth.finished],
      ["vbo_restore_events_total", truth.events],
    ] as const) {
      assert.deepEqual(entries(await actual(core.registry, metric)), entries(expected), metric);
    }
    assert.deepEqual(core.store.quarantine.open("lab"), []);
    assert.deepEqual(
      entries(await actual(core.registry, "vbo_records_quarantined_total")),
      entries(quarantined),
      "the counter keeps what was quarantined",
    );
  });
}
