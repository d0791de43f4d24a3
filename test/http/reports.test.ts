// /reports over real HTTP: the exporter's app with a report service reading the simulator through
// a real VBO client. The provider reaches every organization; a tenant user only theirs, and any
// other organization answers byte for byte like one that does not exist. Numbers are checked
// against the simulator's own truth (its JSON, counted here).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { hashPassword } from "../../src/config/password-hash.ts";
import { createApp } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import { findChromium, printPdf } from "../../src/report/print-pdf.ts";
import { createReportService } from "../../src/report/report-service.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";
import type { ClosableVboClient } from "../../src/vbo/client.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { underCi } from "../helpers/ops-tools.ts";
import { basic, get } from "./request.ts";

const DAY = 86_400_000;
let sim: RunningSimulator;
let client: ClosableVboClient;
let web: WebServer;
let mine: string;
let others: string[];
const provider = basic("provider", "provider-pw");
const tenant = basic("fabrikam-ops", "tenant-pw");
const orphan = basic("gone-ops", "gone-pw");

const inHtml = (name: string) =>
  name
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** A name as it may be written: plain, in HTML, in JSON, in a URL. */
function spellings(name: string): string[] {
  return [
    ...new Set([
      name,
      inHtml(name),
      JSON.stringify(name).slice(1, -1),
      encodeURIComponent(name),
      new URLSearchParams({ o: name }).toString().slice(2),
    ]),
  ];
}

function assertNothingOf(names: readonly string[], body: string, where: string): void {
  for (const name of names)
    for (const text of spellings(name)) assert.ok(!body.includes(text), `${where} shows ${text}`);
}

function period(): { fromMs: number; toMs: number; query: string } {
  const fromMs = Math.floor((Date.now() - 4 * DAY) / DAY) * DAY;
  const toMs = fromMs + 3 * DAY;
  const query = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
  return { fromMs, toMs, query };
}

function truthOf(organization: string, fromMs: number, toMs: number) {
  const now = Date.now();
  const sessions = [...sim.world.sessionsAt(now)].filter((s) => {
    const start = Date.parse(String(s.creationTime));
    return s.organization === organization && start >= fromMs && start < toMs;
  });
  const events = sessions.flatMap((s) => sim.world.eventsAt(s.id, now));
  const items = events.filter((e) => e.type !== "None" || String(e.itemName ?? "") !== "");
  return {
    ids: new Set(sessions.map((s) => s.id)),
    totals: {
      sessions: sessions.length,
      failedSessions: sessions.filter((s) => s.state === "Stopped" && s.result === "Failed").length,
      runningSessions: sessions.filter((s) => s.state !== "Stopped").length,
      events: events.length,
      items: items.length,
      itemBytes: items.reduce((sum, e) => sum + Number(e.itemSizeBytes ?? 0), 0),
      failedEvents: events.filter((e) => e.status === "Failed").length,
    },
  };
}

const reportUrl = (organization: string, rest: string) =>
  `${web.url}reports/report?organization=${encodeURIComponent(organization)}&${rest}`;

before(async () => {
  sim = await startSimulator({
    apiVersion: "v8",
    organizations: 4,
    historySessions: 120,
    historyDays: 6,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  const orgs = sim.world.organizations().map((o) => o.name);
  mine = orgs.find((n) => n.startsWith("Fabrikam")) ?? "";
  others = orgs.filter((n) => n !== mine);
  assert.ok(mine !== "" && others.length === 3);
  client = createVboClient({
    url: sim.url,
    apiVersion: "auto",
    username: sim.username,
    password: sim.password,
    timeoutMs: 10_000,
  });
  const ln = 10;
  web = await startWebServer(
    createApp({
      registry: { contentType: "text/plain", metrics: async () => "" },
      statuses: () => [],
      recentSessions: () => [],
      ready: () => ({ ready: true }),
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
        {
          username: "gone-ops",
          passwordHash: await hashPassword("gone-pw", ln),
          organizations: ["Gone Ltd"],
        },
      ],
      reports: createReportService({
        clients: new Map([["lab", client]]),
        watchlist: () => undefined,
        now: Date.now,
      }),
      printPdf: (html) => printPdf(html),
    }),
    { host: "127.0.0.1", port: 0, tls: null },
  );
});

after(async () => {
  await web.close();
  client.close();
  await sim.close();
});

test("/reports: the provider sees every organization, a tenant only theirs", async () => {
  const all = await get(`${web.url}reports`, { headers: provider });
  assert.equal(all.status, 200);
  for (const name of [mine, ...others])
    assert.ok(all.body.includes(inHtml(name)), `the provider's list has ${name}`);
  const theirs = await get(`${web.url}reports`, { headers: tenant });
  assert.equal(theirs.status, 200);
  assert.ok(theirs.body.includes(inHtml(mine)));
  assertNothingOf(others, theirs.body, "the tenant's reports page");
  // Each link opens a report of that organization.
  const href = /href="(reports\/report\?[^"]+format=json)"/.exec(theirs.body)?.[1];
  assert.ok(href, "a JSON link");
  const linked = await get(new URL(href.replace(/&amp;/g, "&"), web.url).href, {
    headers: tenant,
  });
  assert.equal(linked.status, 200);
  assert.equal((JSON.parse(linked.body) as { organization: string }).organization, mine);
  const gone = await get(`${web.url}reports`, { headers: orphan });
  assert.equal(gone.status, 200);
  assert.match(gone.body, /None of your organizations is on a VBO server/);
  assertNothingOf([mine, ...others], gone.body, "a page of a user whose organization is gone");
});

