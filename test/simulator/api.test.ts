// The simulator's API behaviour: tokens and throttle, paging and caps, filters, timeline, faults.
import assert from "node:assert/strict";
import { test } from "node:test";
import { domainOf } from "../../src/simulator/plan.ts";
import { startSimulator } from "../../src/simulator/server.ts";
import { get, login, request } from "../helpers/sim-http.ts";

const T0 = Date.parse("2026-03-16T18:00:00Z");

type Page = {
  results: {
    id: string;
    type: string;
    state: string;
    creationTime: string;
    endTime: string | null;
  }[];
  totalCount?: number;
  limit: number;
  _links: { next?: { href: string } };
};

test("tokens: bad credentials 400 invalid_grant, unknown and expired tokens 401 with an empty body, refresh grant", async (t) => {
  let now = T0;
  const sim = await startSimulator({
    apiVersion: "v6",
    tokenLifetimeSeconds: 60,
    tokenThrottle: false,
    clock: () => now,
  });
  t.after(() => sim.close());
  const bad = await request(`${sim.url}/v6/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      username: sim.username,
      password: "wrong",
    }),
  });
  assert.equal(bad.status, 400);
  assert.equal((bad.json() as { error: string }).error, "invalid_grant");

  const unknown = await get(sim, "not-a-token", "/v6/RestoreSessions");
  assert.equal(unknown.status, 401);
  assert.equal(unknown.text, "");

  const tokenReply = await request(`${sim.url}/v6/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      username: sim.username,
      password: sim.password,
    }),
  });
  const tokens = tokenReply.json() as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
  };
  assert.equal(tokens.expires_in, 60);
  assert.equal((await get(sim, tokens.access_token, "/v6/RestoreSessions")).status, 200);
  now += 61_000;
  const expired = await get(sim, tokens.access_token, "/v6/RestoreSessions");
  assert.equal(expired.status, 401);
  assert.equal(expired.text, "");

  const refreshed = await request(`${sim.url}/v6/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
  });
  assert.equal(refreshed.status, 200);
  const fresh = (refreshed.json() as { access_token: string }).access_token;
  assert.equal((await get(sim, fresh, "/v6/RestoreSessions")).status, 200);
  const reused = await request(`${sim.url}/v6/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
  });
  assert.equal(reused.status, 400, "a refresh token works once");
});

test("token throttle: 1 per second and 5 per minute, 429 with Retry-After", async (t) => {
  let now = T0;
  const sim = await startSimulator({ apiVersion: "v8", clock: () => now });
  t.after(() => sim.close());
  const form = () => ({
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      username: sim.username,
      password: sim.password,
    }),
  });
  assert.equal((await request(`${sim.url}/v8/token`, form())).status, 200);
  const second = await request(`${sim.url}/v8/token`, form());
  assert.equal(second.status, 429);
  assert.equal(second.headers.get("retry-after"), "1");
  for (let i = 0; i < 4; i++) {
    now += 1_000;
    assert.equal((await request(`${sim.url}/v8/token`, form())).status, 200);
  }
  now += 1_000;
  const sixth = await request(`${sim.url}/v8/token`, form());
  assert.equal(sixth.status, 429);
  assert.equal(
    Number(sixth.headers.get("retry-after")),
    55,
    "waits until the oldest of the five leaves the minute",
  );
});

test("paging: default 30, server cap, next links walk every session once; totalCount on v6/v7 only", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v7",
    historySessions: 50,
    ratePerMinute: 0,
    maxPageSize: 7,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const token = await login(sim);
  const first = (await get(sim, token, "/v7/RestoreSessions?limit=1000")).json() as Page;
  assert.equal(first.limit, 7);
  assert.equal(first.results.length, 7);
  assert.equal(first.totalCount, 50);
  const seen: string[] = [];
  let next: string | undefined = "/v7/RestoreSessions?limit=1000";
  while (next) {
    const page = (await get(sim, token, next)).json() as Page;
    seen.push(...page.results.map((s) => s.id));
    next = page._links.next?.href;
    assert.ok(next === undefined || next.startsWith("/v7/"), "links are server-relative");
  }
  assert.equal(seen.length, 50);
  assert.equal(new Set(seen).size, 50);
  const times = [];
  for (const id of seen)
    times.push(
      Date.parse(
        ((await get(sim, token, `/v7/RestoreSessions/${id}`)).json() as { creationTime: string })
          .creationTime,
      ),
    );
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
    "newest first",
  );

  const defaults = (await get(sim, token, "/v7/RestoreSessions")).json() as Page;
  assert.equal(defaults.limit, 7, "default 30 capped at 7");
  const v8 = await startSimulator({
    apiVersion: "v8",
    historySessions: 40,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => v8.close());
  const page = (await get(v8, await login(v8), "/v8/RestoreSessions")).json() as Page;
  assert.equal(page.limit, 30);
  assert.equal(page.results.length, 30);
  assert.equal(page.totalCount, undefined);
  const bad = await get(v8, await login(v8).catch(() => ""), "/v8/RestoreSessions?limit=abc");
  assert.ok(bad.status === 400 || bad.status === 401);
});

