// The simulator's audit routes answer in Veeam's schema of each version, with the versions' own
// status codes (201/200 on v6/v7, 204 on v8) and test-mail route (SendTest vs SendTestEmail).
import assert from "node:assert/strict";
import { test } from "node:test";
import { startSimulator } from "../../src/simulator/server.ts";
import { OpenApiSpec, requireSpecs, type SpecVersion } from "../helpers/openapi.ts";
import { get, login, request } from "../helpers/sim-http.ts";

for (const version of ["v6", "v7", "v8"] as const satisfies readonly SpecVersion[]) {
  test(`${version}: groups, members, audit items and e-mail settings follow the spec`, async (t) => {
    if (!requireSpecs(t)) return;
    const spec = new OpenApiSpec(version);
    const sim = await startSimulator({
      apiVersion: version,
      tokenThrottle: false,
      ratePerMinute: 0,
    });
    t.after(() => sim.close());
    const token = await login(sim);
    const send = (method: string, path: string, body?: unknown) =>
      request(`${sim.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const check = (path: string, method: string, status: string, body: unknown) =>
      assert.deepEqual(spec.check(path, method, status, body), [], `${version} ${method} ${path}`);
    const org = (sim.world.organizations()[0] ?? { id: "" }).id;
    const base = `/${version}/Organizations/${org}`;
    const p = `/${version}/Organizations/{organizationId}`;

    const groups = await get(sim, token, `${base}/Groups?limit=50`);
    assert.equal(groups.status, 200);
    check(`${p}/Groups`, "get", "200", groups.json());
    const group = (groups.json() as { results: { id: string; name: string }[] }).results[0];
    assert.ok(group);
    const one = await get(sim, token, `${base}/Groups/${group.id}`);
    check(`${p}/Groups/{groupId}`, "get", "200", one.json());
    const members = await get(sim, token, `${base}/Groups/${group.id}/Members`);
    check(`${p}/Groups/{groupId}/Members`, "get", "200", members.json());
    assert.ok((members.json() as { results: unknown[] }).results.length > 0);

    const users = (await get(sim, token, `${base}/Users?limit=50`)).json() as {
      results: { id: string; displayName: string; name: string }[];
    };
    const user = users.results[0];
    assert.ok(user);
    const added = await send("POST", `${base}/AuditItems`, [
      { type: "User", user: { id: user.id, displayName: user.displayName, name: user.name } },
      { type: "Group", group: { id: group.id } },
    ]);
    assert.equal(added.status, version === "v8" ? 204 : 201, added.text);
    const items = await get(sim, token, `${base}/AuditItems`);
    check(`${p}/AuditItems`, "get", "200", items.json());
    const list = items.json() as { id: string; type: string }[];
    assert.deepEqual(list.map((i) => i.type).sort(), ["Group", "User"]);
    assert.deepEqual(
      sim.world.audit
        .items(org)
        .map((i) => i.name)
        .sort(),
      [group.name, user.name].sort(),
    );
    const again = await send("POST", `${base}/AuditItems`, [
      { type: "User", user: { id: user.id } },
    ]);
    assert.equal(again.status, version === "v8" ? 204 : 201);
    assert.equal(sim.world.audit.items(org).length, 2, "adding an audited user again adds nothing");
    const unknown = await send("POST", `${base}/AuditItems`, [
      { type: "User", user: { id: "nope" } },
    ]);
    assert.equal(unknown.status, 400);

    const removed = await send("POST", `${base}/AuditItems/remove`, {
      itemIds: list.filter((i) => i.type === "Group").map((i) => i.id),
    });
    assert.equal(removed.status, version === "v8" ? 204 : 200, removed.text);
    assert.equal(sim.world.audit.items(org).length, 1);

    const settings = await get(sim, token, `/${version}/AuditEmailSettings`);
    check(`/${version}/AuditEmailSettings`, "get", "200", settings.json());
    assert.equal(
      "authenticationType" in (settings.json() as object),
      version !== "v6",
      "authenticationType exists from v7 on",
    );
    const put = await send("PUT", `/${version}/AuditEmailSettings`, {
      enableNotification: true,
      smtpServer: "smtp.example",
      port: 587,
      to: "sec@example",
      userPassword: "pw",
    });
    assert.equal(put.status, version === "v8" ? 204 : 200, put.text);
    assert.equal(sim.world.audit.passwordSet(), true);
    const wrongTest = version === "v8" ? "SendTest" : "SendTestEmail";
    const wrong = await send("POST", `/${version}/AuditEmailSettings/${wrongTest}`);
    assert.ok(
      wrong.status === 404 || wrong.status === 405,
      `${wrongTest} is not a ${version} route`,
    );
    const right = version === "v8" ? "SendTestEmail" : "SendTest";
    const test = await send("POST", `/${version}/AuditEmailSettings/${right}`);
    assert.equal(test.status, version === "v8" ? 204 : 200, test.text);
    assert.equal(sim.world.audit.testMailsSent(), 1);
  });
}