test("a tenant's report equals the simulator's truth of the period", async () => {
  const { fromMs, toMs, query } = period();
  const truth = truthOf(mine, fromMs, toMs);
  assert.ok(truth.totals.sessions >= 3, `${truth.totals.sessions} sessions in the period`);
  const reply = await get(reportUrl(mine, `${query}&format=json`), { headers: tenant });
  assert.equal(reply.status, 200, reply.body);
  assert.match(String(reply.headers["content-type"]), /^application\/json/);
  const report = JSON.parse(reply.body) as {
    organization: string;
    from: string;
    to: string;
    totals: Record<string, number>;
    sessions: { id: string }[];
  };
  assert.equal(report.organization, mine);
  assert.equal(report.from, new Date(fromMs).toISOString());
  assert.equal(report.to, new Date(toMs).toISOString());
  assert.deepEqual(
    { ...report.totals, watchedEvents: undefined, unreadableRecords: undefined },
    { ...truth.totals, watchedEvents: undefined, unreadableRecords: undefined },
  );
  assert.deepEqual(new Set(report.sessions.map((s) => s.id)), truth.ids);
  assertNothingOf(others, reply.body, "the tenant's report");

  const html = await get(reportUrl(mine, query), { headers: tenant });
  assert.equal(html.status, 200);
  assert.match(String(html.headers["content-type"]), /^text\/html/);
  assert.match(
    html.body,
    new RegExp(`<th>Sessions</th><td class="num">${truth.totals.sessions}</td>`),
  );
  assertNothingOf(others, html.body, "the tenant's HTML report");
});

test("another organization's report answers a tenant exactly like one that does not exist", async () => {
  const { query } = period();
  const asked = async (organization: string, extra = "") =>
    get(reportUrl(organization, `${query}${extra}`), { headers: tenant });
  const missing = await asked("No Such Organization Inc");
  assert.equal(missing.status, 404);
  for (const other of others) {
    for (const extra of ["", "&format=json", "&format=pdf", "&server=lab", "&server=elsewhere"]) {
      const refused = await asked(other, extra);
      assert.equal(refused.status, missing.status, `${other}${extra}`);
      assert.equal(refused.body, missing.body, `${other}${extra}`);
      assertNothingOf(others, refused.body, "a refusal");
    }
  }
  // Their own organization on a server name that does not exist: the same answer.
  const wrongServer = await get(reportUrl(mine, `${query}&server=elsewhere`), { headers: tenant });
  assert.equal(wrongServer.status, 404);
  assert.equal(wrongServer.body, missing.body);
  // A user whose organization VBO no longer has gets an empty report, not an error.
  const gone = await get(reportUrl("Gone Ltd", `${query}&format=json`), { headers: orphan });
  assert.equal(gone.status, 200, gone.body);
  assert.equal((JSON.parse(gone.body) as { totals: { sessions: number } }).totals.sessions, 0);
  assertNothingOf([mine, ...others], gone.body, "an empty report");
});