test("paths and query names are case-insensitive; startTimeFrom/To filter on the start", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 100,
    historyDays: 10,
    ratePerMinute: 0,
    tokenThrottle: false,
    startTime: T0,
    clock: () => T0,
  });
  t.after(() => sim.close());
  const token = await login(sim);
  const from = new Date(T0 - 3 * 86_400_000).toISOString();
  const to = new Date(T0 - 1 * 86_400_000).toISOString();
  const page = (
    await get(sim, token, `/V8/restoresessions?LIMIT=1000&starttimefrom=${from}&StartTimeTo=${to}`)
  ).json() as Page;
  assert.ok(
    page.results.length > 5 && page.results.length < 40,
    `${page.results.length} sessions in two of ten days`,
  );
  for (const s of page.results) {
    const start = Date.parse(s.creationTime);
    assert.ok(start >= Date.parse(from) - 1 && start <= Date.parse(to), s.creationTime);
  }
  const truth = [...sim.world.sessionsAt(T0)].filter((s) => {
    const start = Date.parse(s.creationTime);
    return start >= Date.parse(from) - 1 && start <= Date.parse(to);
  });
  assert.equal(page.results.length, truth.length);
  const endFiltered = (
    await get(sim, token, `/v8/RestoreSessions?limit=1000&endTimeFrom=${to}`)
  ).json() as Page;
  assert.ok(
    endFiltered.results.every(
      (s) => s.endTime !== null && Date.parse(s.endTime) >= Date.parse(to) - 1,
    ),
  );
  const oldestFirst = (
    await get(sim, token, "/v8/RestoreSessions?limit=3&orderAsc=true")
  ).json() as Page;
  const all = [...sim.world.sessionsAt(T0)];
  assert.equal(oldestFirst.results[0]?.id, all[0]?.id);
});

test("timeline: live sessions arrive, gain events while Working, then stop; same seed, same data", async (t) => {
  let now = T0;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 5,
    ratePerMinute: 6,
    sessionDurationSeconds: 60,
    tokenThrottle: false,
    clock: () => now,
  });
  t.after(() => sim.close());
  const token = await login(sim);
  const before = [...sim.world.sessionsAt(now)].length;
  now += 20_000;
  const live = [...sim.world.sessionsAt(now)].slice(before);
  assert.ok(live.length >= 1, "a live session has arrived");
  const id = live[0]?.id ?? "";
  const running = (await get(sim, token, `/v8/RestoreSessions/${id}`)).json() as {
    state: string;
    endTime: null;
    eTag: number;
  };
  assert.equal(running.state, "Working");
  assert.equal(running.endTime, null);
  const eventsEarly = sim.world.eventsAt(id, now).length;
  now += 120_000;
  const stopped = (await get(sim, token, `/v8/RestoreSessions/${id}`)).json() as {
    state: string;
    endTime: string;
    eTag: number;
  };
  assert.equal(stopped.state, "Stopped");
  assert.ok(Date.parse(stopped.endTime) > 0);
  assert.ok(stopped.eTag > running.eTag, "eTag bumps");
  const eventsLate = (
    await get(sim, token, `/v8/RestoreSessions/${id}/Events?limit=100`)
  ).json() as { results: { order: number; type: string }[] };
  assert.ok(eventsLate.results.length > eventsEarly, "events were appended while it ran");
  assert.deepEqual(
    eventsLate.results.map((e) => e.order),
    eventsLate.results.map((_, i) => i),
  );
  assert.equal(eventsLate.results.at(-1)?.type, "None", "a stop entry ends the log");

  const twin = await startSimulator({
    apiVersion: "v8",
    historySessions: 5,
    ratePerMinute: 6,
    sessionDurationSeconds: 60,
    tokenThrottle: false,
    startTime: T0,
    clock: () => now,
  });
  t.after(() => twin.close());
  assert.deepEqual([...twin.world.sessionsAt(now)], [...sim.world.sessionsAt(now)]);
});

