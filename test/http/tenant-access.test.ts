// Tenant users (web.tenants) see their organizations only: /metrics cut to their series, the
// landing page, session pages and the feed of watched accesses. Real polling of the simulator
// into a real registry and store, real HTTP; nothing of another organization may appear anywhere:
// names, series, records, counts, error messages, totals or overflow buckets.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../src/config/password-hash.ts";
import { createApp } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import type { WatchedAccessView } from "../../src/pipeline/status.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";
import { type Core, startCore } from "../helpers/exporter-core.ts";
import { basic, get } from "./request.ts";

let sim: RunningSimulator;
let core: Core;
let web: WebServer;
let mine: string;
let others: string[];
const provider = basic("provider", "provider-pw");
const tenant = basic("fabrikam-ops", "tenant-pw");

/** A name as it may be written: plain, in HTML, in JSON, as a Prometheus label value. */
function spellings(name: string): string[] {
  const html = name
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
  const label = name.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return [...new Set([name, html, JSON.stringify(name).slice(1, -1), label])];
}

/** Every trace of the other organizations: their names and their sessions' ids (from the truth). */
function forbidden(): string[] {
  const foreign = [...sim.world.sessionsAt(Date.now())].filter((s) => s.organization !== mine);
  return [...others.flatMap(spellings), ...foreign.map((s) => s.id)];
}

function assertNothingOf(body: string, where: string): void {
  for (const text of forbidden()) assert.ok(!body.includes(text), `${where} shows ${text}`);
}

function access(seq: number, organization: string | null, subject: string): WatchedAccessView {
  return {
    seq,
    server: "lab",
    organization,
    subject,
    sessionId: `s-${seq}`,
    eventId: `e-${seq}`,
    eventType: "Save",
    status: "Success",
    time: "2026-12-01T10:00:00Z",
    initiatedBy: null,
    clientHost: "HOST",
    clientGateway: null,
    restoreType: "exchange",
    itemName: null,
    itemSource: null,
    itemTarget: null,
    observedAtMs: 1_764_583_200_000 + seq * 1000,
  };
}

