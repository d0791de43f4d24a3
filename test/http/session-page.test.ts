// A session's page over real loopback HTTP: its parameters checked before anything reaches VBO,
// its events from the SessionReader escaped, VBO's failures and slowness told in a sentence, the
// read abandoned when the browser goes away, and the page behind the same basic auth.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { Registry } from "prom-client";
import { ExporterError } from "../../src/errors.ts";
import { type AppDeps, createApp } from "../../src/http/app.ts";
import { startWebServer, type WebServer } from "../../src/http/server.ts";
import type { SessionEvent, SessionReader } from "../../src/pipeline/status.ts";
import { analyseLogql } from "../helpers/ops-logql.ts";
import { linkTo, tableRows } from "./html-scrape.ts";
import { basic, get } from "./request.ts";
import { FIXTURE, HOSTILE_ORG, NOW, recentSessions, serverStatus, utc } from "./session-fixture.ts";

const HOSTILE = `<script>alert('event')</script> "quoted" & more`;

function event(i: number, overrides: Partial<SessionEvent> = {}): SessionEvent {
  return {
    id: `ev-${i}`,
    type: "Export",
    status: "Success",
    startTime: `2026-05-04T11:0${i}:00.1234567+02:00`,
    endTime: null,
    durationSeconds: 61.5,
    title: "Export",
    message: `Item ${i} was exported`,
    itemName: `Item ${i}`,
    itemType: "Mail",
    itemSizeBytes: 1536,
    source: "/mailbox/Inbox",
    target: "C:\\export.pst",
    ...overrides,
  };
}

function reader(
  events: (server: string, id: string, signal: AbortSignal) => Promise<SessionEvent[]>,
): SessionReader {
  return {
    events: async (server, id, signal) => ({
      events: await events(server, id, signal),
      truncated: false,
    }),
  };
}

function deps(overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    registry: new Registry(),
    statuses: () => [serverStatus(), serverStatus({ server: "branch" })],
    recentSessions,
    ready: () => ({ ready: true }),
    version: "1.2.3",
    now: () => NOW,
    grafana: { url: "https://grafana.example.com", lokiDatasource: "loki" },
    ...overrides,
  };
}

async function withServer(d: AppDeps, run: (web: WebServer) => Promise<void>): Promise<void> {
  const web = await startWebServer(createApp(d), { host: "127.0.0.1", port: 0, tls: null });
  try {
    await run(web);
  } finally {
    await web.close();
  }
}

const hostileSession = FIXTURE.find(
  (f) => f.session.organization === HOSTILE_ORG && f.session.endTime !== null,
);
const sessionPath = (server: string, id: string) =>
  `session?${new URLSearchParams({ server, id }).toString()}`;

test("the session page shows the state's facts and the events the reader returns, escaped", async () => {
  assert.ok(hostileSession);
  const { session } = hostileSession;
  const asked: string[] = [];
  const d = deps({
    sessionReader: reader(async (server, id) => {
      asked.push(`${server}/${id}`);
      return [
        event(1),
        event(2, { message: HOSTILE, itemName: HOSTILE, source: "x".repeat(10_240) }),
      ];
    }),
  });
  await withServer(d, async (web) => {
    const reply = await get(`${web.url}${sessionPath(session.server, session.id)}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(asked, [`${session.server}/${session.id}`]);
    const html = reply.body;
    assert.equal(html.match(/<script/g)?.length, 1, "only the page's own script");
    assert.ok(!html.includes(HOSTILE) && !html.includes(HOSTILE_ORG));
    assert.ok(
      html.includes(
        "&lt;script&gt;alert(&#39;event&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; more",
      ),
    );
    assert.ok(
      html.includes(
        `<dt>Started</dt><dd><time datetime="${new Date(hostileSession.startMs).toISOString()}"`,
      ),
    );
    const rows = tableRows(html, "events");
    assert.deepEqual(
      rows.map((r) => [r.cells[0], r.cells[1], r.cells[3], r.cells[5], r.cells[8], r.cells[9]]),
      [
        [
          utc(Date.parse("2026-05-04T09:01:00.123Z")),
          "Export",
          "Item 1",
          "1.5 KiB",
          "Item 1 was exported",
          "1m 02s",
        ],
        [
          utc(Date.parse("2026-05-04T09:02:00.123Z")),
          "Export",
          HOSTILE,
          "1.5 KiB",
          HOSTILE,
          "1m 02s",
        ],
      ],
    );
    assert.equal(rows[1]?.cells[6], `${"x".repeat(160)}…`, "a 10 KiB source is cut on screen");
    // The Grafana link asks Loki for this session's records around its time.
    const href = linkTo(html, "This session's audit log in Grafana");
    const panes = JSON.parse(new URL(href ?? "").searchParams.get("panes") ?? "") as {
      a: { queries: { expr: string }[]; range: { from: string; to: string } };
    };
    const expr = panes.a.queries[0]?.expr ?? "";
    assert.deepEqual(analyseLogql(expr).errors, []);
    assert.ok(expr.includes(`vbo_session_id="${session.id}"`), expr);
    const from = Number(panes.a.range.from);
    assert.ok(from < hostileSession.startMs && from > hostileSession.startMs - 3_600_000);
  });
});

test("a reader that reads no more than its limit says the session has more", async () => {
  const d = deps({
    sessionReader: { events: async () => ({ events: [event(1)], truncated: true }) },
  });
  const id = FIXTURE[3]?.session.id ?? "";
  await withServer(d, async (web) => {
    const html = (await get(`${web.url}${sessionPath("lab", id)}`)).body;
    assert.match(html, /Showing the first 1 events; the session has more/);
  });
});

test("bad parameters are refused before anything reaches VBO", async () => {
  let reads = 0;
  const d = deps({
    sessionReader: reader(async () => {
      reads++;
      return [];
    }),
  });
  await withServer(d, async (web) => {
    const missing = await get(`${web.url}session`);
    assert.equal(missing.status, 400);
    assert.match(missing.body, /needs \?server=NAME&id=SESSION-ID/);
    const bad = await get(`${web.url}session?server=lab&id=${encodeURIComponent("../../token")}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /not a VBO session id/);
    const unknown = await get(`${web.url}session?server=${encodeURIComponent("<b>x")}&id=abc-1`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body, "no server of that name is polled by this exporter\n");
    assert.equal(reads, 0);
  });
});