test("bad requests get a sentence: reversed, future, too long, unknown format or organization", async () => {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: [string, number, RegExp][] = [
    [`from=${iso(now - DAY)}&to=${iso(now - 2 * DAY)}`, 400, /period is reversed or empty/],
    [`from=${iso(now + DAY)}&to=${iso(now + 2 * DAY)}`, 400, /starts in the future/],
    [`from=2024-01-01&to=2025-06-01`, 400, /at most 366 days/],
    [`from=yesterday&to=${iso(now)}`, 400, /from: "yesterday" is not a time/],
    [`month=2026-13`, 400, /month: expected YYYY-MM/],
    [`${period().query}&format=docx`, 400, /format: expected html, pdf or json/],
    [`to=${iso(now)}`, 400, /from is required/],
  ];
  for (const [query, status, pattern] of cases) {
    const reply = await get(reportUrl(mine, query), { headers: provider });
    assert.equal(reply.status, status, query);
    assert.match(reply.body, pattern, query);
  }
  // The provider may name it as the report command takes it: any letter case, domain or id.
  const org = sim.world.organizations().find((o) => o.name === mine);
  assert.ok(org);
  for (const typed of [mine.toUpperCase(), org.id]) {
    const reply = await get(reportUrl(typed, `${period().query}&format=json`), {
      headers: provider,
    });
    assert.equal(reply.status, 200, reply.body);
    assert.equal((JSON.parse(reply.body) as { organization: string }).organization, mine);
  }
  // A tenant user's organization is matched exactly (it is their scope, not a search).
  assert.equal(
    (await get(reportUrl(mine.toUpperCase(), period().query), { headers: tenant })).status,
    404,
  );
  const typo = await get(reportUrl("Fabrikm", period().query), { headers: provider });
  assert.equal(typo.status, 404);
  assert.match(typo.body, /has no organization named "Fabrikm"/);
  const noOrg = await get(`${web.url}reports/report?${period().query}`, { headers: provider });
  assert.equal(noOrg.status, 400);
  assert.equal((await get(`${web.url}reports`)).status, 401, "reports need credentials");
});

test("a month's report as PDF", async (t) => {
  if (findChromium() === null && !underCi()) {
    t.skip("no chromium on PATH (apt-get install chromium)");
    return;
  }
  const reply = await get(reportUrl(mine, `${period().query}&format=pdf`), { headers: tenant });
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.headers["content-type"], "application/pdf");
  assert.match(
    String(reply.headers["content-disposition"]),
    /^attachment; filename="restore-report-.+\.pdf"$/,
  );
  assert.ok(reply.body.startsWith("%PDF-"));
});

