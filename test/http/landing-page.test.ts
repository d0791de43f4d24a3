// The landing page over real loopback HTTP, without a browser: filters as query parameters, the
// counts, "latest N of M", times in one UTC form, auto-refresh, the first-backfill state, the
// Grafana link's LogQL, and every hostile value escaped (markup, quotes, 10 KiB strings).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Registry } from "prom-client";
import { type AppDeps, createApp } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import { analyseLogql } from "../helpers/ops-logql.ts";
import { linkParams, linkTo, tableRows, textOf } from "./html-scrape.ts";
import { get } from "./request.ts";
import {
  FIXTURE,
  type FixtureSession,
  HOSTILE_HOST,
  HOSTILE_ORG,
  HUGE_HOST,
  HUGE_ORG,
  HUGE_WHO,
  NOW,
  recentSessions,
  serverStatus,
  utc,
} from "./session-fixture.ts";

const GRAFANA = "https://grafana.example.com/sub";

function deps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    registry: new Registry(),
    statuses: () => [serverStatus(), serverStatus({ server: "branch" })],
    recentSessions,
    ready: () => ({ ready: true }),
    version: "1.2.3",
    now: () => NOW,
    grafana: { url: GRAFANA, lokiDatasource: "loki-uid" },
    ...overrides,
  };
}

async function serve(d: AppDeps): Promise<WebServer> {
  return startWebServer(createApp(d), { host: "127.0.0.1", port: 0, tls: null });
}

let web: WebServer;
before(async () => {
  web = await serve(deps());
});
after(() => web.close());

async function page(query = "", server: WebServer = web): Promise<string> {
  const reply = await get(`${server.url}${query}`);
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.headers["content-type"], "text/html; charset=utf-8");
  return reply.body;
}

function shownIds(html: string): string[] {
  return tableRows(html, "sessions").map((row) => linkParams(row.href ?? "").get("id") ?? "");
}

const ids = (list: readonly FixtureSession[]) => list.map((f) => f.session.id);

const CASES: { query: Record<string, string>; keep: (f: FixtureSession) => boolean }[] = [
  { query: { server: "branch" }, keep: (f) => f.session.server === "branch" },
  { query: { organization: "Contoso" }, keep: (f) => f.session.organization === "Contoso" },
  { query: { organization: HOSTILE_ORG }, keep: (f) => f.session.organization === HOSTILE_ORG },
  { query: { client_host: "BXYDEV01" }, keep: (f) => f.session.clientHost === "BXYDEV01" },
  { query: { client_host: HOSTILE_HOST }, keep: (f) => f.session.clientHost === HOSTILE_HOST },
  { query: { type: "teams" }, keep: (f) => f.session.restoreType === "teams" },
  { query: { result: "failed" }, keep: (f) => f.result === "failed" },
  { query: { result: "running" }, keep: (f) => f.session.endTime === null },
  {
    query: { organization: "Fabrikam (EU)", result: "success", server: "lab" },
    keep: (f) =>
      f.session.organization === "Fabrikam (EU)" &&
      f.result === "success" &&
      f.session.server === "lab",
  },
];

for (const { query, keep } of CASES) {
  const qs = new URLSearchParams(query).toString();
  test(`?${qs.slice(0, 60)} shows only the sessions it asks for, newest first`, async () => {
    const expected = FIXTURE.filter(keep);
    assert.ok(expected.length > 0 && expected.length < FIXTURE.length, "the case narrows");
    const html = await page(`?${qs}`);
    assert.deepEqual(shownIds(html), ids(expected).slice(0, 25));
    assert.match(
      textOf(html, "summary"),
      new RegExp(
        `^Showing the latest ${Math.min(25, expected.length)} of ${expected.length} matching sessions`,
      ),
    );
    // The form shows the filters in force.
    for (const value of Object.values(query)) {
      const escaped = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      assert.ok(
        html.includes(`value="${escaped.replace(/"/g, "&quot;").replace(/'/g, "&#39;")}" selected`),
      );
    }
  });
}

