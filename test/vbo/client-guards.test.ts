// What the client refuses to do for a misbehaving server: page forever, address another resource
// through a dot id, or hold an answer of any size in memory.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";
import { json, startFakeVbo } from "./fake-vbo.ts";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const PASSWORD = "p@ss w0rd!";

function session(i: number) {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    type: "Vex",
    creationTime: "2026-01-01T00:00:00Z",
    state: "Stopped",
    result: "Success",
  };
}

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  return { logger: createLogger("info", stream), lines };
}

/** A server whose next link is ?cursor=k+1: a page sliding by one item, never repeating itself. */
function slidingPages(totalCount: number | null) {
  return (r: { url: string }) => {
    if (!r.url.startsWith("/v8/RestoreSessions")) return undefined;
    const k = Number(new URL(r.url, "http://x").searchParams.get("cursor") ?? "0");
    return json(200, {
      offset: 0,
      limit: 2,
      results: [session(k), session(k + 1)],
      ...(totalCount === null ? {} : { totalCount }),
      _links: { next: { href: `/v8/RestoreSessions?cursor=${k + 1}&limit=2` } },
    });
  };
}

describe("paging guard", () => {
  it("stops next links that never repeat at the listing's page ceiling, with a warning naming the URL", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, password: PASSWORD, intercept: slidingPages(null) });
    t.after(() => vbo.close());
    const { logger, lines } = capture();
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
      logger,
      paging: { maxPages: 40 },
    });
    t.after(() => client.close());
    await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
      assert.ok(e instanceof VboError);
      assert.equal(e.reason, "paging_runaway");
      assert.match(e.message, /more than the 40 pages allowed/);
      assert.match(e.message, /cursor=/);
      return true;
    });
    const listed = vbo.requests.filter((r) => r.url.startsWith("/v8/RestoreSessions"));
    assert.equal(listed.length, 40, "stopped at the ceiling");
    await new Promise((resolve) => setImmediate(resolve));
    const warning = lines.find((l) => l.level === 40);
    assert.ok(warning, "one warning");
    assert.match(String(warning.url), /\/v8\/RestoreSessions\?cursor=39&limit=2$/);
    assert.ok(!JSON.stringify(lines).includes(PASSWORD));
  });

  it("bounds a listing by its totalCount when the server gives one", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, intercept: slidingPages(10) });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
      pageSize: 2,
    });
    t.after(() => client.close());
    await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
      assert.ok(e instanceof VboError);
      assert.equal(e.reason, "paging_runaway");
      assert.match(e.message, /totalCount 10/);
      return true;
    });
    const listed = vbo.requests.filter((r) => r.url.startsWith("/v8/RestoreSessions"));
    assert.ok(listed.length <= 7, `a handful of pages, not thousands (${listed.length})`);
  });

  it("stops the simulator's non-repeating next links (fault switch) by the default item bound", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v8",
      historySessions: 50,
      ratePerMinute: 0,
      clock: clock.now,
      faults: { endlessPaging: 1 },
    });
    t.after(() => sim.close());
    const client = createVboClient({
      url: sim.url,
      apiVersion: "v8",
      username: sim.username,
      password: sim.password,
      clock,
      pageSize: 1000,
      paging: { maxItems: 5_000 },
    });
    t.after(() => client.close());
    await assert.rejects(
      collect(client.listRestoreSessions({})),
      (e: unknown) => e instanceof VboError && e.reason === "paging_runaway",
    );
    assert.ok(sim.stats().requests < 200, `bounded: ${sim.stats().requests} requests`);
  });
});

describe("dot ids", () => {
  it("refuses session ids . and .. instead of requesting another resource", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, sessions: 2 });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
    });
    t.after(() => client.close());
    for (const id of [".", ".."]) {
      const refused = (e: unknown) => {
        assert.ok(e instanceof VboError);
        assert.equal(e.reason, "bad_response");
        assert.ok(e.message.includes(`id "${id}"`), e.message);
        return true;
      };
      await assert.rejects(collect(client.listRestoreSessionEvents(id)), refused);
      await assert.rejects(client.getRestoreSession(id), refused);
      await assert.rejects(collect(client.listOrganizationUsers(id)), refused);
    }
    assert.ok(
      vbo.requests.every((r) => !/\/v8\/(Events|RestoreSessions)?(\?|$)/.test(r.url)),
      vbo.requests.map((r) => r.url).join(" "),
    );
  });

  it("reads the simulator's dot-id sessions (fault switch) and refuses only their events", async (t) => {
    const clock = fakeClock(Date.UTC(2026, 5, 1));
    const sim = await startSimulator({
      apiVersion: "v7",
      historySessions: 10,
      ratePerMinute: 0,
      clock: clock.now,
      faults: { dotIds: 1 },
    });
    t.after(() => sim.close());
    const client = createVboClient({
      url: sim.url,
      apiVersion: "v7",
      username: sim.username,
      password: sim.password,
      clock,
    });
    t.after(() => client.close());
    const sessions = await collect(client.listRestoreSessions({}));
    const ids = sessions.map((s) => s.id);
    assert.ok(ids.includes(".") && ids.includes(".."), ids.join(" "));
    sim.resetStats();
    await assert.rejects(
      collect(client.listRestoreSessionEvents("..")),
      (e: unknown) => e instanceof VboError && e.message.includes('id ".."'),
    );
    assert.equal(sim.stats().requests, 0, "nothing was requested");
  });
});

describe("answer size", () => {
  it("refuses an answer above the limit, naming the URL and the limit, before reading it all", async (t) => {
    const clock = fakeClock();
    const big = JSON.stringify({
      offset: 0,
      limit: 1000,
      results: Array.from({ length: 1000 }, (_, i) => ({
        ...session(i),
        details: "x".repeat(40_000),
      })),
    });
    const vbo = await startFakeVbo({
      clock,
      intercept: (r) =>
        !r.url.startsWith("/v8/RestoreSessions")
          ? undefined
          : r.url.includes("offset=0")
            ? { status: 200, body: big, headers: { "content-type": "application/json" } }
            : json(200, { offset: 1000, limit: 1000, results: [] }),
    });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
    });
    t.after(() => client.close());
    assert.ok(big.length > 40_000_000, "a 40 MB page");
    await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
      assert.ok(e instanceof VboError);
      assert.equal(e.reason, "bad_response");
      assert.match(e.message, /\/v8\/RestoreSessions/);
      assert.match(e.message, /33554432-byte limit/);
      return true;
    });
    const small = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
      maxResponseBytes: 64 * 1024 * 1024,
    });
    t.after(() => small.close());
    assert.equal(
      (await collect(small.listRestoreSessions({}))).length,
      1000,
      "a raised limit reads it",
    );
  });
});
