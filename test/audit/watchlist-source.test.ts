// The watchlist read from a VBO server (the simulator over real HTTP): audited users and groups,
// group members resolved, and matching then finds a view of a watched user's mailbox.
import assert from "node:assert/strict";
import { test } from "node:test";
import { watchedSubjectOf } from "../../src/audit/watchlist.ts";
import { readVboWatchlist } from "../../src/audit/watchlist-source.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { createVboClient } from "../../src/vbo/client.ts";
import { login, request } from "../helpers/sim-http.ts";

test("audited users and groups become subjects; a group's members count as the group", async (t) => {
  const sim = await startSimulator({ apiVersion: "v8", tokenThrottle: false, ratePerMinute: 0 });
  t.after(() => sim.close());
  const token = await login(sim);
  const org = sim.world.organizations()[0];
  assert.ok(org);
  const api = (path: string, init: RequestInit = {}) =>
    request(`${sim.url}/v8${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    });
  const users = (await (await api(`/Organizations/${org.id}/Users?limit=100`)).json()) as {
    results: { id: string; name: string; displayName: string }[];
  };
  const groups = (await (await api(`/Organizations/${org.id}/Groups`)).json()) as {
    results: { id: string; name: string; displayName: string }[];
  };
  const user = users.results.find((u) => u.displayName === "Bob Jones");
  const group = groups.results.find((g) => g.displayName === "Human Resources");
  assert.ok(user && group);
  await api(`/Organizations/${org.id}/AuditItems`, {
    method: "POST",
    body: JSON.stringify([
      { type: "User", user: { id: user.id } },
      { type: "Group", group: { id: group.id } },
    ]),
  });
  const members = (await (
    await api(`/Organizations/${org.id}/Groups/${group.id}/Members`)
  ).json()) as {
    results: { name: string; login: string }[];
  };

  const client = createVboClient({
    url: sim.url,
    apiVersion: "v8",
    username: sim.username,
    password: sim.password,
  });
  t.after(() => client.close());
  const subjects = await readVboWatchlist(client);
  assert.deepEqual(
    subjects.map((s) => [s.kind, s.label, s.organization]),
    [
      ["user", user.name, org.name],
      ["group", group.name, org.name],
    ],
  );
  const member = members.results.find((m) => m.name !== user.displayName);
  assert.ok(member);
  const watchlist = { subjects };
  const probe = (source: string) =>
    watchedSubjectOf(watchlist, {
      sessionType: "Vex",
      organization: org.name,
      source,
      userId: null,
      groupId: null,
      siteId: null,
    })?.label ?? null;
  assert.equal(probe("Bob Jones\\Inbox"), user.name);
  assert.equal(probe(`${member.name}\\Inbox`), group.name);
  assert.equal(probe("Nobody Here\\Inbox"), null);
});
