// Failure modes over real HTTP: 5xx retries with jittered backoff, broken bodies, timeouts,
// unreachable servers, aborts, and no secret in any error message or log line.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";
import { json, type Reply, startFakeVbo } from "./fake-vbo.ts";

const PASSWORD = "Sup3r-Secret-Pw";

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function reasonIs(reason: string, also?: (e: VboError) => void) {
  return (e: unknown) => {
    assert.ok(e instanceof VboError, `expected a VboError, got ${String(e)}`);
    assert.equal(e.name, "VboError");
    assert.equal(e.reason, reason, e.message);
    also?.(e);
    return true;
  };
}

describe("VBO client failures", () => {
  it("retries 5xx with full-jitter exponential backoff and then succeeds", async (t) => {
    const clock = fakeClock();
    let failures = 0;
    const vbo = await startFakeVbo({
      clock,
      sessions: 3,
      intercept: (r) => {
        if (r.url.startsWith("/v8/RestoreSessions/2") && failures < 2) {
          failures += 1;
          return json(503, { message: "Service unavailable", errorCode: "ProxyOffline" });
        }
        return undefined;
      },
    });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
      random: () => 0.999,
    });
    t.after(() => client.close());
    const session = await client.getRestoreSession("2");
    assert.equal(session.name, "Exchange restore 2");
    assert.equal(vbo.requests.filter((r) => r.url.startsWith("/v8/RestoreSessions/2")).length, 3);
    // Pauses grow: at most 500 ms, then at most 1000 ms.
    assert.equal(clock.sleeps.length, 2);
    assert.ok((clock.sleeps[0] ?? 0) <= 500 && (clock.sleeps[0] ?? 0) >= 400);
    assert.ok((clock.sleeps[1] ?? 0) <= 1000 && (clock.sleeps[1] ?? 0) >= 900);
  });

  it("fails as server_error once the retries are spent, quoting VBO's message", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({
      clock,
      intercept: (r) =>
        r.url.endsWith("/token")
          ? undefined
          : json(500, { message: "Database is locked", errorCode: "Timeout" }),
    });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      maxRetries: 2,
      clock,
    });
    t.after(() => client.close());
    await assert.rejects(
      collect(client.listRestoreSessions({})),
      reasonIs("server_error", (e) => {
        assert.equal(e.status, 500);
        assert.match(e.message, /Database is locked/);
        assert.match(e.path ?? "", /^\/v8\/RestoreSessions\?/);
      }),
    );
    assert.equal(vbo.requests.filter((r) => !r.url.endsWith("/token")).length, 3);
  });

  it("turns HTML pages, empty bodies, truncated JSON and wrong shapes into bad_response", async (t) => {
    const cases: [string, Reply, RegExp][] = [
      [
        "html",
        {
          status: 200,
          body: "<html><body>Proxy login</body></html>",
          headers: { "content-type": "text/html" },
        },
        /HTML page/,
      ],
      ["empty", { status: 200, body: "" }, /empty body/],
      [
        "truncated",
        { status: 200, body: '{"offset":0,"limit":30,"results":[{"id":"a","ty' },
        /truncated JSON/,
      ],
      ["wrong type", json(200, { results: "none" }), /"results"/],
      ["not an object", json(200, [1, 2, 3]), /expected a JSON object/],
      [
        "missing field",
        json(200, { results: [{ id: "x", type: "Vex", state: "Stopped", result: "Success" }] }),
        /"creationTime" is missing/,
      ],
      ["odd status", json(418, { message: "I am a teapot" }), /HTTP 418.*teapot/],
    ];
    for (const [name, reply, pattern] of cases) {
      const clock = fakeClock();
      const vbo = await startFakeVbo({
        clock,
        intercept: (r) => (r.url.startsWith("/v8/RestoreSessions") ? reply : undefined),
      });
      t.after(() => vbo.close());
      const client = createVboClient({
        url: vbo.url,
        apiVersion: "v8",
        username: "admin",
        password: "p@ss w0rd!",
        clock,
      });
      t.after(() => client.close());
      await assert.rejects(
        collect(client.listRestoreSessions({})),
        reasonIs("bad_response", (e) => {
          assert.match(e.message, pattern, name);
          assert.match(e.message, /GET \/v8\/RestoreSessions/, name);
        }),
        name,
      );
      assert.equal(vbo.requests.length, 2, `${name}: not retried`);
    }
  });

  it("answers 404 with not_found", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    t.after(() => client.close());
    await assert.rejects(
      client.listOrganizationUsers("nope")[Symbol.asyncIterator]().next(),
      reasonIs("not_found"),
    );
  });

  it("times out a server that never answers, and reports an unreachable one", async (t) => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          silent.closeAllConnections();
          silent.close(() => resolve());
        }),
    );
    const clock = fakeClock();
    const slow = createVboClient({
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      apiVersion: "v8",
      username: "admin",
      password: "p@ss w0rd!",
      timeoutMs: 150,
      maxRetries: 1,
      clock,
    });
    t.after(() => slow.close());
    const started = Date.now();
    await assert.rejects(
      slow.serviceInstance(),
      reasonIs("timeout", (e) => assert.match(e.message, /150 ms/)),
    );
    assert.ok(Date.now() - started < 5_000);
    assert.equal(slow.requestCount(), 2, "one retry after a timeout");

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gone = createVboClient({
      url: `http://127.0.0.1:${port}`,
      apiVersion: "auto",
      username: "admin",
      password: "p@ss w0rd!",
      maxRetries: 2,
      clock,
    });
    t.after(() => gone.close());
    await assert.rejects(
      gone.apiVersion(),
      reasonIs("unreachable", (e) => assert.match(e.message, /ECONNREFUSED/)),
    );
    assert.equal(gone.requestCount(), 3);
  });

  it("stops at once when the caller aborts", async (t) => {
    const controller = new AbortController();
    // The caller gives up once its request has reached the server, which never answers.
    const hanging = createServer(() => controller.abort());
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    t.after(
      () =>
        new Promise<void>((resolve) => {
          hanging.closeAllConnections();
          hanging.close(() => resolve());
        }),
    );
    const client = createVboClient({
      url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`,
      apiVersion: "v6",
      username: "admin",
      password: "p@ss w0rd!",
      clock: fakeClock(),
    });
    t.after(() => client.close());
    const pending = client.getRestoreSession("x", controller.signal);
    await assert.rejects(pending, reasonIs("aborted"));
    await assert.rejects(client.getRestoreSession("x", AbortSignal.abort()), reasonIs("aborted"));
  });

  it("keeps the password and tokens out of every error message and log line", async (t) => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on("data", (chunk: Buffer) => lines.push(chunk.toString("utf8")));
    const logger = createLogger("trace", stream);
    const clock = fakeClock();
    let calls = 0;
    const vbo = await startFakeVbo({
      clock,
      password: PASSWORD,
      sessions: 5,
      intercept: (r) => {
        calls += 1;
        if (r.url.endsWith("/token")) return undefined;
        const token = r.authorization?.replace("Bearer ", "") ?? "";
        // A careless server echoing what it was given.
        if (calls % 3 === 0)
          return json(500, { message: `token ${token} for password ${PASSWORD} failed` });
        if (calls % 3 === 1) return { status: 401, body: `bad token ${token}` };
        return json(400, { message: `cannot use ${token}` });
      },
    });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      maxRetries: 1,
      clock,
      logger,
    });
    t.after(() => client.close());
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        await client.getRestoreSession(String(i));
      } catch (error) {
        assert.ok(error instanceof VboError);
        messages.push(error.message, JSON.stringify(error), String(error.stack));
      }
    }
    const wrong = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: `${PASSWORD}-x`,
      clock,
      logger,
    });
    t.after(() => wrong.close());
    await assert.rejects(wrong.serviceInstance(), (e: unknown) => {
      messages.push(String((e as Error).message));
      return true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(messages.length >= 6);
    assert.ok(lines.length > 0, "something was logged");
    const secrets = [PASSWORD, ...vbo.issued];
    assert.ok(vbo.issued.length >= 2);
    for (const text of [...messages, ...lines]) {
      for (const secret of secrets) assert.ok(!text.includes(secret), `secret leaked in: ${text}`);
      assert.ok(!/refresh-\d+-/.test(text), `refresh token leaked in: ${text}`);
      assert.ok(!/bearer [a-z0-9]/i.test(text), `authorization leaked in: ${text}`);
    }
  });

  it("refuses URLs with credentials, a version in the path, and an unreadable CA file", () => {
    const base = { apiVersion: "v8" as const, username: "admin", password: "p@ss w0rd!" };
    assert.throws(
      () => createVboClient({ ...base, url: "https://admin:hunter2@vbo.example:4443" }),
      (e: unknown) =>
        e instanceof Error && /credentials/.test(e.message) && !e.message.includes("hunter2"),
    );
    assert.throws(
      () => createVboClient({ ...base, url: "https://vbo.example:4443/v8" }),
      /API version/,
    );
    assert.throws(() => createVboClient({ ...base, url: "not a url" }), /not a valid URL/);
    assert.throws(
      () =>
        createVboClient({
          ...base,
          url: "https://vbo.example:4443",
          tls: { caFile: "/nonexistent/ca.pem" },
        }),
      /tls\.caFile \/nonexistent\/ca\.pem \(ENOENT\)/,
    );
  });
});
