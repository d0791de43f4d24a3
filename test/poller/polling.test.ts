// Poll cost and isolation: an idle poll does not grow with history, one server down leaves the
// other working, and counters continue across a restart instead of dropping to zero.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { expectedClientHost } from "../helpers/expected-labels.ts";
import { startCore } from "../helpers/exporter-core.ts";
import { freePort } from "../helpers/ops-processes.ts";
import { get, login } from "../helpers/sim-http.ts";
import { actual, entries, histogramCounts, truthAt } from "../helpers/truth.ts";

async function idleRequests(historySessions: number): Promise<number> {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions,
    historyDays: 10,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
  });
  try {
    await core.poller().pollOnce();
    await core.poller().pollOnce();
    sim.resetStats();
    await core.poller().pollOnce();
    assert.equal(core.poller().status().up, true);
    return sim.stats().requests;
  } finally {
    await core.close();
    await sim.close();
  }
}

test("an idle poll costs the same with 10x the history", async () => {
  const small = await idleRequests(300);
  const large = await idleRequests(3000);
  // One page of recent sessions and one read of the change feed: the running sessions of the
  // seeded history did not change, so none is read again.
  assert.ok(small <= 3, `idle poll made ${small} requests`);
  assert.ok(large <= small, `idle poll grew from ${small} to ${large} requests`);
});

test("two servers, one unreachable: the other is polled, vbo_up and the reason say which", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v7",
    historySessions: 30,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const port = await freePort();
  const core = startCore({
    targets: [
      { name: "good", url: sim.url, username: sim.username, password: sim.password },
      {
        name: "down",
        url: `http://127.0.0.1:${port}`,
        username: "x",
        password: "y",
        apiVersion: "v8",
      },
    ],
  });
  t.after(async () => {
    await core.close();
    await sim.close();
  });
  await Promise.all([core.poller("good").pollOnce(), core.poller("down").pollOnce()]);
  const up = await core.registry.getSingleMetric("vbo_up")?.get();
  const value = (server: string) => up?.values.find((v) => v.labels.server === server)?.value;
  assert.equal(value("good"), 1);
  assert.equal(value("down"), 0);
  assert.equal(core.poller("down").status().lastError?.reason, "unreachable");
  const errors = await actual(core.registry, "vbo_poll_errors_total");
  assert.equal(errors.get("reason=unreachable,server=down"), 1);
  const truth = truthAt(sim, "good", Date.now());
  assert.deepEqual(
    entries(await actual(core.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
});

test("restart: counters continue from the stored values and nothing is counted again", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v6",
    historySessions: 60,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const target = { name: "lab", url: sim.url, username: sim.username, password: sim.password };
  const first = startCore({ targets: [target] });
  await first.poller().pollOnce();
  const counted = await actual(first.registry, "vbo_restore_events_total");
  await first.close({ keepDir: true });
  const second = startCore({ targets: [target], dir: first.dir });
  t.after(() => second.close());
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_restore_events_total")),
    entries(counted),
    "hydrated, not zero",
  );
  await second.poller().pollOnce();
  await second.poller().pollOnce();
  const truth = truthAt(sim, "lab", Date.now());
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_restore_events_total")),
    entries(truth.events),
  );
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_restore_sessions_total")),
    entries(truth.sessions),
  );
  assert.deepEqual(
    entries(await histogramCounts(second.registry, "vbo_restore_session_duration_seconds")),
    entries(truth.durationCounts),
    "the duration histogram is rebuilt, not counted twice",
  );
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_last_restore_session_timestamp_seconds")),
    entries(truth.lastSession),
    "the newest-session gauge is restored too",
  );
  assert.deepEqual(
    entries(await actual(second.registry, "vbo_restore_sessions_running")),
    entries(truth.running),
  );
});