test("data shapes: organizations with hostile names, every restore type, clientHost shapes, fractional digits and offsets", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 400,
    organizations: 6,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const sessions = [...sim.world.sessionsAt(Date.now())];
  const names = new Set(sessions.map((s) => s.organization));
  assert.ok([...names].some((n) => typeof n === "string" && n.includes('"') && n.includes(",")));
  assert.ok([...names].some((n) => typeof n === "string" && /[^ -~]/.test(n)));
  assert.deepEqual(new Set(sessions.map((s) => s.type)), new Set(["Vex", "Veod", "Vesp", "Vet"]));
  const hosts = sessions.map((s) => s.clientHost);
  assert.ok(hosts.includes(undefined) && hosts.includes(""));
  assert.ok(
    hosts.some((h) => typeof h === "string" && /\(via: [0-9a-f:]+:[0-9a-f]+\)$/.test(h)),
    "IPv6 gateway",
  );
  const digits = new Set(sessions.map((s) => /\.(\d+)/.exec(s.creationTime)?.[1]?.length ?? 0));
  assert.ok(digits.has(0) && digits.has(7));
  assert.ok(sessions.some((s) => s.creationTime.endsWith("+03:00")));
  const results = new Set(sessions.filter((s) => s.state === "Stopped").map((s) => s.result));
  assert.deepEqual(results, new Set(["Success", "Warning", "Failed"]));
  const events = sessions.slice(0, 60).flatMap((s) => sim.world.eventsAt(s.id, Date.now()));
  const types = new Set(events.map((e) => e.type));
  for (const type of ["None", "Save", "Export", "Send", "Restore", "View"])
    assert.ok(types.has(type), type);
});

test("faults: error status, HTML pages, truncated JSON, unknown enums; switchable through the admin endpoint", async (t) => {
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 20,
    ratePerMinute: 0,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  const token = await login(sim);
  sim.faults.errorRate = 1;
  sim.faults.errorStatus = 503;
  assert.equal((await get(sim, token, "/v8/RestoreSessions")).status, 503);
  const off = await request(`${sim.url}/_simulator/faults`, {
    method: "PUT",
    body: JSON.stringify({ errorRate: 0, invalidJsonRate: 1 }),
  });
  assert.equal(off.status, 200);
  const html = await get(sim, token, "/v8/RestoreSessions");
  assert.match(html.text, /<html>/);
  await request(`${sim.url}/_simulator/faults`, {
    method: "PUT",
    body: JSON.stringify({ invalidJsonRate: 0, truncatedJsonRate: 1 }),
  });
  const cut = await get(sim, token, "/v8/RestoreSessions");
  assert.throws(() => cut.json());
  const rejected = await request(`${sim.url}/_simulator/faults`, {
    method: "PUT",
    body: JSON.stringify({ errorRate: 7 }),
  });
  assert.equal(rejected.status, 400);
  assert.match(rejected.text, /errorRate/);
  Object.assign(sim.faults, { truncatedJsonRate: 0, unknownEnumRate: 1 });
  const odd = (await get(sim, token, "/v8/RestoreSessions?limit=5")).json() as Page & {
    results: { type: string }[];
  };
  assert.ok(odd.results.every((s) => !["Vex", "Veod", "Vesp", "Vet"].includes(s.type)));

  const added = await request(`${sim.url}/_simulator/sessions`, {
    method: "POST",
    body: JSON.stringify({
      clientHost: "NEWHOST01 (via: 203.0.113.10)",
      result: "Failed",
      type: "Vex",
      durationSeconds: 1,
    }),
  });
  assert.equal(added.status, 201);
  const { id } = added.json() as { id: string };
  const session = [...sim.world.sessionsAt(Date.now() + 5_000)].find((s) => s.id === id);
  assert.equal(session?.clientHost, "NEWHOST01 (via: 203.0.113.10)");
  assert.equal(session?.result, "Failed");
});

test("ServiceInstance: 401 without a token on the served version, 404 on others", async (t) => {
  const sim = await startSimulator({ apiVersion: "v7", historySessions: 1 });
  t.after(() => sim.close());
  assert.equal((await request(`${sim.url}/v7/ServiceInstance`)).status, 401);
  assert.equal((await request(`${sim.url}/v8/ServiceInstance`)).status, 404);
  assert.equal((await request(`${sim.url}/v6/serviceinstance`)).status, 404);
});

test("every answer's Date header shows the simulator's own clock, as a real server's does", async (t) => {
  let now = T0 - 3 * 3_600_000;
  const sim = await startSimulator({ apiVersion: "v8", tokenThrottle: false, clock: () => now });
  t.after(() => sim.close());
  const token = await login(sim);
  assert.equal(
    (await get(sim, token, "/v8/RestoreSessions")).headers.get("date"),
    "Mon, 16 Mar 2026 15:00:00 GMT",
  );
  now += 90_500;
  assert.equal(
    (await request(`${sim.url}/v8/ServiceInstance`)).headers.get("date"),
    "Mon, 16 Mar 2026 15:01:30 GMT",
  );
});