test("VBO's failures are told in a sentence with the status that fits", async () => {
  const failures: [Error, number, RegExp][] = [
    [new ExporterError("not_found", "not found (HTTP 404: gone)"), 404, /VBO has no such session/],
    [
      new ExporterError("unreachable", "cannot connect to vbo.example:4443"),
      502,
      /cannot connect to vbo\.example:4443/,
    ],
    [new ExporterError("busy", "too many session pages"), 503, /too many session pages/],
  ];
  for (const [error, status, message] of failures) {
    const d = deps({ sessionReader: { events: () => Promise.reject(error) } });
    await withServer(d, async (web) => {
      const reply = await get(
        `${web.url}${sessionPath("lab", "0b7c0b9e-0000-4000-8000-000000000001")}`,
      );
      assert.equal(reply.status, status);
      assert.match(reply.body, message);
      assert.match(reply.body, /Could not read the events of this session from lab/);
    });
  }
});

test("a slow VBO ends in a sentence after the deadline, and the read is abandoned", async () => {
  let aborted: Promise<unknown> = Promise.resolve();
  const d = deps({
    sessionReadTimeoutMs: 100,
    sessionReader: reader(
      (_server, _id, signal) =>
        new Promise((_resolve, reject) => {
          aborted = new Promise((resolve) =>
            signal.addEventListener("abort", resolve, { once: true }),
          );
          signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    ),
  });
  await withServer(d, async (web) => {
    const reply = await get(
      `${web.url}${sessionPath("lab", "0b7c0b9e-0000-4000-8000-000000000001")}`,
    );
    assert.equal(reply.status, 502);
    assert.match(reply.body, /VBO did not list them within 100 ms; try again later/);
    await aborted;
  });
});

test("the read is abandoned when the browser goes away", async () => {
  let started: () => void = () => {};
  const reading = new Promise<void>((resolve) => {
    started = resolve;
  });
  let abandoned: () => void = () => {};
  const gone = new Promise<void>((resolve) => {
    abandoned = resolve;
  });
  const d = deps({
    sessionReader: reader(
      (_server, _id, signal) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener(
            "abort",
            () => {
              abandoned();
              reject(signal.reason);
            },
            { once: true },
          );
        }),
    ),
  });
  await withServer(d, async (web) => {
    const socket = connect(web.port, "127.0.0.1");
    socket.write(
      `GET /${sessionPath("lab", "0b7c0b9e-0000-4000-8000-000000000001")} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    await reading;
    socket.destroy();
    await gone;
  });
});

test("without a reader the page still shows what the state knows", async () => {
  const f = FIXTURE[2];
  assert.ok(f);
  await withServer(deps(), async (web) => {
    const reply = await get(`${web.url}${sessionPath(f.session.server, f.session.id)}`);
    assert.equal(reply.status, 200);
    assert.match(reply.body, /Reading events from VBO is not available here/);
    assert.ok(reply.body.includes(`<dd>${f.session.eventCount}</dd>`));
  });
});

test("the session page is behind the same basic auth", async () => {
  const d = deps({
    basicAuth: { username: "prom", password: "pw", passwordHash: null },
    sessionReader: reader(async () => [event(1)]),
  });
  const path = sessionPath("lab", FIXTURE[1]?.session.id ?? "");
  await withServer(d, async (web) => {
    assert.equal((await get(`${web.url}${path}`)).status, 401);
    assert.equal((await get(`${web.url}${path}`, { headers: basic("prom", "pw") })).status, 200);
  });
});
