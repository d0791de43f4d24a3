// API version detection: probe /vN/ServiceInstance without a token, newest first, once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createVboClient } from "../../src/vbo/client.ts";
import { VboError } from "../../src/vbo/errors.ts";
import { fakeClock } from "./fake-clock.ts";
import { startFakeVbo } from "./fake-vbo.ts";

describe("VBO client API version", () => {
  it("probes newest first without a token and caches the answer", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ versions: ["v6", "v7"], clock, sessions: 2 });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "auto",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    t.after(() => client.close());
    const [a, b] = await Promise.all([client.apiVersion(), client.apiVersion()]);
    assert.equal(a, "v7");
    assert.equal(b, "v7");
    const probes = vbo.requests.filter((r) => r.url.endsWith("/ServiceInstance"));
    assert.deepEqual(
      probes.map((p) => p.url),
      ["/v8/ServiceInstance", "/v7/ServiceInstance"],
    );
    assert.ok(probes.every((p) => p.authorization === undefined));
    const session = await client.getRestoreSession("1");
    assert.equal(session.id.endsWith("000000000001"), true);
    assert.equal(vbo.requests.at(-2)?.url, "/v7/token");
    assert.equal(vbo.requests.at(-1)?.url, "/v7/RestoreSessions/1");
    assert.equal(await client.apiVersion(), "v7");
    assert.equal(vbo.requests.filter((r) => r.url.endsWith("/ServiceInstance")).length, 2);
    assert.equal(client.requestCount(), vbo.requests.length);
  });

  it("reports unsupported_version when no version is served, and probes again later", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ versions: ["v5"], clock });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: vbo.url,
      apiVersion: "auto",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    t.after(() => client.close());
    for (let i = 0; i < 2; i++) {
      await assert.rejects(client.serviceInstance(), (e: unknown) => {
        assert.ok(e instanceof VboError);
        assert.equal(e.reason, "unsupported_version");
        assert.match(e.message, /v8: HTTP 404, v7: HTTP 404, v6: HTTP 404/);
        return true;
      });
    }
    assert.equal(vbo.requests.length, 6);
    assert.ok(!vbo.requests.some((r) => r.url.endsWith("/token")));
  });

  it("uses a configured version without probing", async (t) => {
    const clock = fakeClock();
    const vbo = await startFakeVbo({ versions: ["v6", "v8"], clock });
    t.after(() => vbo.close());
    const client = createVboClient({
      url: `${vbo.url}/`,
      apiVersion: "v6",
      username: "admin",
      password: "p@ss w0rd!",
      clock,
    });
    t.after(() => client.close());
    assert.equal(await client.apiVersion(), "v6");
    const instance = await client.serviceInstance();
    assert.equal(instance.version, "8.1.0.305");
    assert.deepEqual(
      vbo.requests.map((r) => r.url),
      ["/v6/token", "/v6/ServiceInstance"],
    );
  });
});
