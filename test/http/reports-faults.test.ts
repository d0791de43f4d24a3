// /reports/report when VBO is slow, failing or hammered, a browser goes away or no Chromium is
// installed, over real HTTP against the simulator and its fault switches: every answer is a
// sentence with the right status, never "internal server error", a hang or reads nobody waits for.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, afterEach, before, test } from "node:test";
import { hashPassword } from "../../src/config/password-hash.ts";
import { type AppDeps, createApp } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import { printPdf } from "../../src/report/print-pdf.ts";
import { createReportService } from "../../src/report/report-service.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/server.ts";
import type { ClosableVboClient } from "../../src/vbo/client.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { basic, get } from "./request.ts";

const DAY = 86_400_000;
let sim: RunningSimulator;
let client: ClosableVboClient;
let mine: string;
const servers: WebServer[] = [];
const provider = basic("provider", "provider-pw");
const tenant = basic("fabrikam-ops", "tenant-pw");
let passwordHashes: { provider: string; tenant: string };

async function startWeb(extra: Partial<AppDeps> = {}): Promise<WebServer> {
  const web = await startWebServer(
    createApp({
      registry: { contentType: "text/plain", metrics: async () => "" },
      statuses: () => [],
      recentSessions: () => [],
      ready: () => ({ ready: true }),
      version: "test",
      basicAuth: { username: "provider", password: null, passwordHash: passwordHashes.provider },
      tenants: [
        { username: "fabrikam-ops", passwordHash: passwordHashes.tenant, organizations: [mine] },
      ],
      reports: createReportService({
        clients: new Map([["lab", client]]),
        watchlist: () => undefined,
        now: Date.now,
      }),
      ...extra,
    }),
    { host: "127.0.0.1", port: 0, tls: null },
  );
  servers.push(web);
  return web;
}

const setFaults = async (faults: Record<string, number>) => {
  const reply = await fetch(`${sim.url}/_simulator/faults`, {
    method: "PUT",
    body: JSON.stringify(faults),
  });
  assert.equal(reply.status, 200);
};

/** A period of past days of its own (`n` apart), so no report of it is kept from before. */
function period(n: number): string {
  const fromMs = Math.floor((Date.now() - 4 * DAY) / DAY) * DAY + n * 1000;
  return `from=${new Date(fromMs).toISOString()}&to=${new Date(fromMs + 3 * DAY).toISOString()}`;
}

const reportUrl = (web: WebServer, rest: string) =>
  `${web.url}reports/report?organization=${encodeURIComponent(mine)}&${rest}`;

