// Paging over real HTTP: next links, capped limits, offset fallback, and servers that loop.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";
import { json, startFakeVbo } from "./fake-vbo.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const listCalls = (urls: { url: string }[]) =>
  urls.filter(
    (r) => r.url.startsWith("/v8/RestoreSessions?") || r.url.startsWith("/v6/RestoreSessions?"),
  );

describe("VBO client paging", () => {
  for (const nextLinks of [true, false]) {
    it(`reads all 50 sessions once from a server capping limit at 7 (${nextLinks ? "following next links" : "by offset, no links"})`, async () => {
      const clock = fakeClock();
      const vbo = await startFakeVbo({ clock, sessions: 50, maxPageSize: 7, nextLinks });
      const client = createVboClient({
        url: vbo.url,
        apiVersion: "v8",
        username: "admin",
        password: "p@ss w0rd!",
        clock,
      });
      try {
        const sessions = await collect(client.listRestoreSessions({}));
        assert.equal(sessions.length, 50);
        assert.equal(new Set(sessions.map((s) => s.id)).size, 50);
        const pages = listCalls(vbo.requests);
        assert.equal(pages.length, Math.ceil(50 / 7));
        assert.match(pages[0]?.url ?? "", /limit=1000/);
        assert.equal(client.requestCount(), pages.length + 1);
      } finally {
        client.close();
        await vbo.close();
      }
    });
  }

  it("stops on a short page without asking again, and sends the query in the spec's names", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ versions: ["v6", "v8"], clock, sessions: 25 });
    t.after(() => vbo.close());
    for (const version of ["v6", "v8"] as const) {
      const client = createVboClient({
        url: vbo.url,
        apiVersion: version,
        username: "admin",
        password: "p@ss w0rd!",
        pageSize: 10,
        clock,
      });
      try {
        const from = new Date("2026-01-01T00:00:00Z");
        const sessions = await collect(
          client.listRestoreSessions({ startTimeFrom: from, endTimeFrom: from }),
        );
        assert.equal(sessions.length, 25);
        const pages = vbo.requests.filter((r) => r.url.startsWith(`/${version}/RestoreSessions?`));
        assert.equal(pages.length, 3);
        const first = new URL(pages[0]?.url ?? "", "http://x").searchParams;
        assert.equal(first.get("startTimeFrom"), "2026-01-01T00:00:00.000Z");
        assert.equal(first.get("limit"), "10");
        assert.equal(first.get("offset"), "0");
        if (version === "v8") {
          assert.equal(first.get("endTimeFrom"), "2026-01-01T00:00:00.000Z");
          assert.equal(first.get("orderAsc"), "true");
        } else {
          assert.equal(first.get("endTimeFrom"), null, "v6 has no endTimeFrom");
        }
      } finally {
        client.close();
      }
    }
  });

  it("refuses a server that ignores offset instead of looping forever", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({
      clock,
      intercept: (r) => {
        if (!r.url.startsWith("/v8/RestoreSessions?")) return undefined;
        const offset = Number(new URL(r.url, "http://x").searchParams.get("offset"));
        return json(200, {
          offset: 0,
          limit: 2,
          results: [
            {
              id: "a",
              type: "Vex",
              creationTime: "2026-01-01T00:00:00Z",
              state: "Stopped",
              result: "Success",
            },
            {
              id: "b",
              type: "Vex",
              creationTime: "2026-01-01T00:00:00Z",
              state: "Stopped",
              result: "Success",
            },
          ],
          _links: { next: { href: `/v8/RestoreSessions?offset=${offset + 2}&limit=2` } },
        });
      },
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    try {
      await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
        assert.ok(e instanceof VboError);
        assert.equal(e.reason, "bad_response");
        assert.match(e.message, /same page/);
        return true;
      });
      assert.ok(listCalls(vbo.requests).length <= 3);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("refuses a next link that points back at the same page", async () => {
    const clock = fakeClock();
    let n = 0;
    const vbo = await startFakeVbo({
      clock,
      intercept: (r) => {
        if (!r.url.startsWith("/v8/RestoreSessions?")) return undefined;
        n += 1;
        return json(200, {
          offset: 0,
          limit: 1,
          results: [
            {
              id: `s${n}`,
              type: "Vex",
              creationTime: "2026-01-01T00:00:00Z",
              state: "Stopped",
              result: "Success",
            },
          ],
          _links: { next: { href: "/v8/RestoreSessions?offset=0&limit=1" } },
        });
      },
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      pageSize: 1,
      clock,
    });
    try {
      await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
        return (
          e instanceof VboError && e.reason === "bad_response" && /does not advance/.test(e.message)
        );
      });
      assert.ok(n <= 2);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("never follows a next link to another server (it would receive the token)", async () => {
    const clock = fakeClock();
    const elsewhere = await startFakeVbo({ clock });
    const vbo = await startFakeVbo({
      clock,
      intercept: (r) =>
        r.url.startsWith("/v8/RestoreSessions?")
          ? json(200, {
              results: [
                {
                  id: "a",
                  type: "Vex",
                  creationTime: "2026-01-01T00:00:00Z",
                  state: "Stopped",
                  result: "Success",
                },
              ],
              _links: { next: { href: `${elsewhere.url}/v8/RestoreSessions?offset=1` } },
            })
          : undefined,
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    try {
      await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
        return (
          e instanceof VboError && e.reason === "bad_response" && /another server/.test(e.message)
        );
      });
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      client.close();
      await vbo.close();
      await elsewhere.close();
    }
  });

  it("pages through events with exact nanosecond timestamps", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, sessions: 1, eventsPerSession: 23, maxPageSize: 5 });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    try {
      const events = await collect(client.listRestoreSessionEvents("s-1"));
      assert.deepEqual(
        events.map((e) => e.order),
        Array.from({ length: 23 }, (_, i) => i),
      );
      assert.ok(events.every((e) => e.sessionId === "s-1"));
      assert.equal(
        events[0]?.startTime.ns,
        BigInt(Date.parse("2022-02-02T15:59:09Z")) * 1_000_000n + 768_022_900n,
      );
      assert.equal(
        vbo.requests.filter((r) => r.url.startsWith("/v8/RestoreSessions/s-1/Events")).length,
        5,
      );
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("reads organizations as a plain array on v6 and as pages on v8", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ versions: ["v6", "v8"], clock, maxPageSize: 1 });
    t.after(() => vbo.close());
    for (const version of ["v6", "v8"] as const) {
      const client = createVboClient({
        url: vbo.url,
        apiVersion: version,
        username: "admin",
        password: "p@ss w0rd!",
        clock,
      });
      try {
        const orgs = await client.listOrganizations();
        assert.deepEqual(
          orgs.map((o) => o.name),
          ["contoso.onmicrosoft.com", "fabrikam"],
        );
      } finally {
        client.close();
      }
    }
    assert.equal(vbo.requests.filter((r) => r.url.startsWith("/v8/Organizations")).length, 2);
  });

  it("keeps the base URL's path prefix (reverse proxy) when following server-relative links", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, sessions: 12, maxPageSize: 5, prefix: "/vbo" });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: `${vbo.url}/vbo/`,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    t.after(() => client.close());
    const sessions = await collect(client.listRestoreSessions({}));
    assert.equal(sessions.length, 12);
    assert.ok(vbo.requests.every((r) => r.url.startsWith("/vbo/v8/")));
    assert.equal(vbo.requests.length, 1 + 3);
  });
});
