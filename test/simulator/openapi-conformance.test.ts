// Every response the simulator sends validates against Veeam's OpenAPI schema for its version.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { OpenApiSpec, requireSpecs, type SpecVersion } from "../helpers/openapi.ts";
import { get, request } from "../helpers/sim-http.ts";

for (const version of ["v6", "v7", "v8"] as const satisfies readonly SpecVersion[]) {
  test(`${version}: every route answers in Veeam's schema`, async (t) => {
    if (!requireSpecs(t)) return;
    const spec = new OpenApiSpec(version);
    let now = Date.parse("2026-03-16T18:00:00Z");
    const sim = await startSimulator({
      apiVersion: version,
      historySessions: 80,
      ratePerMinute: 20,
      sessionDurationSeconds: 120,
      tokenThrottle: false,
      clock: () => now,
    });
    t.after(() => sim.close());
    now += 90_000; // some live sessions are Working, some have stopped
    const check = (path: string, status: string, body: unknown, method = "get") =>
      assert.deepEqual(spec.check(path, method, status, body), [], `${version} ${path}`);

    const tokenReply = await request(`${sim.url}/${version}/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "password",
        username: sim.username,
        password: sim.password,
      }),
    });
    check(`/${version}/token`, "200", tokenReply.json(), "post");
    const token = (tokenReply.json() as { access_token: string }).access_token;

    const sessions = (await get(sim, token, `/${version}/RestoreSessions?limit=1000`)).json() as {
      results: {
        id: string;
        state: string;
        clientHost?: string;
        _links?: { organization?: { href: string } };
      }[];
    };
    check(`/${version}/RestoreSessions`, "200", sessions);
    assert.ok(sessions.results.length > 80, "history plus live sessions are listed");
    assert.ok(sessions.results.some((s) => s.state === "Working"));
    assert.ok(sessions.results.some((s) => s.state === "Stopped"));
    assert.ok(
      sessions.results.some((s) => s.clientHost === undefined),
      "clientHost is sometimes missing",
    );
    assert.ok(
      sessions.results.some((s) => s.clientHost?.includes("(via: ")),
      "clientHost carries a gateway",
    );

    for (const session of sessions.results.slice(0, 12)) {
      const one = await get(sim, token, `/${version}/RestoreSessions/${session.id}`);
      check(`/${version}/RestoreSessions/{restoreSessionId}`, "200", one.json());
      const events = (
        await get(sim, token, `/${version}/RestoreSessions/${session.id}/Events?limit=100`)
      ).json() as {
        results: { id: string }[];
      };
      check(`/${version}/RestoreSessions/{restoreSessionId}/Events`, "200", events);
      const first = events.results[0];
      assert.ok(first, "every session has its start event");
      const event = await get(
        sim,
        token,
        `/${version}/RestoreSessions/${session.id}/Events/${first.id}`,
      );
      check(`/${version}/RestoreSessions/{restoreSessionId}/Events/{eventId}`, "200", event.json());
    }

    const organizations = (await get(sim, token, `/${version}/Organizations`)).json();
    check(`/${version}/Organizations`, "200", organizations);
    const orgList = (
      Array.isArray(organizations)
        ? organizations
        : (organizations as { results: unknown[] }).results
    ) as {
      id: string;
    }[];
    assert.equal(
      Array.isArray(organizations),
      version !== "v8",
      "a plain array on v6/v7, a page on v8",
    );
    const orgId = orgList[0]?.id ?? "";
    const users = (await get(sim, token, `/${version}/Organizations/${orgId}/Users`)).json() as {
      results: { _links: { self: { href: string } } }[];
    };
    check(`/${version}/Organizations/{organizationId}/Users`, "200", users);
    // The links the simulator hands out lead somewhere, with the documented shapes.
    const sessionLink = sessions.results[0]?._links?.organization?.href ?? "";
    const organization = await get(sim, token, sessionLink);
    assert.equal(organization.status, 200, sessionLink);
    check(`/${version}/Organizations/{organizationId}`, "200", organization.json());
    const userLink = users.results[0]?._links.self.href ?? "";
    const user = await get(sim, token, userLink);
    assert.equal(user.status, 200, userLink);
    check(`/${version}/Organizations/{organizationId}/Users/{userId}`, "200", user.json());
    check(
      `/${version}/ServiceInstance`,
      "200",
      (await get(sim, token, `/${version}/ServiceInstance`)).json(),
    );
    const missing = await get(
      sim,
      token,
      `/${version}/RestoreSessions/00000000-0000-4000-8000-000000000000`,
    );
    assert.equal(missing.status, 404);
    check(`/${version}/RestoreSessions/{restoreSessionId}`, "default", missing.json());

    // The change feed: v8 only.
    const latest = await get(sim, token, `/${version}/Events?from=latest`);
    if (version !== "v8") {
      assert.equal(latest.status, 404, "no change feed before v8");
      return;
    }
    check("/v8/Events", "200", latest.json());
    const start = latest.json() as { nextChangeToken: string; results: unknown[] };
    assert.deepEqual(start.results, [], "latest is a token without changes");
    now += 60_000;
    const changes = await get(sim, token, `/v8/Events?from=${start.nextChangeToken}&limit=1000`);
    check("/v8/Events", "200", changes.json());
    const changed = changes.json() as { results: { eventType: string }[] };
    assert.ok(changed.results.length > 0, "a minute of live sessions brings changes");
    const removed = sessions.results[0]?.id ?? "";
    await request(`${sim.url}/_simulator/sessions/${removed}`, { method: "DELETE" });
    const deletion = await get(
      sim,
      token,
      `/v8/Events?from=${(changes.json() as { nextChangeToken: string }).nextChangeToken}`,
    );
    check("/v8/Events", "200", deletion.json());
    assert.deepEqual((deletion.json() as { results: unknown[] }).results, [
      { eventType: "RestoreSessionDelete", id: removed },
    ]);
    await request(`${sim.url}/_simulator/change-tokens/expire`, { method: "POST" });
    const outdated = await get(sim, token, `/v8/Events?from=${start.nextChangeToken}`);
    assert.equal(outdated.status, 400);
    check("/v8/Events", "default", outdated.json());
    assert.equal((outdated.json() as { errorCode: string }).errorCode, "OutdatedChangeToken");
  });
}
