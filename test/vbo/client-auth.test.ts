// Token handling over real HTTP: login, refresh before expiry, 401 re-login, 429 Retry-After,
// paced and single-flight /token calls, and bad credentials reported without hammering.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "../../src/logger.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";
import { json, type SeenRequest, startFakeVbo } from "./fake-vbo.ts";

const PASSWORD = "p@ss w0rd!";
const tokenCalls = (requests: SeenRequest[]) => requests.filter((r) => r.url.endsWith("/token"));

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("VBO client authentication", () => {
  it("logs in once with the password grant and disable_antiforgery_token on v7/v8, then reuses the token", async (t) => {
    const clock = fakeClock();
    for (const version of ["v6", "v7", "v8"] as const) {
      const vbo = await startFakeVbo({ versions: [version], clock, sessions: 3 });
      t.after(() => vbo.close());
      const client = createVboClient({
        url: vbo.url,
        apiVersion: version,
        username: "admin",
        password: PASSWORD,
        clock,
      });
      try {
        await client.getRestoreSession("1");
        await client.serviceInstance();
        const calls = tokenCalls(vbo.requests);
        assert.equal(calls.length, 1);
        assert.equal(calls[0]?.url, `/${version}/token`);
        assert.equal(calls[0]?.form.grant_type, "password");
        assert.equal(calls[0]?.form.password, PASSWORD);
        assert.equal(
          calls[0]?.form.disable_antiforgery_token,
          version === "v6" ? undefined : "true",
        );
        const api = vbo.requests.filter((r) => !r.url.endsWith("/token"));
        assert.ok(api.every((r) => r.authorization === `Bearer ${vbo.issued[0]}`));
        assert.equal(client.requestCount(), vbo.requests.length);
        assert.ok(vbo.requests.every((r) => r.userAgent === "vbo-restore-exporter"));
      } finally {
        client.close();
      }
    }
  });

  it("refreshes with the refresh grant before the token expires, mid-paging, reading every item once", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, sessions: 50, tokenLifetimeSeconds: 60 });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      pageSize: 10,
      clock,
    });
    try {
      const ids: string[] = [];
      for await (const s of client.listRestoreSessions({})) {
        ids.push(s.id);
        // Twenty seconds per item: the 60 s token runs out twice during the listing.
        clock.advance(20_000);
      }
      assert.equal(ids.length, 50);
      assert.equal(new Set(ids).size, 50);
      const calls = tokenCalls(vbo.requests);
      assert.ok(calls.length >= 3, `expected refreshes, saw ${calls.length} token calls`);
      assert.deepEqual(
        calls.map((c) => c.form.grant_type),
        ["password", ...calls.slice(1).map(() => "refresh_token")],
      );
      assert.ok(
        !vbo.requests.some(
          (r) => r.url.includes("RestoreSessions") && r.authorization === undefined,
        ),
      );
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("re-authenticates once after a 401 with an empty body (server restart mid-paging) and goes on", async () => {
    const clock = fakeClock();
    let revoked = false;
    const holder: { revoke?: () => void } = {};
    const vbo = await startFakeVbo({
      clock,
      sessions: 50,
      intercept: (request) => {
        if (!revoked && request.url.includes("offset=20")) {
          revoked = true;
          holder.revoke?.();
        }
        return undefined;
      },
    });
    holder.revoke = vbo.revokeTokens;
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      pageSize: 10,
      clock,
    });
    try {
      const sessions = await collect(client.listRestoreSessions({}));
      assert.equal(new Set(sessions.map((s) => s.id)).size, 50);
      assert.equal(sessions.length, 50);
      const grants = tokenCalls(vbo.requests).map((c) => c.form.grant_type);
      // The refresh token died with the restart too, so the password grant follows.
      assert.deepEqual(grants, ["password", "refresh_token", "password"]);
      const retried = vbo.requests.filter((r) => r.url.includes("offset=20"));
      assert.equal(retried.length, 2);
      assert.equal(client.requestCount(), vbo.requests.length);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("gives up with bad_credentials when even a fresh token gets 401", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({
      clock,
      intercept: (r) => (r.url.endsWith("/token") ? undefined : { status: 401 }),
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
    });
    try {
      await assert.rejects(client.serviceInstance(), (e: unknown) => {
        assert.ok(e instanceof VboError);
        assert.equal(e.reason, "bad_credentials");
        assert.equal(e.status, 401);
        return true;
      });
      assert.equal(vbo.requests.filter((r) => r.url.endsWith("/ServiceInstance")).length, 2);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("reports bad credentials for both error shapes with one /token call, then waits before asking again", async (t) => {
    const shapes = [
      json(400, {
        error: "invalid_grant",
        error_description: "The user name or password is incorrect.",
      }),
      json(400, { message: "Invalid user name or password." }),
      json(401, { message: "Unauthorized" }),
    ];
    for (const shape of shapes) {
      const clock = fakeClock();
      const vbo = await startFakeVbo({ clock, intercept: () => shape });
      t.after(() => vbo.close());
      const client = createVboClient({
        url: vbo.url,
        apiVersion: "v8",
        username: "admin",
        password: "wrong-Secret-1",
        clock,
      });
      try {
        for (let i = 0; i < 3; i++) {
          await assert.rejects(collect(client.listRestoreSessions({})), (e: unknown) => {
            assert.ok(e instanceof VboError);
            assert.equal(e.reason, "bad_credentials");
            assert.match(e.message, /admin/);
            assert.ok(!e.message.includes("wrong-Secret-1"));
            return true;
          });
        }
        assert.equal(vbo.requests.length, 1, "no retry loop on refused credentials");
        clock.advance(31_000);
        await assert.rejects(client.serviceInstance(), (e: unknown) => e instanceof VboError);
        assert.equal(vbo.requests.length, 2, "asks again after the cool-down");
      } finally {
        client.close();
      }
    }
  });

  it("honours Retry-After on 429 from the token endpoint and from the API", async () => {
    const clock = fakeClock();
    let tokenThrottled = false;
    let apiThrottled = false;
    const vbo = await startFakeVbo({
      clock,
      sessions: 2,
      intercept: (r) => {
        if (r.url.endsWith("/token") && !tokenThrottled) {
          tokenThrottled = true;
          return { status: 429, headers: { "retry-after": "7" } };
        }
        if (r.url.includes("/RestoreSessions/1") && !apiThrottled) {
          apiThrottled = true;
          return json(429, { message: "Too many requests" }, { "retry-after": "3" });
        }
        return undefined;
      },
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
    });
    try {
      const start = clock.now();
      const s = await client.getRestoreSession("1");
      assert.equal(s.name, "Exchange restore 1");
      const [first, second] = tokenCalls(vbo.requests);
      assert.ok(first !== undefined && second !== undefined);
      assert.ok(second.atMs - first.atMs >= 7_000, "waited the Retry-After of the token endpoint");
      const gets = vbo.requests.filter((r) => r.url.includes("/RestoreSessions/1"));
      assert.equal(gets.length, 2);
      assert.ok((gets[1]?.atMs ?? 0) - (gets[0]?.atMs ?? 0) >= 3_000);
      assert.ok(clock.now() - start >= 10_000);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("backs off on 429 when Retry-After is 0, in the past or malformed, instead of retrying at once", async () => {
    const clock = fakeClock();
    const answers = ["0", new Date(clock.now() - 60_000).toUTCString(), "0.001"];
    const vbo = await startFakeVbo({
      clock,
      sessions: 2,
      intercept: (r) => {
        if (!r.url.includes("/RestoreSessions/1")) return undefined;
        const retryAfter = answers.shift();
        return retryAfter === undefined
          ? undefined
          : json(429, { message: "Too many requests" }, { "retry-after": retryAfter });
      },
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
      random: () => 0.5,
    });
    try {
      const s = await client.getRestoreSession("1");
      assert.equal(s.name, "Exchange restore 1");
      // Full jitter at random 0.5 from 1 s, doubling: 500, 1000, 2000 ms.
      assert.deepEqual(clock.sleeps, [500, 1000, 2000]);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("fails as throttled when 429 keeps coming", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({
      clock,
      intercept: () => ({ status: 429, headers: { "retry-after": "1" } }),
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      maxRetries: 2,
      clock,
    });
    try {
      await assert.rejects(client.serviceInstance(), (e: unknown) => {
        return e instanceof VboError && e.reason === "throttled" && e.status === 429;
      });
      assert.equal(vbo.requests.length, 3);
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("shares one login between concurrent callers and keeps a second between /token calls", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, sessions: 5 });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
    });
    try {
      await Promise.all([0, 1, 2, 3, 4].map((i) => client.getRestoreSession(String(i))));
      assert.equal(tokenCalls(vbo.requests).length, 1);
      // Two consecutive forced re-logins: the second /token call waits out the pace.
      vbo.revokeTokens();
      await Promise.all([0, 1, 2].map((i) => client.getRestoreSession(String(i))));
      vbo.revokeTokens();
      await client.getRestoreSession("4");
      const calls = tokenCalls(vbo.requests);
      assert.ok(calls.length >= 3 && calls.length <= 5, `token calls: ${calls.length}`);
      for (let i = 1; i < calls.length; i++) {
        assert.ok((calls[i]?.atMs ?? 0) - (calls[i - 1]?.atMs ?? 0) >= 1_000, "one per second");
      }
    } finally {
      client.close();
      await vbo.close();
    }
  });

  it("never sends more than five /token calls within a minute, however often tokens are refused", async () => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ clock, sessions: 2 });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
    });
    try {
      for (let i = 0; i < 8; i++) {
        vbo.revokeTokens();
        assert.equal((await client.getRestoreSession("1")).name, "Exchange restore 1");
      }
      const calls = tokenCalls(vbo.requests);
      assert.ok(calls.length >= 8, `token calls: ${calls.length}`);
      for (let i = 5; i < calls.length; i++) {
        const span = (calls[i]?.atMs ?? 0) - (calls[i - 5]?.atMs ?? 0);
        assert.ok(span >= 60_000, `calls ${i - 5}..${i} within ${span} ms`);
      }
      assert.equal(client.requestCount(), vbo.requests.length);
    } finally {
      client.close();
      await vbo.close();
    }
  });
  it("a caller aborted before its token renewal starts no login, and a failed login never goes unhandled", async (t) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    t.after(() => process.off("unhandledRejection", onUnhandled));
    const clock = fakeClock();
    let refuse = false;
    let onRefusedToken = () => {};
    const vbo = await startFakeVbo({
      clock,
      sessions: 1,
      intercept: (r) => {
        if (!refuse || !r.url.endsWith("/token")) return undefined;
        onRefusedToken();
        return json(400, { error: "invalid_grant", error_description: "password changed" });
      },
    });
    const lines = new PassThrough();
    let logged = "";
    lines.setEncoding("utf8").on("data", (chunk: string) => {
      logged += chunk;
    });
    const loginFailed = new Promise<void>((resolve) => {
      const check = () => {
        if (logged.includes("VBO login failed")) resolve();
      };
      lines.on("data", check);
    });
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "v8",
      username: "admin",
      password: PASSWORD,
      clock,
      logger: createLogger("debug", lines),
    });
    try {
      await client.getRestoreSession("0");
      clock.advance(2 * 3_600_000);
      refuse = true;
      const before = tokenCalls(vbo.requests).length;
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(client.getRestoreSession("0", aborted.signal), { reason: "aborted" });
      assert.equal(tokenCalls(vbo.requests).length, before, "no login for a caller that gave up");

      // The caller gives up once its login is under way (its refresh grant reached VBO).
      const leaving = new AbortController();
      onRefusedToken = () => leaving.abort();
      const pending = client.getRestoreSession("0", leaving.signal);
      await assert.rejects(pending, { reason: "aborted" });
      // The shared login goes on behind the caller: refresh refused, then the password refused.
      await loginFailed;
      assert.equal(tokenCalls(vbo.requests).length, before + 2);
      // Node reports a rejection nobody handles once the microtasks of its turn have run.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, [], "the refused login behind an aborted caller is handled");
    } finally {
      client.close();
      await vbo.close();
    }
  });
});