test("100 000 sessions of history start at once and page deep without holding JSON", async (t) => {
  const started = performance.now();
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 100_000,
    tokenThrottle: false,
  });
  t.after(() => sim.close());
  assert.ok(performance.now() - started < 5_000);
  const token = await login(sim);
  const deep = (await get(sim, token, "/v8/RestoreSessions?offset=99990&limit=50")).json() as Page;
  assert.ok(deep.results.length >= 10);
  assert.equal(deep._links.next, undefined);
});

test("an item being processed shows as Running (no end time, no size yet) and is updated in place when it ends", async (t) => {
  let now = T0;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 0,
    ratePerMinute: 6,
    sessionDurationSeconds: 600,
    tokenThrottle: false,
    clock: () => now,
  });
  t.after(() => sim.close());
  const token = await login(sim);
  type Event = { id: string; status: string; endTime: string | null; itemSizeBytes: number };
  const eventsOver = async (id: string) =>
    (
      (await get(sim, token, `/v8/RestoreSessions/${id}/Events?limit=1000`)).json() as {
        results: Event[];
      }
    ).results;
  let found: { sessionId: string; eventId: string } | null = null;
  for (let step = 0; step < 3_600 && found === null; step++) {
    now += 1_000;
    for (const session of sim.world.sessionsAt(now)) {
      if (session.state !== "Working") continue;
      const running = sim.world.eventsAt(session.id, now).find((e) => e.status === "Running");
      if (running) found = { sessionId: session.id, eventId: running.id };
    }
  }
  assert.ok(found, "some item was still being processed at some second of an hour of traffic");
  const during = (await eventsOver(found.sessionId)).find((e) => e.id === found?.eventId);
  assert.equal(during?.status, "Running");
  assert.equal(during?.endTime, null);
  assert.equal(during?.itemSizeBytes, 0);
  now += 700_000;
  const after = (await eventsOver(found.sessionId)).find((e) => e.id === found?.eventId);
  assert.notEqual(after?.status, "Running");
  assert.ok(after?.endTime && Date.parse(after.endTime) > 0, "an end time once it ended");
  const session = (await get(sim, token, `/v8/RestoreSessions/${found.sessionId}`)).json() as {
    state: string;
  };
  assert.equal(session.state, "Stopped");
});

test("no item ends after its session stopped, event ids are unique, and initiatedBy belongs to the session's organization, added ones included", async (t) => {
  let now = T0;
  const sim = await startSimulator({
    apiVersion: "v8",
    historySessions: 300,
    organizations: 12,
    ratePerMinute: 6,
    sessionDurationSeconds: 60,
    tokenThrottle: false,
    clock: () => now,
  });
  t.after(() => sim.close());
  const added = (
    await request(`${sim.url}/_simulator/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ organization: "contoso.onmicrosoft.com", durationSeconds: 30 }),
    })
  ).json() as { id: string };
  now += 20 * 60_000;
  let items = 0;
  const forms = new Set<string>();
  for (const session of sim.world.sessionsAt(now)) {
    const organization = String(session.organization);
    const by = String(session.initiatedBy);
    // The organization (Cloud Connect), a UPN at its domain, DOMAIN\user of its domain, or
    // HOST\Administrator of the restoring machine, logins with the case drift real servers show.
    const [prefix = "", login = ""] = by.split("\\");
    const machine = String(session.clientHost ?? "").split(" ")[0] ?? "";
    const form =
      by === organization
        ? "organization"
        : by.endsWith(`@${domainOf(organization)}`)
          ? "upn"
          : login.toLowerCase() === "administrator" &&
              (machine === "" || prefix.toLowerCase() === machine.toLowerCase())
            ? "local"
            : prefix.toLowerCase() === domainOf(organization).split(".")[0]?.slice(0, 15)
              ? "domain"
              : "foreign";
    assert.notEqual(form, "foreign", `${by} for ${organization} (client ${machine})`);
    forms.add(form);
    if (typeof session.endTime !== "string") continue;
    for (const event of sim.world.eventsAt(session.id, now)) {
      items++;
      assert.ok(
        Date.parse(String(event.endTime)) <= Date.parse(session.endTime),
        `event ${event.id} ends ${event.endTime}, after its session (${session.endTime})`,
      );
    }
  }
  assert.ok(items > 1000, `${items} events checked`);
  assert.deepEqual([...forms].sort(), ["domain", "local", "organization", "upn"]);
  const eventIds = [...sim.world.sessionsAt(now)].flatMap((s) =>
    sim.world.eventsAt(s.id, now).map((e) => e.id),
  );
  assert.equal(new Set(eventIds).size, eventIds.length, "event ids are unique across sessions");
  const mine = [...sim.world.sessionsAt(now)].find((s) => s.id === added.id);
  assert.equal(mine?.organization, "contoso.onmicrosoft.com");
});
