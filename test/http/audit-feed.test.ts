// The feed of watched accesses over real HTTP: a cursor that pages, bad query values refused with a
// sentence, and the same basic auth as every other endpoint but /healthz.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Registry } from "prom-client";
import { createApp } from "../../src/http/app.ts";
import { startWebServer } from "../../src/http/server.ts";
import type { WatchedAccessView } from "../../src/pipeline/status.ts";
import { basic, get } from "./request.ts";

function access(seq: number): WatchedAccessView {
  return {
    seq,
    server: "lab",
    organization: "contoso.com",
    subject: "ceo@contoso.com",
    sessionId: `s${seq}`,
    eventId: `e${seq}`,
    eventType: "View",
    status: "Success",
    time: "2026-05-04T09:58:00.1234567Z",
    initiatedBy: "CONTOSO\\mallory",
    clientHost: "HELPDESK07",
    clientGateway: null,
    restoreType: "Vex",
    itemName: "Board minutes",
    itemSource: "Chief Executive\\Inbox",
    itemTarget: null,
    observedAtMs: 1,
  };
}

test("the feed pages by cursor, refuses bad values and asks for credentials", async (t) => {
  const all = [1, 2, 3, 4, 5].map(access);
  const server = await startWebServer(
    createApp({
      registry: new Registry(),
      statuses: () => [],
      recentSessions: () => [],
      ready: () => ({ ready: true }),
      version: "test",
      basicAuth: { username: "u", password: "secret-pw", passwordHash: null },
      watchedAccesses: (since, limit) => all.filter((a) => a.seq > since).slice(0, limit),
    }),
    { host: "127.0.0.1", port: 0, tls: null },
  );
  t.after(() => server.close());
  const url = `${server.url}api/v1/audit/accesses`;
  assert.equal((await get(`${url}?since=0`)).status, 401);
  const auth = { headers: basic("u", "secret-pw") };
  const first = await get(`${url}?since=0&limit=2`, auth);
  assert.equal(first.status, 200);
  const page = JSON.parse(first.body) as { cursor: string; accesses: WatchedAccessView[] };
  assert.deepEqual(
    page.accesses.map((a) => a.seq),
    [1, 2],
  );
  assert.equal(page.cursor, "2");
  const next = JSON.parse((await get(`${url}?since=${page.cursor}&limit=10`, auth)).body) as {
    cursor: string;
    accesses: WatchedAccessView[];
  };
  assert.deepEqual(
    next.accesses.map((a) => a.seq),
    [3, 4, 5],
  );
  const empty = JSON.parse((await get(`${url}?since=${next.cursor}`, auth)).body) as {
    cursor: string;
    accesses: unknown[];
  };
  assert.deepEqual(empty, { cursor: "5", accesses: [] });
  const bad = await get(`${url}?since=abc`, auth);
  assert.equal(bad.status, 400);
  assert.match(bad.body, /since: expected a whole number/);
  assert.equal((await get(`${url}?limit=100000`, auth)).status, 400);
});