test("without filters: the latest 25 of all, newest first, with counts per organization and client host", async () => {
  const html = await page();
  assert.deepEqual(shownIds(html), ids(FIXTURE).slice(0, 25));
  assert.match(
    textOf(html, "summary"),
    new RegExp(`^Showing the latest 25 of ${FIXTURE.length} sessions`),
  );
  const expectCounts = (field: (f: FixtureSession) => string) => {
    const counts = new Map<string, [number, number]>();
    for (const f of FIXTURE) {
      const c = counts.get(field(f)) ?? [0, 0];
      counts.set(field(f), [c[0] + 1, c[1] + (f.result === "failed" ? 1 : 0)]);
    }
    return [...counts]
      .sort((a, b) => b[1][0] - a[1][0] || (a[0] < b[0] ? -1 : 1))
      .map(([value, [n, failed]]) => [value, String(n), String(failed)]);
  };
  const shown = (rows: { cells: string[] }[]) =>
    rows.map((r) => [r.cells[0]?.endsWith("…") ? r.cells[0] : r.cells[0], r.cells[1], r.cells[2]]);
  const orgs = tableRows(html, "count-organization");
  const clip = (v: string) => (v.length > 160 ? `${v.slice(0, 160)}…` : v);
  assert.deepEqual(
    shown(orgs),
    expectCounts((f) => f.session.organization).map(([v, n, x]) => [clip(v ?? ""), n, x]),
  );
  const hosts = tableRows(html, "count-client_host");
  assert.deepEqual(
    shown(hosts),
    expectCounts((f) => f.session.clientHost).map(([v, n, x]) => [clip(v ?? ""), n, x]),
  );
  // A count is a link to the page filtered on it.
  const contoso = orgs.find((r) => r.cells[0] === "Contoso");
  assert.equal(linkParams(contoso?.href ?? "").get("organization"), "Contoso");
  const narrowed = await page(contoso?.href?.replace(/^\.\//, "") ?? "");
  assert.deepEqual(
    shownIds(narrowed),
    ids(FIXTURE.filter((f) => f.session.organization === "Contoso")),
  );
});

test("Started reads in order: one UTC form whatever offset and precision VBO printed", async () => {
  const html = await page("?limit=500");
  const rows = tableRows(html, "sessions");
  assert.equal(rows.length, FIXTURE.length);
  assert.deepEqual(
    rows.map((r) => r.cells[0]),
    FIXTURE.map((f) => utc(f.startMs)),
  );
  const started = rows.map((r) => r.cells[0] ?? "");
  assert.deepEqual([...started].sort().reverse(), started, "the text sorts like the instants");
  // The exact instant is machine-readable, VBO's own text is kept on hover.
  const first = FIXTURE[1];
  assert.ok(first, "the fixture has a second session");
  assert.ok(first.session.creationTime.endsWith("+02:00"));
  assert.ok(
    html.includes(
      `<time datetime="${new Date(first.startMs).toISOString()}" title="VBO: ${first.session.creationTime}">`,
    ),
  );
});

test("limit shows more or fewer rows, bounded; an unreadable one is ignored", async () => {
  assert.equal(shownIds(await page("?limit=5")).length, 5);
  const five = await page("?limit=5&organization=Contoso");
  const more = linkTo(five, "show more");
  assert.equal(
    linkParams(more ?? "").get("organization"),
    "Contoso",
    "show more keeps the filters",
  );
  assert.equal(linkParams(more ?? "").get("limit"), "20");
  assert.equal(shownIds(await page("?limit=100000")).length, FIXTURE.length);
  const template = FIXTURE[0]?.session;
  assert.ok(template);
  const many = Array.from({ length: 600 }, (_, i) => ({ ...template, id: `id-${i}` }));
  const most = await serve(deps({ recentSessions: (n) => many.slice(0, n) }));
  try {
    const html = await page("?limit=100000", most);
    assert.equal(shownIds(html).length, 500, "at most 500 rows");
    assert.equal(linkTo(html, "show more"), null, "no link that would show the same again");
  } finally {
    await most.close();
  }
  assert.equal(shownIds(await page("?limit=abc")).length, 25);
  assert.equal(shownIds(await page("?limit=-3")).length, 25);
});

test("the page filters and counts the newest sessions of the state, and says so", async () => {
  const small = await serve(deps({ sessionWindow: 10 }));
  try {
    const html = await page("?organization=Contoso", small);
    const expected = FIXTURE.slice(0, 10).filter((f) => f.session.organization === "Contoso");
    assert.deepEqual(shownIds(html), ids(expected));
    assert.match(
      textOf(html, "summary"),
      new RegExp(`of ${expected.length} matching sessions among the newest 10 in the state`),
    );
  } finally {
    await small.close();
  }
});

test("auto-refresh is on by default and a link pauses it, keeping the filters", async () => {
  const on = await page("?type=teams");
  assert.match(on, /<meta http-equiv="refresh" content="30">/);
  const pause = linkTo(on, "pause");
  assert.equal(linkParams(pause ?? "").get("refresh"), "off");
  assert.equal(linkParams(pause ?? "").get("type"), "teams");
  const off = await page(pause?.replace(/^\.\//, "") ?? "");
  assert.doesNotMatch(off, /http-equiv="refresh"/);
  assert.match(
    off,
    /<input type="hidden" name="refresh" value="off">/,
    "filtering keeps it paused",
  );
  assert.equal(linkParams(linkTo(off, "resume") ?? "").get("refresh"), null);
});

test("hostile values are escaped everywhere and 10 KiB values are cut on screen", async () => {
  for (const query of ["", `?organization=${encodeURIComponent(HOSTILE_ORG)}`, "?limit=500"]) {
    const html = await page(query);
    assert.equal(html.match(/<script/g)?.length, 1, "only the page's own script");
    for (const raw of [HOSTILE_ORG, HOSTILE_HOST, "<img", "<i><i>", `"'"'`]) {
      assert.ok(!html.includes(raw), `${raw.slice(0, 20)} is not in the page as it is`);
    }
  }
  const html = await page("?limit=500");
  const huge = tableRows(html, "sessions").at(-1);
  assert.deepEqual(
    [huge?.cells[2], huge?.cells[3], huge?.cells[4]],
    [`${HUGE_WHO.slice(0, 160)}…`, `${HUGE_HOST.slice(0, 160)}…`, `${HUGE_ORG.slice(0, 160)}…`],
  );
  const hostile = tableRows(html, "sessions").find((r) => r.cells[4] === HOSTILE_ORG);
  assert.ok(hostile, "the hostile organization reads as its text");
  // A 10 KiB value is counted but offered as no filter: no link could carry it.
  const count = tableRows(html, "count-organization").find((r) => r.cells[0]?.startsWith("<i>"));
  assert.deepEqual(count?.cells, [`${HUGE_ORG.slice(0, 160)}…`, "1", "0"]);
  assert.equal(count?.href, null);
  assert.ok(!html.includes(`<option value="&lt;i&gt;&lt;i&gt;`));
});

test("the Grafana link runs the page's filters as LogQL, hostile values included", async () => {
  const html = await page(
    `?server=lab&organization=${encodeURIComponent(HOSTILE_ORG)}&client_host=${encodeURIComponent(HOSTILE_HOST)}&type=exchange`,
  );
  const href = linkTo(html, "Audit log in Grafana");
  assert.ok(href, "the link is there");
  const url = new URL(href);
  assert.equal(`${url.origin}${url.pathname}`, `${GRAFANA}/explore`);
  const panes = JSON.parse(url.searchParams.get("panes") ?? "") as {
    a: {
      datasource: string;
      queries: { expr: string; datasource: { type: string; uid: string } }[];
      range: { from: string; to: string };
    };
  };
  assert.equal(panes.a.datasource, "loki-uid");
  assert.deepEqual(panes.a.queries[0]?.datasource, { type: "loki", uid: "loki-uid" });
  assert.equal(panes.a.range.to, String(NOW));
  const expr = panes.a.queries[0]?.expr ?? "";
  const logql = analyseLogql(expr);
  assert.deepEqual(logql.errors, [], expr);
  assert.deepEqual([...logql.streamLabels].sort(), ["service_name", "vbo_server"]);
  assert.deepEqual([...logql.fieldRefs].sort(), [
    "vbo_client_host",
    "vbo_organization",
    "vbo_restore_type",
  ]);
  const literal = (field: string) =>
    JSON.parse(new RegExp(`${field}=("(?:[^"\\\\]|\\\\.)*")`).exec(expr)?.[1] ?? "null") as unknown;
  assert.equal(literal("vbo_organization"), HOSTILE_ORG);
  assert.equal(literal("vbo_client_host"), HOSTILE_HOST);
  assert.equal(literal("vbo_server"), "lab");

  const hidden = await serve(deps({ grafana: null }));
  try {
    const plain = await page("", hidden);
    assert.equal(linkTo(plain, "Audit log in Grafana"), null, "no Grafana configured, no link");
    assert.ok(!plain.includes("/explore"));
  } finally {
    await hidden.close();
  }
});

test("during a first backfill the page says what the server status says, and why the sessions are old", async () => {
  const backfilling = await serve(
    deps({
      statuses: () => [
        serverStatus({
          polls: 0,
          up: false,
          lastPollStartedAt: NOW - 180_000,
          lastSuccessAt: null,
        }),
      ],
    }),
  );
  try {
    const html = await page("", backfilling);
    const [row] = tableRows(html, "servers");
    assert.equal(row?.cells[2], "first poll running, since 3m ago");
    assert.equal(row?.cells[6], "never");
    assert.match(html, /<span class="progress"><\/span>/, "the slot for progress figures, empty");
    assert.ok(html.includes("still reading the server's history, oldest first"));
  } finally {
    await backfilling.close();
  }
});

test("with no sessions yet the page says so", async () => {
  const empty = await serve(deps({ recentSessions: () => [] }));
  try {
    const html = await page("?organization=Contoso", empty);
    assert.match(html, /No restore sessions seen yet/);
  } finally {
    await empty.close();
  }
});

test("a filter that matches nothing says so and offers to clear it", async () => {
  const html = await page("?organization=Nobody");
  assert.deepEqual(shownIds(html), []);
  assert.match(html, /No session matches these filters/);
  assert.equal(linkTo(html, "Clear filters")?.startsWith("./"), true);
});