before(async () => {
  sim = await startSimulator({
    apiVersion: "v8",
    organizations: 4,
    historySessions: 80,
    historyDays: 3,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const orgs = sim.world.organizations().map((o) => o.name);
  mine = orgs.find((n) => n.startsWith("Fabrikam")) ?? "";
  others = orgs.filter((n) => n !== mine);
  core = startCore({
    targets: [{ name: "lab", url: sim.url, username: sim.username, password: sim.password }],
    // A low limit so that overflow buckets (client_host="other") exist for every organization.
    poller: { clientHostLimit: 2 },
  });
  await core.poller().pollOnce();
  const [first, second] = others;
  const feed: WatchedAccessView[] = [
    access(1, first ?? null, "ceo@contoso"),
    access(2, mine, "cfo@fabrikam"),
    access(3, second ?? null, "hr@other"),
    access(4, null, "https://site/without/organization"),
    access(5, mine, "board@fabrikam"),
  ];
  const ln = 10;
  web = await startWebServer(
    createApp({
      registry: core.registry,
      statuses: () => [
        core.poller().status(),
        {
          server: "gone",
          url: "http://127.0.0.1:1",
          apiVersion: null,
          serverVersion: null,
          up: false,
          polls: 1,
          lastPollStartedAt: 1,
          lastSuccessAt: null,
          lastError: { reason: "bad_data", message: `session of ${first} unreadable`, at: 1 },
        },
      ],
      recentSessions: (limit, organizations) => core.store.recentSessions(limit, organizations),
      ready: () => ({ ready: false, reason: `waiting for the first poll of ${first}` }),
      version: "test",
      basicAuth: {
        username: "provider",
        password: null,
        passwordHash: await hashPassword("provider-pw", ln),
      },
      tenants: [
        {
          username: "fabrikam-ops",
          passwordHash: await hashPassword("tenant-pw", ln),
          organizations: [mine],
        },
      ],
      watchedAccesses: (since, limit) => feed.filter((a) => a.seq > since).slice(0, limit),
      latestWatchedAccesses: (limit) => [...feed].reverse().slice(0, limit),
      grafana: { url: "https://grafana.example", lokiDatasource: "loki" },
    }),
    { host: "127.0.0.1", port: 0, tls: null },
  );
});

after(async () => {
  await web.close();
  await core.close();
  await sim.close();
});

test("the provider sees every organization (so the checks below can fail)", async () => {
  const metrics = (await get(`${web.url}metrics`, { headers: provider })).body;
  for (const name of [mine, ...others])
    assert.ok(
      metrics.includes(`organization="${name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`),
      name,
    );
  assert.match(metrics, /client_host="other"/);
  assert.match(metrics, /^vbo_up\{/m);
  const landing = (await get(web.url, { headers: provider })).body;
  assert.throws(() => assertNothingOf(landing, "landing"));
});

test("/metrics: only the tenant's series, and none of the exporter's own", async () => {
  const reply = await get(`${web.url}metrics`, { headers: tenant });
  assert.equal(reply.status, 200);
  const samples = reply.body.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.ok(samples.length > 10, "the tenant has series");
  const escaped = mine.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  for (const line of samples) assert.ok(line.includes(`organization="${escaped}"`), line);
  assert.ok(
    samples.some((l) => l.includes('client_host="other"')),
    "their own overflow bucket",
  );
  for (const family of ["vbo_up", "vbo_client_host_overflow_total", "vbo_api_requests_total"])
    assert.ok(!reply.body.includes(family), `${family} is the provider's`);
  assertNothingOf(reply.body, "/metrics");

  // The tenant's series are the provider's series of that organization, value for value.
  const all = (await get(`${web.url}metrics`, { headers: provider })).body;
  const theirs = all.split("\n").filter((l) => l.includes(`organization="${escaped}"`));
  assert.deepEqual(samples, theirs);
});

test("landing page: their sessions and counts only, no servers, errors or other organizations", async () => {
  const reply = await get(web.url, { headers: tenant });
  assert.equal(reply.status, 200);
  assertNothingOf(reply.body, "landing page");
  assert.ok(!reply.body.includes("gone"), "the provider's servers are not shown");
  assert.ok(!reply.body.includes("unreadable"), "nor their errors");
  // Watched data accessed: their subjects, newest first, and no other organization's.
  assert.match(reply.body, /Watched data accessed[\s\S]*board@fabrikam[\s\S]*cfo@fabrikam/);
  for (const subject of ["ceo@contoso", "hr@other", "https://site/without/organization"])
    assert.ok(!reply.body.includes(subject), `the landing page shows ${subject}`);
  const providerPage = (await get(web.url, { headers: provider })).body;
  for (const subject of ["ceo@contoso", "hr@other", "board@fabrikam"])
    assert.ok(providerPage.includes(subject), `the provider's landing page shows ${subject}`);
  const expected = [...sim.world.sessionsAt(Date.now())].filter(
    (s) => s.organization === mine,
  ).length;
  assert.ok(expected > 0);
  assert.match(reply.body, new RegExp(`of <strong>${expected} sessions</strong>`));
  // Filtering for another organization shows nothing of it either.
  const probe = await get(`${web.url}?organization=${encodeURIComponent(others[0] ?? "")}`, {
    headers: tenant,
  });
  assert.match(probe.body, /of <strong>0 matching sessions<\/strong>/);
});

test("a tenant's list is their newest sessions, however many newer ones other organizations have", async (t) => {
  // A window of 6 sessions: the provider's page counts the newest 6 of everyone's, the tenant's
  // the newest 6 of theirs (not whichever of theirs happen to be among everyone's newest 6).
  const small = await startWebServer(
    createApp({
      registry: core.registry,
      statuses: () => [],
      recentSessions: (limit, organizations) => core.store.recentSessions(limit, organizations),
      ready: () => ({ ready: true }),
      version: "test",
      basicAuth: { username: "provider", password: "provider-pw", passwordHash: null },
      tenants: [
        {
          username: "fabrikam-ops",
          passwordHash: await hashPassword("tenant-pw", 10),
          organizations: [mine],
        },
      ],
      sessionWindow: 6,
      sessionLimit: 6,
    }),
    { host: "127.0.0.1", port: 0, tls: null },
  );
  t.after(() => small.close());
  const theirs = [...sim.world.sessionsAt(Date.now())]
    .filter((s) => s.organization === mine)
    .sort((a, b) => Date.parse(String(b.creationTime)) - Date.parse(String(a.creationTime)))
    .slice(0, 6);
  assert.equal(theirs.length, 6, "the simulator has enough of their sessions");
  const page = (await get(small.url, { headers: tenant })).body;
  for (const s of theirs) assert.ok(page.includes(s.id), `their session ${s.id} is listed`);
  assertNothingOf(page, "the tenant's landing page");
});

test("session pages: their own open; another organization's answers like one that does not exist", async () => {
  const sessions = core.store.recentSessions(5000);
  const own = sessions.find((s) => s.organization === mine);
  const foreign = sessions.find((s) => s.organization !== mine);
  assert.ok(own && foreign);
  const page = (id: string) =>
    get(`${web.url}session?server=lab&id=${encodeURIComponent(id)}`, { headers: tenant });
  assert.equal((await page(own.id)).status, 200);
  const refused = await page(foreign.id);
  const missing = await page("00000000-0000-4000-8000-000000000000");
  assert.equal(refused.status, 404);
  assert.deepEqual([refused.status, refused.body], [missing.status, missing.body]);
  assertNothingOf(refused.body, "session page");
  const gone = await get(`${web.url}session?server=gone&id=${own.id}`, { headers: tenant });
  assert.deepEqual([gone.status, gone.body], [missing.status, missing.body]);
});

test("feed of watched accesses: their entries, with cursors that say nothing of the others", async () => {
  const reply = await get(`${web.url}api/v1/audit/accesses`, { headers: tenant });
  assert.equal(reply.status, 200);
  const body = JSON.parse(reply.body) as { cursor: string; accesses: WatchedAccessView[] };
  assert.deepEqual(
    body.accesses.map((a) => a.subject),
    ["cfo@fabrikam", "board@fabrikam"],
  );
  assertNothingOf(reply.body, "feed");
  assert.ok(!reply.body.includes("hr@other") && !reply.body.includes("site/without"));
  // Global sequence numbers would show by their gap that two other accesses came between.
  const [a, b] = body.accesses;
  assert.ok(a && b);
  assert.ok(![2, 5].includes(a.seq) && ![2, 5].includes(b.seq));
  const next = await get(`${web.url}api/v1/audit/accesses?since=${a.seq}`, { headers: tenant });
  const rest = JSON.parse(next.body) as { cursor: string; accesses: WatchedAccessView[] };
  assert.deepEqual(
    rest.accesses.map((x) => x.subject),
    ["board@fabrikam"],
  );
  assert.equal(rest.cursor, String(b.seq));
});

test("readiness and refusals speak of no server or organization", async () => {
  const ready = await get(`${web.url}readyz`, { headers: tenant });
  assert.deepEqual([ready.status, ready.body], [503, "not ready\n"]);
  const providerReady = await get(`${web.url}readyz`, { headers: provider });
  assert.match(providerReady.body, /waiting for the first poll/);
  const wrong = await get(`${web.url}metrics`, { headers: basic("fabrikam-ops", "nope") });
  assert.equal(wrong.status, 401);
  // The tenant's password is not the provider's, nor the other way round.
  assert.equal(
    (await get(`${web.url}metrics`, { headers: basic("provider", "tenant-pw") })).status,
    401,
  );
  assert.equal(
    (await get(`${web.url}metrics`, { headers: basic("fabrikam-ops", "provider-pw") })).status,
    401,
  );
});