test("cardinality guard: beyond clientHostLimit new hosts count as other; the label can be dropped", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 200,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const target = { name: "lab", url: sim.url, username: sim.username, password: sim.password };
  const limited = startCore({ targets: [target], poller: { clientHostLimit: 3 } });
  t.after(() => limited.close());
  await limited.poller().pollOnce();
  const sessions = await actual(limited.registry, "vbo_restore_sessions_total");
  const hosts = new Set([...sessions.keys()].map((k) => /client_host=([^,]*)/.exec(k)?.[1]));
  assert.equal(hosts.size, 4, `three admitted hosts plus "other": ${[...hosts].join(" ")}`);
  assert.ok(hosts.has("other"));
  const overflow = await actual(limited.registry, "vbo_client_host_overflow_total");
  const otherCount = [...sessions]
    .filter(([k]) => k.includes("client_host=other"))
    .reduce((a, [, v]) => a + v, 0);
  assert.equal(overflow.get("server=lab"), otherCount);

  const dropped = startCore({ targets: [target], poller: { dropClientHostLabel: true } });
  t.after(() => dropped.close());
  await dropped.poller().pollOnce();
  const withoutHosts = await actual(dropped.registry, "vbo_restore_sessions_total");
  assert.ok(
    [...withoutHosts.keys()].every(
      (k) => k.includes("client_host=,") || k.endsWith("client_host="),
    ),
  );
});

test("label length: a 10 KB clientHost becomes a bounded label, distinct hosts stay apart", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 60,
    ratePerMinute: 0,
    tokenThrottle: false,
    faults: { hugeClientHostRate: 0.5 },
  });
  t.after(() => sim.close());
  const target = { name: "lab", url: sim.url, username: sim.username, password: sim.password };
  const core = startCore({ targets: [target] });
  t.after(() => core.close());
  await core.poller().pollOnce();
  // What VBO sent, over the wire, mapped by the README's rules.
  const token = await login(sim);
  const page = await get(sim, token, "/v8/RestoreSessions?offset=0&limit=10000");
  const sent = (page.json() as { results: { clientHost: unknown }[] }).results;
  const expected = new Map<string, number>();
  for (const s of sent) {
    const host = expectedClientHost(s.clientHost);
    expected.set(host, (expected.get(host) ?? 0) + 1);
  }
  assert.ok(
    sent.some((s) => String(s.clientHost).length >= 10_000),
    "huge hosts were sent",
  );
  const series = (await core.registry.getSingleMetric("vbo_restore_sessions_total")?.get())?.values;
  const counted = new Map<string, number>();
  for (const v of series ?? []) {
    const host = String(v.labels.client_host);
    counted.set(host, (counted.get(host) ?? 0) + v.value);
  }
  assert.ok(
    [...counted.keys()].every((h) => h.length <= 128),
    `longest ${Math.max(...[...counted.keys()].map((h) => h.length))}`,
  );
  assert.ok(
    [...counted.keys()].some((h) => /~[0-9a-f]{8}$/.test(h)),
    "long hosts end in ~hash",
  );
  const sorted = (m: Map<string, number>) => [...m].filter(([, v]) => v > 0).sort();
  assert.deepEqual(sorted(counted), sorted(expected));
});

test("cardinality guard by label: beyond labelLimits new organizations and event types count as other", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v7",
    historySessions: 80,
    organizations: 5,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const target = { name: "lab", url: sim.url, username: sim.username, password: sim.password };
  const core = startCore({
    targets: [target],
    poller: { labelLimits: { organization: 2, event_type: 2 } },
  });
  t.after(() => core.close());
  await core.poller().pollOnce();
  const sessions = await actual(core.registry, "vbo_restore_sessions_total");
  const orgs = new Set([...sessions.keys()].map((k) => /organization=([^,]*)/.exec(k)?.[1]));
  assert.equal(orgs.size, 3, `two admitted organizations plus "other": ${[...orgs].join(" ")}`);
  assert.ok(orgs.has("other"));
  const overflow = await actual(core.registry, "vbo_label_overflow_total");
  const sumOf = (values: Map<string, number>, match: string) =>
    [...values].filter(([k]) => k.includes(match)).reduce((a, [, v]) => a + v, 0);
  assert.equal(
    overflow.get("label=organization,server=lab"),
    sumOf(sessions, "organization=other"),
  );
  const events = await actual(core.registry, "vbo_restore_events_total");
  const types = new Set([...events.keys()].map((k) => /event_type=([^,]*)/.exec(k)?.[1]));
  assert.equal(types.size, 3, [...types].join(" "));
  assert.equal(overflow.get("label=event_type,server=lab"), sumOf(events, "event_type=other"));
  // Nothing is lost: the totals are the truth's.
  const truth = truthAt(sim, "lab", Date.now());
  assert.equal(sumOf(sessions, ""), truth.sessionCount);
  assert.equal(sumOf(events, ""), truth.eventCount);
  const zeros = (await core.registry.getSingleMetric("vbo_label_overflow_total")?.get())?.values;
  assert.ok(
    zeros?.some((v) => v.labels.label === "subject" && v.value === 0),
    "exported at 0",
  );
});