before(async () => {
  sim = await startSimulator({
    apiVersion: "v8",
    organizations: 4,
    historySessions: 120,
    historyDays: 6,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  mine = sim.world.organizations().find((o) => o.name.startsWith("Fabrikam"))?.name ?? "";
  client = createVboClient({
    url: sim.url,
    apiVersion: "auto",
    username: sim.username,
    password: sim.password,
    timeoutMs: 10_000,
  });
  passwordHashes = {
    provider: await hashPassword("provider-pw", 10),
    tenant: await hashPassword("tenant-pw", 10),
  };
});

afterEach(() => setFaults({ latencyMs: 0, errorRate: 0, invalidJsonRate: 0 }));

after(async () => {
  for (const web of servers) await web.close();
  client.close();
  await sim.close();
});

test("a report VBO does not finish within the deadline answers 504 with a sentence", async () => {
  const web = await startWeb({ reportTimeoutMs: 300 });
  await setFaults({ latencyMs: 150 });
  const reply = await get(reportUrl(web, `${period(1)}&format=json`), { headers: tenant });
  assert.equal(reply.status, 504, reply.body);
  assert.match(reply.body, /VBO did not list the period's sessions within 0 s; ask for a shorter/);
});

test("VBO answering 500 or an HTML page: 502 with a sentence, VBO's own words for the provider only", async () => {
  const web = await startWeb();
  for (const [i, faults] of [{ errorRate: 1 }, { invalidJsonRate: 1 }].entries()) {
    await setFaults(faults);
    const theirs = await get(reportUrl(web, `${period(10 + i)}&format=json`), { headers: tenant });
    assert.equal(theirs.status, 502, theirs.body);
    assert.match(theirs.body, /^the report could not be read from VBO just now; try again later/);
    assert.doesNotMatch(theirs.body, /Injected|HTTP 5|\/v8\/|RestoreSessions|Organizations/);
    const ours = await get(reportUrl(web, `${period(10 + i)}&format=json`), { headers: provider });
    assert.equal(ours.status, 502, ours.body);
    assert.match(ours.body, /could not be read from VBO server "lab": VBO answered HTTP (500|502)/);
  }
});

test("a browser that goes away mid-report stops the VBO reads", async () => {
  // One report at a time: the second is read only once the abandoned one gave up its place.
  const web = await startWeb({
    reports: createReportService({
      clients: new Map([["lab", client]]),
      watchlist: () => undefined,
      now: Date.now,
      concurrent: 1,
    }),
  });
  const eventLists = () => sim.stats().byRoute["GET /RestoreSessions/{id}/Events"] ?? 0;
  await setFaults({ latencyMs: 50 });
  sim.resetStats();
  const req = request(reportUrl(web, `${period(20)}&format=json`), { headers: tenant });
  req.on("error", () => {});
  req.end();
  while (eventLists() < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  req.destroy();
  const atAbort = eventLists();
  await setFaults({ latencyMs: 0 });
  const next = await get(reportUrl(web, `${period(21)}&format=json`), { headers: tenant });
  assert.equal(next.status, 200, next.body);
  const sessions = (JSON.parse(next.body) as { totals: { sessions: number } }).totals.sessions;
  assert.ok(sessions > atAbort + 5, `${sessions} sessions in the period, ${atAbort} read`);
  // The abandoned report read at most the one events list in flight when the browser went away.
  assert.ok(
    eventLists() <= atAbort + 1 + sessions,
    `${eventLists()} events lists read: ${atAbort} before the browser went away, ${sessions} for the next report`,
  );
});

test("20 reports at once: two read, four wait, the rest get 503 with Retry-After", async () => {
  const web = await startWeb();
  await setFaults({ latencyMs: 20 });
  const replies = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      get(reportUrl(web, `${period(30 + i)}&format=json`), { headers: tenant }),
    ),
  );
  const statuses = replies.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 6, statuses.join(" "));
  const refused = replies.filter((r) => r.status === 503);
  assert.equal(refused.length, 14, statuses.join(" "));
  for (const reply of refused) {
    assert.equal(reply.headers["retry-after"], "60");
    assert.match(reply.body, /too many reports are being read from VBO at once; try again/);
  }
});

test("without Chromium the page offers no PDF and a PDF asked for is 503 with one sentence", async () => {
  const web = await startWeb({
    printPdf: (html) => printPdf(html, null),
    printsPdf: () => false,
  });
  const page = await get(`${web.url}reports`, { headers: tenant });
  assert.equal(page.status, 200);
  assert.ok(page.body.includes("format=json"), "the page links to reports");
  assert.doesNotMatch(page.body, /format=pdf|>pdf</i);
  const pdf = await get(reportUrl(web, `${period(60)}&format=pdf`), { headers: tenant });
  assert.equal(pdf.status, 503);
  assert.match(pdf.body, /Chromium, which is not installed/);
  assert.equal(pdf.body.match(/same report/g)?.length, 1, pdf.body);
  assert.doesNotMatch(pdf.body, /--format/);
  // Every format the page offers works.
  for (const href of page.body.matchAll(/href="(reports\/report\?[^"]+)"/g)) {
    const reply = await get(new URL((href[1] ?? "").replace(/&amp;/g, "&"), web.url).href, {
      headers: tenant,
    });
    assert.equal(reply.status, 200, href[1]);
  }
});

test("a tenant's report counts the watched subjects of their organization, not the server's", async () => {
  const subject = (label: string, organization: string | null) => ({
    label,
    organization,
    kind: "user" as const,
    people: [{ id: null, upn: label, displayName: null }],
    groupId: null,
    sitePaths: [],
    siteIds: [],
  });
  const other = sim.world.organizations().find((o) => o.name !== mine)?.name ?? "";
  const watchlist = {
    subjects: [
      subject("ceo@fabrikam.example", mine.toUpperCase()),
      subject("everywhere@provider.example", null),
      subject("cfo@other.example", other),
      subject("cto@other.example", other),
    ],
  };
  const web = await startWeb({
    reports: createReportService({
      clients: new Map([["lab", client]]),
      watchlist: () => watchlist,
      now: Date.now,
    }),
  });
  const reply = await get(reportUrl(web, `${period(70)}&format=json`), { headers: tenant });
  assert.equal(reply.status, 200, reply.body);
  assert.equal((JSON.parse(reply.body) as { watchlistSubjects: number }).watchlistSubjects, 2);
  assert.doesNotMatch(reply.body, /other\.example/);
});

test("a period with more sessions than a web report holds gets a sentence, not the exporter's memory", async () => {
  const web = await startWeb({
    reports: createReportService({
      clients: new Map([["lab", client]]),
      watchlist: () => undefined,
      now: Date.now,
      maxSessions: 2,
    }),
  });
  const fromMs = Date.now() - 5 * DAY;
  const inPeriod = [...sim.world.sessionsAt(Date.now())].filter(
    (s) => s.organization === mine && Date.parse(String(s.creationTime)) >= fromMs,
  ).length;
  assert.ok(inPeriod > 2, `${inPeriod} sessions in the period`);
  const reply = await get(
    reportUrl(web, `from=${new Date(fromMs).toISOString()}&to=${new Date().toISOString()}`),
    { headers: tenant },
  );
  assert.equal(reply.status, 400, reply.body);
  assert.match(
    reply.body,
    /^the period has more than 2 restore sessions of this organization, more than one web report reads .*use the report command/,
  );
});