test("a period is read exactly as written in UTC, or refused with a sentence", async () => {
  const reportOf = async (query: string) => {
    const reply = await get(reportUrl(mine, `${query}&format=json`), { headers: provider });
    return {
      ...reply,
      json: reply.status === 200 ? (JSON.parse(reply.body) as Record<string, unknown>) : null,
    };
  };
  // Days that do not exist, and numbers that are no ISO 8601 time at all, are refused.
  for (const [query, pattern] of [
    ["from=2026-02-30&to=2026-03-05", /from: "2026-02-30" is not a time/],
    ["from=2026-04-01&to=2026-04-31", /to: "2026-04-31" is not a time/],
    ["from=1&to=2", /from: "1" is not a time/],
    ["from=-1&to=2026-01-01", /from: "-1" is not a time/],
    ["from=March%207&to=2026-01-01", /from: "March 7" is not a time/],
    ["from=2026-11-01T24:00:00Z&to=2026-11-03", /from: "2026-11-01T24:00:00Z" is not a time/],
    // A + in a URL's query is a space: the sentence says how to write it.
    ["from=2026-11-01T00:00:00+02:00&to=2026-11-03", /%2B/],
  ] as const) {
    const reply = await reportOf(query);
    assert.equal(reply.status, 400, query);
    assert.match(reply.body, pattern, query);
  }
  // Years before 100 are those years, not 1900 + the year.
  const old = await reportOf("month=0099-05");
  assert.equal(old.status, 200, old.body);
  assert.equal(old.json?.from, "0099-05-01T00:00:00.000Z");
  assert.equal(old.json?.to, "0099-06-01T00:00:00.000Z");
  // A time without an offset is UTC, as the page says, whatever the exporter's time zone.
  const zone = process.env.TZ;
  process.env.TZ = "America/New_York";
  try {
    const plain = await reportOf("from=2025-11-01T06:30&to=2025-11-02T00:00:00");
    assert.equal(plain.status, 200, plain.body);
    assert.equal(plain.json?.from, "2025-11-01T06:30:00.000Z");
    assert.equal(plain.json?.to, "2025-11-02T00:00:00.000Z");
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
  const offset = await reportOf("from=2025-11-01T00:00:00%2B02:00&to=2025-11-02");
  assert.equal(offset.json?.from, "2025-10-31T22:00:00.000Z");
  // 366 days are read, 367 are not.
  assert.equal((await reportOf("from=2025-11-01&to=2026-11-02")).status, 200);
  const long = await reportOf("from=2025-11-01&to=2026-11-03");
  assert.equal(long.status, 400);
  assert.match(long.body, /at most 366 days/);
});

test("a tenant's report lists their unreadable sessions, never another organization's that names theirs", async () => {
  // Another organization's session started by someone named like the tenant's organization (VBO
  // shows the organization's name as initiatedBy of Cloud Connect restores).
  const startMs = Math.floor((Date.now() - 5 * DAY) / DAY) * DAY + 3_600_000;
  const foreign = sim.world.addSession({
    organization: others[0] ?? "",
    initiatedBy: mine,
    startMs,
    durationSeconds: 60,
  });
  const own = sim.world.addSession({
    organization: mine,
    startMs: startMs + 60_000,
    durationSeconds: 60,
  });
  const setFaults = (faults: Record<string, number>) =>
    fetch(`${sim.url}/_simulator/faults`, { method: "PUT", body: JSON.stringify(faults) });
  // Also with a 10 KB clientHost: the quarantined JSON is cut, and still read for its organization.
  for (const [i, huge] of [0, 1].entries()) {
    await setFaults({ nullRequiredRate: 1, hugeClientHostRate: huge });
    // A period of its own each time: a finished report is kept a while.
    const query = `from=${new Date(startMs - 60_000 - i * 1000).toISOString()}&to=${new Date(startMs + 600_000).toISOString()}`;
    const reply = await get(reportUrl(mine, `${query}&format=json`), { headers: tenant });
    assert.equal(reply.status, 200, reply.body);
    const report = JSON.parse(reply.body) as { unreadable: { sessionId: string | null }[] };
    const listed = report.unreadable.map((u) => u.sessionId);
    assert.ok(listed.includes(own), `the tenant's own unreadable session is listed (${huge})`);
    assert.ok(!reply.body.includes(foreign), "another organization's session is not listed");
    assertNothingOf(others, reply.body, "the tenant's report of unreadable sessions");
  }
  await setFaults({ nullRequiredRate: 0, hugeClientHostRate: 0 });
});

test("a session still running counts as Running, not with VBO's interim result, until it stops", async () => {
  const organization = sim.world.organizations().find((o) => o.name === mine);
  assert.ok(organization);
  const created = await fetch(`${sim.url}/_simulator/sessions`, {
    method: "POST",
    body: JSON.stringify({
      organization: organization.name,
      startedSecondsAgo: 30,
      durationSeconds: 3600,
      result: "Failed",
    }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { id } = (await created.json()) as { id: string };
  const fromMs = Date.now() - 3_600_000;
  const query = `from=${new Date(fromMs).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}&format=json`;
  const reply = await get(reportUrl(mine, query), { headers: tenant });
  assert.equal(reply.status, 200, reply.body);
  const report = JSON.parse(reply.body) as {
    totals: { runningSessions: number; failedSessions: number };
    byResult: { value: string; sessions: number }[];
    sessions: { id: string; result: string; end: string | null }[];
  };
  const row = report.sessions.find((s) => s.id === id);
  assert.deepEqual(row && { result: row.result, end: row.end }, { result: "Running", end: null });
  assert.ok(report.totals.runningSessions >= 1);
  assert.equal(
    report.byResult.find((c) => c.value === "Failed")?.sessions ?? 0,
    report.sessions.filter((s) => s.result === "Failed").length,
    "the running session is not counted as failed",
  );
  assert.ok(!report.sessions.some((s) => s.id === id && s.result === "Failed"));
  const html = await get(reportUrl(mine, query.replace("json", "html")), { headers: tenant });
  assert.match(html.body, /still running when the report was made/);
});
